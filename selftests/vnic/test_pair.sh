#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ntvnic pairs: `ip link add type ntvnic` creates both ports, `ip -d link`
# shows kind ntvnic and the peer, ethtool -i/-l/-g/link settings answer,
# `ip link del` of one port removes both, moving ports between
# namespaces keeps the pair working, deleting a namespace removes its port
# and the peer.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool
nt_plan 15

nt_netns_new a b

vnic_pair va vb 1
nt_check "ip -d link shows kind ntvnic" bash -c "ip -d link show va | grep -qw ntvnic"
nt_eq "va's link is its peer vb" "$(cat /sys/class/net/vb/ifindex)" "$(cat /sys/class/net/va/iflink)"
nt_eq "vb's link is its peer va" "$(cat /sys/class/net/va/ifindex)" "$(cat /sys/class/net/vb/iflink)"
nt_check "ethtool -i names the driver" bash -c "ethtool -i va | grep -q '^driver: ntvnic'"
nt_check "ethtool reports the link speed" bash -c "ethtool va | grep -q 'Speed: 10000Mb/s'"
nt_check "ethtool -l: 64 combined max" bash -c "ethtool -l va | grep -A4 'maximums' | grep -q 'Combined:.*64'"
nt_check "ethtool -g: ring 256 of max 4096" bash -c \
	"ethtool -g va | grep -A2 'maximums' | grep -q 'RX:.*4096' && ethtool -g va | grep -A2 'Current' | grep -q 'RX:.*256'"

ip link del va
nt_check "ip link del va removes the peer vb too" bash -c "! ip link show vb 2>/dev/null && ! ip link show va 2>/dev/null"

vnic_pair_ns va "$NS_a" vb "$NS_b" 2
nt_check "ports moved to two namespaces ping each other" \
	ip netns exec "$NS_a" ping -c 2 -i 0.2 -W 2 10.0.0.2
nt_eq "peer of va (in ns a) is seen as link-netns" "1" \
	"$(ip -n "$NS_a" -d link show va | grep -c 'link-netns')"
nt_check "ethtool -L combined 2 applied in the namespace" bash -c \
	"ip netns exec $NS_a ethtool -l va | grep -A4 Current | grep -q 'Combined:.*2'"

# Move a port back and forth: still one pair, still passing traffic.
ip -n "$NS_b" link set vb netns "$NS_a"
ip -n "$NS_a" link set vb netns "$NS_b"
ip -n "$NS_b" addr add 10.0.0.2/24 dev vb 2>/dev/null
ip -n "$NS_b" link set vb up
nt_check "after a netns round trip the pair still passes traffic" \
	ip netns exec "$NS_a" ping -c 2 -i 0.2 -W 2 10.0.0.2

# Deleting namespace b removes vb, and with it va in namespace a.
ip netns del "$NS_b"
nt_wait_for 5 bash -c "! ip -n $NS_a link show va"
nt_check "deleting vb's namespace removes va from namespace a" bash -c "! ip -n $NS_a link show va 2>/dev/null"

# A pair left in a namespace disappears with it (no leftover devices).
ip netns add "nt-c-$$"
ip -n "nt-c-$$" link add vc type ntvnic
nt_eq "pair created inside a namespace has two ports" 2 \
	"$(ip -n "nt-c-$$" -d link show type ntvnic | grep -c 'ntvnic ')"
ip netns del "nt-c-$$"
nt_eq "no ntvnic device left anywhere in init_net" 0 "$(ip -d link show type ntvnic | grep -c 'ntvnic ')"
nt_done
