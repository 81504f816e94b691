#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# nettune trace skb follows one ping across an ntvnic pair: the request
# goes out through ntvnic_start_xmit on nt0 and in through nt1's receive
# path (napi_gro_receive, ip_rcv_core, icmp_rcv); the reply leaves through
# ntvnic_start_xmit on nt1. Then a UDP datagram dropped by an iptables
# rule in b ends its walk at kfree_skb with NETFILTER_DROP. One trace,
# --count 3: the request, the reply and the datagram.
#
# The traced functions are narrowed with --functions to the path checked
# here (plus the free functions nettune always adds): Debian's 6.1 has no
# kprobe-multi, and attaching all ~1,470 sk_buff functions one kprobe at a
# time took 157 s in the emulated VM (179 functions: 17 s); see
# Documentation/trace.rst.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/trace_lib.sh"
nt_require_cmds jq iptables
nt_require_modules ntvnic
nt_plan 10

FUNCS='^(ip_rcv|ip_local_deliver|ip_output|ip_finish_output|icmp_rcv|napi_gro_receive|__netif_receive_skb|netif_receive_skb|__dev_queue_xmit|dev_hard_start_xmit|ntvnic_|nf_hook_slow|udp_rcv|__udp4_lib_rcv)'

nt_netns_new a b || nt_skip_all "cannot create namespaces"
"$NETTUNE" vnic add nt0 peer nt1 netns "$NS_a" peer-netns "$NS_b" >/dev/null ||
	nt_skip_all "cannot create the ntvnic pair"
ip -n "$NS_a" addr add 10.0.1.1/24 dev nt0
ip -n "$NS_b" addr add 10.0.1.2/24 dev nt1
ip -n "$NS_a" link set nt0 up
ip -n "$NS_b" link set nt1 up
nt_wait_for 5 ip netns exec "$NS_a" ping -c1 -W1 10.0.1.2 || nt_skip_all "the pair does not carry a ping"
ip netns exec "$NS_b" iptables -A INPUT -p udp --dport 9999 -j DROP || nt_skip_all "no iptables"
tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"

# the steps of packet N as "function@device" lines
steps_of() { jq -r --argjson p "$2" '.steps[] | select(.packet == $p) | "\(.function)@\(.device)"' "$1"; }

trace_start "$tmp/out" --json trace skb 'host 10.0.1.2' --count 3 --duration 120 \
	--functions "$FUNCS" || nt_skip_all "trace skb did not start"
ip netns exec "$NS_a" ping -c1 -W5 10.0.1.2 >/dev/null
trace_udp_send "$NS_a" 10.0.1.2 9999 1
# --count 3: it stops by itself once the third walk ended
nt_wait_for 30 bash -c "! kill -0 $trace_pid 2>/dev/null"
trace_stop "$tmp/out"
nt_eq "trace skb --count 3 exits 0 by itself" 0 $?
nt_log "attach: $(jq -c .attach "$tmp/out")"
req=$(steps_of "$tmp/out" 1)
rep=$(steps_of "$tmp/out" 2)
nt_log "request: $(paste -sd' ' <<<"$req")"
nt_log "reply: $(paste -sd' ' <<<"$rep")"
nt_log "datagram: $(steps_of "$tmp/out" 3 | paste -sd' ')"
nt_eq "three packets followed" 3 "$(jq .packets "$tmp/out")"
nt_check "request: out through ntvnic_start_xmit on nt0" grep -qx 'ntvnic_start_xmit@nt0' <<<"$req"
nt_check "request: into nt1's NAPI/GRO receive" \
	grep -qE '^(napi_gro_receive|netif_receive_skb|__netif_receive_skb)@nt1$' <<<"$req"
# GRO hands skbs on as a list: ip_list_rcv -> ip_sublist_rcv -> ip_rcv_core
nt_check "request: ip_rcv/ip_rcv_core on nt1" grep -qE '^ip_rcv(_core)?@nt1$' <<<"$req"
nt_check "request: icmp_rcv on nt1" grep -qx 'icmp_rcv@nt1' <<<"$req"
nt_check "reply: out through ntvnic_start_xmit on nt1" grep -qx 'ntvnic_start_xmit@nt1' <<<"$rep"

last=$(jq -c '[.steps[] | select(.packet == 3)] | last | {event, reason, function}' "$tmp/out")
nt_log "datagram's last step: $last"
nt_eq "the dropped datagram's walk ends in a drop with NETFILTER_DROP" '"drop" "NETFILTER_DROP"' \
	"$(jq -r '[.steps[] | select(.packet == 3)] | last | "\"\(.event)\" \"\(.reason)\""' "$tmp/out")"
# nf_hook_slow frees on NF_DROP; 6.1 reports the place inside the rule
# evaluation (nft_do_chain of iptables-nft, ipt_do_table of legacy)
nt_check "... in netfilter, after nf_hook_slow on nt1" \
	grep -qE '"function":"(nf_hook_slow|nft_do_chain|ipt_do_table)\+0x' <<<"$last"
nt_check_fails "a filter with 'or' is a usage error naming it" 2 \
	"'or', 'not' and parentheses are not supported" "$NETTUNE" trace skb 'udp or tcp'
nt_done
