#!/bin/bash
# nettune xdp: a UDP flood into a veth, then `nettune xdp deny` drops it in
# the veth's NAPI poll, before the stack; the counters say why.
set -eu
NETTUNE=${NETTUNE:-nettune}
cleanup() {
	ip netns exec dxa sh -c 'echo stop > /proc/net/pktgen/pgctrl' 2>/dev/null || true
	ip netns del dxa 2>/dev/null || true
	ip netns del dxb 2>/dev/null || true
}
trap cleanup EXIT
show() { echo "\$ $*"; "$@"; }
noports() { ip netns exec dxb awk '/^Udp:/ { if (h) { print $3; exit } h = 1 }' /proc/net/snmp; }

modprobe pktgen
ip netns add dxa
ip netns add dxb
ip -n dxa link add v0 address 02:00:00:00:40:01 type veth peer name v1 address 02:00:00:00:40:02 netns dxb
ip -n dxa addr add 10.40.0.1/24 dev v0
ip -n dxb addr add 10.40.0.2/24 dev v1
ip -n dxa link set v0 up
ip -n dxb link set v1 up
ip netns exec dxa sh -e -c 'cd /proc/net/pktgen; echo rem_device_all > kpktgend_0
	echo add_device v0 > kpktgend_0
	for c in "count 0" "pkt_size 64" "delay 0" "dst 10.40.0.2" "dst_mac 02:00:00:00:40:02" "udp_dst_min 9" "udp_dst_max 9"; do echo "$c" > v0; done'

flood() { # 1 s of pktgen UDP to port 9 of dxb
	local n0
	n0=$(noports)
	ip netns exec dxa sh -c 'echo start > /proc/net/pktgen/pgctrl' &
	sleep 1
	ip netns exec dxa sh -c 'echo stop > /proc/net/pktgen/pgctrl'
	wait
	echo "flood: $(ip netns exec dxa awk '/pkts-sofar/ { print $2 }' /proc/net/pktgen/v0) sent, $(($(noports) - n0)) reached dxb's UDP layer (no socket on port 9)"
}

show $NETTUNE -n dxb xdp attach v1 mode native
echo
echo "A 64-byte UDP flood from dxa, with the filter but no rule:"
flood
show $NETTUNE -n dxb xdp stats
echo
show $NETTUNE -n dxb xdp deny udp 9
echo "The same flood again:"
flood
show $NETTUNE -n dxb xdp stats
show $NETTUNE -n dxb xdp show
show $NETTUNE -n dxb xdp detach v1
