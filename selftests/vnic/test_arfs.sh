#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Accelerated RFS: with RFS configured, a TCP flow's packets move to the
# RX queue whose interrupt is on the reader's CPU (ndo_rx_flow_steer and
# the IRQ affinity CPU map), and follow the reader when it moves to the
# other CPU (taskset); the filter shows in nettune vnic ntuple with its
# hits; moving a queue's IRQ updates the map; turning RFS off expires the
# filters.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 iperf3 taskset
[ "$(nproc)" -ge 2 ] || nt_skip_all "needs 2 CPUs"
nt_plan 8

vnic_quiet_pair 2
old_entries=$(sysctl -n net.core.rps_sock_flow_entries)
nt_defer sysctl -qw net.core.rps_sock_flow_entries="$old_entries"
sysctl -qw net.core.rps_sock_flow_entries=4096
for q in 0 1; do
	ip netns exec "$NS_b" sh -c "echo 1024 > /sys/class/net/vb/queues/rx-$q/rps_flow_cnt"
	echo "$q" >"/proc/irq/$(vnic_irq vb "$q")/smp_affinity_list"
done

# steer_json: vb's steering state
steer_json() { ip netns exec "$NS_b" "$NETTUNE" --json vnic ntuple vb; }
# arfs_field FIELD: FIELD of the aRFS filter for the data flow (sport CPORT)
arfs_field() {
	steer_json | python3 -S -E -c '
import json, sys
f = [x for x in json.load(sys.stdin)["arfs"] if x["sport"] == '"$CPORT"']
print(f[0]["'"$1"'"] if f else "none")'
}
# wait_arfs_queue Q: wait (up to 20 s) until the data flow's filter names Q
wait_arfs_queue() {
	local i
	for i in $(seq 40); do
		[ "$(arfs_field queue)" = "$1" ] && return 0
		sleep 0.5
	done
	return 1
}
# rx_share Q: share (percent) of vb's received packets that queue Q got
# over one second
rx_share() {
	local b0 b1 a0 a1 d0 d1
	b0=$(vnic_stat "$NS_b" vb rx_queue_0_packets); b1=$(vnic_stat "$NS_b" vb rx_queue_1_packets)
	sleep 1
	a0=$(vnic_stat "$NS_b" vb rx_queue_0_packets); a1=$(vnic_stat "$NS_b" vb rx_queue_1_packets)
	d0=$((a0 - b0)); d1=$((a1 - b1))
	nt_log "queue 0: $d0 packets, queue 1: $d1 packets" >&2
	if [ "$1" = 0 ]; then echo $((100 * d0 / (d0 + d1 + 1))); else echo $((100 * d1 / (d0 + d1 + 1))); fi
}

# The data flow's RSS queue R: the reader starts on the other queue's CPU,
# so that both phases need a filter (RX queue q's IRQ is on CPU q).
CPORT=40123
R=$(ip netns exec "$NS_b" "$NETTUNE" --json vnic rss vb --flow "10.0.0.1:$CPORT,10.0.0.2:5201" |
	python3 -S -E -c 'import json,sys; print(json.load(sys.stdin)["queue"])')
O=$((1 - R))
nt_log "the data flow's RSS queue is $R; the reader starts on CPU $O"

ip netns exec "$NS_b" taskset -c "$O" iperf3 -s -1 -B 10.0.0.2 >/dev/null 2>&1 &
server=$!
nt_defer kill "$server"
nt_wait_for 5 ip netns exec "$NS_b" bash -c "ss -ltn | grep -q ':5201'"
ip netns exec "$NS_a" iperf3 -c 10.0.0.2 --cport $CPORT -t 120 >/dev/null 2>&1 &
client=$!
nt_defer kill "$client"

nt_check "reader on CPU $O: a filter moves the flow from its RSS queue $R to queue $O" \
	wait_arfs_queue "$O"
nt_ge "queue $O gets the flow (% of packets over 1 s)" "$(rx_share "$O")" 90

taskset -a -p -c "$R" "$server" >/dev/null
nt_check "reader moved to CPU $R: the filter follows it to queue $R" wait_arfs_queue "$R"
nt_ge "queue $R gets the flow (% of packets over 1 s)" "$(rx_share "$R")" 90

# The map follows IRQ affinity: swap the two RX IRQs, so that CPU R is
# served by queue O. RFS re-steers only when the reader's CPU changes:
# move it to CPU O (queue R serves that now: nothing to do) and back.
echo "$O" >"/proc/irq/$(vnic_irq vb "$R")/smp_affinity_list"
echo "$R" >"/proc/irq/$(vnic_irq vb "$O")/smp_affinity_list"
sleep 0.5
taskset -a -p -c "$O" "$server" >/dev/null
sleep 1
taskset -a -p -c "$R" "$server" >/dev/null
nt_check "after swapping the IRQs the reader's CPU $R maps to queue $O" wait_arfs_queue "$O"

nt_ge "the data flow's filter counted the packets it steered" "$(arfs_field hits)" 100
steers=$(steer_json | python3 -S -E -c 'import json,sys; print(json.load(sys.stdin)["arfs_steers"])')
nt_ge "ndo_rx_flow_steer was called for each move" "$steers" 3

kill "$client" 2>/dev/null
for q in 0 1; do
	ip netns exec "$NS_b" sh -c "echo 0 > /sys/class/net/vb/queues/rx-$q/rps_flow_cnt"
done
sleep 0.5
nt_eq "RFS off: every filter expired (rps_may_expire_flow)" "0" \
	"$(steer_json | python3 -S -E -c 'import json,sys; print(len(json.load(sys.stdin)["arfs"]))')"
nt_done
