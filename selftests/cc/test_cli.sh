#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nettune cc list / set: the lists match procfs, ntcubic is marked as
# ours, `cc set` changes the default of one namespace only (and new
# connections there use it), an unknown algorithm is a clear error.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/cc_lib.sh"
nt_require_cmds jq python3
nt_require_modules tcp_ntcubic
nt_plan 11

list=$("$NETTUNE" --json cc list)
nt_eq "cc list marks ntcubic as ours and loaded" "true true" \
	"$(jq -r '.algorithms[] | select(.name == "ntcubic") | "\(.ours) \(.loaded)"' <<<"$list")"
nt_eq "cc list shows the default from procfs" "$(cat /proc/sys/net/ipv4/tcp_congestion_control)" \
	"$(jq -r .default <<<"$list")"
nt_eq "cc list has every available algorithm" \
	"$(tr ' ' '\n' </proc/sys/net/ipv4/tcp_available_congestion_control | sort | xargs)" \
	"$(jq -r '.algorithms[] | select(.loaded) | .name' <<<"$list" | sort | xargs)"

cc_path_new || nt_skip_all "cannot build the veth path"
init_default=$(cat /proc/sys/net/ipv4/tcp_congestion_control)
# Kernel policy (6.1): outside the initial namespace only algorithms in
# tcp_allowed_congestion_control may become the default.
allowed=$(cat /proc/sys/net/ipv4/tcp_allowed_congestion_control)
nt_defer "sysctl -qw net.ipv4.tcp_allowed_congestion_control='$allowed'"
sysctl -qw net.ipv4.tcp_allowed_congestion_control="$(echo "$allowed" | sed 's/\bntcubic\b//')"
refs=$(cat /sys/module/tcp_ntcubic/refcnt)
nt_check_fails "cc set of a restricted algorithm explains the allowed list" 1 \
	"outside the initial namespace only algorithms in net.ipv4.tcp_allowed_congestion_control" \
	"$NETTUNE" -n "$NS_a" cc set ntcubic
# (6.1's tcp_set_default_congestion_control() leaks a module reference
# when it refuses with EPERM; nettune checks the list instead of asking)
nt_eq "the refused cc set took no module reference" "$refs" "$(cat /sys/module/tcp_ntcubic/refcnt)"
sysctl -qw net.ipv4.tcp_allowed_congestion_control="$allowed ntcubic"
nt_check "cc set ntcubic in a namespace once it is allowed" "$NETTUNE" -n "$NS_a" cc set ntcubic
nt_eq "the namespace's default is ntcubic" ntcubic \
	"$(ip netns exec "$NS_a" cat /proc/sys/net/ipv4/tcp_congestion_control)"
nt_eq "the initial namespace's default is unchanged" "$init_default" \
	"$(cat /proc/sys/net/ipv4/tcp_congestion_control)"

# A connection that asks for nothing gets the namespace's default.
ip netns exec "$NS_b" python3 -S -E -c '
import socket, struct, time
s = socket.socket(); s.bind(("10.9.1.2", 7001)); s.listen(1); c = s.accept()[0]; time.sleep(20)' &
nt_defer kill $!
nt_wait_for 10 bash -c "ip netns exec $NS_b ss -Htln 'sport = :7001' | grep -q ."
ip netns exec "$NS_a" python3 -S -E -c '
import socket, struct, time
s = socket.create_connection(("10.9.1.2", 7001))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.send(b"x" * 1000); time.sleep(20)' &
nt_defer kill $!
nt_wait_for 10 bash -c "ip netns exec $NS_a ss -Htin 'dport = :7001' | grep -q ntcubic"
nt_ge "a new connection there uses ntcubic" \
	"$(ip netns exec "$NS_a" ss -Htin 'dport = :7001' | grep -c ntcubic)" 1

nt_check_fails "cc set of an unknown algorithm names it" 1 \
	"unknown congestion control 'nosuchcc'.*available: .*ntcubic" "$NETTUNE" -n "$NS_a" cc set nosuchcc
nt_eq "the default is still ntcubic after the refusal" ntcubic \
	"$(ip netns exec "$NS_a" cat /proc/sys/net/ipv4/tcp_congestion_control)"
nt_done
