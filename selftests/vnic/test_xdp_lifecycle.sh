#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Native XDP on ntvnic, lifecycle under traffic (TCP + a ping flood): the
# program is replaced 10 times atomically, the port goes through ethtool
# -L/-G and down/up with it loaded and keeps running it; deleting the
# namespace of a port with a program, and rmmod with a program attached
# and traffic flowing, free the program (the kernel log staying clean is
# checked by the runner: no page_pool, rxq_info or refcount warnings).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
source "$(dirname "$0")/xdp_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip iperf3 ping rmmod
xdp_require
nt_plan 11

# prog_gone ID: the kernel freed program ID (no device holds it).
prog_gone() { ! bpftool prog show id "$1" >/dev/null 2>&1; }

nt_netns_new a b
vnic_pair_ns va "$NS_a" vb "$NS_b" 2
xdp_load "$NS_b" vb xdp_pass
vnic_iperf_server "$NS_b"
ip netns exec "$NS_a" iperf3 -c 10.0.0.2 -t 30 -P 2 >/dev/null 2>&1 &
nt_defer kill $!
ip netns exec "$NS_a" ping -f -W 1 10.0.0.2 >/dev/null 2>&1 &
nt_defer kill $!
nt_wait_for 10 test "$(xdp_sum "$NS_b" vb rx xdp_pass)" -gt 1000
nt_ge "traffic runs through the program (xdp_pass > 1000)" "$(xdp_sum "$NS_b" vb rx xdp_pass)" 1000

fails=0
for i in $(seq 10); do
	if [ $((i % 2)) -eq 1 ]; then p=xdp_adjust; else p=xdp_pass; fi
	xdp_load "$NS_b" vb $p || fails=$((fails + 1))
done
nt_eq "10 program replacements under traffic" 0 $fails

id=$(xdp_prog_id "$NS_b" vb)
VNIC_STEP_PAUSE=0.5
vnic_step "$NS_b" -L vb combined 4
vnic_step "$NS_b" -G vb rx 256 tx 256
vnic_step "$NS_b" -L vb combined 1
vnic_step "$NS_b" -G vb rx 1024 tx 1024
ip -n "$NS_b" link set vb down && ip -n "$NS_b" link set vb up
nt_eq "ethtool -L/-G and down/up with the program loaded" 0 $VNIC_FAILS
nt_eq "the same program is still attached" "$id" "$(xdp_prog_id "$NS_b" vb)"
p0=$(xdp_sum "$NS_b" vb rx xdp_pass)
nt_wait_for 10 ip netns exec "$NS_a" ping -c 1 -W 1 10.0.0.2
nt_ge "it still runs on every frame after the restarts" \
	$(($(xdp_wait_ge $((p0 + 2)) xdp_sum "$NS_b" vb rx xdp_pass) - p0)) 2

# A namespace deleted with a program on its port.
nt_netns_new c d
vnic_pair_ns vc "$NS_c" vd "$NS_d" 2
xdp_load "$NS_d" vd xdp_drop
id=$(xdp_prog_id "$NS_d" vd)
ip netns exec "$NS_c" ping -c 20 -i 0.01 -W 1 10.0.0.2 >/dev/null 2>&1
ip netns del "$NS_c"
ip netns del "$NS_d"
nt_check "netns deletion frees the program of its port" nt_wait_for 10 prog_gone "$id"

# rmmod with a program attached and traffic flowing.
id=$(xdp_prog_id "$NS_b" vb)
nt_check "rmmod ntvnic with a program attached and traffic flowing" rmmod ntvnic
nt_check "module is gone" test ! -e /sys/module/ntvnic
nt_check "rmmod freed the program" nt_wait_for 10 prog_gone "$id"
nt_check "ntvnic loads again" nt_load_module ntvnic
nt_done
