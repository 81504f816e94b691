#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for the nettune xdp selftests. Source after ../lib.sh.
#
# Every process costs 0.5-2 s in the emulated VM (jq about 2 s, python 2 s,
# ip 1 s, nettune 0.5 s), so the helpers batch `ip` commands, parse
# nettune's tables in bash and send many flows from one python process.
#
# xdp_veth_setup: namespaces a and b, a veth pair va (a) <-> vb (b):
#   a: 10.20.0.1 and 10.20.0.66 (/24), fd00:20::1 and fd00:20::66 (/64)
#   b: 10.20.0.2, fd00:20::2
# with fixed MACs and permanent neighbours, so what reaches vb is what a
# test sends (plus a little IPv6 autoconfiguration chatter, which only the
# "passed" reason counts).

XDP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XDP_MAC_A=02:00:00:00:20:01
XDP_MAC_B=02:00:00:00:20:02

xdp_veth_setup() {
	nt_netns_new a b || return 1
	ip -n "$NS_a" -batch - <<-EOB || return 1
		link add va address $XDP_MAC_A type veth peer name vb address $XDP_MAC_B netns $NS_b
		addr add 10.20.0.1/24 dev va
		addr add 10.20.0.66/24 dev va
		addr add fd00:20::1/64 dev va nodad
		addr add fd00:20::66/64 dev va nodad
		link set va up
		neigh replace 10.20.0.2 lladdr $XDP_MAC_B dev va nud permanent
		neigh replace fd00:20::2 lladdr $XDP_MAC_B dev va nud permanent
	EOB
	ip -n "$NS_b" -batch - <<-EOB
		addr add 10.20.0.2/24 dev vb
		addr add fd00:20::2/64 dev vb nodad
		link set vb up
		neigh replace 10.20.0.1 lladdr $XDP_MAC_A dev vb nud permanent
		neigh replace 10.20.0.66 lladdr $XDP_MAC_A dev vb nud permanent
		neigh replace fd00:20::1 lladdr $XDP_MAC_A dev vb nud permanent
		neigh replace fd00:20::66 lladdr $XDP_MAC_A dev vb nud permanent
	EOB
}

# nt_b ARGS: nettune in namespace b.
nt_b() { "$NETTUNE" -n "$NS_b" "$@"; }

# xdp_send OP ARGS...: xdp_send.py in namespace a.
xdp_send() { ip netns exec "$NS_a" python3 -S -E "$XDP_DIR/xdp_send.py" "$@"; }

# xdp_reason REASON [DEV]: packets counted for REASON on DEV (default vb),
# read from the reason table of `nettune xdp stats`.
xdp_reason() {
	local name verdict packets rest
	while read -r name verdict packets rest; do
		if [ "$name" = "$1" ]; then
			echo "$packets"
			return
		fi
	done < <(nt_b xdp stats dev "${2:-vb}")
	echo "?"
}

# xdp_total [DEV]: every packet the program saw (pass + drop rows).
xdp_total() {
	local name packets rest total=0
	while read -r name packets rest; do
		case $name in pass | drop) total=$((total + packets)) ;; esac
	done < <(nt_b xdp stats dev "${1:-vb}")
	echo $total
}

# xdp_wait_total MIN [DEV]: waits (up to 5 s) until the program has seen
# MIN packets (the receiving side may poll after the sender returned).
xdp_wait_total() {
	local end=$((SECONDS + 5))
	while [ "$(xdp_total "${2:-vb}")" -lt "$1" ] && [ $SECONDS -lt $end ]; do sleep 0.2; done
}

# udp_in NS: IPv4 datagrams that reached the UDP layer (delivered or no port).
udp_in() {
	local tag in noports rest n=0 t=0
	while read -r tag in noports rest; do
		[ "$tag" = "Udp:" ] || continue
		n=$((n + 1))
		[ $n -eq 2 ] && t=$((in + noports))
	done < <(ip netns exec "$1" cat /proc/net/snmp)
	echo $t
}

# udp6_in NS: the same for IPv6.
udp6_in() {
	local name value t=0
	while read -r name value; do
		case $name in Udp6InDatagrams | Udp6NoPorts) t=$((t + value)) ;; esac
	done < <(ip netns exec "$1" cat /proc/net/snmp6)
	echo $t
}

# xdp_pin_dir NS DEV: where nettune pins DEV's filter.
xdp_pin_dir() {
	echo "/sys/fs/bpf/nettune/xdp/$(stat -L -c %i "/run/netns/$1")-$(ip netns exec "$1" cat "/sys/class/net/$2/ifindex")"
}

# xdp_listen NS ADDR PORTS: TCP listeners (PORTS comma-separated) until the
# test ends (killed by the cleanup; at most 900 s),
# ready when this returns.
xdp_listen() {
	ip netns exec "$1" python3 -S -E "$XDP_DIR/xdp_send.py" listen "$2" "$3" 900 &
	nt_defer kill $!
	nt_wait_for 15 ip netns exec "$1" bash -c "ss -ltn | grep -q ':${3##*,} '"
}
