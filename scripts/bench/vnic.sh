#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): what ntvnic's NIC-like path costs next to veth,
# and what NAPI buys over the legacy one-interrupt-per-packet mode. One VM
# run, all variants side by side:
#
#   veth    veth pair (the in-tree reference: no rings, no IRQs, no RSS)
#   napi    ntvnic, 1 queue, NAPI (the default)
#   napi2   ntvnic, 2 queues, NAPI (RSS spreads the flood over both CPUs)
#   legacy  ntvnic, 1 queue, legacy mode (netif_rx from every interrupt)
#
# Each variant is a pair between two namespaces of its own, made once.
# Metrics, per measurement:
#   tcp   iperf3, one TCP stream for TCP_SECONDS: receiver bit/s
#   udp   the kernel's pktgen floods 64-byte UDP (1000 source ports) to a
#         port without a socket for UDP_SECONDS after 1 s of warm-up:
#         packets per second that reached UDP (B's "Udp: NoPorts"), the
#         rate pktgen sent, and for ntvnic the receiver's RX interrupts
#         and NAPI polls per delivered packet (ethtool -S)
# Every round measures every (variant, metric) once in a new random order;
# the summary takes medians over rounds and reports each variant's ratio to
# veth within the same round (host load drifts; a round takes ~1 min).
#
#   scripts/vm-run --modules ntvnic --timeout 1800 -- scripts/bench/vnic.sh
#
# Environment: REPS (default 5), TCP_SECONDS (3), UDP_SECONDS (2),
# VARIANTS (default "veth napi napi2 legacy"). Results: a CSV of every
# measurement and a markdown summary on stdout, both also written to
# $NTVM_OUT (when vm-run provides it) as bench-vnic.{csv,md}.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
NETTUNE=${NETTUNE:-$top/build/tools/nettune}
REPS=${REPS:-5}
TCP_SECONDS=${TCP_SECONDS:-3}
UDP_SECONDS=${UDP_SECONDS:-2}
VARIANTS=${VARIANTS:-"veth napi napi2 legacy"}
OUT=${NTVM_OUT:-$(mktemp -d)}
CSV=$OUT/bench-vnic.csv

pktgen_pid=""
cleanup() {
	[ -n "$pktgen_pid" ] && { echo stop >/proc/net/pktgen/pgctrl; wait "$pktgen_pid"; } 2>/dev/null
	for v in $VARIANTS; do
		ip netns del "${v}A" 2>/dev/null
		ip netns del "${v}B" 2>/dev/null
	done
	return 0
}
trap 'cleanup || true' EXIT

# --- topology ---------------------------------------------------------------

make_pair() { # variant: ports xA in ${v}A and xB in ${v}B
	local v=$1
	ip netns add "${v}A"
	ip netns add "${v}B"
	case $v in
	veth) ip link add xA netns "${v}A" type veth peer name xB netns "${v}B" ;;
	napi) "$NETTUNE" vnic add xA peer xB netns "${v}A" peer-netns "${v}B" ;;
	napi2) "$NETTUNE" vnic add xA peer xB netns "${v}A" peer-netns "${v}B" queues 2 ;;
	legacy) "$NETTUNE" vnic add xA peer xB netns "${v}A" peer-netns "${v}B" mode legacy ;;
	*) echo "vnic.sh: unknown variant $v" >&2; exit 2 ;;
	esac
	ip -n "${v}A" addr add 10.78.0.1/24 dev xA
	ip -n "${v}B" addr add 10.78.0.2/24 dev xB
	ip -n "${v}A" link set xA up
	ip -n "${v}B" link set xB up
	ip -n "${v}A" link set lo up
	ip -n "${v}B" link set lo up
	ip -n "${v}A" neigh replace 10.78.0.2 lladdr \
		"$(ip netns exec "${v}B" cat /sys/class/net/xB/address)" dev xA nud permanent
}

# --- measurements -------------------------------------------------------------

measure_tcp() { # prints "bits_per_second"
	local v=$1
	ip netns exec "${v}B" iperf3 -s -1 -D -B 10.78.0.2 >/dev/null 2>&1
	for _ in $(seq 50); do
		ip netns exec "${v}B" ss -ltn | grep -q ':5201' && break
		sleep 0.1
	done
	ip netns exec "${v}A" iperf3 -c 10.78.0.2 -t "$TCP_SECONDS" -J |
		python3 -c 'import json, sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))'
}

# The sum of an ethtool -S counter over xB's queues (0 for veth).
rx_sum() {
	ip netns exec "${1}B" ethtool -S xB 2>/dev/null |
		awk -v s="_$2:" 'index($1, "rx_queue_") == 1 && substr($1, length($1) - length(s) + 1) == s { t += $2 } END { print t + 0 }'
}

noports() {
	ip netns exec "${1}B" awk '/^Udp:/ { if (h) { print $3; exit } h = 1 }' /proc/net/snmp
}

setup_pktgen() { # device xA of variant v on kpktgend_0
	local v=$1 mac
	mac=$(ip netns exec "${v}B" cat /sys/class/net/xB/address)
	ip netns exec "${v}A" sh -e -c "cd /proc/net/pktgen
		echo rem_device_all > kpktgend_0
		echo add_device xA > kpktgend_0
		for c in 'count 0' 'clone_skb 0' 'pkt_size 64' 'delay 0' 'dst 10.78.0.2' \\
			'dst_mac $mac' 'udp_dst_min 9' 'udp_dst_max 9' \\
			'udp_src_min 10000' 'udp_src_max 10999'; do
			echo \"\$c\" > xA
		done"
}

