#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's "netdev" generic netlink family sees ntvnic as it sees a
# NIC driver (6.8+ for queues and NAPIs, 6.10+ for queue statistics):
# queue-get names each queue's NAPI (the napi_id nettune reports), napi-get
# the NAPI's IRQ, and qstats-get counts per queue what ethtool -S counts,
# with the device total equal to the interface's after ethtool -L shrank
# the port (the dropped queues' counts are the base statistics). Skipped
# on kernels without the family or the commands (6.1).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
NL="python3 -S -E $VNIC_DIR/netdev_nl.py"

RSS_NQ=2
vnic_quiet_pair 2 || nt_skip_all "cannot create the pair"
ifindex=$(ip netns exec "$NS_b" cat /sys/class/net/vb/ifindex)
ip netns exec "$NS_b" $NL queue "$ifindex" rx 0 >/dev/null 2>&1
[ $? -eq 3 ] && nt_skip_all "kernel $(uname -r) has no netdev queue-get (6.8+)"
nt_plan 9

napi_json() { # queue index: its napi_id as nettune vnic show reports it
	"$NETTUNE" -n "$NS_b" vnic show vb -s --json | python3 -S -E -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(d["queues"][int(sys.argv[1])]["napi_id"])' "$1"
}
nl_napi() { ip netns exec "$NS_b" $NL queue "$ifindex" "$1" "$2" | awk '{ print $2 }'; }

rx0=$(nl_napi rx 0)
nt_log "queue-get vb rx 0: napi $rx0; nettune: $(napi_json 0)"
nt_eq "queue-get: RX queue 0's NAPI is the one nettune reports" "$(napi_json 0)" "$rx0"
nt_check "queue-get: RX queue 1 has another NAPI" test "$(nl_napi rx 1)" -ne "$rx0" -a "$(nl_napi rx 1)" -ne 0
# A TX completion NAPI (netif_napi_add_tx) is never hashed for busy
# polling, so the queue's NAPI has no id to report, as with NIC drivers.
nt_eq "queue-get: TX queue 1's completion NAPI has no id (TX-only NAPI)" 0 "$(nl_napi tx 1)"
nt_eq "napi-get: RX queue 0's NAPI has the IRQ vb-rx-0" "$(vnic_irq vb 0)" \
	"$(ip netns exec "$NS_b" $NL napi "$rx0" | awk '{ print $2 }')"

qstat() { # scope (dev|queue) kind id name
	ip netns exec "$NS_b" $NL qstats "$ifindex" "$1" |
		awk -v k="$2" -v q="$3" -v n="$4" '$1 == k && $2 == q {
			for (i = 3; i <= NF; i++) { split($i, f, "="); if (f[1] == n) print f[2] } }'
}
if [ -z "$(ip netns exec "$NS_b" $NL qstats "$ifindex" 2>/dev/null)" ]; then
	for d in "qstats-get: per queue rx-packets as ethtool -S" \
		"qstats-get: the device's rx-packets equals the interface's" \
		"qstats-get: rx-packets counts every datagram sent" \
		"ethtool -L vb combined 1" \
		"after ethtool -L combined 1: the device's rx-packets is still the interface's"; do
		nt_skip "$d" "kernel $(uname -r) has no queue statistics (6.10+)"
	done
	nt_done
fi

rss_run_flows >/dev/null
want="$(vnic_stat "$NS_b" vb rx_queue_0_packets) $(vnic_stat "$NS_b" vb rx_queue_1_packets)"
got="$(qstat queue rx 0 rx-packets) $(qstat queue rx 1 rx-packets)"
nt_log "rx packets per queue: ethtool -S $want, qstats $got"
nt_eq "qstats-get: per queue rx-packets as ethtool -S" "$want" "$got"
sysfs() { ip netns exec "$NS_b" cat /sys/class/net/vb/statistics/rx_packets; }
nt_eq "qstats-get: the device's rx-packets equals the interface's" "$(sysfs)" "$(qstat dev - - rx-packets)"
nt_ge "qstats-get: rx-packets counts every datagram sent" "$(qstat dev - - rx-packets)" "$RSS_TOTAL"

nt_check "ethtool -L vb combined 1" ip netns exec "$NS_b" ethtool -L vb combined 1
nt_eq "after ethtool -L combined 1: the device's rx-packets is still the interface's" \
	"$(sysfs)" "$(qstat dev - - rx-packets)"
nt_done
