#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Adaptive interrupt moderation (ethtool -C adaptive-rx/-tx, lib/dim): on,
# an idle queue keeps net_dim's default profile; a flood makes DIM change
# the moderation (counted, shown by nettune vnic show -s and ethtool -c);
# off restores the static setting.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 iperf3
nt_plan 9

vnic_quiet_pair 1
# mod NS DEV FIELD: queue 0's moderation field (nettune vnic show -s --json)
mod() {
	ip netns exec "$1" "$NETTUNE" --json vnic show -s "$2" |
		python3 -S -E -c "import json,sys; print(json.load(sys.stdin)[0]['queues'][0]['moderation']['$3'])"
}

ip netns exec "$NS_b" ethtool -C vb rx-usecs 30
nt_check "ethtool -C vb adaptive-rx on" ip netns exec "$NS_b" ethtool -C vb adaptive-rx on
nt_check "ethtool -C va adaptive-tx on" ip netns exec "$NS_a" ethtool -C va adaptive-tx on
nt_check "ethtool -c shows Adaptive RX on" bash -c \
	"ip netns exec $NS_b ethtool -c vb | grep -q 'Adaptive RX: on'"
nt_eq "idle: net_dim's default RX profile (8 us, 256 frames), no change yet" "8 256 0" \
	"$(mod "$NS_b" vb rx_usecs) $(mod "$NS_b" vb rx_frames) $(mod "$NS_b" vb rx_dim_changes)"

vnic_iperf_server "$NS_b"
ip netns exec "$NS_a" iperf3 -c 10.0.0.2 -t 3 >/dev/null 2>&1
rx_changes=$(mod "$NS_b" vb rx_dim_changes)
tx_changes=$(mod "$NS_a" va tx_dim_changes)
nt_log "after the flood: rx $(mod "$NS_b" vb rx_usecs) us / $rx_changes changes," \
	"tx $(mod "$NS_a" va tx_usecs) us / $tx_changes changes"
nt_ge "flood: DIM changed the RX moderation" "$rx_changes" 1
nt_ge "flood: DIM changed the TX moderation" "$tx_changes" 1
nt_check "show -s prints the moderation table" bash -c \
	"ip netns exec $NS_b $NETTUNE vnic show -s vb | grep -q 'moderation (adaptive-rx on'"

nt_check "ethtool -C vb adaptive-rx off" ip netns exec "$NS_b" ethtool -C vb adaptive-rx off
nt_eq "off: the static rx-usecs 30 is back, in use and in ethtool -c" "30 30" \
	"$(mod "$NS_b" vb rx_usecs) $(ip netns exec "$NS_b" ethtool -c vb | awk '/^rx-usecs:/ { print $2 }')"
nt_done
