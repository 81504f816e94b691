#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test, not in make check): where dropping a flood is
# cheapest, and what a SYN limit buys a listener under a SYN flood. One VM
# run, all variants side by side, rounds interleaved in random order.
#
# Part 1, UDP flood. The kernel's pktgen (kpktgend_0, CPU 0) floods 64-byte
# UDP to port 9 over a veth pair fA/xA -> fB/xB; the receive side runs on
# the sending CPU (veth). Dropped by, one at a time:
#   xdp         nettune xdp deny udp 9, native mode on xB (veth NAPI)
#   (not: the program in generic mode. pktgen hands the stack shared skbs,
#   and 6.1's generic XDP expands a shared skb's head: kernel BUG at
#   net/core/skbuff.c:1845, pskb_expand_head, seen in the first run of
#   this script. UDP_VARIANTS=xdp-generic still selects it.)
#   raw         iptables -t raw PREROUTING -p udp --dport 9 -j DROP
#   input       iptables INPUT -p udp --dport 9 -j DROP (after conntrack,
#               routing)
#   nft         nft: hook prerouting priority raw (-300) udp dport 9 drop
#   socket      no rule: a UDP socket (socat) reads and discards
# pktgen sends a fixed UDP_COUNT packets; the receive side runs in softirq
# on the sending CPU (veth), so the run's duration is what sending and
# dropping cost together. Metric: packets the variant's own counter saw
# (XDP reason counter, iptables/nft rule counter; for socket the datagrams
# delivered to it, "Udp: InDatagrams", plus those it had no room for,
# RcvbufErrors) divided by pktgen's own run time ("Result: ... usec"),
# counters read before and after the run, while nothing moves.
#
# Part 2, SYN flood. hping3 --flood sends SYNs to a listener (fB, port
# 8080, a python accept-and-close loop) from 10.79.0.200, an address nobody
# answers for (its SYN-ACKs go unanswered, as from a spoofed source); a
# client on 10.79.0.1 connects in a loop for SYN_SECONDS (timeout 3 s):
# completed connects per second and connect times (median, p90), with
#   none             net.ipv4.tcp_syncookies=0, tcp_max_syn_backlog=128
#   syncookies       net.ipv4.tcp_syncookies=1 (cookies when the queue is full)
#   synlimit         syncookies=0, nettune xdp synlimit 100/s burst 50 on xB
#   synlimit+cookies syncookies=1 and the same synlimit
# The limit must sit above a legitimate source's own rate (the client here
# makes ~40-50 connects/s from one address; a first run with 5/s throttled
# it to 7/s). A per-source limit alone cannot keep a single-source flood
# from filling the SYN queue either: 100 half-open connections a second,
# each kept ~60 s by SYN-ACK retries, fill 128 entries in about a second.
# The listener is restarted for each measurement (closing it frees its
# half-open connections).
#
#   scripts/vm-run --modules none --timeout 2400 -- scripts/bench/xdp.sh
#
# Environment: REPS (3), UDP_COUNT (100000), SYN_SECONDS (5), UDP_VARIANTS,
# SYN_VARIANTS. Results: CSVs and a markdown summary on stdout, also in
# $NTVM_OUT (when vm-run provides it) as bench-xdp.{csv,md}.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
source "$top/scripts/bench/pktgen_lib.sh"
NETTUNE=${NETTUNE:-$top/build/tools/nettune}
REPS=${REPS:-3}
UDP_COUNT=${UDP_COUNT:-100000}
SYN_SECONDS=${SYN_SECONDS:-5}
UDP_VARIANTS=${UDP_VARIANTS:-"xdp raw input nft socket"}
SYN_VARIANTS=${SYN_VARIANTS:-"none syncookies synlimit synlimit+cookies"}
OUT=${NTVM_OUT:-$(mktemp -d)}
CSV=$OUT/bench-xdp.csv
A=fA B=fB
bg_pids=()

