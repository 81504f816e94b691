#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Receive modes: legacy mode (no NAPI) delivers without any poll and takes
# about one interrupt per packet; back in NAPI mode, threaded NAPI
# (/sys/class/net/DEV/threaded) runs the polls in napi/ kthreads.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 taskset
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
nt_plan 5

vnic_quiet_pair 1
ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off

s() { vnic_stat "$NS_b" vb "rx_queue_0_$1"; }

nt_check "vnic set vb mode legacy" "$NETTUNE" -n "$NS_b" vnic set vb mode legacy
p0=$(s packets) n0=$(s polls) i0=$(vnic_rx_irqs "$NS_b" vb 0)
vnic_burst 40
p1=$(s packets) n1=$(s polls) i1=$(vnic_rx_irqs "$NS_b" vb 0)
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
