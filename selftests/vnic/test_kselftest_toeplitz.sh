#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# The kernel's own RSS selftest (tools/testing/selftests/net/toeplitz.c,
# built by `make` from Debian's linux-source-6.1 tarball) agrees with
# ntvnic: for UDP and TCP flows over IPv4 and IPv6 into a 4-queue port, the skb hash it reads with
# PACKET_RX_RING equals its software Toeplitz with the port's key, and
# every packet arrives on the CPU of the IRQ of the queue that hash picks
# (PACKET_FANOUT_CPU, its '-C' check).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3
toeplitz=$NT_TOP/build/kselftest/toeplitz
[ -x "$toeplitz" ] || nt_skip_all "$toeplitz not built: run make kselftest-progs"
nt_plan 10

tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"

nt_netns_new a b
vnic_pair_ns va "$NS_a" vb "$NS_b" 4 2>/dev/null
key=$(ip netns exec "$NS_b" ethtool -x vb | awk '/RSS hash key/ { getline; print $1 }')
cpus=""
for q in 0 1 2 3; do
	cpus+="$(cat "/proc/irq/$(vnic_irq vb $q)/effective_affinity_list"),"
done
cpus=${cpus%,}
nt_log "vb key $key, rx irq cpus $cpus"

# run_kselftest PROTO_FLAG: the sender loops first (python3 starts slowly
# under TCG), sending 32 UDP flows or 16 TCP SYNs (nothing listens: SYN,
# RST) every 0.3 s; the kernel selftest then listens for 6 s.
run_kselftest() { # -u|-t [-4|-6]
	local flag=$1 fam=${2:--4} out rc sender
	ip netns exec "$NS_a" python3 -S -E -c '
import socket, sys, time
udp = sys.argv[1] == "-u"
v6 = sys.argv[2] == "-6"
af = socket.AF_INET6 if v6 else socket.AF_INET
src, dst = ("fd00::1", "fd00::2") if v6 else ("10.0.0.1", "10.0.0.2")
end = time.time() + 60
while time.time() < end:
    for p in range(30000, 30032 if udp else 30016):
        if udp:
            s = socket.socket(af, socket.SOCK_DGRAM)
            s.bind((src, p))
            s.sendto(b"x", (dst, 9000))
        else:
            s = socket.socket(af)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((src, p))
            s.settimeout(1)
            try:
                s.connect((dst, 9000))
            except OSError:
                pass
        s.close()
    time.sleep(0.3)
' "$flag" "$fam" 2>/dev/null &
	sender=$!
	sleep 3
	ip netns exec "$NS_b" "$toeplitz" "$fam" "$flag" -i vb -d 9000 -k "$key" -C "$cpus" -T 6000 -s \
		>"$tmp/out" 2>&1
	rc=$?
	kill "$sender" 2>/dev/null
	wait "$sender" 2>/dev/null
	out=$(cat "$tmp/out")
	nt_log "toeplitz $fam $flag: $(grep -o 'count: .*' <<<"$out")" >&2
	echo "$rc $(grep -o 'pass=[0-9]*' <<<"$out" | cut -d= -f2) $(grep -o 'fail=[0-9]*' <<<"$out" | cut -d= -f2)"
}

# check_udp|check_tcp LABEL [-4|-6]: the selftest's verdict and counts.
check_udp() {
	local rc pass fail
	read -r rc pass fail <<<"$(run_kselftest -u "$2")"
	nt_eq "$1: kernel selftest exits 0 (no hash or CPU mismatch)" 0 "$rc"
	nt_ge "$1: it verified at least 64 datagrams (32 flows)" "${pass:-0}" 64
	nt_eq "$1: no failures" 0 "${fail:-1}"
}
check_tcp() {
	local rc pass fail
	read -r rc pass fail <<<"$(run_kselftest -t "$2")"
	nt_eq "$1: kernel selftest exits 0 (SYNs of 16 flows checked)" 0 "$rc"
	nt_ge "$1: it verified at least 16 SYNs" "${pass:-0}" 16
}
check_udp UDP -4
check_tcp TCP -4
# IPv6: ntvnic reads IPv6 headers itself (rss.c), not the flow dissector.
check_udp UDP/IPv6 -6
check_tcp TCP/IPv6 -6
nt_done
