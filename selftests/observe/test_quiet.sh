#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A quiet machine gives no finding: in the VM's own namespace and in a
# fresh one, diagnose samples everything and names nothing; and the
# commands say what they cannot read (conntrack not loaded) instead of
# failing obscurely.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_cmds jq
nt_plan 5

nt_netns_new q
obs_diagnose_start "$NS_q"
obs_diagnose_wait 1
nt_eq "fresh namespace: diagnose exits 0" 0 "$OBS_RC"
nt_eq "fresh namespace: no finding" none "$(obs_first)"
"$NETTUNE" diagnose --json --interval 1 >"$OBS_OUT/diag.json"
nt_eq "the VM's namespace: no finding" none "$(obs_first)"
nt_check_fails "diagnose --interval 0 is a usage error" 2 "interval" "$NETTUNE" diagnose --interval 0
nt_check_fails "diagnose --dev of a missing device names it" 1 "nosuchdev" "$NETTUNE" -n "$NS_q" diagnose --dev nosuchdev --interval 0.2
nt_done
