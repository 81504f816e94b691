#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# The transmit path under reconfiguration: a pktgen flood (which calls
# ndo_start_xmit directly and backs off on a stopped queue) and an iperf3
# stream run while va's TX ring flips between 8 and 256 entries, its queue
# count between 1 and 2, and coalescing timers are set and cleared on both
# ports, so every restart finds stopped queues, descriptors in flight and
# pending coalescing timers. Afterwards every byte BQL saw queued was
# completed or purged (inflight 0), the port still carries traffic, and
# the kernel log is clean (checked by the runner).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool iperf3 ping modprobe
nt_plan 8

nt_netns_new a b
vnic_pair_ns va "$NS_a" vb "$NS_b" 2
modprobe pktgen || nt_skip_all "no pktgen"
mac=$(vnic_mac "$NS_b" vb)
ip netns exec "$NS_a" sh -e -c "cd /proc/net/pktgen
	echo rem_device_all > kpktgend_0
	echo add_device va > kpktgend_0
	for c in 'count 0' 'clone_skb 0' 'pkt_size 200' 'delay 0' 'dst 10.0.0.2' \\
		'dst_mac $mac' 'udp_dst_min 9' 'udp_dst_max 9' 'queue_map_min 0' \\
		'queue_map_max 1'; do
		echo \"\$c\" > va
	done"
ip netns exec "$NS_a" sh -c 'echo start > /proc/net/pktgen/pgctrl' &
pktgen=$!
nt_defer "ip netns exec $NS_a sh -c 'echo stop > /proc/net/pktgen/pgctrl' 2>/dev/null"
vnic_iperf_server "$NS_b"
ip netns exec "$NS_a" iperf3 -c 10.0.0.2 -t 6 >/dev/null 2>&1 &
client=$!
sleep 0.5

VNIC_STEP_PAUSE=0.1
for round in 1 2 3; do
	vnic_step "$NS_a" -G va tx 8
	vnic_step "$NS_a" -C va tx-usecs 500 tx-frames 4
	vnic_step "$NS_b" -C vb rx-usecs 300 rx-frames 16
	vnic_step "$NS_a" -L va combined 1
	vnic_step "$NS_a" -G va tx 256
	vnic_step "$NS_b" -L vb combined 1
	vnic_step "$NS_a" -L va combined 2
	vnic_step "$NS_a" -C va tx-usecs 0 tx-frames 0
	vnic_step "$NS_b" -L vb combined 2
	vnic_step "$NS_b" -C vb rx-usecs 0 rx-frames 0
	nt_log "round $round done"
done
nt_eq "all $VNIC_CHANGES ethtool -G/-L/-C changes under the flood succeeded" 0 "$VNIC_FAILS"

sent=$(ip netns exec "$NS_a" awk '/pkts-sofar/ { print $2 }' /proc/net/pktgen/va)
ip netns exec "$NS_a" sh -c 'echo stop > /proc/net/pktgen/pgctrl'
wait "$pktgen"
wait "$client"
nt_eq "iperf3 completed across the changes" 0 $?
nt_log "pktgen sent $sent packets during $VNIC_CHANGES changes"
nt_ge "pktgen kept sending through the changes (> 1000 packets)" "${sent:-0}" 1000
sleep 0.5
bql=/sys/class/net/va/queues
nt_eq "BQL inflight 0 on va tx-0 (all queued bytes completed or purged)" 0 \
	"$(ip netns exec "$NS_a" cat $bql/tx-0/byte_queue_limits/inflight)"
nt_eq "BQL inflight 0 on va tx-1" 0 "$(ip netns exec "$NS_a" cat $bql/tx-1/byte_queue_limits/inflight)"
nt_eq "no va-tx IRQ left beyond its 2 queues" 2 "$(grep -c ' va-tx-[0-9]*$' /proc/interrupts)"
nt_check "ping still crosses" ip netns exec "$NS_a" ping -c 3 -i 0.2 -W 2 10.0.0.2
nt_check "TCP still crosses (iperf3 1 s)" bash -c \
	"ip netns exec $NS_b iperf3 -s -1 -D -B 10.0.0.2 && sleep 0.5 && ip netns exec $NS_a iperf3 -c 10.0.0.2 -t 1 >/dev/null"
nt_done
