#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# A tiny RX ring under a burst drops the overflow and counts it: ethtool
# rx_queue_0_ring_full / _drops and ip -s link "missed" (rx_missed_errors)
# move by exactly the number of datagrams that did not fit.
#
# The burst: one UDP GSO send of 40 segments on a port with
# tx-udp-segmentation off is segmented in software and the 40 packets go
# through ndo_start_xmit back to back with bottom halves disabled. With the
# receiving queue's IRQ on the sending CPU, NAPI cannot run before the
# burst ends, so an 8-entry ring takes 8 and drops 32.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 taskset
nt_plan 9

vnic_quiet_pair 1
nt_check "ethtool -G vb rx 8" ip netns exec "$NS_b" ethtool -G vb rx 8
nt_check "ring size reads back as 8" bash -c "ip netns exec $NS_b ethtool -g vb | grep -A2 Current | grep -q 'RX:.*8\$'"
ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off

r0=$(vnic_stat "$NS_b" vb rx_queue_0_packets)
f0=$(vnic_stat "$NS_b" vb rx_queue_0_ring_full)
d0=$(vnic_stat "$NS_b" vb rx_queue_0_drops)
sysstat() { ip netns exec "$NS_b" cat "/sys/class/net/vb/statistics/$1"; }
m0=$(sysstat rx_missed_errors)
o0=$(sysstat rx_fifo_errors)
vnic_burst 40
r1=$(vnic_stat "$NS_b" vb rx_queue_0_packets)
f1=$(vnic_stat "$NS_b" vb rx_queue_0_ring_full)
d1=$(vnic_stat "$NS_b" vb rx_queue_0_drops)
m1=$(sysstat rx_missed_errors)
o1=$(sysstat rx_fifo_errors)
nt_log "3 bursts of 40: received $((r1 - r0)), ring_full $((f1 - f0)), drops $((d1 - d0)), missed $((m1 - m0))"
nt_eq "received + ring-full drops == 120 sent (nothing lost silently)" 120 $((r1 - r0 + f1 - f0))
nt_eq "each burst fills the 8-entry ring: 24 received" 24 $((r1 - r0))
nt_eq "96 ring-full drops counted" 96 $((f1 - f0))
nt_eq "rx_queue_0_drops counts them too" 96 $((d1 - d0))
nt_eq "stats64 rx_missed_errors (ip -s link 'missed') counts them" 96 $((m1 - m0))
nt_eq "stats64 rx_fifo_errors counts them" 96 $((o1 - o0))

# The same bursts with a 256 ring: nothing dropped.
ip netns exec "$NS_b" ethtool -G vb rx 256
f0=$(vnic_stat "$NS_b" vb rx_queue_0_ring_full)
vnic_burst 40
nt_eq "a 256 ring takes the same bursts without drops" 0 $(($(vnic_stat "$NS_b" vb rx_queue_0_ring_full) - f0))
nt_done
