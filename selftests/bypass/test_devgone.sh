#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# A rule naming a device (iif/oif) holds its ifindex. When the device is
# unregistered, ntbypass drops the rule (NETDEV_UNREGISTER, per-namespace
# notifier), so a new device that gets the same ifindex is not matched:
#
#  - iif ntb-b bypasses the flow a -> b:5000; an oif ntb-b rule and an
#    unrelated rule sit beside it;
#  - ntb-b is deleted and a new veth ntb-c is made in b with ntb-b's
#    ifindex: the two rules that named ntb-b are gone (kernel log says so,
#    bypass status counts 2), the unrelated one stays with its id, and the
#    flow through ntb-c is tracked again;
#  - a device moved to another namespace drops its rules too;
#  - deleting a namespace with such rules, then rmmod with the notifiers
#    registered, is clean (no rule or table left, no kernel warning), and
#    the module loads again.
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
bypass_modules
nt_plan 15
bypass_topology || nt_skip_all "cannot build the veth topology"
# conntrack runs in a namespace only once a rule needs it
ip netns exec "$NS_b" iptables -w -A INPUT -m conntrack --ctstate INVALID -j DROP
echo_server "$NS_b" :: 5000
udp "$NS_a" send 10.9.0.2 5000 3 --sport 42999 >/dev/null
nt_eq "without a rule the flow into b is tracked" 1 "$(ct_count "$NS_b" ipv4 'sport=42999 dport=5000 ')"

idx=$(ip netns exec "$NS_b" cat /sys/class/net/ntb-b/ifindex)
nt "$NS_b" bypass add iif ntb-b proto udp dport 5000 >/dev/null
nt "$NS_b" bypass add oif ntb-b proto udp sport 5000 >/dev/null
nt "$NS_b" bypass add proto udp dport 6000 >/dev/null
udp "$NS_a" send 10.9.0.2 5000 3 --sport 43000 >/dev/null
nt_eq "iif ntb-b: the flow into b is not tracked" 0 "$(ct_count "$NS_b" ipv4 'sport=43000 dport=5000 ')"

dmesg_before=$(dmesg | wc -l)
ip -n "$NS_b" link del ntb-b
ip -n "$NS_b" link add ntb-c index "$idx" type veth peer name ntb-a2 netns "$NS_a" ||
	nt_skip_all "ip link add ... index cannot reuse ifindex $idx"
ip -n "$NS_a" addr add 10.9.0.1/24 dev ntb-a2
ip -n "$NS_b" addr add 10.9.0.2/24 dev ntb-c
ip -n "$NS_a" link set ntb-a2 up
ip -n "$NS_b" link set ntb-c up
nt_eq "the new device ntb-c has ntb-b's ifindex $idx" "$idx" "$(ip netns exec "$NS_b" cat /sys/class/net/ntb-c/ifindex)"
rules=$(nt "$NS_b" -j bypass list | jq -r '[.[] | "\(.id): \(.rule)"] | join(", ")')
nt_check "the rules that named ntb-b are gone, the other stays with id 3 ($rules)" \
	grep -qE '^3: [^,]*dport 6000$' <<<"$rules"
nt_eq "bypass status counts 2 rules dropped" 2 "$(nt "$NS_b" -j bypass status | jq -r .ntbypass.dev_gone_rules)"
nt_check "bypass status says why" bash -c "ip netns exec $NS_b $NETTUNE bypass status | grep -q 'dropped rules: *2 (their iif/oif device was unregistered)'"
nt_check "bypass list notes the dropped rules" bash -c "ip netns exec $NS_b $NETTUNE bypass list | grep -q '2 rules dropped'"
nt_eq "the kernel log names both rules and the device" 2 \
	"$(dmesg | tail -n +$((dmesg_before + 1)) | grep -cE "ntbypass: rule [12] dropped: its device ntb-b \(ifindex $idx\) was unregistered")"
nt_check "a reaches b through the new pair" nt_wait_for 20 ip netns exec "$NS_a" ping -c1 -W1 10.9.0.2
udp "$NS_a" send 10.9.0.2 5000 3 --sport 43001 >/dev/null
nt_eq "the flow through ntb-c (same ifindex) is tracked" 1 "$(ct_count "$NS_b" ipv4 'sport=43001 dport=5000 ')"
nt_check_fails "a rule for the deleted name is refused" 1 "ntb-b" nt "$NS_b" bypass add iif ntb-b

# moved to another namespace: NETDEV_UNREGISTER in the old one
ip -n "$NS_b" link add ntb-d type dummy
nt "$NS_b" bypass add iif ntb-d >/dev/null
ip -n "$NS_b" link set ntb-d netns "$NS_a"
nt_eq "a device moved to namespace a: its rule in b dropped (3 so far)" "3 1" \
	"$(nt "$NS_b" -j bypass status | jq -r '"\(.ntbypass.dev_gone_rules) \(.ntbypass.rules)"')"

# a dying namespace with device rules, then unload with the notifiers registered
nt "$NS_a" bypass add iif ntb-a2 proto udp >/dev/null
nt "$NS_a" bypass add oif ntb-d >/dev/null
ip netns del "$NS_a"
nt_wait_for 20 bash -c "[ \"\$(ip netns exec $NS_b $NETTUNE -j bypass status | jq -r .ntbypass.rules)\" = 1 ]"
nt_check "rmmod ntbypass with rules in b and the notifiers registered" rmmod ntbypass
nt_check "it loads again" nt_load_module ntbypass
nt_eq "fresh state in b: no rules, none dropped" "[] 0" \
	"$(nt "$NS_b" -j bypass list | jq -c .) $(nt "$NS_b" -j bypass status | jq -r '.ntbypass.dev_gone_rules // 0')"
nt_done
