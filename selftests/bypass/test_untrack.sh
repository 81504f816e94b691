#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A bypassed UDP flow beside a tracked one, IPv4 and IPv6, conntrack active
# in the server namespace: conntrack holds the tracked flow only (no entry
# for either direction of the bypassed one), iptables' "--ctstate
# UNTRACKED" counts exactly the bypassed packets, and the rule's counters
# equal the packets sent (requests) and echoed (mirror).
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
bypass_modules
nt_plan 21
bypass_topology || nt_skip_all "cannot build the veth topology"

N=40
SIZE=32
for ipt in iptables ip6tables; do
	for rule in "INPUT -p udp --dport 5000 -m conntrack --ctstate UNTRACKED -m comment --comment in-bypassed" \
		"OUTPUT -p udp --sport 5000 -m conntrack --ctstate UNTRACKED -m comment --comment out-bypassed" \
		"INPUT -p udp --dport 5001 -m conntrack --ctstate UNTRACKED -m comment --comment in-tracked-untracked" \
		"INPUT -p udp --dport 5001 -m conntrack --ctstate NEW,ESTABLISHED -m comment --comment in-tracked"; do
		# shellcheck disable=SC2086
		ip netns exec "$NS_b" $ipt -w -A $rule
	done
done

out=$(ntb "$NS_b" add proto=17 dport=5000 both 2>&1)
nt_check "rule added, kernel returns its id" grep -qE '^id [0-9]+$' <<<"$out"
id=${out#id }

echo_server "$NS_b" :: 5000 5001

for fam in 4 6; do
	if [ $fam = 4 ]; then dst=10.9.0.2 ipt=iptables cf=ipv4; else dst=fd00:9::2 ipt=ip6tables cf=ipv6; fi
	res=$(udp "$NS_a" send $dst 5000 $N --sport 40000 --size $SIZE)
	nt_eq "IPv$fam bypassed flow: every datagram echoed" "sent $N received $N" "$res"
	res=$(udp "$NS_a" send $dst 5001 $N --sport 40001 --size $SIZE)
	nt_eq "IPv$fam tracked flow: every datagram echoed" "sent $N received $N" "$res"

	nt_eq "IPv$fam conntrack has no entry for port 5000 in either direction" 0 \
		"$(ct_count "$NS_b" "$cf" "(sport|dport)=5000 ")"
	nt_eq "IPv$fam conntrack has the tracked flow" 1 \
		"$(ct_count "$NS_b" "$cf" "sport=40001 dport=5001 ")"
	nt_eq "IPv$fam $ipt --ctstate UNTRACKED counts every bypassed request" $N \
		"$(ipt_count "$NS_b" $ipt INPUT in-bypassed)"
	nt_eq "IPv$fam $ipt --ctstate UNTRACKED counts every bypassed reply" $N \
		"$(ipt_count "$NS_b" $ipt OUTPUT out-bypassed)"
	nt_eq "IPv$fam tracked flow is never UNTRACKED" 0 \
		"$(ipt_count "$NS_b" $ipt INPUT in-tracked-untracked)"
	nt_eq "IPv$fam tracked flow is seen by conntrack (NEW/ESTABLISHED)" $N \
		"$(ipt_count "$NS_b" $ipt INPUT in-tracked)"
done

# counters: N requests per family in the rule's direction, N echoes in the mirror
nt_eq "rule counts the requests (both families)" $((2 * N)) "$(ntb "$NS_b" counter "$id" pkts)"
nt_eq "rule's mirror counts the echoes" $((2 * N)) "$(ntb "$NS_b" counter "$id" mpkts)"
# bytes: IPv4 20+8+SIZE, IPv6 40+8+SIZE per packet
nt_eq "rule counts the request bytes" $((N * (28 + SIZE) + N * (48 + SIZE))) \
	"$(ntb "$NS_b" counter "$id" bytes)"
nt_eq "status sums requests and echoes" \
	"rules=1 pkts=$((4 * N)) hooked=1" \
	"$(ntb "$NS_b" status | tr ' ' '\n' | grep -E '^(rules|pkts|hooked)=' | sort -r | tr '\n' ' ' | sed 's/ $//')"
nt_done
