#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Profile (not a test): where the one-CPU 64-byte flood spends its time.
# DEV is veth or ntvnic (1 queue, NAPI, all its IRQs on CPU 0, as the
# "napi" variant of vnic.sh); pktgen (kpktgend_0, CPU 0) floods 64-byte UDP
# to a port without a socket while `perf record -e cpu-clock -C 0` samples
# CPU 0 for SECONDS (default 4). Prints the top of `perf report`.
#
#   scripts/vm-run --modules ntvnic -- scripts/bench/vnic-profile.sh ntvnic
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
NETTUNE=${NETTUNE:-$top/build/tools/nettune}
kind=${1:-ntvnic}
SECONDS_=${2:-4}
source "$top/scripts/bench/pktgen_lib.sh"
trap 'pktgen_stop 2>/dev/null; ip netns del pA 2>/dev/null; ip netns del pB 2>/dev/null; true' EXIT

ip netns add pA
ip netns add pB
if [ "$kind" = veth ]; then
	ip link add xA netns pA type veth peer name xB netns pB
else
	"$NETTUNE" vnic add xA peer xB netns pA peer-netns pB
	for n in xA-tx-0 xA-rx-0 xB-tx-0 xB-rx-0; do
		awk -v n="$n" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts |
			while read -r irq; do echo 0 >"/proc/irq/$irq/smp_affinity_list"; done
	done
fi
ip -n pA addr add 10.78.0.1/24 dev xA
ip -n pB addr add 10.78.0.2/24 dev xB
ip -n pA link set xA up
ip -n pB link set xB up
modprobe pktgen
pktgen_setup pA xA 10.78.0.2 "$(ip netns exec pB cat /sys/class/net/xB/address)"
pktgen_start pA
sleep 1
s0=$(pktgen_sent pA xA)
perf record -q -e cpu-clock -C 0 -g -o /tmp/perf.data -- sleep "$SECONDS_" 2>/dev/null
s1=$(pktgen_sent pA xA)
pktgen_stop
echo "# $kind: pktgen sent $(( (s1 - s0) / SECONDS_ )) pps while profiled"
perf report -i /tmp/perf.data --stdio --no-children --percent-limit 1.5 -g none 2>/dev/null |
	grep -v '^$' | head -60
