#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# xdp-tools' xdp-bench (Debian xdp-tools) runs natively on ntvnic: drop,
# pass and tx, short runs under a ping flood, each in driver mode ("xdp",
# not xdpgeneric, while it runs) and each moving its own per-queue
# counter. -r (per-RX-queue statistics) reads ctx->rx_queue_index.
# Each run ends with SIGTERM, and the program is gone before the next.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
source "$(dirname "$0")/xdp_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ping xdp-bench
xdp_require
nt_plan 9

vnic_quiet_pair 2 || nt_skip_all "cannot create the pair"
ip netns exec "$NS_a" ping -f 10.0.0.2 >/dev/null 2>&1 &
nt_defer kill $!

# bench MODE COUNTER: run xdp-bench MODE on vb until its program is seen
# attached (libxdp is slow to load under TCG), 3 s more, then stop it
# with SIGTERM (as ^C: it prints its summary and detaches; a background
# job of a script ignores SIGINT).
# `ip netns exec` mounts a sysfs of its own: bpffs goes on it for
# libxdp's dispatcher.
bench() {
	local mode=$1 counter=$2 c0 out pid link
	c0=$(xdp_sum "$NS_b" vb rx "$counter")
	out=$(mktemp)
	nt_defer rm -f "$out"
	ip netns exec "$NS_b" sh -c "mount -t bpf bpf /sys/fs/bpf 2>/dev/null
		exec xdp-bench $mode -r -i 1 vb" >"$out" 2>&1 &
	pid=$!
	nt_defer kill $pid
	nt_wait_for 60 bash -c "ip -n $NS_b link show dev vb | grep -q prog/xdp"
	link=$(ip -n "$NS_b" link show dev vb)
	sleep 3
	kill -TERM $pid
	wait $pid
	nt_wait_for 20 bash -c "! ip -n $NS_b link show dev vb | grep -q prog/xdp"
	if grep -q ' xdp ' <<<"$link" && ! grep -q xdpgeneric <<<"$link"; then
		nt_pass "xdp-bench $mode attaches natively"
	else
		nt_fail "xdp-bench $mode attaches natively" "$link" "$(cat "$out")"
	fi
	nt_ge "xdp-bench $mode: rx_queue_N_$counter moved" $(($(xdp_sum "$NS_b" vb rx "$counter") - c0)) 1
	if grep -qE 'Packets received|rx/s' "$out" && ! grep -qiE 'error|fail' "$out"; then
		nt_pass "xdp-bench $mode reports and exits cleanly"
	else
		nt_fail "xdp-bench $mode reports and exits cleanly" "$(cat "$out")"
	fi
	nt_log "$(head -12 "$out" | tr '\n' '|')"
}

bench drop xdp_drop
bench pass xdp_pass
bench tx xdp_tx
nt_done
