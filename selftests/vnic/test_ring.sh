#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
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
here=$(cd "$(dirname "$0")" && pwd)
nt_plan 9

nt_netns_new a b
# No IPv6 or ARP chatter: only the bursts reach vb.
for ns in "$NS_a" "$NS_b"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
vnic_pair_ns va "$NS_a" vb "$NS_b" 1 2>/dev/null
mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }
ip -n "$NS_a" neigh replace 10.0.0.2 lladdr "$(mac "$NS_b" vb)" dev va nud permanent
ip -n "$NS_b" neigh replace 10.0.0.1 lladdr "$(mac "$NS_a" va)" dev vb nud permanent
nt_check "ethtool -G vb rx 8" ip netns exec "$NS_b" ethtool -G vb rx 8
nt_check "ring size reads back as 8" bash -c "ip netns exec $NS_b ethtool -g vb | grep -A2 Current | grep -q 'RX:.*8\$'"
ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off
echo 0 >"/proc/irq/$(vnic_irq vb 0)/smp_affinity_list"

r0=$(vnic_stat "$NS_b" vb rx_queue_0_packets)
f0=$(vnic_stat "$NS_b" vb rx_queue_0_ring_full)
d0=$(vnic_stat "$NS_b" vb rx_queue_0_drops)
sysstat() { ip netns exec "$NS_b" cat "/sys/class/net/vb/statistics/$1"; }
m0=$(sysstat rx_missed_errors)
o0=$(sysstat rx_fifo_errors)
ip netns exec "$NS_a" taskset -c 0 python3 "$here/udp_burst.py" 10.0.0.1 10.0.0.2 9000 40 3
sleep 0.5
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
ip netns exec "$NS_a" taskset -c 0 python3 "$here/udp_burst.py" 10.0.0.1 10.0.0.2 9000 40 3
sleep 0.5
nt_eq "a 256 ring takes the same bursts without drops" 0 $(($(vnic_stat "$NS_b" vb rx_queue_0_ring_full) - f0))
nt_done
