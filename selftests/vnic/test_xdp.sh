#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Native XDP on ntvnic: `ip link set xdpdrv` attaches in driver mode; each
# verdict (PASS, DROP, ABORTED) moves its per-queue counter by exactly the
# frames sent and the receiver gets what the verdict says;
# bpf_xdp_adjust_head and bpf_xdp_adjust_tail change what the stack
# receives; the MTU a page cannot hold is refused with a program loaded
# and a program is refused at such an MTU; legacy mode and XDP exclude
# each other, with messages. XDP_TX and redirects: test_xdp_redirect.sh.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
source "$(dirname "$0")/xdp_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip
xdp_require
nt_plan 21
N=50

vnic_quiet_pair 2 || nt_skip_all "cannot create the pair"

nt_check "xdp_pass attaches in native mode (xdpdrv)" xdp_load "$NS_b" vb xdp_pass
link=$(ip -n "$NS_b" link show dev vb)
if grep -q 'prog/xdp id' <<<"$link" && grep -q ' xdp ' <<<"$link" &&
	! grep -q xdpgeneric <<<"$link"; then
	nt_pass "ip link shows \"xdp\" (native), not xdpgeneric"
else
	nt_fail "ip link shows \"xdp\" (native), not xdpgeneric" "$link"
fi
nt_eq "plain 'ip link set xdp' picks native mode too" 0 \
	"$(xdp_off "$NS_b" vb; ip -n "$NS_b" link set dev vb xdp obj "$XDP_OBJ" program xdp_pass &&
		ip -n "$NS_b" link show dev vb | grep -c xdpgeneric)"

# verdict PROG COUNTER WANT: attach PROG, send N datagrams to b:9000; the
# rx xdp_COUNTER sum moves by N, b's UDP layer receives WANT of them.
verdict() {
	local prog=$1 counter=$2 want=$3 before after udp0
	xdp_load "$NS_b" vb "$prog" || { nt_fail "$prog attaches"; return; }
	before=$(xdp_sum "$NS_b" vb rx "xdp_$counter")
	udp0=$(xdp_udp_in "$NS_b")
	xdp_send $N 9000
	after=$(xdp_wait_ge $((before + N)) xdp_sum "$NS_b" vb rx "xdp_$counter")
	nt_eq "$prog: rx_queue_N_xdp_$counter moved by $N" $N $((after - before))
	after=$(xdp_wait_ge $((udp0 + want)) xdp_udp_in "$NS_b")
	nt_eq "$prog: b's UDP layer received $want datagrams" "$want" $((after - udp0))
}

TR=/sys/kernel/tracing
[ -e $TR/trace ] || mount -t tracefs nodev $TR 2>/dev/null
verdict xdp_pass pass $N
verdict xdp_drop drop 0
if [ -w $TR/events/xdp/xdp_exception/enable ]; then
	echo >$TR/trace
	echo 1 >$TR/events/xdp/xdp_exception/enable
	verdict xdp_aborted aborted 0
	echo 0 >$TR/events/xdp/xdp_exception/enable
	nt_eq "each ABORTED frame traced as xdp_exception" $N "$(grep -c 'xdp_exception:.*action=ABORTED' $TR/trace)"
else
	verdict xdp_aborted aborted 0
	nt_skip "each ABORTED frame traced as xdp_exception" "no tracefs"
fi
rx_drops=$(xdp_sum "$NS_b" vb rx drops)
nt_eq "no driver drops counted for program verdicts" 0 "$rx_drops"

# bpf_xdp_adjust_head: the outer Ethernet header of an encapsulated frame
# is popped and the inner datagram is delivered.
xdp_load "$NS_b" vb xdp_adjust
udp0=$(xdp_udp_in "$NS_b")
ip netns exec "$NS_a" python3 -S -E "$XDP_UDP" encap va "$(vnic_mac "$NS_b" vb)" 10.0.0.1 10.0.0.2 9102 20
nt_eq "adjust_head: 20 encapsulated frames reach UDP after decap" 20 \
	$(($(xdp_wait_ge $((udp0 + 20)) xdp_udp_in "$NS_b") - udp0))
# bpf_xdp_adjust_tail: 4 bytes appended to every datagram to port 9101.
xdp_recv_start "$NS_b" 10.0.0.2 9101 20
xdp_send 20 9101 hello
xdp_recv_wait
nt_eq "adjust_tail: 20 datagrams delivered with the appended bytes" "20 helloTAIL" "$(cat "$XDP_RECV_OUT")"
pass=$(xdp_sum "$NS_b" vb rx xdp_pass)
nt_ge "adjusted frames counted as xdp_pass" "$pass" $((N + 40))

# The MTU rule: one page holds a frame while a program is loaded.
maxmtu=$(xdp_max_mtu "$NS_b" vb)
nt_log "max_mtu with a program: $maxmtu"
nt_le "max_mtu with a program is what a page holds (< 4096)" "$maxmtu" 4095
nt_check "MTU max_mtu accepted with a program" ip -n "$NS_b" link set dev vb mtu "$maxmtu"
nt_check_fails "MTU above it refused with a program, with a message" 2 \
	"mtu greater than device maximum" ip -n "$NS_b" link set dev vb mtu $((maxmtu + 1))
xdp_off "$NS_b" vb
nt_check "without a program MTU 9000 is accepted" ip -n "$NS_b" link set dev vb mtu 9000
nt_check_fails "a program is refused at MTU 9000, with a message" 2 \
	"MTU too large for XDP" xdp_load "$NS_b" vb xdp_pass
ip -n "$NS_b" link set dev vb mtu 1500

# Legacy mode (receive in hardirq) and native XDP exclude each other.
xdp_load "$NS_b" vb xdp_pass
nt_check_fails "legacy mode refused while a program is loaded" 1 \
	"legacy mode cannot run it" "$NETTUNE" -n "$NS_b" vnic set vb mode legacy
xdp_off "$NS_b" vb
"$NETTUNE" -n "$NS_b" vnic set vb mode legacy
nt_check_fails "native XDP refused in legacy mode, with a message" 2 \
	"native XDP needs napi mode" xdp_load "$NS_b" vb xdp_pass
"$NETTUNE" -n "$NS_b" vnic set vb mode napi
nt_done
