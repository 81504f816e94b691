#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A step that fails half-way leaves nothing behind: the hidden experiment
# selftest-fail creates two namespaces and an ntvnic pair, changes
# net.core.netdev_max_backlog and (in B) ip_forward, pins an IRQ, starts a
# UDP sink and pktgen, measures one point, then a sysctl write is refused.
# The run fails (exit 1) naming the step, and the system is as before.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/exp_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ping
nt_plan 4
exp_out_dir

before=$(exp_state)
nt_log "$before"
nt_check_fails "a failing step fails the run (exit 1) and names it" 1 \
	'selftest-fail: sysctl net.core.netdev_max_backlog=not-a-number: Invalid argument' \
	"$NETTUNE" exp run selftest-fail --quick --out "$EXP_OUT"
nt_eq "the first point was measured before the failure" 1 \
	"$(jq '.rows | length' "$EXP_OUT/selftest-fail/last-error.json")"
nt_eq "status failed in last-error.json" failed "$(jq -r .status "$EXP_OUT/selftest-fail/last-error.json")"
nt_eq "namespaces, devices, sysctls and processes as before" "$before" "$(exp_state)"
nt_done
