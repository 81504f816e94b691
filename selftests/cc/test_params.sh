#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tcp_ntcubic's tunables: values outside their range are refused by the
# kernel (EINVAL, old value kept, a log line naming the range) both through
# sysfs and through `nettune cc params`, which also rejects malformed input
# as a usage error; a valid change applies to new sockets only, as
# documented.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/cc_lib.sh"
nt_require_cmds jq python3
nt_require_modules tcp_ntcubic
nt_plan 17

P=/sys/module/tcp_ntcubic/parameters
saved_c=$(cat $P/c)
cc_param_keep c hystart

refused() { # PARAM VALUE: the write must fail and leave the value alone
	local before after
	before=$(cat "$P/$1")
	if (echo "$2" >"$P/$1") 2>/dev/null; then
		nt_fail "$1=$2 is refused" "the write succeeded"
		return
	fi
	after=$(cat "$P/$1")
	nt_eq "$1=$2 is refused, value stays $before" "$before" "$after"
}
refused c 0
refused c 4001
refused beta 99
refused beta 1000
refused hystart 2
refused hystart_css_growth_divisor 1
refused hystart_n_rtt_sample abc
refused hystart_ack_train 2
nt_check "the kernel log names the range" bash -c \
	"dmesg | tail -20 | grep -q \"parameter c: '4001' refused, must be an integer in \\[1, 4000\\]\""

nt_check_fails "nettune cc params refuses c=5000 with the range" 1 \
	"refused c=5000: Invalid argument \(valid range 1..4000\)" "$NETTUNE" cc params c=5000
nt_check_fails "a malformed assignment is a usage error" 2 "'beta': expected NAME=VALUE" \
	"$NETTUNE" cc params beta
nt_check_fails "an unknown parameter is a usage error" 2 "unknown tcp_ntcubic parameter 'gamma'" \
	"$NETTUNE" cc params gamma=1
nt_eq "nothing was changed by the refused commands" "$saved_c" "$(cat $P/c)"

nt_check "nettune cc params c=300 hystart=0 sets both" "$NETTUNE" cc params c=300 hystart=0
nt_eq "c is now 300" 300 "$(cat $P/c)"
nt_eq "JSON shows the values" "300 0" "$("$NETTUNE" --json cc params | jq -r '"\(.c) \(.hystart)"')"

# Changes apply to sockets that start using ntcubic afterwards: an old
# socket keeps its snapshot, a new one takes the new value.
cc_path_new || nt_skip_all "cannot build the veth path"
ip netns exec "$NS_b" python3 -S -E -c '
import socket, struct, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.9.1.2", 7000)); s.listen(8)
conns = [s.accept()[0] for _ in range(2)]
time.sleep(30)' &
nt_defer kill $!
nt_wait_for 10 bash -c "ip netns exec $NS_b ss -Htln 'sport = :7000' | grep -q ."
hold() { # opens a connection with ntcubic and keeps it open
	ip netns exec "$NS_a" python3 -S -E -c '
import socket, struct, time
s = socket.socket(); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"ntcubic")
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.connect(("10.9.1.2", 7000)); s.send(b"x" * 1000); time.sleep(30)' &
	nt_defer kill $!
}
echo 300 >$P/c
hold
nt_wait_for 10 bash -c "ip netns exec $NS_a $NETTUNE --json cc sockets | jq -e 'length == 1' "
echo 500 >$P/c
hold
nt_wait_for 10 bash -c "ip netns exec $NS_a $NETTUNE --json cc sockets | jq -e 'length == 2' "
cs=$(ip netns exec "$NS_a" "$NETTUNE" --json cc sockets | jq -c '[.[].params.c] | sort')
nt_eq "the old socket keeps C=0.3, the new one has C=0.5" "[300,500]" "$cs"
nt_done