cleanup() {
	local p
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	ip netns exec "$A" sh -c 'echo stop > /proc/net/pktgen/pgctrl' 2>/dev/null || true
	"$NETTUNE" -n "$B" xdp detach xB >/dev/null 2>&1 || true
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	return 0
}
trap 'cleanup || true' EXIT

setup() {
	ip netns add "$A"
	ip netns add "$B"
	ip -n "$A" link add xA address 02:00:00:00:79:01 type veth peer name xB \
		address 02:00:00:00:79:02 netns "$B"
	ip -n "$A" addr add 10.79.0.1/24 dev xA
	ip -n "$B" addr add 10.79.0.2/24 dev xB
	for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
	ip -n "$A" link set xA up
	ip -n "$B" link set xB up
	ip -n "$A" neigh replace 10.79.0.2 lladdr 02:00:00:00:79:02 dev xA nud permanent
	ip -n "$B" neigh replace 10.79.0.1 lladdr 02:00:00:00:79:01 dev xB nud permanent
	# The flood's source: SYN-ACKs to it reach xA and are dropped there
	# (not a local address, no forwarding): nobody answers them.
	ip -n "$B" neigh replace 10.79.0.200 lladdr 02:00:00:00:79:01 dev xB nud permanent
	ip netns exec "$B" sysctl -qw net.core.somaxconn=4096
}


# --- part 1: UDP flood --------------------------------------------------------

setup_pktgen() { pktgen_setup "$A" xA 10.79.0.2 02:00:00:00:79:02 "$UDP_COUNT"; }


snmp_udp() { # field N of the Udp: values line
	ip netns exec "$B" awk -v f="$1" '/^Udp:/ { if (h) { print $f; exit } h = 1 }' /proc/net/snmp
}

udp_rule_on() {
	case $1 in
	xdp) "$NETTUNE" -n "$B" xdp attach xB mode native >/dev/null
		"$NETTUNE" -n "$B" xdp deny udp 9 >/dev/null ;;
	xdp-generic) "$NETTUNE" -n "$B" xdp attach xB mode generic >/dev/null
		"$NETTUNE" -n "$B" xdp deny udp 9 >/dev/null ;;
	raw) ip netns exec "$B" iptables -t raw -A PREROUTING -p udp --dport 9 -j DROP ;;
	input) ip netns exec "$B" iptables -A INPUT -p udp --dport 9 -j DROP ;;
	nft) ip netns exec "$B" nft -f - <<-EOF
		table inet bench {
			chain pre { type filter hook prerouting priority -300; udp dport 9 counter drop; }
		}
	EOF
		;;
	socket)
		ip netns exec "$B" socat -u UDP-RECV:9,bind=10.79.0.2,rcvbuf=212992 /dev/null &
		bg_pids+=($!)
		for _ in $(seq 50); do
			ip netns exec "$B" ss -lun | grep -q ':9 ' && break
			sleep 0.1
		done ;;
	esac
}

udp_rule_off() {
	case $1 in
	xdp | xdp-generic) "$NETTUNE" -n "$B" xdp detach xB >/dev/null ;;
	raw) ip netns exec "$B" iptables -t raw -F PREROUTING ;;
	input) ip netns exec "$B" iptables -F INPUT ;;
	nft) ip netns exec "$B" nft delete table inet bench ;;
	socket) kill "${bg_pids[-1]}"; wait "${bg_pids[-1]}" 2>/dev/null || true
		unset 'bg_pids[-1]' ;;
	esac
}

udp_dropped() { # the variant's own count of packets it dropped (or consumed)
	case $1 in
	xdp | xdp-generic) "$NETTUNE" -n "$B" xdp stats dev xB | while read -r r _ p _; do
		[ "$r" = denied_port ] && echo "$p"; done ;;
	raw) ip netns exec "$B" iptables -t raw -L PREROUTING -v -x -n | awk 'NR == 3 { print $1 }' ;;
	input) ip netns exec "$B" iptables -L INPUT -v -x -n | awk 'NR == 3 { print $1 }' ;;
	nft) ip netns exec "$B" nft list table inet bench | awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }' ;;
	socket) echo $(($(snmp_udp 2) + $(snmp_udp 6))) ;; # InDatagrams + RcvbufErrors
	esac
}

