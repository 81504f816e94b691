#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for the ntvnic native XDP selftests (test_xdp*.sh). Source after
# ../lib.sh and vnic_lib.sh. Programs: bpf/test_xdp.bpf.c.

XDP_OBJ=$NT_TOP/bpf/build/test_xdp.bpf.o
XDP_UDP=$VNIC_DIR/xdp_udp.py

xdp_require() {
	[ -e "$XDP_OBJ" ] || nt_skip_all "bpf/build/test_xdp.bpf.o not built (make bpf)"
	nt_require_cmds bpftool python3 ethtool
}

# xdp_load NS DEV PROG: native (driver) mode, replacing any program.
xdp_load() { ip -n "$1" -force link set dev "$2" xdpdrv obj "$XDP_OBJ" program "$3"; }

# xdp_off NS DEV
xdp_off() { ip -n "$1" link set dev "$2" xdpdrv off; }

# xdp_sum NS DEV DIR COUNTER: the sum over queues of ethtool -S
# DIR_queue_N_COUNTER (DIR rx or tx).
xdp_sum() {
	ip netns exec "$1" ethtool -S "$2" |
		awk -v re="^$3_queue_[0-9]+_$4:\$" '$1 ~ re { s += $2 } END { print s + 0 }'
}

# xdp_prog_id NS DEV: id of DEV's XDP program (empty if none).
xdp_prog_id() {
	ip -n "$1" link show dev "$2" | awk '$1 ~ /^prog\/xdp/ && $2 == "id" { print $3 }'
}

# xdp_max_mtu NS DEV
xdp_max_mtu() {
	ip -n "$1" -d link show dev "$2" | awk '{ for (i = 1; i < NF; i++) if ($i == "maxmtu") print $(i + 1) }'
}

# xdp_snmp NS PROTO FIELD: one /proc/net/snmp counter of namespace NS.
xdp_snmp() {
	ip netns exec "$1" awk -v p="$2:" -v f="$3" \
		'$1 == p { if (!c) { for (i = 2; i <= NF; i++) if ($i == f) c = i } else print $c }' /proc/net/snmp
}

# xdp_udp_in NS: UDP datagrams NS's stack received (to a socket or not).
xdp_udp_in() { echo $(($(xdp_snmp "$1" Udp InDatagrams) + $(xdp_snmp "$1" Udp NoPorts))); }

# xdp_devmap_set NS DEV TARGET: tx_port[0] of DEV's program = TARGET (a
# device in NS; devmap entries resolve in the updater's namespace).
xdp_devmap_set() {
	local id map idx
	id=$(xdp_prog_id "$1" "$2")
	map=$(bpftool prog show id "$id" | awk '{ for (i = 1; i < NF; i++) if ($i == "map_ids") { split($(i + 1), m, ","); print m[1] } }')
	idx=$(ip netns exec "$1" cat "/sys/class/net/$3/ifindex")
	# shellcheck disable=SC2046
	ip netns exec "$1" bpftool map update id "$map" key 0 0 0 0 value \
		$(printf '%d %d %d %d' $((idx & 255)) $((idx >> 8 & 255)) $((idx >> 16 & 255)) $((idx >> 24)))
}

# xdp_recv_start NS ADDR PORT COUNT: a UDP receiver in the background that
# stops once COUNT datagrams came, or after 30 s; xdp_recv_wait waits for
# it, then $XDP_RECV_OUT holds "COUNT LAST-PAYLOAD".
xdp_recv_start() {
	XDP_RECV_OUT=$(mktemp)
	nt_defer rm -f "$XDP_RECV_OUT"
	ip netns exec "$1" python3 -S -E "$XDP_UDP" recv "$2" "$3" "$4" 30 >"$XDP_RECV_OUT" &
	XDP_RECV_PID=$!
	nt_wait_for 20 ip netns exec "$1" bash -c "ss -lun | grep -q ':$3 '"
}
xdp_recv_wait() { wait "$XDP_RECV_PID"; }

# xdp_wait_ge MIN CMD...: wait up to 5 s until CMD prints at least MIN,
# then print what it printed (deliveries are asynchronous: NAPI, IRQs).
xdp_wait_ge() {
	local min=$1 v end=$((SECONDS + 5))
	shift
	while v=$("$@"); [ "$v" -lt "$min" ] && [ $SECONDS -lt $end ]; do
		sleep 0.1
	done
	echo "$v"
}

# xdp_send N PORT [PAYLOAD]: N datagrams 10.0.0.1 (a) -> 10.0.0.2:PORT (b),
# each from a new socket (bash /dev/udp: no process per datagram).
xdp_send() {
	ip netns exec "$NS_a" bash -c \
		"for ((i = 0; i < $1; i++)); do echo -n ${3:-x} >/dev/udp/10.0.0.2/$2; done"
}
