#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rmmod ntvnic while TCP and a ping flood run across two pairs in
# namespaces: the module goes, every port and IRQ goes with it, the kernel
# log stays clean (checked by the runner), and the module loads again and
# works.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool iperf3 ping rmmod
nt_plan 7

nt_netns_new a b
vnic_pair_ns va "$NS_a" vb "$NS_b" 4
vnic_pair vc vd 2
ip link set vc up
ip link set vd up
vnic_iperf_server "$NS_b"
ip netns exec "$NS_a" iperf3 -c 10.0.0.2 -t 20 -P 4 >/dev/null 2>&1 &
nt_defer kill $!
ip netns exec "$NS_b" ping -f -W 1 10.0.0.1 >/dev/null 2>&1 &
nt_defer kill $!
sleep 2
rx=$(vnic_rx_packets "$NS_b" vb)
nt_ge "traffic is flowing before rmmod (vb rx > 1000 packets)" "$rx" 1000

nt_check "rmmod ntvnic with traffic flowing" rmmod ntvnic
nt_check "module is gone" test ! -e /sys/module/ntvnic
nt_eq "no ntvnic port left in any namespace" 0 \
	"$( (ip -d link show; ip -n "$NS_a" -d link show; ip -n "$NS_b" -d link show) | grep -c 'ntvnic ')"
nt_eq "no ntvnic IRQ left in /proc/interrupts" 0 "$(grep -c ntvnic /proc/interrupts)"

nt_check "ntvnic loads again" nt_load_module ntvnic
vnic_pair re0 re1 2
ip link set re0 up
ip link set re1 up
nt_check "a new pair comes up with its IRQs" bash -c "grep -q ' re1-rx-1\$' /proc/interrupts"
nt_done
