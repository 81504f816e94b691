#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): what ntvnic's NIC-like path costs next to veth,
# and what NAPI buys over the legacy one-interrupt-per-packet mode. One VM
# run, all variants side by side:
#
#   veth      veth pair (the in-tree reference: no rings, no IRQs, no RSS;
#             it receives on the sending CPU)
#   napi      ntvnic, 1 queue, NAPI (the default); its IRQs on CPU 0,
#             where pktgen and iperf3 also run (like veth)
#   legacy    ntvnic, 1 queue, legacy mode (netif_rx from every interrupt)
#   napi-x    as napi, the receiver's RX IRQ pinned to CPU 1
#   legacy-x  as legacy, the receiver's RX IRQ pinned to CPU 1
#   napi2     ntvnic, 2 queues, NAPI, default spread (RX queue q on CPU q)
#   napi-dim  as napi, adaptive interrupt moderation (DIM) on for RX and TX
#             on both ports, as mlx5 or i40e ship by default
#   napi-c    as napi, static moderation on both ports: rx/tx-usecs 50,
#             rx/tx-frames 32
#
# Each variant is a pair between two namespaces of its own, made once.
# Metrics, per measurement:
#   tcp   iperf3, one TCP stream for TCP_SECONDS (client and server on
#         CPU 0): receiver bit/s
#   udp   the kernel's pktgen (kpktgend_0, CPU 0) floods 64-byte UDP (1000
#         source ports) to a port without a socket for UDP_SECONDS after
#         1 s of warm-up: packets per second that reached UDP (B's "Udp:
#         NoPorts"), the rate pktgen sent, backlog drops (softnet_stat,
#         all CPUs), and for ntvnic the share of arriving packets the
#         receiver's RX ring dropped and its RX interrupts and NAPI polls
#         per received packet (ethtool -S)
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
VARIANTS=${VARIANTS:-"veth napi legacy napi-x legacy-x napi2"}
OUT=${NTVM_OUT:-$(mktemp -d)}
CSV=$OUT/bench-vnic.csv

source "$top/scripts/bench/pktgen_lib.sh"
cleanup() {
	pktgen_stop 2>/dev/null
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
	napi | napi-x | napi-dim | napi-c)
		"$NETTUNE" vnic add xA peer xB netns "${v}A" peer-netns "${v}B" ;;
	napi2) "$NETTUNE" vnic add xA peer xB netns "${v}A" peer-netns "${v}B" queues 2 ;;
	legacy | legacy-x)
		"$NETTUNE" vnic add xA peer xB netns "${v}A" peer-netns "${v}B" mode legacy ;;
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
	case $v in
	napi-dim)
		ip netns exec "${v}A" ethtool -C xA adaptive-rx on adaptive-tx on
		ip netns exec "${v}B" ethtool -C xB adaptive-rx on adaptive-tx on ;;
	napi-c)
		ip netns exec "${v}A" ethtool -C xA rx-usecs 50 rx-frames 32 tx-usecs 50 tx-frames 32
		ip netns exec "${v}B" ethtool -C xB rx-usecs 50 rx-frames 32 tx-usecs 50 tx-frames 32 ;;
	esac
	# Device names repeat across namespaces: take the newest xB-rx-0.
	case $v in *-x)
		awk '$NF == "xB-rx-0" { sub(":", "", $1); irq = $1 } END { print irq }' /proc/interrupts |
			{ read -r irq; echo 1 >"/proc/irq/$irq/smp_affinity_list"; } ;;
	esac
}

# --- measurements -------------------------------------------------------------

measure_tcp() { # prints "bits_per_second"
	local v=$1
	ip netns exec "${v}B" taskset -c 0 iperf3 -s -1 -D -B 10.78.0.2 >/dev/null 2>&1
	for _ in $(seq 50); do
		ip netns exec "${v}B" ss -ltn | grep -q ':5201' && break
		sleep 0.1
	done
	ip netns exec "${v}A" taskset -c 0 iperf3 -c 10.78.0.2 -t "$TCP_SECONDS" -J |
		python3 -c 'import json, sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))'
}

# The sum of an ethtool -S counter over xB's queues (0 for veth).
rx_sum() {
	ip netns exec "${1}B" ethtool -S xB 2>/dev/null |
		awk -v s="_$2:" 'index($1, "rx_queue_") == 1 && substr($1, length($1) - length(s) + 1) == s { t += $2 } END { print t + 0 }'
}

