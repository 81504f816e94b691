#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# iperf3 -C ntcubic completes over a veth pair, the socket really uses
# ntcubic (ss and `nettune cc sockets` both say so while it runs), and the
# module's state for it is live (cwnd, RTT, HyStart++ state).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/cc_lib.sh"
nt_require_cmds iperf3 jq ss
nt_require_modules tcp_ntcubic
nt_plan 7

cc_path_new || nt_skip_all "cannot build the veth path"
cc_shape "delay 10ms"

tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"
# Watch the connection from the side while it runs.
(
	# iperf3's control and data connections, then a second of data
	nt_wait_for 30 bash -c "[ \$(ip netns exec $NS_a ss -Htn state established 'dport = :$CC_SERVER_PORT' | wc -l) -ge 2 ]"
	sleep 1
	# (loading the BPF iterator takes seconds under emulation: the
	# transfer lasts long enough for all three looks)
	ip netns exec "$NS_a" ss -tin "dport = :$CC_SERVER_PORT" >"$tmp/ss"
	ip netns exec "$NS_a" "$NETTUNE" cc sockets --json >"$tmp/sockets.json" 2>"$tmp/sockets.err"
) &
watcher=$!
json=$(cc_iperf ntcubic 10)
rc=$?
wait $watcher

nt_eq "iperf3 -C ntcubic completes" 0 "$rc"
nt_eq "iperf3 reports ntcubic as the sender's algorithm" ntcubic "$(cc_json_algo "$json")"
nt_ge "data went through (Mbit/s)" "$(cc_json_mbps "$json")" 1
nt_ge "ss -ti shows ntcubic on the live connection" "$(grep -c ntcubic "$tmp/ss")" 1

n=$(jq '[.[] | select(.peer == "10.9.1.2:5201" and .state == "ESTAB")] | length' "$tmp/sockets.json" 2>/dev/null)
nt_ge "nettune cc sockets lists the connection" "${n:-0}" 1 || cat "$tmp/sockets.err"
cwnd=$(jq '[.[] | select(.peer == "10.9.1.2:5201") | .cwnd] | max' "$tmp/sockets.json" 2>/dev/null)
srtt=$(jq '[.[] | select(.peer == "10.9.1.2:5201") | .srtt_us] | max' "$tmp/sockets.json" 2>/dev/null)
nt_ge "its cwnd grew past the initial window" "${cwnd:-0}" 11
# netem adds 10 ms one way: the smoothed RTT cannot be below that
nt_ge "its srtt includes the 10 ms netem delay (us)" "${srtt:-0}" 10000
nt_log "nettune cc sockets --json (first socket):"
jq '.[0]' "$tmp/sockets.json" | sed 's/^/#   /'
nt_done
