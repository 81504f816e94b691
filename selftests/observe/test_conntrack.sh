#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A conntrack table of 16 entries under 100 UDP flows: new flows are
# dropped or evicted. diagnose names conntrack_table_full first with the
# nf_conntrack drop/early_drop deltas and the count at the max, and
# `stat conntrack` reads the same per-CPU counters as conntrack -S.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_cmds ip iptables conntrack python3 jq
nt_plan 5

obs_veth_pair
ip netns exec "$NS_b" iptables -A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT || nt_skip_all "iptables conntrack match unavailable"
obs_sysctl net.netfilter.nf_conntrack_max 16
flows=$(for p in $(seq 20000 20099); do printf '%d:1 ' "$p"; done)
obs_diagnose_start "$NS_b"
# shellcheck disable=SC2086
ip netns exec "$NS_a" python3 "$NT_TOP/selftests/vnic/udp_flows.py" 10.0.0.1 10.0.0.2 9000 $flows
obs_diagnose_wait
nt_eq "first finding is conntrack_table_full" conntrack_table_full "$(obs_first)"
lost=$(obs_evidence conntrack_table_full 'nf_conntrack (drop|early_drop|insert_failed)')
nt_ge "evidence: drop + early_drop + insert_failed >= 84 of 100 flows ($lost)" "$lost" 84
nt_check "fix names nf_conntrack_max" bash -c "jq -e '.findings[0].fix[0] | test(\"nf_conntrack_max\")' $OBS_OUT/diag.json"

# stat conntrack agrees with conntrack -S (names differ: error=icmp_error,
# clash_resolve=clashres, chaintoolong=chainlength).
mine=$("$NETTUNE" -n "$NS_b" stat conntrack --json | jq -r '.per_cpu[] | "\(.cpu) \(.found) \(.invalid) \(.insert) \(.insert_failed) \(.drop) \(.early_drop) \(.icmp_error) \(.search_restart)"')
theirs=$(ip netns exec "$NS_b" conntrack -S | sed 's/=/ /g' | awk '{ print $2, $4, $6, $8, $10, $12, $14, $16, $18 }')
nt_eq "stat conntrack per-CPU counters == conntrack -S" "$theirs" "$mine"
nt_eq "stat conntrack max == nf_conntrack_max" 16 "$("$NETTUNE" -n "$NS_b" stat conntrack --json | jq '.table[0].max')"
nt_done