# pktgen's own account of the last run: "usec sent".

measure_udp() { # prints "dropped_pps,sent_pps,dropped_share"
	local v=$1 c0 c1 usec sent
	udp_rule_on "$v"
	setup_pktgen
	c0=$(udp_dropped "$v")
	pktgen_run "$A"
	sleep 0.5 # the receiving softirq may still hold the last packets
	c1=$(udp_dropped "$v")
	read -r usec sent <<<"$(pktgen_result "$A" xA)"
	udp_rule_off "$v"
	awk -v d="$((c1 - c0))" -v u="$usec" -v s="$sent" \
		'BEGIN { printf "%.0f,%.0f,%.4f\n", d / u * 1e6, s / u * 1e6, d / s }'
}

# --- part 2: SYN flood --------------------------------------------------------

LISTENER='
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.79.0.2", 8080))
s.listen(128)
while True:
    c, _ = s.accept()
    c.close()
'

CLIENT='
import socket, statistics, sys, time
seconds = float(sys.argv[1])
times, failed = [], 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    s = socket.socket()
    s.settimeout(3)
    s.bind(("10.79.0.1", 0))
    t = time.monotonic()
    try:
        s.connect(("10.79.0.2", 8080))
        times.append(time.monotonic() - t)
    except OSError:
        failed += 1
    s.close()
n = len(times)
q = sorted(times)
print("%.1f,%.2f,%.2f,%d" % (n / seconds, 1000 * statistics.median(q) if q else -1,
      1000 * q[int(0.9 * (n - 1))] if q else -1, failed))
'

syn_defence_on() {
	case $1 in
	none) ip netns exec "$B" sysctl -qw net.ipv4.tcp_syncookies=0 net.ipv4.tcp_max_syn_backlog=128 ;;
	syncookies) ip netns exec "$B" sysctl -qw net.ipv4.tcp_syncookies=1 net.ipv4.tcp_max_syn_backlog=128 ;;
	synlimit | synlimit+cookies)
		ip netns exec "$B" sysctl -qw net.ipv4.tcp_syncookies=$([ "$1" = synlimit ] && echo 0 || echo 1) \
			net.ipv4.tcp_max_syn_backlog=128
		"$NETTUNE" -n "$B" xdp attach xB mode native >/dev/null
		"$NETTUNE" -n "$B" xdp synlimit 100/s burst 50 >/dev/null ;;
	esac
}

syn_defence_off() {
	case $1 in synlimit*) "$NETTUNE" -n "$B" xdp detach xB >/dev/null ;; esac
	return 0
}

measure_syn() { # prints "connects_per_s,median_ms,p90_ms,failed,flood_pps"
	local v=$1 lst flood r n0 n1
	syn_defence_on "$v"
	ip netns exec "$B" python3 -c "$LISTENER" &
	lst=$!
	for _ in $(seq 100); do
		ip netns exec "$B" ss -ltn | grep -q ':8080 ' && break
		sleep 0.1
	done
	n0=$(ip -n "$A" -s link show xA | awk '/TX:/ { getline; print $2 }')
	ip netns exec "$A" hping3 -q -S -p 8080 -a 10.79.0.200 --flood 10.79.0.2 >/dev/null 2>&1 &
	flood=$!
	sleep 1
	r=$(ip netns exec "$A" python3 -c "$CLIENT" "$SYN_SECONDS")
	kill "$flood"
	wait "$flood" 2>/dev/null || true
	n1=$(ip -n "$A" -s link show xA | awk '/TX:/ { getline; print $2 }')
	kill "$lst"
	wait "$lst" 2>/dev/null || true
	syn_defence_off "$v"
	awk -v r="$r" -v n="$((n1 - n0))" -v t="$SYN_SECONDS" 'BEGIN { printf "%s,%.0f\n", r, n / (t + 1) }'
}

