#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Ping (IPv4, IPv6) and TCP across an ntvnic pair between two namespaces;
# the receiver's per-queue counters, interrupts and NAPI polls move with
# the traffic, and ip -s link agrees with ethtool -S.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool ping iperf3
nt_plan 11

nt_netns_new a b
vnic_pair_ns va "$NS_a" vb "$NS_b" 1

p0=$(vnic_stat "$NS_b" vb rx_queue_0_packets)
i0=$(vnic_stat "$NS_b" vb rx_queue_0_irqs)
n0=$(vnic_stat "$NS_b" vb rx_queue_0_polls)
nt_check "IPv4 ping a -> b" ip netns exec "$NS_a" ping -c 10 -i 0.05 -W 2 10.0.0.2
nt_check "IPv6 ping a -> b" ip netns exec "$NS_a" ping -6 -c 5 -i 0.05 -W 2 fd00::2
p1=$(vnic_stat "$NS_b" vb rx_queue_0_packets)
i1=$(vnic_stat "$NS_b" vb rx_queue_0_irqs)
n1=$(vnic_stat "$NS_b" vb rx_queue_0_polls)
nt_ge "vb queue 0 received the 15 echo requests" $((p1 - p0)) 15
nt_ge "vb queue 0 took interrupts for them" $((i1 - i0)) 1
nt_ge "vb queue 0 NAPI polled" $((n1 - n0)) 1

vnic_iperf_server "$NS_b"
b0=$(vnic_stat "$NS_b" vb rx_queue_0_bytes)
out=$(ip netns exec "$NS_a" iperf3 -c 10.0.0.2 -t 2 -J 2>&1)
rc=$?
nt_eq "TCP (iperf3 2 s) a -> b completes" 0 "$rc"
rcvd=$(python3 -S -E -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bytes"]))' <<<"$out" 2>/dev/null || echo 0)
nt_log "iperf3 received $rcvd bytes"
b1=$(vnic_stat "$NS_b" vb rx_queue_0_bytes)
nt_ge "iperf3 moved more than 1 MB" "$rcvd" 1000000
nt_ge "vb rx bytes cover the TCP payload" $((b1 - b0)) "$rcvd"

sum=$(vnic_rx_packets "$NS_b" vb)
link=$(ip -n "$NS_b" -s -j link show vb | python3 -S -E -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
# Read in this order, stray IPv6/ARP packets in between only add to link.
nt_ge "ip -s link rx packets >= sum of ethtool rx_queue_N_packets read before" "$link" "$sum"
nt_le "... and within 5 packets of it" "$link" $((sum + 5))
nt_eq "no ring-full drops on a 256 ring at this rate" 0 "$(vnic_stat "$NS_b" vb rx_queue_0_ring_full)"
nt_done