backlog_drops() { # /proc/net/softnet_stat column 2 (hex), summed over CPUs
	local _ dropped rest sum=0
	while read -r _ dropped rest; do sum=$((sum + 16#$dropped)); done </proc/net/softnet_stat
	echo "$sum"
}

noports() {
	ip netns exec "${1}B" awk '/^Udp:/ { if (h) { print $3; exit } h = 1 }' /proc/net/snmp
}

# prints "delivered_pps,sent_pps,irqs_per_pkt,polls_per_pkt,backlog_drops_ps,ring_full_share"
measure_udp() {
	local v=$1 t0 t1 d0 d1 s0 s1 i0 i1 p0 p1 r0 r1 b0 b1 f0 f1
	pktgen_setup "${v}A" xA 10.78.0.2 "$(ip netns exec "${v}B" cat /sys/class/net/xB/address)"
	pktgen_start "${v}A"
	sleep 1
	# Rates over [t0, t1], read back to back; the driver's counters
	# (ethtool is slow under TCG) bracket that window and only give
	# ratios among themselves.
	i0=$(rx_sum "$v" irqs) p0=$(rx_sum "$v" polls) r0=$(rx_sum "$v" packets)
	f0=$(rx_sum "$v" ring_full)
	s0=$(pktgen_sent "${v}A" xA)
	t0=$(date +%s.%N) d0=$(noports "$v") b0=$(backlog_drops)
	sleep "$UDP_SECONDS"
	t1=$(date +%s.%N) d1=$(noports "$v") b1=$(backlog_drops)
	s1=$(pktgen_sent "${v}A" xA)
	i1=$(rx_sum "$v" irqs) p1=$(rx_sum "$v" polls) r1=$(rx_sum "$v" packets)
	f1=$(rx_sum "$v" ring_full)
	pktgen_stop
	echo "$t0 $t1 $d0 $d1 $s0 $s1 $i0 $i1 $p0 $p1 $r0 $r1 $b0 $b1 $f0 $f1" | awk '{
		t = $2 - $1; d = $4 - $3; r = $12 - $11
		f = $16 - $15
		printf "%.0f,%.0f,%.3f,%.3f,%.0f,%.3f\n", d / t, ($6 - $5) / t,
			(r > 0 ? ($8 - $7) / r : 0), (r > 0 ? ($10 - $9) / r : 0),
			($14 - $13) / t, (r + f > 0 ? f / (r + f) : 0) }'
}

# --- main ---------------------------------------------------------------------

[ -e /sys/module/ntvnic ] || { echo "vnic.sh: ntvnic not loaded (vm-run --modules ntvnic)" >&2; exit 1; }
modprobe pktgen
for v in $VARIANTS; do make_pair "$v"; done

echo "round,variant,metric,value,sent_pps,irqs_per_pkt,polls_per_pkt,backlog_drops_ps,ring_full_share" >"$CSV"
for ((rep = 1; rep <= REPS; rep++)); do
	mapfile -t order < <(for v in $VARIANTS; do echo "$v tcp"; echo "$v udp"; done | shuf)
	for c in "${order[@]}"; do
		set -- $c
		if [ "$2" = tcp ]; then
			echo "$rep,$1,tcp,$(measure_tcp "$1"),,,,," | tee -a "$CSV"
		else
			echo "$rep,$1,udp,$(measure_udp "$1")" | tee -a "$CSV"
		fi
	done
done

python3 - "$CSV" "$(uname -r)" "$(nproc)" <<'EOF' | tee "$OUT/bench-vnic.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
names = {"veth": "veth", "napi": "ntvnic, 1 queue, NAPI",
         "legacy": "ntvnic, 1 queue, legacy mode",
         "napi-x": "ntvnic, 1 queue, NAPI, RX IRQ on CPU 1",
         "legacy-x": "ntvnic, 1 queue, legacy, RX IRQ on CPU 1",
         "napi2": "ntvnic, 2 queues, NAPI",
         "napi-dim": "ntvnic, 1 queue, NAPI, adaptive moderation (DIM)",
         "napi-c": "ntvnic, 1 queue, NAPI, moderation 50 us / 32 frames"}
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
print("| variant | TCP Mbit/s, median (min - max) | TCP / veth, median of same-round ratios | UDP delivered kpps, median (min - max) | UDP / veth | pktgen sent kpps | backlog drops k/s | RX ring-full share | RX IRQs per packet | NAPI polls per packet |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for v in variants:
    tcp = [x / 1e6 for x in values(v, "tcp")]
    udp = [x / 1e3 for x in values(v, "udp")]
    sent = [x / 1e3 for x in values(v, "udp", lambda r: float(r["sent_pps"]))]
    irq = values(v, "udp", lambda r: float(r["irqs_per_pkt"]))
    polls = values(v, "udp", lambda r: float(r["polls_per_pkt"]))
    backlog = [x / 1e3 for x in values(v, "udp", lambda r: float(r["backlog_drops_ps"]))]
    rfull = values(v, "udp", lambda r: float(r["ring_full_share"]))
    tr = "1 (reference)" if v == "veth" else f"{med(ratios(v, 'tcp', 'veth')):.2f}"
    ur = "1 (reference)" if v == "veth" else f"{med(ratios(v, 'udp', 'veth')):.2f}"
    nic = v != "veth"
    cells = [names[v], f"{med(tcp):.0f} ({min(tcp):.0f} - {max(tcp):.0f})", tr,
             f"{med(udp):.1f} ({min(udp):.1f} - {max(udp):.1f})", ur, f"{med(sent):.1f}",
             f"{med(backlog):.1f}", f"{med(rfull):.2f}" if nic else "-",
             f"{med(irq):.3f}" if nic else "-", f"{med(polls):.3f}" if nic else "-"]
    print("| " + " | ".join(cells) + " |")
def same_round(a, b, m):
    return med([float(val[(k, a, m)]["value"]) / float(val[(k, b, m)]["value"])
                for k in rounds if (k, a, m) in val and (k, b, m) in val
                and float(val[(k, b, m)]["value"]) > 0])
print()
for a, b in (("legacy", "napi"), ("legacy-x", "napi-x"), ("napi-x", "napi"), ("napi2", "napi"),
             ("napi-dim", "napi"), ("napi-c", "napi")):
    if a in variants and b in variants:
        print(f"- {a} / {b}, median of same-round ratios: UDP delivered "
              f"{same_round(a, b, 'udp'):.2f}, TCP {same_round(a, b, 'tcp'):.2f}")
EOF
