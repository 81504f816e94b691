#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Deleting a namespace while TCP and a ping flood cross the pair removes
# both ports (the peer in the other namespace too) and their IRQs; the
# kernel log stays clean (checked by the runner).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool iperf3 ping
nt_plan 5

nt_netns_new a
nsb="nt-b-$$-$RANDOM"
ip netns add "$nsb"
nt_defer ip netns del "$nsb"
vnic_pair_ns va "$NS_a" vb "$nsb" 4
pidfile=$(mktemp)
nt_defer rm -f "$pidfile"
vnic_iperf_server "$nsb" -I "$pidfile"
ip netns exec "$NS_a" iperf3 -c 10.0.0.2 -t 20 -P 4 >/dev/null 2>&1 &
nt_defer kill $!
ip netns exec "$NS_a" ping -f -W 1 10.0.0.2 >/dev/null 2>&1 &
nt_defer kill $!
sleep 2
rx=$(vnic_rx_packets "$nsb" vb)
nt_ge "traffic is flowing (vb rx > 1000 packets)" "$rx" 1000

# The namespace goes when its last reference (iperf3 server) goes too.
kill "$(cat "$pidfile")" 2>/dev/null
nt_check "ip netns del with traffic flowing" ip netns del "$nsb"
nt_wait_for 10 bash -c "! ip -n $NS_a link show va"
nt_check "va (the peer, in namespace a) is gone" bash -c "! ip -n $NS_a link show va 2>/dev/null"
nt_wait_for 10 bash -c "! grep -q ' vb-rx-' /proc/interrupts"
nt_eq "no vb/va IRQ left in /proc/interrupts" 0 "$(grep -cE ' (va|vb)-rx-[0-9]+$' /proc/interrupts)"
nt_netns_new c d
vnic_pair_ns vc "$NS_c" vd "$NS_d" 2
nt_check "the module is still healthy: a new pair passes ping" \
	ip netns exec "$NS_c" ping -c 3 -i 0.2 -W 2 10.0.0.2
nt_done
