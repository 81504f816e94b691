#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Replacing the whole rule set again and again while a bypassed UDP flow
# runs: no datagram lost, no packet of the flow ever tracked (conntrack
# and --ctstate UNTRACKED agree), the flow's rule keeps its id and counts
# every packet exactly across the replacements (an identical rule is kept,
# not recreated). Then flush under traffic, and nothing is left behind
# (the module's live rule/table object counts drop to 0).
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
bypass_modules
nt_plan 11
bypass_topology || nt_skip_all "cannot build the veth topology"

ip netns exec "$NS_b" iptables -w -A INPUT -p udp --dport 5000 -m conntrack --ctstate UNTRACKED -m comment --comment in-bypassed
ip netns exec "$NS_b" iptables -w -A OUTPUT -p udp --sport 5000 -m conntrack --ctstate UNTRACKED -m comment --comment out-bypassed
echo_server "$NS_b" :: 5000

tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"
{ echo "proto udp dport 5000 both"; seq 1 200 | sed 's/^/proto tcp dport /'; } >"$tmp/a.rules"
{ seq 20001 20300 | sed 's/^/proto udp dport /'; echo "proto udp dport 5000 both"
  seq 0 49 | sed 's|.*|src 192.168.&.0/24|'; seq 30001 30020 | awk '{ print "proto udp sport " $1 " dst fd00:7:" NR "::/48" }'; } >"$tmp/b.rules"

nt "$NS_b" bypass load "$tmp/a.rules" >/dev/null
id0=$(nt "$NS_b" -j bypass list | jq -r '.[] | select(.rule == "proto udp dport 5000 both") | .id')

for f in a b; do
	# helper syntax: "proto udp dport 5000 both" -> "proto=17 dport=5000 both"
	sed -e 's/proto udp/proto=17/; s/proto tcp/proto=6/; s/\b\(sport\|dport\) /\1=/g' \
		-e 's/src \([0-9.]*\/\)/family=4 src=\1/; s/dst \(fd[0-9a-f:]*\/\)/family=6 dst=\1/' \
		"$tmp/$f.rules" >"$tmp/$f.raw"
done

# The raw helper replaces the set as fast as it can, alternating a and b,
# for as long as the flow runs; once through the CLI too (slower: it also
# reads the NAT rules for its overlap warning).
ntb "$NS_b" replace-until "$tmp/stop" "$tmp/b.raw" "$tmp/a.raw" >"$tmp/loads" 2>&1 &
replacer=$!
nt_wait_for 60 grep -q started "$tmp/loads"
N=300
udp "$NS_a" send 10.9.0.2 5000 $N --sport 41000 >"$tmp/send.log" 2>&1 &
sender=$!
nt_check "nettune bypass load under traffic" nt "$NS_b" bypass load "$tmp/b.rules"
wait $sender
touch "$tmp/stop"
wait $replacer
loads=$(tail -n 1 "$tmp/loads")
nt_log "$loads rule-set replacements while the flow ran"
nt_ge "the rule set was replaced under traffic, again and again (>= 10 times)" "$loads" 10
nt_eq "no datagram lost" "sent $N received $N" "$(cat "$tmp/send.log")"
nt_eq "the flow's rule kept its id" "$id0" \
	"$(nt "$NS_b" -j bypass list | jq -r '.[] | select(.rule == "proto udp dport 5000 both") | .id')"
nt_eq "its counters count every request and echo, across replacements" "$N $N" \
	"$(nt "$NS_b" -j bypass list -s | jq -r ".[] | select(.id == $id0) | \"\(.stats.packets) \(.stats.reply_packets)\"")"
nt_eq "conntrack never saw the flow" 0 "$(ct_count "$NS_b" ipv4 '(sport|dport)=5000 ')"
nt_eq "--ctstate UNTRACKED: every request and echo" "$N $N" \
	"$(ipt_count "$NS_b" iptables INPUT in-bypassed) $(ipt_count "$NS_b" iptables OUTPUT out-bypassed)"

# leak check: the module counts its live rule and table objects
read -r rules tables <<<"$(live_objects)"
nt_ge "live rule objects: at least the 201 of the set" "$rules" 201
udp "$NS_a" send 10.9.0.2 5000 100 --sport 41001 >"$tmp/send2.log" 2>&1 &
sender=$!
sleep 1
nt_check "flush while the flow runs" nt "$NS_b" bypass flush
wait $sender
nt_eq "no datagram lost across the flush" "sent 100 received 100" "$(cat "$tmp/send2.log")"
nt_wait_for 30 sh -c '[ "$(cat /sys/module/ntbypass/parameters/live_rules)" = 0 ]'
nt_eq "after the flush and a grace period no rule or table is left" "0 0" "$(live_objects)"
nt_done
