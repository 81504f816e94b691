#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the cc selftests, scripts/bench/cc.sh and the demo:
# an emulated path between two namespaces and the ntcubic tracepoint.
#
#   cc_path_new                  sender $NS_a (10.9.0.1) -- router $NS_r --
#                                receiver $NS_b (10.9.1.2), veth pairs
#   cc_shape NETEM [TBF]         impairments, all in the router
#   cc_iperf ALGO SECS [ARGS]    iperf3 from a to b with -C ALGO, JSON on stdout
#   cc_trace_start / cc_trace_stop FILE   record ntcubic:ntcubic_update
#
# The impairments live in the router so that a drop is a network drop the
# sender learns about from ACKs, as on a real path: a full qdisc on the
# sender's own device would instead push back locally (TSQ, NET_XMIT_DROP
# and CWR), which is not what CUBIC or HyStart++ are about.
#
# Needs selftests/lib.sh sourced first (nt_netns_new, nt_defer).

CC_SERVER=10.9.1.2
CC_SERVER_PORT=5201

# Cleanup, before the namespaces go: a namespace whose default is ntcubic
# and every socket still using it (an orphan in FIN-WAIT or LAST-ACK, say)
# hold a tcp_ntcubic reference until the namespace finally dies, which
# can be minutes later. Reset the default and abort what is left
# (ss -K, INET_DIAG destroy) so the next test starts with no reference.
cc_release() {
	local ns
	for ns in "$NS_a" "$NS_r" "$NS_b"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.tcp_congestion_control=reno 2>/dev/null
		ip netns exec "$ns" ss -K -Htan >/dev/null 2>&1
	done
}

cc_path_new() {
	nt_netns_new a r b || return 1
	nt_defer cc_release
	ip link add veth_cc_a netns "$NS_a" type veth peer name veth_cc_ra netns "$NS_r" || return 1
	ip link add veth_cc_b netns "$NS_b" type veth peer name veth_cc_rb netns "$NS_r" || return 1
	ip -n "$NS_a" addr add 10.9.0.1/24 dev veth_cc_a
	ip -n "$NS_r" addr add 10.9.0.254/24 dev veth_cc_ra
	ip -n "$NS_r" addr add 10.9.1.254/24 dev veth_cc_rb
	ip -n "$NS_b" addr add 10.9.1.2/24 dev veth_cc_b
	ip -n "$NS_a" link set veth_cc_a up
	ip -n "$NS_r" link set veth_cc_ra up
	ip -n "$NS_r" link set veth_cc_rb up
	ip -n "$NS_b" link set veth_cc_b up
	ip -n "$NS_a" route add default via 10.9.0.254
	ip -n "$NS_b" route add default via 10.9.1.254
	ip netns exec "$NS_r" sysctl -qw net.ipv4.ip_forward=1
	# Each connection starts from scratch: no cached ssthresh/RTT from
	# the previous one to the same peer.
	ip netns exec "$NS_a" sysctl -qw net.ipv4.tcp_no_metrics_save=1
	ip netns exec "$NS_b" sysctl -qw net.ipv4.tcp_no_metrics_save=1
	modprobe sch_netem 2>/dev/null
	modprobe sch_tbf 2>/dev/null
	return 0
}

# cc_shape "NETEM ARGS" ["TBF ARGS"]: netem on the router's egress toward
# the receiver (the data path) or, when a bottleneck is given, tbf there
# and netem on the egress toward the sender (the ACK path), so that the
# delay line does not count against the bottleneck's queue.
cc_shape() {
	local netem=$1 tbf=${2:-}
	tc -n "$NS_r" qdisc del dev veth_cc_rb root 2>/dev/null
	tc -n "$NS_r" qdisc del dev veth_cc_ra root 2>/dev/null
	if [ -z "$tbf" ]; then
		# shellcheck disable=SC2086
		tc -n "$NS_r" qdisc add dev veth_cc_rb root netem $netem
	else
		# shellcheck disable=SC2086
		tc -n "$NS_r" qdisc add dev veth_cc_rb root tbf $tbf &&
			tc -n "$NS_r" qdisc add dev veth_cc_ra root netem $netem
	fi
}

