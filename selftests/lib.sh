#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kselftest-style helpers for nettune selftests (6.1 ships no net/lib.sh or
# ktap_helpers.sh). Source it from a test:
#
#   source "$(dirname "$0")/../lib.sh"
#   nt_require_modules ntvnic          # skip (exit 4) if it cannot be loaded
#   nt_plan 3
#   nt_netns_new a b                   # fresh namespaces, removed on exit
#   nt_check "ping crosses the pair"  ip netns exec "$NS_a" ping -c1 -W2 10.0.0.2
#   nt_eq "rx counter moved by 10" 10 "$delta"
#   nt_done                            # exit 0 if all passed, 1 otherwise
#
# Every test runs in namespaces of its own with a cleanup trap; nt_defer
# adds commands to that trap (run in reverse order).
#
# Processes are what a test pays for under emulation: Python helpers run as
# `python3 -S -E` (no site: 0.5 s to start in the VM instead of 0.9 s; they
# use the standard library only), and every exec of a dynamic binary costs
# about 0.1 s before it does anything.

NT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NETTUNE=${NETTUNE:-$NT_TOP/build/tools/nettune}
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

nt_tests_run=0
nt_tests_failed=0
nt_tests_skipped=0
nt_cleanup_cmds=()

nt_plan() { echo "1..$1"; }

nt_log() { echo "# $*"; }

nt_pass() {
	nt_tests_run=$((nt_tests_run + 1))
	echo "ok $nt_tests_run $1"
}

nt_fail() {
	nt_tests_run=$((nt_tests_run + 1))
	nt_tests_failed=$((nt_tests_failed + 1))
	echo "not ok $nt_tests_run $1"
	shift
	local line
	for line in "$@"; do echo "#   $line"; done
}

nt_skip() {
	nt_tests_run=$((nt_tests_run + 1))
	nt_tests_skipped=$((nt_tests_skipped + 1))
	echo "ok $nt_tests_run $1 # SKIP ${2:-}"
}

# nt_check DESC CMD...: passes if CMD exits 0; prints its output on failure.
nt_check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then nt_pass "$desc"; else nt_fail "$desc" "command: $*" "exit $rc" "$out"; fi
	return $rc
}

# nt_check_fails DESC EXPECTED_EXIT PATTERN CMD...: CMD must exit with
# EXPECTED_EXIT and print something matching PATTERN (grep -E) on
# stdout/stderr. The way to test that bad input gets the right message.
nt_check_fails() {
	local desc=$1 want_rc=$2 pattern=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		nt_fail "$desc" "command: $*" "exit $rc, expected $want_rc" "$out"
		return 1
	fi
	if ! grep -qE -- "$pattern" <<<"$out"; then
		nt_fail "$desc" "command: $*" "output does not match /$pattern/" "$out"
		return 1
	fi
	nt_pass "$desc"
}

# nt_eq DESC EXPECTED ACTUAL
nt_eq() {
	if [ "$2" == "$3" ]; then nt_pass "$1"; else nt_fail "$1" "expected '$2', got '$3'"; fi
}

# nt_ge DESC ACTUAL MIN  /  nt_le DESC ACTUAL MAX  (integers)
nt_ge() {
	if [ "$2" -ge "$3" ] 2>/dev/null; then nt_pass "$1"; else nt_fail "$1" "expected >= $3, got '$2'"; fi
}
nt_le() {
	if [ "$2" -le "$3" ] 2>/dev/null; then nt_pass "$1"; else nt_fail "$1" "expected <= $3, got '$2'"; fi
}

nt_done() {
	nt_log "$nt_tests_run tests, $nt_tests_failed failed, $nt_tests_skipped skipped"
	[ $nt_tests_failed -eq 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

# Skips the whole test (exit 4) with a reason.
nt_skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

nt_defer() { nt_cleanup_cmds+=("$*"); }

nt_cleanup() {
	local i
	for ((i = ${#nt_cleanup_cmds[@]} - 1; i >= 0; i--)); do
		eval "${nt_cleanup_cmds[$i]}" >/dev/null 2>&1
	done
	nt_cleanup_cmds=()
}
trap nt_cleanup EXIT

# nt_netns_new a b ...: creates namespaces with unique names, exported as
# $NS_a, $NS_b; lo is up in each; all are deleted on exit.
nt_netns_new() {
	local tag ns
	for tag in "$@"; do
		ns="nt-$tag-$$-$RANDOM"
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		nt_defer ip netns del "$ns"
		printf -v "NS_$tag" '%s' "$ns"
		export "NS_$tag"
	done
}

# nt_module_path, nt_load_module, nt_built_modules
# shellcheck disable=SC1091
. "$NT_TOP/scripts/nt-modules.sh"

# Loads project modules (and their kernel dependencies). A module that was
# built but does not load fails the test (exit 1): that is a bug, not a
# reason to skip. Only a module that was never built skips it.
nt_require_modules() {
	local m
	for m in "$@"; do
		nt_module_path "$m" >/dev/null || [ -e "/sys/module/$m" ] ||
			nt_skip_all "module $m was not built"
		if ! nt_load_module "$m"; then
			echo "1..0"
			echo "# module $m is built but does not load"
			exit $KSFT_FAIL
		fi
	done
}

# Skips the test if a command is missing.
nt_require_cmds() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || nt_skip_all "command $c not installed"
	done
}

# On the debug kernel (scripts/debug-kernel: KASAN, lockdep, kmemleak) the
# guest runs about seven times slower: every wait is NT_WAIT_SCALE times
# longer there (a wait only ends early when its condition holds, so this
# loosens nothing a test asserts).
case "$(uname -r)" in
*-ntdebug) NT_WAIT_SCALE=${NT_WAIT_SCALE:-8} ;;
*) NT_WAIT_SCALE=${NT_WAIT_SCALE:-1} ;;
esac

# nt_wait_for SECONDS CMD...: waits up to SECONDS (times NT_WAIT_SCALE)
# for CMD to succeed.
nt_wait_for() {
	local timeout=$1 end
	shift
	end=$((SECONDS + timeout * NT_WAIT_SCALE))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}

# Runs a command as an unprivileged user (nobody), for CAP_NET_ADMIN checks.
nt_as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

# Reads one counter from `ethtool -S DEV` (in namespace NS if given).
nt_ethtool_stat() {
	local dev=$1 stat=$2 ns=${3:-}
	if [ -n "$ns" ]; then
		ip netns exec "$ns" ethtool -S "$dev" | awk -v s="$stat:" '$1 == s { print $2 }'
	else
		ethtool -S "$dev" | awk -v s="$stat:" '$1 == s { print $2 }'
	fi
}
