#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A tiny netdev_max_backlog on veth (veth hands packets to the CPU backlog
# with netif_rx): a burst of 40 software-segmented UDP packets goes
# through veth_xmit with bottom halves off, so the backlog is not drained
# during the burst; enqueue_to_backlog takes a packet while the queue holds
# at most netdev_max_backlog (8), so 9 are taken and 31 dropped per burst.
# diagnose names softnet_backlog_drops first, with the softnet 'dropped'
# delta (3 x 31 = 93, more if other packets met the full backlog).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_cmds ip ethtool python3 taskset jq
nt_plan 3

obs_veth_pair
ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off >/dev/null 2>&1
obs_sysctl net.core.netdev_max_backlog 8
obs_diagnose_start "$NS_b"
ip netns exec "$NS_a" taskset -c 0 python3 "$NT_TOP/selftests/vnic/udp_burst.py" 10.0.0.1 10.0.0.2 9000 40 3
obs_diagnose_wait
nt_eq "first finding is softnet_backlog_drops" softnet_backlog_drops "$(obs_first)"
drops=$(obs_evidence softnet_backlog_drops 'dropped')
nt_ge "evidence: softnet dropped moved by 3 x 31 or more ($drops)" "$drops" 93
nt_check "fix names netdev_max_backlog" bash -c "jq -e '.findings[0].fix[0] | test(\"netdev_max_backlog\")' $OBS_OUT/diag.json"
nt_done
