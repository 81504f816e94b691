#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages, in the VM (whose / is the host's under a tmpfs
# overlay, so dpkg may write): install nettune and nettune-dkms from
# build/deb (make deb), DKMS builds the modules for the running kernel,
# modprobe loads them from where DKMS put them, /usr/bin/nettune works,
# then purging both leaves nothing behind. Skips if the packages were not
# built. Takes minutes (DKMS compiles under emulation): run by make
# check-deb, not by make check (selftests/run skips pkg unless named).
source "$(dirname "$0")/../lib.sh"

debs=$NT_TOP/build/deb
ver=$(cat "$NT_TOP/VERSION")
kver=$(uname -r)
modules=(ntvnic ntbypass tcp_ntcubic)
cli_deb=$(ls "$debs"/nettune_"$ver"_*.deb 2>/dev/null | head -n 1)
dkms_deb=$(ls "$debs"/nettune-dkms_"$ver"_all.deb 2>/dev/null | head -n 1)

[ -n "$cli_deb" ] && [ -n "$dkms_deb" ] ||
	nt_skip_all "no nettune_${ver}_*.deb and nettune-dkms_${ver}_all.deb in $debs: run make deb (or make check-deb)"
nt_require_cmds dpkg dkms modprobe modinfo jq
[ -e "/lib/modules/$kver/build/include" ] || nt_skip_all "no headers for the running kernel $kver"
for m in "${modules[@]}"; do
	[ -e "/sys/module/$m" ] && nt_skip_all "$m is loaded already (run with scripts/vm-run --modules none)"
done
dpkg-query -W nettune nettune-dkms >/dev/null 2>&1 &&
	nt_skip_all "nettune packages are installed already on this system"

# Left behind after a purge, for `nettune-dkms` and `nettune`.
leftovers() {
	ls -d /usr/src/nettune-* /var/lib/dkms/nettune /usr/bin/nettune /usr/lib/nettune \
		/usr/share/man/man8/nettune* /usr/share/bash-completion/completions/nettune \
		/usr/share/doc/nettune /usr/share/doc/nettune-dkms 2>/dev/null
	find /lib/modules -name 'ntvnic.ko*' -o -name 'ntbypass.ko*' -o -name 'tcp_ntcubic.ko*' 2>/dev/null
}

purge() {
	local m
	for m in "${modules[@]}"; do rmmod "$m" 2>/dev/null; done
	dpkg --purge nettune nettune-dkms
}
nt_defer purge

nt_plan 12
before=$(leftovers)
nt_eq "nothing of nettune installed before" "" "$before"

# man-db's trigger rebuilds its whole index: minutes under emulation, and
# nothing here reads it (this is the VM's overlay, gone at shutdown).
rm -f /var/lib/man-db/auto-update
export DEBIAN_FRONTEND=noninteractive

# dpkg's output as it comes (DKMS compiles for minutes under emulation).
start=$SECONDS
dpkg -i "$dkms_deb" "$cli_deb" 2>&1 | sed -u 's/^/# dpkg: /'
nt_eq "dpkg -i nettune-dkms and nettune (DKMS builds for $kver) exits 0" 0 "${PIPESTATUS[0]}"
nt_log "install took $((SECONDS - start)) s"
nt_check "dkms status: nettune/$ver installed for $kver" \
	bash -c "dkms status nettune/$ver -k $kver | grep -q ': installed'"

loaded_from_dkms() {
	local m=$1 path
	modprobe "$m" || return 1
	path=$(modinfo -n "$m") || return 1
	echo "$m: $path"
	[[ $path == /lib/modules/$kver/updates/dkms/* || $path == /lib/modules/$kver/extra/* ]] || return 1
	# the module in the kernel is that file
	[ "$(cat "/sys/module/$m/srcversion")" = "$(modinfo -F srcversion "$path")" ] || return 1
	[ "$(cat "/sys/module/$m/version")" = "$ver" ]
}
for m in "${modules[@]}"; do
	nt_check "modprobe $m loads the DKMS build (updates/dkms), version $ver" loaded_from_dkms "$m"
done

nt_eq "/usr/bin/nettune version: itself and the three modules at $ver, loaded" \
	"$ver 3" "$(/usr/bin/nettune --json version |
		jq -r --arg v "$ver" '"\(.version) \([.modules[] | select(.loaded and .version == $v)] | length)"')"
nt_check "man pages and completion installed" \
	bash -c "ls /usr/share/man/man8/nettune.8.gz /usr/share/man/man8/nettune-vnic.8.gz \
		/usr/share/bash-completion/completions/nettune"

# The DKMS-built ntvnic works: a pair across a namespace.
nt_netns_new a
vnic_pair() {
	/usr/bin/nettune vnic add ntpkg0 peer ntpkg1 queues 2 netns "$NS_a" peer-netns "$NS_a" &&
		ip -n "$NS_a" -o link show ntpkg1 &&
		/usr/bin/nettune -n "$NS_a" vnic del ntpkg0
}
nt_check "/usr/bin/nettune vnic add/del with the DKMS ntvnic" vnic_pair

for m in "${modules[@]}"; do rmmod "$m"; done
start=$SECONDS
nt_check "dpkg --purge nettune nettune-dkms" dpkg --purge nettune nettune-dkms
nt_log "purge took $((SECONDS - start)) s"
nt_eq "nothing left after the purge (sources, dkms tree, modules, program, docs)" "" "$(leftovers)"
nt_check "modprobe finds no ntvnic any more" bash -c "! modprobe -n ntvnic 2>/dev/null"
nt_done
