#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rmmod ntbypass while bypassed traffic flows through hooks in two
# namespaces: unload succeeds, no datagram is lost, the kernel log stays
# clean (the runner fails the test on WARNING/BUG/...), and the flow is
# tracked again once the module is gone. The module then loads again
# with fresh, empty state.
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
bypass_modules
nt_plan 8
bypass_topology || nt_skip_all "cannot build the veth topology"
ip netns exec "$NS_b" iptables -w -A INPUT -m conntrack --ctstate INVALID -j DROP
echo_server "$NS_b" :: 5000

nt "$NS_b" bypass add proto udp dport 5000 both >/dev/null
nt "$NS_a" bypass add proto udp sport 5000 >/dev/null
nt_eq "module in use by nobody (netlink users hold no reference)" 0 "$(cat /sys/module/ntbypass/refcnt)"

tmp=$(mktemp)
nt_defer rm -f "$tmp"
udp "$NS_a" send 10.9.0.2 5000 300 --sport 43000 >"$tmp" 2>&1 &
sender=$!
sleep 2
nt_check "rmmod under traffic" rmmod ntbypass
nt_check "module gone" test ! -e /sys/module/ntbypass
wait $sender
nt_eq "no datagram lost across the unload" "sent 300 received 300" "$(cat "$tmp")"
udp "$NS_a" send 10.9.0.2 5000 3 --sport 43001 >/dev/null
nt_eq "after unload the flow is tracked again" 1 "$(ct_count "$NS_b" ipv4 'sport=43001 dport=5000 ')"

nt_check "module loads again" nt_load_module ntbypass
nt_eq "fresh state: no rules in b" "[]" "$(nt "$NS_b" -j bypass list | jq -c .)"
nt_eq "fresh state: nothing bypassed yet" 0 "$(nt "$NS_b" -j bypass status | jq -r .ntbypass.bypassed_packets)"
nt_done
