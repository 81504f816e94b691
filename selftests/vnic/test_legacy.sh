#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Receive modes: legacy mode (no NAPI) delivers without any poll and takes
# about one interrupt per packet; back in NAPI mode, threaded NAPI
# (/sys/class/net/DEV/threaded) runs the polls in napi/ kthreads.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 taskset
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
here=$(cd "$(dirname "$0")" && pwd)
nt_plan 5

nt_netns_new a b
for ns in "$NS_a" "$NS_b"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
vnic_pair_ns va "$NS_a" vb "$NS_b" 1 2>/dev/null
mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }
ip -n "$NS_a" neigh replace 10.0.0.2 lladdr "$(mac "$NS_b" vb)" dev va nud permanent
ip -n "$NS_b" neigh replace 10.0.0.1 lladdr "$(mac "$NS_a" va)" dev vb nud permanent
ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off

s() { vnic_stat "$NS_b" vb "rx_queue_0_$1"; }
# burst N: 3 bursts of N segments from CPU 0 with vb-rx-0 on CPU 0.
burst() {
	echo 0 >"/proc/irq/$(vnic_irq vb 0)/smp_affinity_list"
	ip netns exec "$NS_a" taskset -c 0 python3 "$here/udp_burst.py" 10.0.0.1 10.0.0.2 9000 "$1" 3
	sleep 0.5
}

nt_check "vnic set vb mode legacy" "$NETTUNE" -n "$NS_b" vnic set vb mode legacy
p0=$(s packets) n0=$(s polls) i0=$(s irqs)
burst 40
p1=$(s packets) n1=$(s polls) i1=$(s irqs)
nt_log "legacy, 3 x 40: packets +$((p1 - p0)) polls +$((n1 - n0)) irqs +$((i1 - i0))"
nt_eq "legacy: all 120 packets delivered" 120 $((p1 - p0))
nt_eq "legacy: no NAPI polls" 0 $((n1 - n0))
nt_ge "legacy: about one interrupt per packet (>= 108 for 120)" $((i1 - i0)) 108

"$NETTUNE" -n "$NS_b" vnic set vb mode napi
ip netns exec "$NS_b" sh -c 'echo 1 > /sys/class/net/vb/threaded'
ip netns exec "$NS_a" ping -c 3 -i 0.2 -W 2 10.0.0.2 >/dev/null
nt_check "threaded NAPI: a napi/vb-* kthread exists and ping crosses" bash -c \
	"pgrep -f 'napi/vb-' >/dev/null && ip netns exec $NS_a ping -c 2 -W 2 10.0.0.2 >/dev/null"
nt_done
