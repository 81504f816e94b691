#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nettune trace drops names the reason a packet died, from the running
# kernel's BTF: 17 UDP datagrams dropped by an iptables DROP rule are
# NETFILTER_DROP at nf_hook_slow on vb, 13 to a closed port are NO_SOCKET
# in the UDP receive path; counted exactly. --dev va in namespace a then
# counts only va's drops (the NETFILTER_DROP ones on vb are not there).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/trace_lib.sh"
nt_require_cmds jq iptables
nt_plan 11

trace_veth_pair || nt_skip_all "cannot build the veth pair"
tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"
ip netns exec "$NS_b" iptables -A INPUT -p udp --dport 7777 -j DROP ||
	nt_skip_all "iptables cannot add a rule"

# the row(s) of one reason on one device, summed: count
count_of() { # FILE REASON DEVICE
	jq --arg r "$2" --arg d "$3" \
		'[.drops[] | select(.reason == $r and .device == $d) | .count] | add // 0' "$1"
}

trace_start "$tmp/all" --json trace drops --duration 120 || nt_skip_all "trace drops did not start"
trace_udp_send "$NS_a" 10.0.0.2 7777 17
trace_udp_send "$NS_a" 10.0.0.2 7778 13
trace_stop "$tmp/all"
nt_eq "trace drops exits 0 on SIGINT" 0 $?
nt_log "rows on vb:"
jq -r '.drops[] | select(.device == "vb") | "\(.count) \(.reason) \(.place) \(.device) \(.netns) \(.protocol)"' \
	"$tmp/all" | sed 's/^/#   /'
nt_eq "17 datagrams to the DROP rule: NETFILTER_DROP x17 on vb" 17 \
	"$(count_of "$tmp/all" NETFILTER_DROP vb)"
nt_eq "13 datagrams to a closed port: NO_SOCKET x13 on vb" 13 \
	"$(count_of "$tmp/all" NO_SOCKET vb)"
place=$(jq -r '[.drops[] | select(.reason == "NETFILTER_DROP" and .device == "vb")][0].place' "$tmp/all")
# nf_hook_slow frees on NF_DROP; 6.1 reports the caller inside the rule
# evaluation (nft_do_chain of iptables-nft, ipt_do_table of legacy)
nt_check "the netfilter drop's place is in netfilter ($place)" \
	grep -qE '^(nf_hook_slow|nft_do_chain|ipt_do_table)\+0x' <<<"$place"
place=$(jq -r '[.drops[] | select(.reason == "NO_SOCKET" and .device == "vb")][0].place' "$tmp/all")
nt_check "the closed-port drop's place is in the UDP receive path ($place)" \
	grep -qE '^__?udp4_lib_rcv\+0x|^udp_rcv\+0x' <<<"$place"
nt_eq "their protocol is ipv4/udp" "ipv4/udp" \
	"$(jq -r '[.drops[] | select(.device == "vb" and (.reason == "NO_SOCKET" or .reason == "NETFILTER_DROP")) | .protocol] | unique | join(",")' "$tmp/all")"
nt_eq "their netns is b's name" "$NS_b" \
	"$(jq -r '[.drops[] | select(.device == "vb" and .reason == "NO_SOCKET") | .netns] | unique | join(",")' "$tmp/all")"

# --dev: in namespace a, only va. Drops on vb happen meanwhile and must not count.
trace_start "$tmp/dev" -n "$NS_a" --json trace drops --dev va --duration 120 ||
	nt_skip_all "trace drops --dev did not start"
trace_udp_send "$NS_b" 10.0.0.1 7778 5
trace_udp_send "$NS_a" 10.0.0.2 7777 9
trace_stop "$tmp/dev"
nt_eq "--dev va: 5 datagrams to a's closed port are NO_SOCKET x5 on va" 5 \
	"$(count_of "$tmp/dev" NO_SOCKET va)"
nt_eq "--dev va: no row is on another device" "" \
	"$(jq -r '[.drops[] | select(.device != "va") | .device] | unique | join(",")' "$tmp/dev")"

nt_check_fails "--dev of a missing device is refused (exit 1)" 1 "device 'nosuch0' not found" \
	"$NETTUNE" trace drops --dev nosuch0 --duration 1
nt_check_fails "an unknown trace command is a usage error (exit 2)" 2 "bogus" \
	"$NETTUNE" trace bogus
nt_done
