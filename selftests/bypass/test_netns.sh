#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Rules belong to a network namespace: a rule in b bypasses only b's
# conntrack (a still tracks the same flow), a's list and hooks stay empty,
# ids are per namespace; root of a user namespace (CAP_NET_ADMIN there,
# not in the initial one) manages its own namespace's rules; a namespace
# deleted with rules while traffic flows leaves nothing behind.
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
bypass_modules
nt_plan 10
bypass_topology || nt_skip_all "cannot build the veth topology"
for ns in "$NS_a" "$NS_b"; do
	ip netns exec "$ns" iptables -w -A INPUT -m conntrack --ctstate INVALID -j DROP
	ip netns exec "$ns" iptables -w -A OUTPUT -m conntrack --ctstate INVALID -j DROP
done
echo_server "$NS_b" :: 5000

nt_eq "first rule of b gets id 1" "rule 1: proto udp dport 5000 both" \
	"$(nt "$NS_b" bypass add proto udp dport 5000 both)"
nt_eq "a has no rules" "[]" "$(nt "$NS_a" -j bypass list | jq -c .)"
nt_eq "a has no hooks" "false" "$(nt "$NS_a" -j bypass status | jq -c .ntbypass.hooked)"
udp "$NS_a" send 10.9.0.2 5000 10 --sport 42000 >/dev/null
nt_eq "b (with the rule) did not track the flow" 0 "$(ct_count "$NS_b" ipv4 'dport=5000 ')"
nt_eq "a (no rule) tracked it" 1 "$(ct_count "$NS_a" ipv4 'sport=42000 dport=5000 ')"
nt_eq "the same rule in a is not a duplicate, and its id is a's own 1" \
	"rule 1: proto udp dport 5000 both" "$(nt "$NS_a" bypass add proto udp dport 5000 both)"

# CAP_NET_ADMIN over the namespace's own user namespace is enough
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn sh -c \
	"\"$NETTUNE\" bypass add proto tcp dport 8080 && \"$NETTUNE\" -j bypass list" 2>&1)
nt_check "root of a user namespace adds a rule in its own network namespace" \
	grep -q '"rule": "proto tcp dport 8080"' <<<"$out"
nt_eq "... which is not in b" "proto udp dport 5000 both" \
	"$(nt "$NS_b" -j bypass list | jq -r '[.[].rule] | join(",")')"

# delete b with its rules while a sends to it
udp "$NS_a" send 10.9.0.2 5000 200 --sport 42001 --timeout 0.5 >/dev/null 2>&1 &
sender=$!
sleep 1
kill "$ECHO_PID"	# the last process in b: b dies with the mount below
ip netns del "$NS_b"
t0=$SECONDS
nt_check "namespace with rules deleted under traffic" sh -c "! ip netns list | grep -q '^$NS_b\b'"
wait $sender
# namespace teardown is asynchronous (and slow in an emulated VM)
nt_wait_for 60 sh -c '[ "$(cat /sys/module/ntbypass/parameters/live_rules)" = 1 ]'
nt_log "waited $((SECONDS - t0)) s for the namespaces' cleanup"
nt_eq "only a's rule and table are left (b's and the user namespace's freed)" "1 1" "$(live_objects)"
nt_done
