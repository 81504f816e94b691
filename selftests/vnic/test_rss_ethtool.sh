#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# RSS and ethtool -X: changing the indirection table (weight, equal) or
# the key (hkey) moves 32 UDP flows exactly as the reference Toeplitz hash
# predicts from the new table/key; ethtool -n shows the hashed fields.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3
nt_plan 6

vnic_quiet_pair $RSS_NQ

ip netns exec "$NS_b" ethtool -X vb weight 1 0 0 3
want=$(rss_expected)
got=$(rss_run_flows)
nt_log "weight 1 0 0 3: expected: $want  received: $got"
nt_eq "ethtool -X weight 1 0 0 3 moves flows as predicted" "$want" "$got"
read -ra g <<<"$got"
nt_eq "queues 1 and 2 get nothing with weight 1 0 0 3" "0 0" "${g[1]} ${g[2]}"

ip netns exec "$NS_b" ethtool -X vb equal 2
want=$(rss_expected)
got=$(rss_run_flows)
nt_log "equal 2: expected: $want  received: $got"
nt_eq "ethtool -X equal 2 moves flows as predicted" "$want" "$got"

key=$(for i in $(seq 40); do printf '%02x\n' $((RANDOM % 256)); done | paste -sd:)
ip netns exec "$NS_b" ethtool -X vb equal 4 hkey "$key"
nt_check "ethtool -x shows the new key" bash -c "ip netns exec $NS_b ethtool -x vb | grep -qi '$key'"
want=$(rss_expected)
got=$(rss_run_flows)
nt_log "new key: expected: $want  received: $got"
nt_eq "ethtool -X hkey: flows follow the new key as predicted" "$want" "$got"

nt_check "ethtool -n reports the L4 4-tuple hashed for UDP/IPv4" bash -c \
	"ip netns exec $NS_b ethtool -n vb rx-flow-hash udp4 | grep -q 'L4 bytes 0 & 1'"
nt_done
