#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A restart of the data path (ethtool -G here; -L and `nettune vnic set`
# take the same path) must run the qdisc again: packets the stack queued
# there while the TX queue was stopped leave once it restarts, without a
# further packet to kick them. Setup: a 200 kbit/s line rate (24 frames
# of 1000 bytes a second) holds frames in the 64-entry TX ring, so the
# queue stops and most of a burst of 300 datagrams waits in the qdisc
# (pfifo: no AQM drops) for seconds; ethtool -G restarts the port while
# that backlog is there, the rate is lifted (that changes no qdisc state)
# and nothing else is sent: the qdisc must drain at once.
# Before the fix the restart only started the queues (no __netif_schedule)
# and the backlog stayed for good: in the soak, a TCP flow hashed to such a
# queue stalled for the rest of the run (TSQ and the in-host check keep it
# from sending anything that would kick the qdisc).
# nt-tier: full
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool tc python3
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
nt_plan 4

vnic_quiet_pair 1
ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off
ip netns exec "$NS_a" ethtool -G va tx 64
ip netns exec "$NS_a" tc qdisc replace dev va root pfifo limit 1000
"$NETTUNE" -n "$NS_a" vnic set va rate 200kbit

backlog() { # packets in va's qdisc
	ip netns exec "$NS_a" tc -s qdisc show dev va |
		awk '/backlog/ { sub("p", "", $3); print $3; exit }'
}
rx_b() { vnic_rx_packets "$NS_b" vb; }
drops_a() { vnic_stat "$NS_a" va tx_queue_0_drops; }

n=300
r0=$(rx_b) d0=$(drops_a)
# 300 x 1000 bytes: 12 s of line time; a send buffer that holds them all.
ip netns exec "$NS_a" python3 -S -E -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 32, 8 << 20)  # SO_SNDBUFFORCE
for _ in range($n):
    s.sendto(b'q' * 1000, ('10.0.0.2', 9))
"
b1=$(backlog)
nt_ge "the burst waits in the qdisc behind the stopped TX queue" "${b1:-0}" 50
nt_check "ethtool -G va tx 128 with that backlog" ip netns exec "$NS_a" ethtool -G va tx 128
b2=$(backlog)
"$NETTUNE" -n "$NS_a" vnic set va rate 0
empty() { [ "$(backlog)" = 0 ]; }
nt_wait_for 10 empty
b3=$(backlog)
nt_log "qdisc backlog: $b1 before the restart, $b2 right after, $b3 10 s later at most"
nt_eq "the qdisc drained after the restart with nothing more sent" 0 "${b3:-x}"
# What the restart purged from the TX ring is a tx drop; everything else
# crossed.
purged=$(($(drops_a) - d0))
nt_wait_for 5 bash -c "[ \$(ip netns exec $NS_b ethtool -S vb | awk '/rx_queue_[0-9]+_packets/ { s += \$2 } END { print s }') -ge $((r0 + n - purged)) ]"
nt_eq "vb received every datagram not purged by the restart ($purged purged)" \
	$((n - purged)) $(($(rx_b) - r0))
nt_done
