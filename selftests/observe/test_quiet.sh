#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A quiet machine gives no finding: in a namespace holding an idle veth
# and an idle ntvnic port (both up, addressed), and in the VM's own
# namespace, diagnose samples everything and names nothing; and the
# commands say what they cannot read (conntrack not loaded) instead of
# failing obscurely.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_modules ntvnic
nt_require_cmds jq
nt_plan 6

obs_pair veth || nt_skip_all "cannot build the veth pair"
vnic_pair na nb || nt_skip_all "cannot build the ntvnic pair"
ip link set na netns "$NS_a" && ip link set nb netns "$NS_b"
ip -n "$NS_a" addr add 10.0.1.1/24 dev na
ip -n "$NS_b" addr add 10.0.1.2/24 dev nb
ip -n "$NS_a" link set na up && ip -n "$NS_b" link set nb up
obs_diagnose_start "$NS_b"
obs_diagnose_wait 1
nt_eq "idle veth and ntvnic: diagnose exits 0" 0 "$OBS_RC"
nt_eq "idle veth and ntvnic: no finding" none "$(obs_first)"
# Every device of the namespace but lo: vb and nb, and on kernels with
# tunnel drivers built in (the debug kernel) their fallback devices too.
ndev=$(ip netns exec "$NS_b" ls /sys/class/net | grep -cvx -e lo -e bonding_masters)
# Both outputs are arguments, so a failure prints what diagnose found.
sampled=$("$NETTUNE" -n "$NS_b" diagnose --interval 0.3 2>&1)
named=$("$NETTUNE" -n "$NS_b" diagnose --interval 0.3 --dev vb --dev nb 2>&1)
nt_check "diagnose sampled the namespace's $ndev devices, and vb and nb alone give no finding" \
	bash -c 'grep -q "sampled .* $3 devices" <<<"$1" && grep -q "^no finding" <<<"$2"' _ \
	"$sampled" "$named" "$ndev"
"$NETTUNE" diagnose --json --interval 1 >"$OBS_OUT/diag.json"
nt_eq "the VM's namespace: no finding" none "$(obs_first)"
nt_check_fails "diagnose --interval 0 is a usage error" 2 "interval" "$NETTUNE" diagnose --interval 0
nt_check_fails "diagnose --dev of a missing device names it" 1 "nosuchdev" "$NETTUNE" -n "$NS_b" diagnose --dev nosuchdev --interval 0.2
nt_done
