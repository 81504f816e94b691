#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Changing the queue count (ethtool -L) and ring sizes (ethtool -G) on
# both ports while a TCP stream (iperf3) runs: every change applies, the
# stream completes, IRQs follow the queue count and traffic flows after.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool iperf3 ping
nt_plan 8

nt_netns_new a b
vnic_pair_ns va "$NS_a" vb "$NS_b" 2
vnic_iperf_server "$NS_b"
ip netns exec "$NS_a" iperf3 -c 10.0.0.2 -t 5 -P 2 -J >"/tmp/iperf3-reconfig-$$.json" 2>&1 &
client=$!
sleep 0.5

for round in 1 2; do
	vnic_step "$NS_b" -L vb combined 4
	vnic_step "$NS_a" -L va combined 3
	vnic_step "$NS_b" -G vb rx 64
	vnic_step "$NS_b" -L vb combined 1
	vnic_step "$NS_a" -G va rx 1024 tx 512
	vnic_step "$NS_b" -G vb rx 2048
	vnic_step "$NS_a" -L va combined 8
	vnic_step "$NS_b" -L vb combined 6
	nt_log "round $round done"
done
nt_eq "all $VNIC_CHANGES ethtool -L/-G changes under traffic succeeded" 0 "$VNIC_FAILS"

wait $client
rc=$?
nt_eq "iperf3 (2 streams, 5 s) completed across the changes" 0 "$rc"
rcvd=$(python3 -S -E -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bytes"]))' <"/tmp/iperf3-reconfig-$$.json" 2>/dev/null || echo 0)
rm -f "/tmp/iperf3-reconfig-$$.json"
nt_log "iperf3 received $rcvd bytes"
nt_ge "iperf3 moved data (> 1 MB)" "$rcvd" 1000000

nt_check "vb reports 6 combined queues" bash -c "ip netns exec $NS_b ethtool -l vb | grep -A4 Current | grep -q 'Combined:.*6'"
nt_eq "vb has 6 RX IRQs in /proc/interrupts" 6 "$(grep -c ' vb-rx-[0-9]*$' /proc/interrupts)"
nt_check "vb ring is 2048" bash -c "ip netns exec $NS_b ethtool -g vb | grep -A2 Current | grep -q 'RX:.*2048'"
nt_check "ping still crosses after the changes" ip netns exec "$NS_a" ping -c 3 -i 0.2 -W 2 10.0.0.2
nt_check "an odd ring size is refused by ethtool -G" bash -c "! ip netns exec $NS_b ethtool -G vb rx 100 2>/dev/null"
nt_done