# --- main ---------------------------------------------------------------------

modprobe pktgen
setup
echo "round,part,variant,v1,v2,v3,v4,v5" >"$CSV"
for ((rep = 1; rep <= REPS; rep++)); do
	mapfile -t order < <(for v in $UDP_VARIANTS; do echo "udp $v"; done
		for v in $SYN_VARIANTS; do echo "syn $v"; done | shuf)
	for c in "${order[@]}"; do
		set -- $c
		if [ "$1" = udp ]; then
			echo "$rep,udp,$2,$(measure_udp "$2"),," | tee -a "$CSV"
		else
			echo "$rep,syn,$2,$(measure_syn "$2")" | tee -a "$CSV"
		fi
	done
done

python3 - "$CSV" "$(uname -r)" "$(nproc)" "$UDP_COUNT" "$SYN_SECONDS" <<'EOF' | tee "$OUT/bench-xdp.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = lambda xs: statistics.median(xs) if xs else float("nan")
rounds = sorted({int(r["round"]) for r in rows})
val = {(int(r["round"]), r["part"], r["variant"]): r for r in rows}
print(f"{len(rounds)} rounds, kernel {sys.argv[2]}, {sys.argv[3]} vCPUs, QEMU TCG (absolute "
      f"numbers are far below hardware; compare ratios)\n")
names = {"xdp": "nettune xdp, native (veth)", "xdp-generic": "nettune xdp, generic mode",
         "raw": "iptables raw PREROUTING DROP", "input": "iptables filter INPUT DROP",
         "nft": "nft prerouting (priority raw) drop", "socket": "UDP socket reading and discarding"}
udp = [v for v in names if any(r["part"] == "udp" and r["variant"] == v for r in rows)]
print(f"UDP flood, 64 bytes, pktgen on CPU 0, {sys.argv[4]} packets per measurement:\n")
print("| dropped by | kpps dropped, median (min - max) | / xdp native, median of same-round ratios | share of sent packets it saw |")
print("|---|---:|---:|---:|")
for v in udp:
    d = [float(val[(k, "udp", v)]["v1"]) / 1e3 for k in rounds if (k, "udp", v) in val]
    s = [float(val[(k, "udp", v)]["v3"]) for k in rounds if (k, "udp", v) in val]
    rat = [float(val[(k, "udp", v)]["v1"]) / float(val[(k, "udp", "xdp")]["v1"])
           for k in rounds if (k, "udp", v) in val and (k, "udp", "xdp") in val
           and float(val[(k, "udp", "xdp")]["v1"]) > 0]
    print(f"| {names[v]} | {med(d):.1f} ({min(d):.1f} - {max(d):.1f}) | {med(rat):.2f} | {med(s):.3f} |")
syn_names = {"none": "no defence (syncookies 0, backlog 128)", "syncookies": "syncookies=1",
             "synlimit": "nettune xdp synlimit 100/s burst 50, syncookies 0",
             "synlimit+cookies": "synlimit 100/s burst 50 and syncookies=1"}
syn = [v for v in syn_names if any(r["part"] == "syn" and r["variant"] == v for r in rows)]
print(f"\nSYN flood (hping3 --flood, one source) against a listener; a client connects in a loop for {sys.argv[5]} s:\n")
print("| defence | completed connects/s, median (min - max) | connect time median, ms | p90, ms | failed (3 s timeout) per run | flood SYN kpps |")
print("|---|---:|---:|---:|---:|---:|")
for v in syn:
    rs = [val[(k, "syn", v)] for k in rounds if (k, "syn", v) in val]
    c = [float(r["v1"]) for r in rs]
    print(f"| {syn_names[v]} | {med(c):.1f} ({min(c):.1f} - {max(c):.1f}) | "
          f"{med([float(r['v2']) for r in rs]):.1f} | {med([float(r['v3']) for r in rs]):.1f} | "
          f"{med([float(r['v4']) for r in rs]):.0f} | {med([float(r['v5']) for r in rs]) / 1e3:.1f} |")
EOF
