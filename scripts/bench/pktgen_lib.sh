#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's pktgen as the benchmarks use it (sourced by vnic.sh,
# vnic-xdp.sh and xdp.sh): kpktgend_0 (CPU 0) of a namespace floods
# 64-byte UDP to port 9 from source ports 10000-10999, fresh skbs
# (clone_skb 0), no delay. pktgen is per network namespace: every call
# names the sender's. `modprobe pktgen` first.

pktgen_pid=""
pktgen_ns=""

# pktgen_setup NS DEV DST_IP DST_MAC [COUNT]: DEV in NS sends COUNT
# packets (default 0: until pktgen_stop).
pktgen_setup() {
	local ns=$1 dev=$2 dst=$3 mac=$4 count=${5:-0}
	ip netns exec "$ns" sh -e -c "cd /proc/net/pktgen
		echo rem_device_all > kpktgend_0
		echo add_device $dev > kpktgend_0
		for c in 'count $count' 'clone_skb 0' 'pkt_size 64' 'delay 0' 'dst $dst' \\
			'dst_mac $mac' 'udp_dst_min 9' 'udp_dst_max 9' \\
			'udp_src_min 10000' 'udp_src_max 10999'; do
			echo \"\$c\" > $dev
		done"
}

# pktgen_start NS: start in the background (a flood of COUNT 0).
pktgen_start() {
	pktgen_ns=$1
	ip netns exec "$pktgen_ns" sh -c 'echo start > /proc/net/pktgen/pgctrl' &
	pktgen_pid=$!
}

# pktgen_stop: stop what pktgen_start started.
pktgen_stop() {
	[ -n "$pktgen_ns" ] || return 0
	ip netns exec "$pktgen_ns" sh -c 'echo stop > /proc/net/pktgen/pgctrl'
	wait "$pktgen_pid" 2>/dev/null || true
	pktgen_pid=""
	pktgen_ns=""
}

# pktgen_run NS: run to COUNT in the foreground.
pktgen_run() { ip netns exec "$1" sh -c 'echo start > /proc/net/pktgen/pgctrl'; }

# pktgen_sent NS DEV: packets sent so far.
pktgen_sent() { ip netns exec "$1" awk '/pkts-sofar/ { print $2 }' "/proc/net/pktgen/$2"; }

# pktgen_result NS DEV: pktgen's own account of the last run, "usec sent".
pktgen_result() {
	ip netns exec "$1" sed -n 's/^Result: OK: \([0-9]*\)(.*usec, \([0-9]*\) (.*/\1 \2/p' "/proc/net/pktgen/$2"
}