# cc_iperf ALGO SECONDS [extra iperf3 client args]: one iperf3 run, its
# JSON on stdout. A fresh one-shot server each time.
cc_iperf() {
	local algo=$1 secs=$2 pid out
	shift 2
	ip netns exec "$NS_b" iperf3 -s -1 -p $CC_SERVER_PORT >/dev/null 2>&1 &
	pid=$!
	nt_wait_for 10 bash -c "ip netns exec $NS_b ss -Htln 'sport = :$CC_SERVER_PORT' | grep -q ."
	out=$(ip netns exec "$NS_a" iperf3 -c $CC_SERVER -p $CC_SERVER_PORT -C "$algo" -t "$secs" -J "$@")
	wait $pid 2>/dev/null
	echo "$out"
}

# Field of an iperf3 JSON result: throughput (Mbit/s), retransmits, mean RTT (ms).
cc_json_mbps() { jq -r '.end.sum_sent.bits_per_second / 1e6 | floor' <<<"$1"; }
cc_json_retrans() { jq -r '.end.sum_sent.retransmits' <<<"$1"; }
cc_json_rtt_ms() { jq -r '(.end.streams[0].sender.mean_rtt // 0) / 1000' <<<"$1"; }
cc_json_algo() { jq -r '.end.sender_tcp_congestion // .start.tcp_congestion // empty' <<<"$1"; }

CC_TRACEFS=""
CC_TRACE_INST=""

# Records ntcubic:ntcubic_update in a tracefs instance of our own.
cc_trace_start() {
	CC_TRACEFS=/sys/kernel/tracing
	[ -d $CC_TRACEFS/instances ] || mount -t tracefs nodev $CC_TRACEFS 2>/dev/null
	[ -d $CC_TRACEFS/instances ] || CC_TRACEFS=/sys/kernel/debug/tracing
	CC_TRACE_INST=$CC_TRACEFS/instances/nt_cc_$$
	if [ ! -d "$CC_TRACE_INST" ]; then
		mkdir "$CC_TRACE_INST" || return 1
		nt_defer rmdir "$CC_TRACE_INST"
	fi
	echo 8192 >"$CC_TRACE_INST/buffer_size_kb"
	echo 1 >"$CC_TRACE_INST/events/ntcubic/ntcubic_update/enable"
}

# cc_trace_stop FILE: stops recording, writes the events to FILE.
cc_trace_stop() {
	echo 0 >"$CC_TRACE_INST/events/ntcubic/ntcubic_update/enable"
	grep -v '^#' "$CC_TRACE_INST/trace" >"$1"
	echo >"$CC_TRACE_INST/trace"
}

CC_PARAMS=/sys/module/tcp_ntcubic/parameters

# cc_param_keep NAME...: tcp_ntcubic's parameters NAME get back the values
# they have now when the test ends (nt_defer).
cc_param_keep() {
	local p
	for p in "$@"; do
		nt_defer "echo $(cat "$CC_PARAMS/$p") > $CC_PARAMS/$p"
	done
}

# cc_ab_slowstart DIR PARAM SECONDS: two ntcubic runs with tcp_ntcubic's
# PARAM at 1 and two at 0, alternating (1, 0, 1, 0), each recorded with the
# trace. DIR gets iperf.V.RUN (iperf3 JSON), trace.V.RUN and ss.V.RUN (how
# slow start ended: cc_trace.py slowstart), V the value, RUN 1 or 2.
cc_ab_slowstart() {
	local dir=$1 param=$2 secs=$3 run v key
	for run in 1 2; do
		for v in 1 0; do
			key=$v.$run
			echo $v >"$CC_PARAMS/$param"
			cc_trace_start
			cc_iperf ntcubic "$secs" >"$dir/iperf.$key"
			cc_trace_stop "$dir/trace.$key"
			python3 -S -E "$(dirname "${BASH_SOURCE[0]}")/cc_trace.py" slowstart \
				"$dir/trace.$key" >"$dir/ss.$key"
			nt_log "$param=$v run $run: $(cat "$dir/ss.$key")"
		done
	done
}

# cc_ss_sum DIR V FIELD: FIELD of cc_ab_slowstart's results summed over
# the two runs with the parameter at V (a missing field counts 0).
cc_ss_sum() { jq -s "map(.$3 // 0) | add" "$1"/ss."$2".*; }
