#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ntuple filters (ethtool -N/-n): a rule steers its flows to its queue
# before RSS and counts them (nettune vnic ntuple); the lowest location
# wins; ntuple off leaves the rules inactive; delete gives the flows back
# to RSS; bad rules are refused by ethtool with an error.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3
nt_plan 17

vnic_quiet_pair $RSS_NQ
etb() { ip netns exec "$NS_b" ethtool "$@"; }
# rule_hits LOC: the hit counter of rule LOC on vb (nettune vnic ntuple --json)
rule_hits() {
	ip netns exec "$NS_b" "$NETTUNE" --json vnic ntuple vb |
		python3 -S -E -c "import json,sys; print(sum(r['hits'] for r in json.load(sys.stdin)['rules'] if r['loc'] == $1))"
}

rss=$(rss_expected)
nt_log "RSS alone: $rss"

nt_check "ethtool -N flow-type udp4 dst-port 9000 action 2 loc 10" \
	etb -N vb flow-type udp4 dst-ip 10.0.0.2 dst-port 9000 action 2 loc 10
got=$(rss_run_flows)
nt_eq "every flow lands on queue 2, whatever RSS says ($rss)" "0 0 $RSS_TOTAL 0 " "$got"
nt_eq "rule 10 counted every packet it steered" "$RSS_TOTAL" "$(rule_hits 10)"

# The lowest location wins: one flow's source port to queue 3 at loc 5.
read -r sp0 _ <<<"$RSS_SPORTS"
nt_check "a rule at loc 5 for one source port" \
	etb -N vb flow-type udp4 src-port "$sp0" action 3 loc 5
got=$(rss_run_flows)
nt_eq "that flow (1 packet) goes to queue 3, the rest to queue 2" "0 0 $((RSS_TOTAL - 1)) 1 " "$got"
nt_eq "rule 5 counted its flow" "1" "$(rule_hits 5)"

nt_check "ethtool -n lists both rules" bash -c \
	"ip netns exec $NS_b ethtool -n vb | grep -q 'Total 2 rules' &&
	 ip netns exec $NS_b ethtool -n vb rule 10 | grep -q 'Action: Direct to queue 2'"

nt_check "ethtool -K ntuple off" etb -K vb ntuple off
got=$(rss_run_flows)
nt_eq "ntuple off: the rules stay but RSS steers" "$rss" "$got"
etb -K vb ntuple on

nt_check "ethtool -N delete 10" etb -N vb delete 10
nt_check "ethtool -N delete 5" etb -N vb delete 5
got=$(rss_run_flows)
nt_eq "after delete the flows follow RSS again" "$rss" "$got"

# ethtool -N reports a refused insert ("rmgr: Cannot insert RX class rule:
# <errno>") but exits 0: check the message and that no rule was added.
refused() { # DESC PATTERN ETHTOOL-ARGS...
	local desc=$1 pattern=$2 out
	shift 2
	out=$(etb -N vb "$@" 2>&1)
	if grep -qE -- "$pattern" <<<"$out" && etb -n vb | grep -q 'Total 0 rules'; then
		nt_pass "$desc"
	else
		nt_fail "$desc" "ethtool -N vb $*" "$out"
	fi
}
refused "a queue the port does not have is refused (EINVAL)" "Invalid argument" \
	flow-type tcp4 dst-port 80 action 7
refused "the drop action is refused (EOPNOTSUPP)" "Operation not supported" \
	flow-type tcp4 dst-port 80 action -1
refused "flow-type ip4 (no ports) is refused (EOPNOTSUPP)" "Operation not supported" \
	flow-type ip4 dst-ip 10.0.0.2 action 1
refused "a location beyond the table is refused (EINVAL)" "Invalid argument" \
	flow-type tcp6 dst-port 80 action 1 loc 500
nt_check "deleting a rule that does not exist fails (ENOENT)" bash -c \
	"ip netns exec $NS_b ethtool -N vb delete 3 2>&1 | grep -q 'No such file'"
nt_done
