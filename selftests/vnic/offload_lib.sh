#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for test_offloads*.sh. Source after ../lib.sh and vnic_lib.sh.

# offload_setup: a quiet pair va (NS_a) <-> vb (NS_b) with all four IRQs
# on CPU 0 and a TCP sink on vb:9100.
offload_setup() {
	local irq
	vnic_quiet_pair 1 || nt_skip_all "cannot create the pair"
	for irq in "$(vnic_irq va 0 tx)" "$(vnic_irq va 0)" "$(vnic_irq vb 0 tx)" "$(vnic_irq vb 0)"; do
		echo 0 >"/proc/irq/$irq/smp_affinity_list"
	done
	ip netns exec "$NS_b" socat -u TCP-LISTEN:9100,reuseaddr,fork OPEN:/dev/null &
	nt_defer kill "$!"
	nt_wait_for 5 ip netns exec "$NS_b" bash -c "ss -ltn | grep -q ':9100'"
}

kset() { ip netns exec "$1" ethtool -K "$2" "${@:3}" >/dev/null; }
kget() { ip netns exec "$1" ethtool -k "$2" | awk -v f="$3:" '$1 == f { print $2 }'; }

# snapshot: "name value" lines: a_<stat>/b_<stat> (ethtool -S va/vb), and
# vb's namespace's /proc/net/snmp and netstat counters as <Group>_<name>.
snapshot() {
	{
		ip netns exec "$NS_a" ethtool -S va
		echo "@ b"
		ip netns exec "$NS_b" sh -c 'ethtool -S vb; echo "@ s"; cat /proc/net/snmp /proc/net/netstat'
	} | awk '$1 == "@" { p = $2; next }
		p != "s" { if ($2 ~ /^[0-9]+$/) { sub(":", "", $1); print (p == "b" ? "b_" : "a_") $1, $2 }; next }
		{ g = $1; sub(":", "", g) }
		h[g] { for (i = 2; i <= NF; i++) print g "_" n[g, i], $i; next }
		{ h[g] = 1; for (i = 2; i <= NF; i++) n[g, i] = $i }'
}

declare -A D
# delta CMD...: run CMD between two snapshots; D[name] = after - before.
delta() {
	local before after k v
	declare -A B=()
	before=$(snapshot)
	"$@"
	sleep 0.2
	after=$(snapshot)
	while read -r k v; do B[$k]=$v; done <<<"$before"
	D=()
	while read -r k v; do D[$k]=$((v - ${B[$k]:-0})); done <<<"$after"
}

# stream: 400 KB over one TCP connection va -> vb, sent from CPU 0. socat
# half-closes after the data and waits (-t) for the sink's close, which
# comes once the sink has read it all.
stream() {
	head -c 400000 /dev/zero |
		ip netns exec "$NS_a" taskset -c 0 socat -t 20 - TCP:10.0.0.2:9100
}
# frames: wire frames that reached vb's IP layer, and skbs its stack saw
frames() { echo "${D[IpExt_InNoECTPkts]} ${D[Ip_InReceives]}"; }
