#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for the nettune stat/diagnose selftests. Source after ../lib.sh.
# Each test breaks one thing, runs `nettune diagnose --json` across the
# fault and checks that the first finding names it, with its counters, and
# `nettune trace drops` across the same fault names the drop's reason.
# A fault is provoked on each device kind where it exists (OBS_KINDS):
#
#   veth    software pair: veth_xmit hands the frame to the peer's CPU
#           backlog with netif_rx; no RX ring, no device IRQ, no NAPI of
#           its own (unless XDP/GRO is enabled on it).
#   ntvnic  the project's NIC model: RX rings filled by the "wire",
#           per-queue IRQs with affinity, NAPI, RSS.

OBS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC1091
source "$OBS_DIR/../vnic/vnic_lib.sh"
# shellcheck disable=SC1091
source "$OBS_DIR/../trace/trace_lib.sh"
# make check provokes each fault on veth only (its time budget); the full
# tier (NT_TIER=full, make check-full) on both kinds; NT_OBS_KINDS="..."
# picks them for a run of its own. test_ring and test_cpu_hotspot are
# ntvnic's own (a ring, a device interrupt) and run in both tiers.
if [ -n "${NT_OBS_KINDS:-}" ]; then
	OBS_KINDS=$NT_OBS_KINDS
elif [ "${NT_TIER:-}" = full ]; then
	OBS_KINDS="veth ntvnic"
else
	OBS_KINDS=veth
fi
# obs_plan PER_KIND [SHARED]: the TAP plan of a test that checks PER_KIND
# things on each kind and SHARED once.
obs_plan() {
	local kinds
	read -ra kinds <<<"$OBS_KINDS"
	nt_plan $(($1 * ${#kinds[@]} + ${2:-0}))
}
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

# obs_pair KIND [QUEUES]: namespaces a and b with a pair of KIND (veth or
# ntvnic; QUEUES combined queues for ntvnic, default 1) va (10.0.0.1) <->
# vb (10.0.0.2). The ntvnic pair is quiet: no IPv6, permanent neighbours.
obs_pair() {
	case $1 in
	veth) obs_veth_pair ;;
	ntvnic) vnic_quiet_pair "${2:-1}" ;;
	*)
		echo "obs_pair: unknown device kind '$1'" >&2
		return 1
		;;
	esac
}

# obs_trace_start: `nettune trace drops --json` over every namespace in the
# background, its output in $OBS_OUT/drops.json; skips the test if it
# cannot start (no BTF, no BPF). One trace spans all the kinds of a test:
# each kind's fault happens in namespaces of its own, told apart by the
# netns column.
obs_trace_start() {
	trace_start "$OBS_OUT/drops.json" --json trace drops --duration 600 ||
		nt_skip_all "nettune trace drops did not start"
}

# obs_trace_stop: ends the trace (SIGINT); logs its rows in our namespaces.
obs_trace_stop() {
	local rc
	trace_stop "$OBS_OUT/drops.json"
	rc=$?
	[ $rc -eq 0 ] || nt_log "trace drops exited $rc: $(tr '\n' ' ' <"$OBS_OUT/drops.json.err")"
	jq -r '.drops[] | select((.netns | startswith("nt-")) or .count >= 5) |
		"drops: \(.count) \(.reason) \(.place) \(.device) \(.netns) \(.protocol)"' \
		"$OBS_OUT/drops.json" | while read -r l; do nt_log "$l"; done
}

# obs_drops NS REASON-RE PLACE-RE: packets trace drops counted in namespace
# NS with a reason matching REASON-RE and a place (function+offset) whose
# function matches PLACE-RE.
obs_drops() {
	jq --arg ns "$1" --arg r "^($2)\$" --arg p "^($3)\\+" \
		'[.drops[] | select(.netns == $ns and (.reason | test($r)) and (.place | test($p))) | .count] | add // 0' \
		"$OBS_OUT/drops.json"
}

# obs_sysctl NAME VALUE: sets a global sysctl, restored on exit.
obs_sysctl() {
	local old
	old=$(sysctl -n "$1" | tr '\t' ' ')
	nt_defer sysctl -qw "$1=\"$old\""
	sysctl -qw "$1=$2"
}
