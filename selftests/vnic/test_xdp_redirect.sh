#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Native XDP on ntvnic, frames that leave again: XDP_TX bounces datagrams
# back to the sender through TX queue N (counted as xdp_tx, carried as TX
# packets); XDP_REDIRECT through a devmap back out the same port goes
# through ndo_xdp_xmit (xdp_redirect on RX, xdp_xmit on TX); a devmap
# redirect from a veth's native XDP into ntvnic delivers to the ntvnic
# peer. The sender's UDP layer counts what came back.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
source "$(dirname "$0")/xdp_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip
xdp_require
nt_plan 9
N=50

vnic_quiet_pair 2 || nt_skip_all "cannot create the pair"

# XDP_TX: b's program swaps addresses and ports of datagrams to 9100.
xdp_load "$NS_b" vb xdp_tx_echo
tx0=$(xdp_sum "$NS_b" vb rx xdp_tx)
pk0=$(xdp_sum "$NS_b" vb tx packets)
udp0=$(xdp_udp_in "$NS_a")
xdp_send $N 9100
nt_eq "XDP_TX: rx_queue_N_xdp_tx moved by $N" $N \
	$(($(xdp_wait_ge $((tx0 + N)) xdp_sum "$NS_b" vb rx xdp_tx) - tx0))
nt_eq "XDP_TX: the frames left through vb's TX rings" $N \
	$(($(xdp_wait_ge $((pk0 + N)) xdp_sum "$NS_b" vb tx packets) - pk0))
nt_eq "XDP_TX: all $N came back to the sender's UDP layer" $N \
	$(($(xdp_wait_ge $((udp0 + N)) xdp_udp_in "$NS_a") - udp0))

# XDP_REDIRECT into a devmap holding vb itself: out through ndo_xdp_xmit.
xdp_load "$NS_b" vb xdp_redirect_echo
xdp_devmap_set "$NS_b" vb vb
rd0=$(xdp_sum "$NS_b" vb rx xdp_redirect)
xm0=$(xdp_sum "$NS_b" vb tx xdp_xmit)
udp0=$(xdp_udp_in "$NS_a")
xdp_send $N 9100
nt_eq "XDP_REDIRECT: rx_queue_N_xdp_redirect moved by $N" $N \
	$(($(xdp_wait_ge $((rd0 + N)) xdp_sum "$NS_b" vb rx xdp_redirect) - rd0))
nt_eq "XDP_REDIRECT: ndo_xdp_xmit posted $N (tx_queue_N_xdp_xmit)" $N \
	$(($(xdp_wait_ge $((xm0 + N)) xdp_sum "$NS_b" vb tx xdp_xmit) - xm0))
nt_eq "XDP_REDIRECT: all $N came back to the sender's UDP layer" $N \
	$(($(xdp_wait_ge $((udp0 + N)) xdp_udp_in "$NS_a") - udp0))
xdp_off "$NS_b" vb

# A veth (c: vc0 <-> b: vc1) whose native program redirects every IPv4
# frame into vb: frames from c addressed to va's MAC and IP reach a.
nt_netns_new c
ip link add vc0 netns "$NS_c" type veth peer name vc1 netns "$NS_b"
ip -n "$NS_c" addr add 10.0.1.1/24 dev vc0
ip -n "$NS_c" link set vc0 up
ip -n "$NS_b" link set vc1 up
ip -n "$NS_c" route add 10.0.0.0/24 dev vc0
ip -n "$NS_c" neigh replace 10.0.0.1 lladdr "$(vnic_mac "$NS_a" va)" dev vc0 nud permanent
ip netns exec "$NS_a" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.va.rp_filter=0
nt_check "native XDP on the veth" xdp_load "$NS_b" vc1 xdp_redirect_all
xdp_devmap_set "$NS_b" vc1 vb
xm0=$(xdp_sum "$NS_b" vb tx xdp_xmit)
udp0=$(xdp_udp_in "$NS_a")
ip netns exec "$NS_c" ethtool -K vc0 tx off >/dev/null
ip netns exec "$NS_c" bash -c "for ((i = 0; i < $N; i++)); do echo -n v >/dev/udp/10.0.0.1/9300; done"
nt_eq "veth -> devmap -> ntvnic: vb's ndo_xdp_xmit posted $N" $N \
	$(($(xdp_wait_ge $((xm0 + N)) xdp_sum "$NS_b" vb tx xdp_xmit) - xm0))
nt_eq "veth -> devmap -> ntvnic: a's UDP layer received $N" $N \
	$(($(xdp_wait_ge $((udp0 + N)) xdp_udp_in "$NS_a") - udp0))
nt_done
