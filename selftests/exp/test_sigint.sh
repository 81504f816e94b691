#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Ctrl-C in the middle of a run leaves nothing behind: SIGINT while the
# hidden experiment selftest-slow has its namespaces, ntvnic pair, sysctls,
# pinned IRQ, UDP sink and pktgen flood in place (it then waits 60 s per
# point). The runner undoes everything, says so and exits 1 within seconds.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/exp_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ping
nt_plan 5
exp_out_dir

before=$(exp_state)
"$NETTUNE" exp run selftest-slow --quick --out "$EXP_OUT" >"$EXP_OUT/log" 2>&1 &
pid=$!
nt_defer kill -9 $pid
# Set up: its namespaces exist, its sysctl is changed and pktgen is sending.
running() {
	[ "$(cat /proc/sys/net/core/netdev_max_backlog)" = 1234 ] &&
		ip netns list | grep -q "^ntx$pid-" &&
		[ "$(pgrep -P $pid | wc -l)" -ge 2 ]
}
nt_check "the experiment is set up and running" nt_wait_for 60 running
nt_log "during: $(exp_state | tr '\n' ';')"
start=$SECONDS
kill -INT $pid
wait $pid
rc=$?
nt_log "$(cat "$EXP_OUT/log")"
nt_eq "exit 1 after SIGINT" 1 "$rc"
nt_le "stopped within 20 s" $((SECONDS - start)) 20
nt_check "it says it undid everything" grep -q 'interrupted; everything set up was undone' "$EXP_OUT/log"
nt_eq "namespaces, devices, sysctls and processes as before" "$before" "$(exp_state)"
nt_done
