#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for the nettune stat/diagnose selftests. Source after ../lib.sh.
# Each test breaks one thing, runs `nettune diagnose --json` across the
# fault and checks that the first finding names it, with its counters.

OBS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OBS_OUT=$(mktemp -d)
nt_defer rm -rf "$OBS_OUT"

# obs_diagnose_start NS [ARGS...]: diagnose in NS in the background, its
# JSON in $OBS_OUT/diag.json; returns once the first sample is taken (-v
# says so on stderr). The interval is long: obs_diagnose_wait ends it with
# SIGINT once the fault has been provoked, so a slow VM cannot make the
# second sample come too early.
obs_diagnose_start() {
	local ns=$1
	shift
	"$NETTUNE" -v -n "$ns" diagnose --json --interval 60 "$@" >"$OBS_OUT/diag.json" 2>"$OBS_OUT/diag.err" &
	OBS_PID=$!
	nt_wait_for 20 grep -q "first sample taken" "$OBS_OUT/diag.err"
}

# obs_diagnose_wait [SECONDS]: lets counters settle (default 0.3 s), ends
# the interval (SIGINT), waits; logs the findings' ids and titles.
obs_diagnose_wait() {
	sleep "${1:-0.3}"
	kill -INT "$OBS_PID"
	wait "$OBS_PID"
	OBS_RC=$?
	jq -r '.findings[] | "finding: \(.id): \(.title)"' "$OBS_OUT/diag.json" 2>/dev/null |
		while read -r l; do nt_log "$l"; done
	grep -v "sample taken" "$OBS_OUT/diag.err" | while read -r l; do nt_log "stderr: $l"; done
	return $OBS_RC
}

# obs_first: id of the first finding ("none" if there is none).
obs_first() { jq -r '.findings[0].id // "none"' "$OBS_OUT/diag.json"; }

# obs_evidence ID COUNTER-REGEX: the sum of the first finding with ID's
# evidence deltas whose counter matches.
obs_evidence() {
	jq -r --arg id "$1" --arg re "$2" \
		'[.findings[] | select(.id == $id)][0].evidence // [] | map(select(.counter | test($re))) | map(.delta) | add // 0' \
		"$OBS_OUT/diag.json"
}

# obs_field ID FIELD: a field of the finding with ID.
obs_field() {
	jq -r --arg id "$1" --arg f "$2" '[.findings[] | select(.id == $id)][0][$f] // ""' "$OBS_OUT/diag.json"
}

# obs_veth_pair: namespaces a and b with veth va (10.0.0.1) <-> vb (10.0.0.2).
obs_veth_pair() {
	nt_netns_new a b || return 1
	ip link add va netns "$NS_a" type veth peer name vb netns "$NS_b" || return 1
	ip -n "$NS_a" addr add 10.0.0.1/24 dev va
	ip -n "$NS_b" addr add 10.0.0.2/24 dev vb
	ip -n "$NS_a" link set va up && ip -n "$NS_b" link set vb up
}

# obs_sysctl NAME VALUE: sets a global sysctl, restored on exit.
obs_sysctl() {
	local old
	old=$(sysctl -n "$1" | tr '\t' ' ')
	nt_defer sysctl -qw "$1=\"$old\""
	sysctl -qw "$1=$2"
}
