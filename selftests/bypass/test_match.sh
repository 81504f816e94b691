#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a rule matches, proved by per-rule counters with exact packet
# counts: port ranges, source ports, protocol, prefixes of several lengths
# (IPv4 and IPv6, no ports), input/output interface, the mirror of "both",
# the lowest id winning when rules overlap, and a rule found among 1000
# port rules. Unmatched traffic stays tracked (conntrack has its entry).
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
bypass_modules
nt_plan 22
bypass_topology || nt_skip_all "cannot build the veth topology"
# conntrack active in b (an iptables conntrack match registers it)
ip netns exec "$NS_b" iptables -w -A INPUT -m conntrack --ctstate INVALID -j DROP
ip netns exec "$NS_b" ip6tables -w -A INPUT -m conntrack --ctstate INVALID -j DROP
echo_server "$NS_b" :: 6005 6010 6100 6300 6301 6302 6400 6500 10500

send() { udp "$NS_a" send "$@" >/dev/null; }

counts() { bypass_counts "$NS_b"; }

# --- ports and protocols
bypass_load "$NS_b" "proto udp dport 6000-6009" "proto udp sport 7000" "proto tcp dport 6005"
read -r r1 r2 r3 <<<"$(bypass_ids "$NS_b")"
send 10.9.0.2 6005 5 , 10.9.0.2 6100 3 --sport 7000 , 10.9.0.2 6010 2 , fd00:9::2 6005 4
nt_eq "range 6000-6009 counts 5+4 to 6005 (IPv4+IPv6: no family = both), sport 7000 counts 3, tcp rule 0" \
	"$r1:9:0 $r2:3:0 $r3:0:0" "$(counts)"
nt_eq "port 6010 (outside the range) is tracked" 1 "$(ct_count "$NS_b" ipv4 'dport=6010 ')"
nt_eq "no entry has a bypassed request as its original direction" 0 \
	"$(ct_count "$NS_b" ipv4 '^udp +17 +[0-9]+ src=10.9.0.1 dst=10.9.0.2 sport=[0-9]+ dport=(6005|6100) ')"
nt_eq "without 'both' the echoes are tracked: conntrack sees them as new flows from b" 2 \
	"$(ct_count "$NS_b" ipv4 '^udp +17 +[0-9]+ src=10.9.0.2 dst=10.9.0.1 sport=(6005|6100) ')"

# --- prefixes without ports: several lengths, both families, ICMP
bypass_load "$NS_b" "dst 10.9.0.2/32" "src 10.9.0.0/16" "src fd00:9::/64" "src 192.168.0.0/16" "dst fd00:8::/48"
read -r p1 p2 p3 p4 p5 <<<"$(bypass_ids "$NS_b")"
ip netns exec "$NS_a" ping -q -c 6 -i 0.2 -W 2 10.9.0.2 >/dev/null
nt_eq "ping: request by dst /32 (lower id wins over src /16), reply by src /16" \
	"$p1:6:0 $p2:6:0 $p3:0:0 $p4:0:0 $p5:0:0" "$(counts)"
ip netns exec "$NS_a" ping -q -c 4 -i 0.2 -W 2 fd00:9::2 >/dev/null
nt_eq "IPv6 ping: request and reply by src /64" \
	"$p1:6:0 $p2:6:0 $p3:8:0 $p4:0:0 $p5:0:0" "$(counts)"
nt_eq "no ICMP entry in conntrack" 0 "$(ct_count "$NS_b" ipv4 '^icmp')"
nt_eq "no ICMPv6 entry in conntrack" 0 "$(ct_count "$NS_b" ipv6 '^ipv6-icmp')"

# --- interfaces: iif at PRE_ROUTING, oif at LOCAL_OUT
bypass_load "$NS_b" "proto udp dport 6300 iif ntb-b" "proto udp dport 6301 iif lo" "proto udp sport 6302 oif ntb-b"
read -r i1 i2 i3 <<<"$(bypass_ids "$NS_b")"
nt_eq "list shows the interfaces by name" "ntb-b lo ntb-b" \
	"$(nt "$NS_b" -j bypass list | jq -r '[.[] | (.iif // .oif)] | join(" ")')"
send 10.9.0.2 6300 3 , 10.9.0.2 6301 3 , 10.9.0.2 6302 3
nt_eq "iif ntb-b counts, iif lo does not, oif ntb-b counts the echoes" \
	"$i1:3:0 $i2:0:0 $i3:3:0" "$(counts)"
nt_eq "iif lo rule left port 6301 tracked" 1 "$(ct_count "$NS_b" ipv4 'dport=6301 ')"

# --- both: the mirror; overlapping rules: the lowest id counts
bypass_load "$NS_b" "proto udp dport 6400 both" "proto udp sport 6400"
read -r b1 b2 <<<"$(bypass_ids "$NS_b")"
send 10.9.0.2 6400 7
nt_eq "both: requests on the rule, echoes on its mirror; the later overlapping rule counts nothing" \
	"$b1:7:7 $b2:0:0" "$(counts)"
nt_eq "both directions untracked: no entry" 0 "$(ct_count "$NS_b" ipv4 '6400 ')"

# --- 1000 port rules, then the flow's rule last
ntb_batch "$NS_b" <<'EOF2'
gen-replace 1000 17 10001
add proto=17 dport=6500 both
status
EOF2
last=${R[1]#id }
nt_eq "1000 rules + 1 loaded" "rules=1001" "$(grep -oE 'rules=[0-9]+' <<<"${R[2]}")"
send 10.9.0.2 6500 6 , 10.9.0.2 10500 2
ntb_batch "$NS_b" <<EOF2
counter $last pkts
counter $((last - 501)) pkts
dump
status
del proto=17 dport=10500
counter $last pkts
status
EOF2
nt_eq "the last rule among 1001 counts its flow exactly" 6 "${R[0]}"
nt_check "rule $((last - 501)) is the one for dport 10500" grep -qE "(^|; )id=$((last - 501)) [^;]*dport_min=10500 " <<<"${R[2]}"
nt_eq "rule dport 10500 (one of the 1000) counts its 2 packets" 2 "${R[1]}"
nt_eq "... and only it: total bypassed in status grew by 6+6+2" \
	"$((6 + 6 + 2))" "$(grep -oE 'pkts=[0-9]+' <<<"${R[3]}" | cut -d= -f2 |
		awk -v base="$(( 5 + 4 + 3 + 6 + 6 + 8 + 3 + 3 + 7 + 7 ))" '{ print $1 - base }')"
nt_eq "port 6500 untracked both ways" 0 "$(ct_count "$NS_b" ipv4 '6500 ')"

# --- DEL keeps the other rules' counters
nt_eq "delete rule dport 10500 by spec" ok "${R[4]}"
nt_eq "the flow rule kept its counters across the DEL" 6 "${R[5]}"
nt_eq "1000 rules left" "rules=1000" "$(grep -oE 'rules=[0-9]+' <<<"${R[6]}")"
nt_done
