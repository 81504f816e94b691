#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A small RX ring on ntvnic under a burst: diagnose names rx_ring_overflow
# first, with vb's rx_queue_0_ring_full delta (3 bursts of 40 into an
# 8-entry ring: 96 dropped, see vnic/test_ring.sh), and advises ethtool -G.
# trace drops sees the 96 where ntvnic's wire frees them, on vb in b.
#
# ntvnic only: the fault needs a device with an RX ring. veth has none (its
# frames go to the peer's CPU backlog: see test_backlog.sh). A real NIC
# drops a frame for a full ring in hardware, before any skb exists, so
# only its counters (ethtool -S, rx_missed_errors) show it; ntvnic's wire
# carries skbs and frees the one that finds the ring full (kfree_skb, no
# reason: NOT_SPECIFIED), which is what trace drops sees here.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 taskset jq
nt_plan 5

vnic_quiet_pair 1
ip netns exec "$NS_b" ethtool -G vb rx 8
ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off
obs_trace_start
obs_diagnose_start "$NS_b" --dev vb
vnic_burst 40
obs_diagnose_wait
obs_trace_stop
nt_eq "first finding is rx_ring_overflow" rx_ring_overflow "$(obs_first)"
nt_eq "evidence: vb rx_queue_0_ring_full moved by 96" 96 "$(obs_evidence rx_ring_overflow 'vb rx_queue_0_ring_full')"
nt_eq "96 packets counted once" 96 "$(obs_field rx_ring_overflow events)"
nt_check "fix: ethtool -G vb rx" bash -c "jq -e '.findings[0].fix[0] | test(\"ethtool -G vb rx\")' $OBS_OUT/diag.json"
nt_eq "trace drops: the 96 freed by ntvnic_wire_carry in b" 96 \
	"$(obs_drops "$NS_b" 'NOT_SPECIFIED|FULL_RING' 'ntvnic_wire_carry')"
nt_done
