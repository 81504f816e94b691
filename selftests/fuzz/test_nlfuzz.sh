#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netlink fuzzer (nlfuzz.py) against ntvnic's and ntbypass's generic
# netlink families, rtnetlink newlink of kind ntvnic and tcp_ntcubic's
# module parameters: as root in a fresh namespace, as an unprivileged user
# (nobody, no capabilities) and as root of its own user namespace
# (unshare -Urn: GENL_UNS_ADMIN_PERM lets it configure its own namespace
# only). Every malformed message must be refused (with an extack message
# where one can name the fault); afterwards the modules' reference counts
# are back where they were, unreclaimable slab has not grown past a bound,
# and each module unloads and loads again. The kernel log is checked by
# selftests/run (WARNING, BUG, Oops...).
#
# NT_FUZZ_COUNT messages per family (default 2000; make fuzz: 10000),
# NT_FUZZ_SEED (default 1): the same seed and count send the same messages.
# Two minutes of VM time even with 300 messages under load (python under
# emulation, namespace teardown, module reloads): not in make check.
# nt-tier: full
. "$(dirname "$0")/../lib.sh"

count=${NT_FUZZ_COUNT:-2000}
seed=${NT_FUZZ_SEED:-1}
fuzz=$(dirname "$(readlink -f "$0")")/nlfuzz.py
mods="ntvnic ntbypass tcp_ntcubic"

nt_require_modules $mods
nt_require_cmds python3 setpriv unshare
nt_plan 10

refcnts() {
	local m
	for m in $mods; do printf '%s=%s ' "$m" "$(cat "/sys/module/$m/refcnt")"; done
}
refs_back() { [ "$(refcnts)" = "$refs_before" ]; }
refs_settled() { [ "$(refcnts)" = "ntvnic=0 ntbypass=0 tcp_ntcubic=0 " ]; }
sunreclaim_kb() { awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo; }

out=${NTVM_OUT:-/tmp}/nlfuzz
mkdir -p "$out"
# Where the unprivileged runs can write their counts (copied to $out).
uout=$(mktemp -d /tmp/nlfuzz.XXXXXX)
chmod 0777 "$uout"
nt_defer rm -rf "$uout"
# A short run first, so that caches that grow once (slab pages of the
# first netns, the first device, the first rule) are not taken for a leak.
nt_netns_new warm
ip netns exec "$NS_warm" python3 -S -E "$fuzz" --seed "$((seed + 3))" --count 100 >/dev/null 2>&1
ip netns del "$NS_warm"
nt_wait_for 30 refs_settled
refs_before=$(refcnts)
slab_before=$(sunreclaim_kb)
nt_log "seed $seed, $count messages per family; refcounts before: $refs_before; SUnreclaim ${slab_before} kB"

# Link creations the kernel refuses late (an invalid name like "a/b" passes
# the policy, register_netdevice() refuses it after ntvnic allocated its
# queues) must free everything: 100 such messages leaked 10 MB once.
nt_netns_new names
s0=$(sunreclaim_kb)
ip netns exec "$NS_names" env NLFUZZ_RTNL_CLASSES=badstr python3 -S -E "$fuzz" --families rtnl \
	--count 100 --seed "$seed" >/dev/null
ip netns del "$NS_names"
nt_wait_for 30 refs_back
s1=$(sunreclaim_kb)
nt_log "100 RTM_NEWLINK with bad names: SUnreclaim $((s1 - s0)) kB"
nt_le "refused link creations (bad names) leave < 2 MiB of slab" "$((s1 - s0))" 2048

# fz: where the fuzzer runs; fz2: a second namespace its messages may
# move devices to (NETNS_FD, IFLA_NET_NS_FD).
nt_netns_new fz fz2
t=$SECONDS
nt_check "root: every malformed message refused" \
	ip netns exec "$NS_fz" python3 -S -E "$fuzz" --seed "$seed" --count "$count" \
	--netns "/run/netns/$NS_fz2" --json "$out/root.json"
nt_log "root run: $((SECONDS - t)) s"

t=$SECONDS
nt_check "unprivileged (nobody): every change refused" \
	ip netns exec "$NS_fz" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	python3 -S -E "$fuzz" --unpriv --seed "$((seed + 1))" --count "$((count / 2))" --json "$uout/unpriv.json"
nt_log "unprivileged run: $((SECONDS - t)) s"

# Root of its own user and network namespace: may configure that namespace
# (the fuzzer creates devices and rules there), nothing outside it.
if [ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" = 1 ]; then
	t=$SECONDS
	nt_check "user namespace root: malformed refused, own namespace only" \
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		unshare -Urn python3 -S -E "$fuzz" --families ntvnic,ntbypass,rtnl --seed "$((seed + 2))" \
		--count "$((count / 2))" --json "$uout/userns.json"
	nt_log "user namespace run: $((SECONDS - t)) s"
else
	nt_skip "user namespace root: unprivileged user namespaces are off"
fi

cp "$uout"/*.json "$out/" 2>/dev/null

# Nothing the fuzzer made may outlive its namespaces.
ip netns del "$NS_fz"
ip netns del "$NS_fz2"
nt_wait_for 30 refs_back
refs_after=$(refcnts)
nt_eq "module reference counts back where they were" "$refs_before" "$refs_after"
nt_check "no ntvnic device left in the initial namespace" \
	bash -c "! ip -d link show | grep -q 'ntvnic '"

# Unreclaimable slab: a leaked object per message would be megabytes; a
# bound, not zero (per-CPU caches and RCU-freed objects come and go).
sleep 2
slab_after=$(sunreclaim_kb)
nt_log "SUnreclaim ${slab_before} kB before, ${slab_after} kB after ($((slab_after - slab_before)) kB)"
nt_le "unreclaimable slab grew by less than 4 MiB" "$((slab_after - slab_before))" 4096

t=$SECONDS
for m in $mods; do
	rmmod "$m" || break
done
nt_check "each module unloads after the fuzzing" bash -c '! lsmod | grep -qE "^(ntvnic|ntbypass|tcp_ntcubic) "'
for m in $mods; do nt_load_module "$m"; done
nt_check "and loads again" bash -c '[ $(lsmod | grep -cE "^(ntvnic|ntbypass|tcp_ntcubic) ") -eq 3 ]'
nt_log "unload and load: $((SECONDS - t)) s"
nt_check "the counts are in $out" test -s "$out/root.json"
nt_done
