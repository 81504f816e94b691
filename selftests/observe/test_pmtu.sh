#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# A PMTU black hole: a (MTU 1500) -- r -- b (MTU 1500) where r's link
# toward b has MTU 1280 and r drops the ICMP 'fragmentation needed' it
# would send. The link r -- b is a veth pair, then an ntvnic pair. The
# handshake passes (small packets), every full-size data segment dies at r
# and a retransmits it on RTO, again and again. diagnose at a names
# pmtu_blackhole first: RTOs, no fast retransmit, no D-SACK, no ICMP
# received, and the stuck socket with its MSS. trace drops sees the
# segments die at r as PKT_TOO_BIG in ip_forward.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip iptables python3 jq
obs_plan 5

# blackhole_path KIND: namespaces a, r, b; va -- ra (veth), rb -- vb (KIND, MTU 1280 at rb)
blackhole_path() {
	nt_netns_new a r b || return 1
	ip link add va netns "$NS_a" type veth peer name ra netns "$NS_r" || return 1
	if [ "$1" = ntvnic ]; then
		vnic_pair rb vb || return 1
		ip link set rb netns "$NS_r" && ip link set vb netns "$NS_b" || return 1
	else
		ip link add rb netns "$NS_r" type veth peer name vb netns "$NS_b" || return 1
	fi
	ip -n "$NS_a" addr add 10.0.1.1/24 dev va
	ip -n "$NS_r" addr add 10.0.1.2/24 dev ra
	ip -n "$NS_r" addr add 10.0.2.1/24 dev rb
	ip -n "$NS_b" addr add 10.0.2.2/24 dev vb
	ip -n "$NS_r" link set rb mtu 1280
	local l
	for l in "$NS_a va" "$NS_r ra" "$NS_r rb" "$NS_b vb"; do
		# shellcheck disable=SC2086
		set -- $l
		ip -n "$1" link set "$2" up
	done
	ip -n "$NS_a" route add default via 10.0.1.2
	ip -n "$NS_b" route add default via 10.0.2.1
	ip netns exec "$NS_r" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$NS_r" iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
	nt_wait_for 5 ip netns exec "$NS_a" ping -c1 -W1 10.0.2.2
}

obs_trace_start
declare -A ns_r timeouts
for kind in $OBS_KINDS; do
	blackhole_path "$kind" || nt_skip_all "cannot build the path over $kind"
	ns_r[$kind]=$NS_r
	ip netns exec "$NS_b" python3 -S -E "$OBS_DIR/tcp_bulk.py" server 10.0.2.2 5203 &
	nt_defer kill $!
	nt_wait_for 5 ip netns exec "$NS_b" bash -c "ss -ltn | grep -q ':5203'"
	rm -f "$OBS_OUT/connected"
	obs_diagnose_start "$NS_a"
	ip netns exec "$NS_a" python3 -S -E "$OBS_DIR/tcp_bulk.py" client 10.0.2.2 5203 30 "$OBS_OUT/connected" &
	nt_defer kill $!
	nt_wait_for 10 test -e "$OBS_OUT/connected"
	sleep 3
	obs_diagnose_wait
	nt_eq "$kind: first finding is pmtu_blackhole" pmtu_blackhole "$(obs_first)"
	timeouts[$kind]=$(obs_evidence pmtu_blackhole '^TcpExtTCPTimeouts$')
	nt_ge "$kind: evidence: TcpExtTCPTimeouts moved by 2 or more" "${timeouts[$kind]}" 2
	nt_eq "$kind: evidence: no ICMP came back" 0 "$(obs_evidence pmtu_blackhole 'Icmp')"
	nt_check "$kind: fix: tcp_mtu_probing" bash -c "jq -e '.findings[0].fix[0] | test(\"tcp_mtu_probing=1\")' $OBS_OUT/diag.json"
done
obs_trace_stop
for kind in $OBS_KINDS; do
	n=$(obs_drops "${ns_r[$kind]}" PKT_TOO_BIG ip_forward)
	nt_ge "$kind: trace drops: PKT_TOO_BIG in ip_forward at r, as many as the RTOs or more ($n)" "$n" "${timeouts[$kind]}"
done
nt_done
