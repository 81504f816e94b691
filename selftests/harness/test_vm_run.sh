#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM harness checks itself (runs on the host: it boots VMs). It must
# return the guest command's real exit status, fail a run whose kernel log
# has a WARNING even when the command passed, and see the mounts and
# namespaces every selftest relies on.
source "$(dirname "$0")/../lib.sh"
vm_run=$NT_TOP/scripts/vm-run

nt_plan 5

# One boot for three checks (each boot costs seconds under emulation): a
# script in a checkout under the host's /tmp (where CI may clone; the
# guest mounts its own tmpfs on /tmp) probes the environment every
# selftest relies on, then exits 3.
scratch=$(mktemp -d /tmp/nt-harness.XXXXXX)
nt_defer rm -rf "$scratch"
cat >"$scratch/probe.sh" <<PROBE
set -e
echo from-host-tmp
for m in /proc /sys /sys/kernel/debug /sys/kernel/tracing /sys/fs/bpf /sys/fs/cgroup /run /tmp; do
	mountpoint -q "\$m" || { echo "not mounted: \$m"; exit 1; }
done
ip link show lo | grep -q "UP"
ip netns add harness-probe
ip -n harness-probe link set lo up
ip netns exec harness-probe ping -c1 -W2 127.0.0.1 >/dev/null
ip netns del harness-probe
test "\$(nproc)" -eq 2
test "\$PWD" = "$scratch"
echo probe-ok
exit 3
PROBE
out=$(cd "$scratch" && "$vm_run" --modules none -- bash probe.sh 2>&1)
rc=$?
nt_eq "a guest command that exits 3 gives 3" 3 "$rc"
if grep -q from-host-tmp <<<"$out"; then
	nt_pass "a working directory under the host's /tmp is reachable in the guest"
else
	nt_fail "a working directory under the host's /tmp is reachable in the guest" "$out"
fi
if grep -q probe-ok <<<"$out"; then
	nt_pass "proc/sys/debugfs/tracefs/bpffs/cgroup2/run/tmp mounted, lo up, ip netns works, 2 vCPUs, cwd kept"
else
	nt_fail "guest environment" "$out"
fi

out=$("$vm_run" --modules none -- sh -c 'echo "WARNING: CPU: 0 PID: 1 at fake.c:1 nettune harness selftest" >/dev/kmsg' 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q 'kernel log has errors' <<<"$out" && grep -q 'nettune harness selftest' <<<"$out"; then
	nt_pass "a WARNING in the guest kernel log fails the run and is printed"
else
	nt_fail "a WARNING in the guest kernel log fails the run and is printed" "exit $rc" "$out"
fi

out=$("$vm_run" --modules none --timeout 10 -- sleep 600 2>&1)
rc=$?
if [ $rc -eq 125 ] && grep -q timeout <<<"$out"; then
	nt_pass "a guest that never finishes is a failure (125), not a pass"
else
	nt_fail "timeout is a failure" "exit $rc" "$out"
fi
nt_done
