#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): native XDP_DROP on ntvnic next to veth, the same
# pktgen flood, one VM run, variants side by side:
#
#   veth     veth pair, native XDP on the receiving end (veth converts each
#            skb to an xdp_buff, copying it into a page: pktgen's skbs lack
#            the 256-byte headroom)
#   napi     ntvnic, 1 queue, its IRQs on CPU 0 with pktgen (like veth,
#            which receives on the sending CPU); the wire copies each frame
#            into a page_pool page of the RX queue, RX NAPI runs XDP
#   napi-x   as napi, the receiver's RX IRQ on CPU 1
#
# The program is bpf/test_xdp.bpf.o's xdp_drop (returns XDP_DROP), loaded
# with `ip link set dev xB xdpdrv`. The kernel's pktgen (kpktgend_0, CPU 0)
# sends 64-byte UDP (1000 source ports) for SECONDS after 1 s of warm-up.
# Metric: frames the program dropped per second (veth: rx_queue_0_xdp_drops,
# ntvnic: sum of rx_queue_N_xdp_drop), and pktgen's send rate. Each round
# measures every variant once in a new random order; the summary takes
# medians over rounds and each variant's ratio to veth in the same round.
#
#   scripts/vm-run --modules ntvnic --timeout 1800 -- scripts/bench/vnic-xdp.sh
#
# Environment: REPS (default 5), SECONDS_PER_RUN (3), VARIANTS ("veth napi
# napi-x"). Results: CSV and markdown on stdout and in $NTVM_OUT as
# bench-vnic-xdp.{csv,md}.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
NETTUNE=${NETTUNE:-$top/build/tools/nettune}
OBJ=$top/bpf/build/test_xdp.bpf.o
REPS=${REPS:-5}
RUN_SECONDS=${SECONDS_PER_RUN:-3}
VARIANTS=${VARIANTS:-"veth napi napi-x"}
OUT=${NTVM_OUT:-$(mktemp -d)}
CSV=$OUT/bench-vnic-xdp.csv

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

make_pair() { # variant: ports xA in ${v}A and xB in ${v}B, xB drops by XDP
	local v=$1
	ip netns add "${v}A"
	ip netns add "${v}B"
	case $v in
	veth) ip link add xA netns "${v}A" type veth peer name xB netns "${v}B" ;;
	napi | napi-x) "$NETTUNE" vnic add xA peer xB netns "${v}A" peer-netns "${v}B" ;;
	*) echo "vnic-xdp.sh: unknown variant $v" >&2; exit 2 ;;
	esac
	ip -n "${v}A" addr add 10.79.0.1/24 dev xA
	ip -n "${v}B" addr add 10.79.0.2/24 dev xB
	ip -n "${v}A" link set xA up
	ip -n "${v}B" link set xB up
	ip -n "${v}B" link set dev xB xdpdrv obj "$OBJ" program xdp_drop
	ip -n "${v}B" link show dev xB | grep -q 'prog/xdp' || { echo "no native XDP on $v" >&2; exit 1; }
	case $v in napi)
		for n in xB-rx-0 xA-tx-0; do
			awk -v n=$n '$NF == n { sub(":", "", $1); irq = $1 } END { print irq }' /proc/interrupts |
				{ read -r irq; echo 0 >"/proc/irq/$irq/smp_affinity_list"; }
		done ;;
	napi-x)
		awk '$NF == "xB-rx-0" { sub(":", "", $1); irq = $1 } END { print irq }' /proc/interrupts |
			{ read -r irq; echo 1 >"/proc/irq/$irq/smp_affinity_list"; } ;;
	esac
}

xdp_drops() { # frames xB's program dropped so far
	if [ "$1" = veth ]; then
		ip netns exec "${1}B" ethtool -S xB | awk '$1 ~ /^rx_queue_[0-9]+_xdp_drops:$/ { s += $2 } END { print s + 0 }'
	else
		ip netns exec "${1}B" ethtool -S xB | awk '$1 ~ /^rx_queue_[0-9]+_xdp_drop:$/ { s += $2 } END { print s + 0 }'
	fi
}

measure() { # prints "dropped_pps,sent_pps"
	local v=$1 t0 t1 d0 d1 s0 s1
	pktgen_setup "${v}A" xA 10.79.0.2 "$(ip netns exec "${v}B" cat /sys/class/net/xB/address)"
	pktgen_start "${v}A"
	sleep 1
	s0=$(pktgen_sent "${v}A" xA)
	t0=$(date +%s.%N) d0=$(xdp_drops "$v")
	sleep "$RUN_SECONDS"
	d1=$(xdp_drops "$v") t1=$(date +%s.%N)
	s1=$(pktgen_sent "${v}A" xA)
	pktgen_stop
	echo "$t0 $t1 $d0 $d1 $s0 $s1" | awk '{ t = $2 - $1; printf "%.0f,%.0f\n", ($4 - $3) / t, ($6 - $5) / t }'
}

[ -e /sys/module/ntvnic ] || { echo "vnic-xdp.sh: ntvnic not loaded (vm-run --modules ntvnic)" >&2; exit 1; }
[ -e "$OBJ" ] || { echo "vnic-xdp.sh: $OBJ not built (make bpf)" >&2; exit 1; }
modprobe pktgen
for v in $VARIANTS; do make_pair "$v"; done

echo "round,variant,xdp_drop_pps,sent_pps" >"$CSV"
for ((rep = 1; rep <= REPS; rep++)); do
	for v in $(echo $VARIANTS | tr ' ' '\n' | shuf); do
		echo "$rep,$v,$(measure "$v")" | tee -a "$CSV"
	done
done

python3 - "$CSV" "$(uname -r)" "$(nproc)" <<'EOF' | tee "$OUT/bench-vnic-xdp.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
names = {"veth": "veth, native XDP", "napi": "ntvnic, 1 queue, IRQs on CPU 0",
         "napi-x": "ntvnic, 1 queue, RX IRQ on CPU 1"}
variants = [v for v in names if any(r["variant"] == v for r in rows)]
val = {(int(r["round"]), r["variant"]): r for r in rows}
rounds = sorted({int(r["round"]) for r in rows})
print(f"kernel {sys.argv[2]}, {sys.argv[3]} vCPUs, {len(rounds)} rounds, XDP_DROP of pktgen 64-byte UDP\n")
print("| variant | XDP_DROP pkt/s (median) | pktgen sent pkt/s | ratio to veth (median of per-round ratios) | per-round ratios |")
print("|---|---:|---:|---:|---|")
for v in variants:
    d = [float(val[(r, v)]["xdp_drop_pps"]) for r in rounds if (r, v) in val]
    s = [float(val[(r, v)]["sent_pps"]) for r in rounds if (r, v) in val]
    ratios = [float(val[(r, v)]["xdp_drop_pps"]) / float(val[(r, "veth")]["xdp_drop_pps"])
              for r in rounds if (r, v) in val and (r, "veth") in val and float(val[(r, "veth")]["xdp_drop_pps"]) > 0]
    print(f"| {names[v]} | {statistics.median(d):.0f} | {statistics.median(s):.0f} | "
          f"{statistics.median(ratios):.2f} | {' '.join(f'{x:.2f}' for x in ratios)} |")
EOF
