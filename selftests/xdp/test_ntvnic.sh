#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# nettune xdp on an ntvnic pair: attached in whatever mode the driver
# supports (native once ntvnic has it, else generic) and in generic mode
# explicitly, a denied UDP port drops exactly what was sent to it, the
# rest is delivered; per-queue XDP counters are shown if the driver has them.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../vnic/vnic_lib.sh"
source "$(dirname "$0")/xdp_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip jq python3 ethtool
nt_plan 10

nt_netns_new a b
vnic_pair_ns va "$NS_a" vb "$NS_b" 2 || nt_skip_all "cannot create the ntvnic pair"
ip -n "$NS_a" neigh replace 10.0.0.2 lladdr "$(vnic_mac "$NS_b" vb)" dev va nud permanent
nt_defer "$NETTUNE" -n "$NS_b" xdp detach vb

out=$(nt_b xdp attach vb 2>&1)
nt_check "attach to ntvnic (driver's choice of mode)" grep -Eq "vb: nettune xdp attached, (native|generic) mode" <<<"$out"
nt_log "$out"
nt_check "deny udp 9000" nt_b xdp deny udp 9000
u0=$(udp_in "$NS_b")
t0=$(xdp_total)
xdp_send udp 10.0.0.1 10.0.0.2 9000 30 udp 10.0.0.1 10.0.0.2 9001 10
xdp_wait_total $((t0 + 40))
nt_eq "30 to the denied port dropped" 30 "$(xdp_reason denied_port)"
nt_eq "10 to another port delivered" 10 $(($(udp_in "$NS_b") - u0))
if ip netns exec "$NS_b" ethtool -S vb | grep -q 'rx_queue_0_xdp_'; then
	nt_check "stats show the driver's per-queue XDP counters" \
		bash -c "\"$NETTUNE\" -n $NS_b xdp stats | grep -q 'per RX queue'"
else
	nt_skip "per-queue XDP counters" "ntvnic has no rx_queue_N_xdp_* counters (yet)"
fi

out=$(nt_b xdp attach vb mode generic --force 2>&1)
nt_check "attach mode generic --force" grep -q "vb: nettune xdp replaced, generic mode" <<<"$out"
nt_check "ip link shows xdpgeneric" bash -c "ip -n $NS_b -d link show vb | grep -q xdpgeneric"
t0=$(xdp_total)
xdp_send udp 10.0.0.1 10.0.0.2 9000 20
xdp_wait_total $((t0 + 20))
nt_eq "generic mode: the rule was kept and drops 20 more" 50 "$(xdp_reason denied_port)"
nt_check "detach" nt_b xdp detach vb
nt_check "no program left" bash -c "! ip -n $NS_b -d link show vb | grep -q prog/xdp"
nt_done
