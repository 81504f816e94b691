#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# RSS: 32 UDP flows into a 4-queue port land on every queue, each flow on
# the queue the reference Toeplitz hash predicts from the port's key and
# indirection table (ethtool -x); nettune vnic rss gives the same hash.
# test_rss_ethtool.sh covers ethtool -X.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3
nt_plan 8

vnic_quiet_pair $RSS_NQ

want=$(rss_expected)
got=$(rss_run_flows)
nt_log "default table: expected per queue: $want  received: $got"
nt_eq "32 flows: per-queue counts match the reference hash" "$want" "$got"
read -ra g <<<"$got"
for ((q = 0; q < RSS_NQ; q++)); do nt_ge "queue $q received some of the 32 flows" "${g[$q]}" 1; done
nt_eq "total received is every datagram sent ($RSS_TOTAL)" "$RSS_TOTAL" $((g[0] + g[1] + g[2] + g[3]))

# One flow alone moves exactly its predicted queue.
read -r sp q hash <<<"$(ip netns exec "$NS_b" python3 -S -E "$VNIC_DIR/toeplitz.py" vb 10.0.0.1 10.0.0.2 udp 20005 --dport 9000)"
if [ -x "$NETTUNE" ]; then
	cli=$("$NETTUNE" -n "$NS_b" vnic rss vb --flow "10.0.0.1:$sp,10.0.0.2:9000" --proto udp 2>&1)
	nt_eq "nettune vnic rss agrees with the reference: hash and queue" "0x$hash $q" \
		"$(awk '$1 == "hash" { h = $2 } $1 == "queue" { q = $2 } END { print h, q }' <<<"$cli")"
else
	nt_skip "nettune vnic rss agrees with the reference" "nettune not built"
fi
read -ra before <<<"$(rss_queue_counts)"
ip netns exec "$NS_a" python3 -S -E "$VNIC_DIR/udp_flows.py" 10.0.0.1 10.0.0.2 9000 "$sp:5"
sleep 0.3
read -ra after <<<"$(rss_queue_counts)"
nt_eq "single flow :$sp puts all 5 datagrams on predicted queue $q" 5 $((after[q] - before[q]))

nt_done
