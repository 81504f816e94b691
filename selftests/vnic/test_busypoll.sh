#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Busy polling: a UDP socket with SO_BUSY_POLL polls vb's RX NAPI from the
# reading process. The socket sees the queue's napi id
# (SO_INCOMING_NAPI_ID equals the napi_id nettune reports), the busy-poll
# counters move, and without SO_BUSY_POLL they do not. The round trips are
# logged, not asserted (timing in an emulated VM; see bench-vnic-wire.md).
# Four python starts make it slow in the VM (88 s measured): full tier.
# nt-tier: full
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
nt_plan 6

vnic_quiet_pair 1
rx() { vnic_stat "$NS_b" vb "rx_queue_0_$1"; }
N=200

# echo_run BUSY_US: the server on vb with SO_BUSY_POLL BUSY_US, N round
# trips from va; prints "napi_id median_us min_us".
echo_run() {
	local fifo out napi rtt
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	ip netns exec "$NS_b" python3 -S -E "$VNIC_DIR/busy_echo.py" server 10.0.0.2 9100 "$1" $N >"$fifo" &
	exec 7<"$fifo"
	read -r -t 60 _ <&7	# "ready"
	rtt=$(ip netns exec "$NS_a" python3 -S -E "$VNIC_DIR/busy_echo.py" client 10.0.0.1 10.0.0.2 9100 $N)
	read -r -t 10 napi <&7
	exec 7<&-
	rm -f "$fifo"
	wait
	echo "$napi $rtt"
}

napi_id=$("$NETTUNE" -n "$NS_b" --json vnic show vb -s |
	python3 -S -E -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(d["queues"][0]["napi_id"])')

p0=$(rx busy_polls) k0=$(rx busy_poll_packets)
read -r napi0 med0 min0 <<<"$(echo_run 0)"
nt_eq "without SO_BUSY_POLL: no busy polls" 0 $(($(rx busy_polls) - p0))

p0=$(rx busy_polls) k0=$(rx busy_poll_packets)
read -r napi1 med1 min1 <<<"$(echo_run 200)"
polls=$(($(rx busy_polls) - p0)) pkts=$(($(rx busy_poll_packets) - k0))
nt_log "round trip median/min: $med0/$min0 us with interrupts, $med1/$min1 us busy polling; $polls busy polls took $pkts of $N packets"
nt_ge "SO_BUSY_POLL: the reading process polled vb's RX NAPI" "$polls" 1
nt_ge "busy polls took packets from the ring" "$pkts" 1
nt_le "... at most the requests that arrived" "$pkts" $N
nt_eq "SO_INCOMING_NAPI_ID is vb queue 0's napi id" "$napi_id" "$napi1"
nt_ge "vb queue 0 has a napi id" "${napi_id:-0}" 1
nt_done
