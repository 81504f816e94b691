#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the trace selftests: a nettune trace in the background
# that the test stops with SIGINT (as Ctrl-C) once its traffic is done.
#
#   trace_start OUT CMD_ARGS...   runs "$NETTUNE CMD_ARGS..." with stdout in
#                                 OUT, stderr in OUT.err; returns once it
#                                 printed "tracing ..." (attached), or 1
#   trace_stop OUT                SIGINT, waits; returns nettune's exit code
#
# Needs selftests/lib.sh sourced first.

trace_pid=

trace_start() {
	local out=$1
	shift
	"$NETTUNE" "$@" >"$out" 2>"$out.err" &
	trace_pid=$!
	nt_defer "kill $trace_pid 2>/dev/null"
	# loading and attaching under emulation: allow a generous minute
	if ! nt_wait_for 120 grep -q '^tracing ' "$out.err"; then
		nt_log "nettune $* did not start:"
		sed 's/^/#   /' "$out.err"
		return 1
	fi
}

trace_stop() {
	kill -INT "$trace_pid" 2>/dev/null
	wait "$trace_pid"
}

# trace_veth_pair: $NS_a (va, 10.0.0.1) <-> $NS_b (vb, 10.0.0.2)
trace_veth_pair() {
	nt_netns_new a b || return 1
	ip link add va netns "$NS_a" type veth peer name vb netns "$NS_b" || return 1
	ip -n "$NS_a" addr add 10.0.0.1/24 dev va
	ip -n "$NS_b" addr add 10.0.0.2/24 dev vb
	ip -n "$NS_a" link set va up
	ip -n "$NS_b" link set vb up
	nt_wait_for 5 ip netns exec "$NS_a" ping -c1 -W1 10.0.0.2
}

# trace_udp_send NS ADDR PORT COUNT: COUNT one-byte UDP datagrams, each
# from a fresh socket (bash's /dev/udp: no interpreter to start)
trace_udp_send() {
	ip netns exec "$1" bash -c 'for ((i = 0; i < $3; i++)); do echo >/dev/udp/$1/$2; done' \
		_ "$2" "$3" "$4" 2>/dev/null
}
