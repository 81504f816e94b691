#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# A conntrack table of 16 entries under 100 UDP flows, across a veth and
# an ntvnic pair: new flows are dropped or evicted. diagnose names
# conntrack_table_full first with the nf_conntrack drop/early_drop deltas
# and the count at the max; trace drops sees each packet conntrack dropped
# (nf_conntrack 'drop') as NETFILTER_DROP in nf_hook_slow; and `stat
# conntrack` reads the same per-CPU counters as conntrack -S.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip iptables conntrack python3 jq
obs_plan 5 1

modprobe nf_conntrack 2>/dev/null
[ -e /proc/sys/net/netfilter/nf_conntrack_max ] || nt_skip_all "nf_conntrack cannot be loaded"
obs_sysctl net.netfilter.nf_conntrack_max 16
flows=$(for p in $(seq 20000 20099); do printf '%d:1 ' "$p"; done)
obs_trace_start
declare -A ns_b ct_drop
for kind in $OBS_KINDS; do
	obs_pair "$kind" || nt_skip_all "cannot build the $kind pair"
	ns_b[$kind]=$NS_b
	ip netns exec "$NS_b" iptables -A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT ||
		nt_skip_all "iptables conntrack match unavailable"
	obs_diagnose_start "$NS_b"
	# shellcheck disable=SC2086
	ip netns exec "$NS_a" python3 -S -E "$VNIC_DIR/udp_flows.py" 10.0.0.1 10.0.0.2 9000 $flows
	obs_diagnose_wait
	nt_eq "$kind: first finding is conntrack_table_full" conntrack_table_full "$(obs_first)"
	lost=$(obs_evidence conntrack_table_full 'nf_conntrack (drop|early_drop|insert_failed)')
	nt_ge "$kind: evidence: drop + early_drop + insert_failed >= 84 of 100 flows ($lost)" "$lost" 84
	ct_drop[$kind]=$(obs_evidence conntrack_table_full '^nf_conntrack drop$')
	nt_check "$kind: fix names nf_conntrack_max" bash -c "jq -e '.findings[0].fix[0] | test(\"nf_conntrack_max\")' $OBS_OUT/diag.json"

	# stat conntrack agrees with conntrack -S (names differ: error=icmp_error,
	# clash_resolve=clashres, chaintoolong=chainlength).
	mine=$("$NETTUNE" -n "$NS_b" stat conntrack --json | jq -r '.per_cpu[] | "\(.cpu) \(.found) \(.invalid) \(.insert) \(.insert_failed) \(.drop) \(.early_drop) \(.icmp_error) \(.search_restart)"')
	theirs=$(ip netns exec "$NS_b" conntrack -S | sed 's/=/ /g' | awk '{ print $2, $4, $6, $8, $10, $12, $14, $16, $18 }')
	nt_eq "$kind: stat conntrack per-CPU counters == conntrack -S" "$theirs" "$mine"
done
nt_eq "stat conntrack max == nf_conntrack_max" 16 "$("$NETTUNE" -n "$NS_b" stat conntrack --json | jq '.table[0].max')"
obs_trace_stop
for kind in $OBS_KINDS; do
	n=$(obs_drops "${ns_b[$kind]}" NETFILTER_DROP 'nf_hook_slow|nft_do_chain|ipt_do_table')
	nt_eq "$kind: trace drops: NETFILTER_DROP x nf_conntrack drop (${ct_drop[$kind]})" "${ct_drop[$kind]}" "$n"
done
nt_done
