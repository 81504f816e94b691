#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared setup for the ntbypass selftests: a client namespace "a" and a
# server namespace "b" joined by a veth pair, IPv4 10.9.0.1 <-> 10.9.0.2
# and IPv6 fd00:9::1 <-> fd00:9::2, nf_conntrack and ntbypass loaded.
#
#   ntb NS ARGS...        raw netlink helper (ntb.py) inside namespace NS
#   ct_count NS FAM REGEX conntrack entries in NS matching REGEX
#   ipt_count NS CMD CHAIN COMMENT   packets counted by a commented rule
# shellcheck disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
BYPASS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
PYFLAGS=(-S -E)  # no site: Python starts slowly in the emulated VM

ntb() {
	local ns=$1
	shift
	ip netns exec "$ns" "$PY" "${PYFLAGS[@]}" "$BYPASS_DIR/ntb.py" "$@"
}

udp() {
	local ns=$1
	shift
	ip netns exec "$ns" "$PY" "${PYFLAGS[@]}" "$BYPASS_DIR/udp.py" "$@"
}

# Loads conntrack first: the tests are about what conntrack sees.
bypass_modules() {
	nt_require_cmds ip iptables ip6tables conntrack jq "$PY" "$NETTUNE"
	modprobe nf_conntrack || nt_skip_all "nf_conntrack cannot be loaded"
	nt_require_modules ntbypass
}

# Two namespaces a (client) and b (server) with a veth between them.
bypass_topology() {
	nt_netns_new a b || return 1
	ip link add ntb-a netns "$NS_a" type veth peer name ntb-b netns "$NS_b" || return 1
	ip -n "$NS_a" addr add 10.9.0.1/24 dev ntb-a
	ip -n "$NS_b" addr add 10.9.0.2/24 dev ntb-b
	ip -n "$NS_a" addr add fd00:9::1/64 dev ntb-a nodad
	ip -n "$NS_b" addr add fd00:9::2/64 dev ntb-b nodad
	# fixed MACs and permanent neighbours: no ARP/NDP packet can slip
	# into a count
	ip -n "$NS_a" link set ntb-a address 02:00:00:00:09:01
	ip -n "$NS_b" link set ntb-b address 02:00:00:00:09:02
	ip -n "$NS_a" neigh replace 10.9.0.2 lladdr 02:00:00:00:09:02 dev ntb-a nud permanent
	ip -n "$NS_b" neigh replace 10.9.0.1 lladdr 02:00:00:00:09:01 dev ntb-b nud permanent
	ip -n "$NS_a" neigh replace fd00:9::2 lladdr 02:00:00:00:09:02 dev ntb-a nud permanent
	ip -n "$NS_b" neigh replace fd00:9::1 lladdr 02:00:00:00:09:01 dev ntb-b nud permanent
	ip -n "$NS_a" link set ntb-a up
	ip -n "$NS_b" link set ntb-b up
	nt_wait_for 10 ip netns exec "$NS_a" ping -c1 -W1 10.9.0.2
}

# Starts a UDP echo server in NS on ADDR PORTS...; killed on exit; its pid
# in ECHO_PID.
echo_server() {
	local ns=$1 addr=$2 log
	shift 2
	log=$(mktemp)
	# not through udp(): $! must be the server itself (ip execs python)
	ip netns exec "$ns" "$PY" "${PYFLAGS[@]}" "$BYPASS_DIR/udp.py" echo "$addr" "$@" >"$log" 2>&1 &
	ECHO_PID=$!
	nt_defer kill $!
	nt_defer rm -f "$log"
	nt_wait_for 20 grep -q ready "$log"
}

# ct_count NS ipv4|ipv6 REGEX: conntrack entries of that family matching
ct_count() {
	ip netns exec "$1" conntrack -L -f "$2" 2>/dev/null | grep -cE -- "$3"
}

# nettune inside namespace NS
nt() {
	local ns=$1
	shift
	ip netns exec "$ns" "$NETTUNE" "$@"
}

# bypass_load NS RULE-LINES...: `nettune bypass load` of those lines
bypass_load() {
	local ns=$1 f
	shift
	f=$(mktemp)
	printf '%s\n' "$@" >"$f"
	nt "$ns" bypass load "$f" >/dev/null
	local rc=$?
	rm -f "$f"
	return $rc
}

# rule ids of NS in id order, space separated
bypass_ids() {
	nt "$1" -j bypass list | jq -r '[.[].id] | join(" ")'
}

# counters of every rule of NS as "id:packets:reply_packets" words
bypass_counts() {
	nt "$1" -j bypass list -s |
		jq -r '[.[] | "\(.id):\(.stats.packets):\(.stats.reply_packets)"] | join(" ")'
}

# live_objects: "RULES TABLES" allocated by ntbypass (leak checks)
live_objects() {
	echo "$(cat /sys/module/ntbypass/parameters/live_rules) $(cat /sys/module/ntbypass/parameters/live_tables)"
}

# ntb_batch NS <<EOF ... : helper commands, one output line each (array R)
ntb_batch() {
	mapfile -t R < <(ntb "$1" batch 2>&1)
}

# ipt_count NS iptables|ip6tables CHAIN COMMENT
ipt_count() {
	ip netns exec "$1" "$2" -w -nvx -L "$3" | awk -v c="/* $4 */" 'index($0, c) { print $1; exit }'
}
