#!/bin/bash
# ntbypass: a tracked and a bypassed TCP flow side by side, and what
# conntrack sees of each.
set -eu
NETTUNE=${NETTUNE:-nettune}
cleanup() {
	ip netns del dcli 2>/dev/null || true
	ip netns del dsrv 2>/dev/null || true
	[ -n "${servers:-}" ] && kill $servers 2>/dev/null || true
}
trap cleanup EXIT
show() { echo "\$ $*"; "$@"; }
srv() { ip netns exec dsrv "$@"; }

modprobe nf_conntrack
[ -e /sys/module/ntbypass ] || { echo "ntbypass is not loaded"; exit 1; }
ip netns add dcli
ip netns add dsrv
ip link add v0 netns dcli type veth peer name v1 netns dsrv
ip -n dcli addr add 10.88.0.1/24 dev v0
ip -n dsrv addr add 10.88.0.2/24 dev v1
ip -n dcli link set v0 up
ip -n dsrv link set v1 up
# conntrack is active in dsrv (an nft ct rule hooks it in), with counters
# of tracked and untracked packets arriving there
srv nft -f - <<'NFT'
table inet demo {
	chain in {
		type filter hook input priority 0; policy accept;
		tcp dport { 8080, 8081 } ct state untracked counter
		tcp dport { 8080, 8081 } ct state new,established counter
	}
}
NFT
echo "Two TCP servers in namespace dsrv, :8080 (tracked) and :8081 (bypassed):"
show $NETTUNE -n dsrv bypass add proto tcp dport 8081 both
servers=""
for port in 8080 8081; do
	srv socat TCP-LISTEN:$port,reuseaddr,fork SYSTEM:"echo served by :$port" &
	servers="$servers $!"
done
sleep 1
for port in 8080 8081; do
	for _ in 1 2 3; do
		ip netns exec dcli socat -T 2 - TCP:10.88.0.2:$port </dev/null >/dev/null
	done
	echo "client: 3 connections to :$port done"
done
echo
echo "conntrack as the tracked flow sees it (dport 8080): its connections are there"
show srv conntrack -L -p tcp --dport 8080 2>&1 | sed 's/^/    /'
echo "conntrack as the bypassed flow sees it (dport 8081): nothing, in either direction"
show srv conntrack -L -p tcp --dport 8081 2>&1 | sed 's/^/    /'
show srv conntrack -L -p tcp --sport 8081 2>&1 | sed 's/^/    /'
echo
echo "nft ct state counters at INPUT in dsrv (untracked first, then tracked):"
srv nft list chain inet demo in | grep counter | sed 's/^\s*/    /'
echo
show $NETTUNE -n dsrv bypass list -s
echo
show $NETTUNE -n dsrv bypass status
