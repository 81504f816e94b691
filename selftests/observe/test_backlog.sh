#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# A tiny netdev_max_backlog (8), on veth and on ntvnic with RPS. Bursts of
# 40 software-segmented UDP packets reach a CPU backlog faster than it is
# drained; enqueue_to_backlog takes a packet while the queue holds at most
# netdev_max_backlog, so 9 are taken and 31 dropped per burst:
#
#   veth    veth_xmit hands each packet to netif_rx with bottom halves off
#           (the sender's CPU 0 cannot drain its backlog during the burst).
#   ntvnic  a NIC's NAPI does not use the backlog, RPS does: vb's queue 0
#           steers to CPU 1 (rps_cpus 2) while its NAPI runs on CPU 0; one
#           poll moves the burst to CPU 1's backlog before the IPI that
#           makes CPU 1 drain it (sent at the end of net_rx_action).
#
# diagnose names softnet_backlog_drops first, with the softnet 'dropped'
# delta (3 x 31 = 93 or more), and advises netdev_max_backlog; trace drops
# counts the same packets as CPU_BACKLOG in enqueue_to_backlog (measured:
# 93 and 93 on both kinds).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 taskset jq
[ "$(nproc)" -ge 2 ] || nt_skip_all "needs 2 CPUs (RPS to another CPU)"
obs_plan 4

obs_sysctl net.core.netdev_max_backlog 8
obs_trace_start
declare -A ns_b dropped
for kind in $OBS_KINDS; do
	obs_pair "$kind" || nt_skip_all "cannot build the $kind pair"
	ns_b[$kind]=$NS_b
	ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off >/dev/null 2>&1
	obs_diagnose_start "$NS_b"
	if [ "$kind" = ntvnic ]; then
		echo 2 | ip netns exec "$NS_b" tee /sys/class/net/vb/queues/rx-0/rps_cpus >/dev/null
		vnic_burst 40
	else
		ip netns exec "$NS_a" taskset -c 0 python3 -S -E "$VNIC_DIR/udp_burst.py" 10.0.0.1 10.0.0.2 9000 40 3
	fi
	obs_diagnose_wait
	nt_eq "$kind: first finding is softnet_backlog_drops" softnet_backlog_drops "$(obs_first)"
	dropped[$kind]=$(obs_evidence softnet_backlog_drops 'dropped')
	nt_ge "$kind: evidence: softnet dropped moved by 3 x 31 or more (${dropped[$kind]})" "${dropped[$kind]}" 93
	nt_check "$kind: fix names netdev_max_backlog" bash -c "jq -e '.findings[0].fix[0] | test(\"netdev_max_backlog\")' $OBS_OUT/diag.json"
done
obs_trace_stop
for kind in $OBS_KINDS; do
	nt_eq "$kind: trace drops: CPU_BACKLOG in enqueue_to_backlog, as many as softnet dropped" \
		"${dropped[$kind]}" "$(obs_drops "${ns_b[$kind]}" CPU_BACKLOG 'enqueue_to_backlog')"
done
nt_done
