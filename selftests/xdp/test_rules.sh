#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nettune xdp on a veth in native mode: each rule (block an IPv4 prefix,
# block an IPv6 prefix, deny a UDP port, deny a TCP port) drops exactly what
# it names: the rule's hits and the reason counter move by exactly the
# packets sent to it, and everything else is delivered. unblock/allow take
# the rules back; every command is a separate process sharing the pinned
# maps; detach removes the program and the pins.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/xdp_lib.sh"
nt_require_cmds ip jq python3 bpftool
nt_plan 24

xdp_veth_setup || nt_skip_all "cannot create the veth pair"
nt_defer "$NETTUNE" -n "$NS_b" xdp detach vb
xdp_listen "$NS_b" 10.20.0.2 23,24 || nt_skip_all "listeners did not start"

out=$(nt_b xdp attach vb mode native 2>&1)
nt_check "attach vb mode native" grep -q "vb: nettune xdp attached, native mode" <<<"$out"
nt_check "ip link shows a native (driver) program" \
	bash -c "ip -n $NS_b -d link show vb | grep -q 'prog/xdp id'"
dir=$(xdp_pin_dir "$NS_b" vb)
nt_eq "pins under $dir" "counters deny_ports deny_v4 deny_v6 filter_config link syn_buckets" \
	"$(echo $(ls "$dir" 2>&1))"

nt_b xdp block 10.20.0.64/26 >/dev/null
nt_b xdp block fd00:20::64/126 >/dev/null
nt_b xdp deny udp 9000 >/dev/null
nt_b xdp deny tcp 23 >/dev/null
u4=$(udp_in "$NS_b")
u6=$(udp6_in "$NS_b")
# .66 and ::66 are in the blocked prefixes; the prefix check comes before
# the port check (7 from .66 to the denied port count as blocked).
out=$(xdp_send \
	udp 10.20.0.66 10.20.0.2 9001 20 udp 10.20.0.1 10.20.0.2 9001 15 \
	udp fd00:20::66 fd00:20::2 9001 20 udp fd00:20::1 fd00:20::2 9001 15 \
	udp 10.20.0.1 10.20.0.2 9000 25 udp fd00:20::1 fd00:20::2 9000 12 \
	udp 10.20.0.66 10.20.0.2 9000 7 \
	syn 10.20.0.1 10.20.0.2 23 20 \
	connect 10.20.0.1 10.20.0.2 23 2 0.5 connect 10.20.0.1 10.20.0.2 24 2 2)
xdp_wait_total 136
nt_eq "IPv4 from 10.20.0.1 to 9001 delivered, nothing else" 15 $(($(udp_in "$NS_b") - u4))
nt_eq "IPv6 from fd00:20::1 to 9001 delivered, nothing else" 15 $(($(udp6_in "$NS_b") - u6))
nt_eq "connects to tcp 23 fail, to 24 succeed" "connected 0 connected 2" "$(echo $(grep connected <<<"$out"))"
nt_eq "blocked_prefix: 20 + 7 (IPv4) + 20 (IPv6)" 47 "$(xdp_reason blocked_prefix)"
nt_eq "denied_port: 25 + 12 (udp 9000) + 20 + 2 (tcp 23 SYNs)" 59 "$(xdp_reason denied_port)"

show=$(nt_b xdp show)
nt_log "$show"
nt_check "block 10.20.0.64/26: 27 hits" grep -Eq 'block 10.20.0.64/26 +27$' <<<"$show"
nt_check "block fd00:20::64/126: 20 hits" grep -Eq 'block fd00:20::64/126 +20$' <<<"$show"
nt_check "deny udp 9000: 37 hits" grep -Eq 'deny udp 9000 +37$' <<<"$show"
nt_check "deny tcp 23: 22 hits" grep -Eq 'deny tcp 23 +22$' <<<"$show"
nt_eq "list --json: the same hits" "27 20 22 37" \
	"$(nt_b xdp list --json | jq -r '[.[0].rules.blocked[].hits, .[0].rules.denied[].hits] | map(tostring) | join(" ")')"
nt_check "another process sees tcp 23 in the pinned map (bpftool)" \
	bash -c "bpftool -j map dump pinned $dir/deny_ports | grep -q 393239"
stats=$(nt_b xdp stats)
nt_check "stats: drop = 47 + 59" grep -Eq '^drop +106 ' <<<"$stats"

# Taking the rules back.
nt_check "unblock, allow (4 commands)" bash -c "nt() { \"$NETTUNE\" -n $NS_b xdp \"\$@\" >/dev/null; };
	nt unblock 10.20.0.64/26 && nt unblock fd00:20::64/126 && nt allow udp 9000 && nt allow tcp 23"
u4=$(udp_in "$NS_b")
u6=$(udp6_in "$NS_b")
t0=$(xdp_total)
out=$(xdp_send udp 10.20.0.66 10.20.0.2 9000 10 udp fd00:20::66 fd00:20::2 9000 10 \
	connect 10.20.0.1 10.20.0.2 23 1 2)
xdp_wait_total $((t0 + 20))
nt_eq "after unblock/allow: IPv4 from .66 to 9000 delivered" 10 $(($(udp_in "$NS_b") - u4))
nt_eq "after unblock/allow: IPv6 from ::66 to 9000 delivered" 10 $(($(udp6_in "$NS_b") - u6))
nt_eq "after allow tcp 23: connect succeeds" "connected 1" "$(grep ^connected <<<"$out")"
show=$(nt_b xdp show)
nt_check "show: no rules left" grep -q "no rules" <<<"$show"

# Detach: program and pins gone.
nt_check "detach vb" nt_b xdp detach vb
nt_check "no XDP program on vb" bash -c "! ip -n $NS_b -d link show vb | grep -q prog/xdp"
nt_check "pin directory removed" test ! -e "$dir"
u4=$(udp_in "$NS_b")
xdp_send udp 10.20.0.66 10.20.0.2 9000 5
nt_eq "traffic flows after detach" 5 $(($(udp_in "$NS_b") - u4))
nt_done