measure_udp() { # prints "delivered_pps,sent_pps,irqs_per_pkt,polls_per_pkt"
	local v=$1 t0 t1 d0 d1 s0 s1 i0 i1 p0 p1
	setup_pktgen "$v"
	ip netns exec "${v}A" sh -c 'echo start > /proc/net/pktgen/pgctrl' &
	pktgen_pid=$!
	sleep 1
	s0=$(ip netns exec "${v}A" awk '/pkts-sofar/ { print $2 }' /proc/net/pktgen/xA)
	i0=$(rx_sum "$v" irqs) p0=$(rx_sum "$v" polls)
	t0=$(date +%s.%N) d0=$(noports "$v")
	sleep "$UDP_SECONDS"
	t1=$(date +%s.%N) d1=$(noports "$v")
	i1=$(rx_sum "$v" irqs) p1=$(rx_sum "$v" polls)
	s1=$(ip netns exec "${v}A" awk '/pkts-sofar/ { print $2 }' /proc/net/pktgen/xA)
	echo stop >/proc/net/pktgen/pgctrl
	wait "$pktgen_pid" 2>/dev/null || true
	pktgen_pid=""
	echo "$t0 $t1 $d0 $d1 $s0 $s1 $i0 $i1 $p0 $p1" | awk '{
		t = $2 - $1; d = $4 - $3
		printf "%.0f,%.0f,%.3f,%.3f\n", d / t, ($6 - $5) / t,
			(d > 0 ? ($8 - $7) / d : 0), (d > 0 ? ($10 - $9) / d : 0) }'
}

# --- main ---------------------------------------------------------------------

[ -e /sys/module/ntvnic ] || { echo "vnic.sh: ntvnic not loaded (vm-run --modules ntvnic)" >&2; exit 1; }
modprobe pktgen
for v in $VARIANTS; do make_pair "$v"; done

echo "round,variant,metric,value,sent_pps,irqs_per_pkt,polls_per_pkt" >"$CSV"
for ((rep = 1; rep <= REPS; rep++)); do
	mapfile -t order < <(for v in $VARIANTS; do echo "$v tcp"; echo "$v udp"; done | shuf)
	for c in "${order[@]}"; do
		set -- $c
		if [ "$2" = tcp ]; then
			echo "$rep,$1,tcp,$(measure_tcp "$1"),,," | tee -a "$CSV"
		else
			echo "$rep,$1,udp,$(measure_udp "$1")" | tee -a "$CSV"
		fi
	done
done

python3 - "$CSV" "$(uname -r)" "$(nproc)" <<'EOF' | tee "$OUT/bench-vnic.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
names = {"veth": "veth", "napi": "ntvnic, 1 queue, NAPI",
         "napi2": "ntvnic, 2 queues, NAPI", "legacy": "ntvnic, 1 queue, legacy mode"}
variants = [v for v in names if any(r["variant"] == v for r in rows)]
val = {(int(r["round"]), r["variant"], r["metric"]): r for r in rows}
rounds = sorted({int(r["round"]) for r in rows})
def values(v, m, f=lambda r: float(r["value"])):
    return [f(val[(k, v, m)]) for k in rounds if (k, v, m) in val]
def ratios(v, m, ref):
    return [float(val[(k, v, m)]["value"]) / float(val[(k, ref, m)]["value"])
            for k in rounds if (k, v, m) in val and (k, ref, m) in val
            and float(val[(k, ref, m)]["value"]) > 0]
med = lambda xs: statistics.median(xs) if xs else float("nan")
print(f"{len(rounds)} rounds, kernel {sys.argv[2]}, {sys.argv[3]} vCPUs (QEMU TCG: absolute numbers are ~1/50 of hardware, ratios count)\n")
print("| variant | TCP Mbit/s, median (min - max) | TCP / veth, median of same-round ratios | UDP delivered kpps, median (min - max) | UDP / veth | pktgen sent kpps | RX IRQs per packet | NAPI polls per packet |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for v in variants:
    tcp = [x / 1e6 for x in values(v, "tcp")]
    udp = [x / 1e3 for x in values(v, "udp")]
    sent = [x / 1e3 for x in values(v, "udp", lambda r: float(r["sent_pps"]))]
    irq = values(v, "udp", lambda r: float(r["irqs_per_pkt"]))
    polls = values(v, "udp", lambda r: float(r["polls_per_pkt"]))
    tr = "1 (reference)" if v == "veth" else f"{med(ratios(v, 'tcp', 'veth')):.2f}"
    ur = "1 (reference)" if v == "veth" else f"{med(ratios(v, 'udp', 'veth')):.2f}"
    nic = v != "veth"
    cells = [names[v], f"{med(tcp):.0f} ({min(tcp):.0f} - {max(tcp):.0f})", tr,
             f"{med(udp):.1f} ({min(udp):.1f} - {max(udp):.1f})", ur, f"{med(sent):.1f}",
             f"{med(irq):.3f}" if nic else "-", f"{med(polls):.3f}" if nic else "-"]
    print("| " + " | ".join(cells) + " |")
if "legacy" in variants and "napi" in variants:
    print(f"\nlegacy / NAPI, same round, median: UDP delivered {med([a / b for a, b in zip(values('legacy', 'udp'), values('napi', 'udp')) if b]):.2f}, "
          f"TCP {med([a / b for a, b in zip(values('legacy', 'tcp'), values('napi', 'tcp')) if b]):.2f}")
EOF
