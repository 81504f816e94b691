#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generic netlink "ntvnic" through the nettune CLI: a pair created in two
# namespaces with its settings; bad input refused with the kernel's extack
# message printed by the CLI (exit 1); an unprivileged user may look but
# not create or change.
source "$(dirname "$0")/../lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool setpriv
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
nt_plan 22

nt_netns_new a b
ip netns exec "$NS_a" true
nt_check "vnic add in two namespaces with queues/rings/weight" \
	"$NETTUNE" vnic add na peer nb netns "$NS_a" peer-netns "$NS_b" queues 4 rx-ring 512 tx-ring 128 weight 32
nt_defer ip -n "$NS_a" link del na
nt_check "na exists in namespace a with kind ntvnic" bash -c "ip -n $NS_a -d link show na | grep -qw ntvnic"
nt_check "nb exists in namespace b" ip -n "$NS_b" link show nb
nt_check "na has 4 combined queues" bash -c "ip netns exec $NS_a ethtool -l na | grep -A4 Current | grep -q 'Combined:.*4'"
nt_check "nb has the 512 RX ring" bash -c "ip netns exec $NS_b ethtool -g nb | grep -A4 Current | grep -q 'RX:.*512'"
json=$("$NETTUNE" -n "$NS_a" vnic show na --json 2>&1)
nt_check "show --json reports peer nb, 4 queues, weight 32" python3 -S -E -c '
import json, sys
d = json.loads(sys.argv[1])
d = d[0] if isinstance(d, list) else d
assert d["peer"] == "nb" and d["num_queues"] == 4 and d["napi_weight"] == 32, d
' "$json"

nt_check_fails "0 queues refused with the kernel's message" 1 "queue count must be between 1 and 64" \
	"$NETTUNE" vnic add x0 queues 0
nt_check_fails "65 queues refused with the kernel's message" 1 "queue count must be between 1 and 64" \
	"$NETTUNE" vnic add x0 queues 65
nt_check_fails "rx ring 100 (not a power of two) refused" 1 "rx ring size must be a power of two" \
	"$NETTUNE" vnic add x0 rx-ring 100
nt_check_fails "tx ring 4 (below 8) refused" 1 "tx ring size must be a power of two" \
	"$NETTUNE" vnic add x0 tx-ring 4
nt_check_fails "napi weight 0 refused" 1 "napi weight must be between 1 and 256" \
	"$NETTUNE" vnic add x0 weight 0
nt_check_fails "set on an unknown device names it" 1 "no such device" \
	"$NETTUNE" vnic set nosuch0 queues 2
nt_check_fails "del of an unknown device names it" 1 "no such device" \
	"$NETTUNE" vnic del nosuch0
nt_check_fails "set on a non-ntvnic device refused" 1 "not an ntvnic port" \
	"$NETTUNE" vnic set lo queues 2
nt_check_fails "add with a taken name refused" 1 "a device with this name exists" \
	"$NETTUNE" vnic add lo
nt_check_fails "set queues 65 on a port refused" 1 "queue count must be between 1 and 64" \
	"$NETTUNE" -n "$NS_a" vnic set na queues 65
nt_eq "no device was left behind by the refused requests" 0 "$(ip -d link show type ntvnic | grep -c 'ntvnic ')"

nt_check "vnic set na queues 2 applies" "$NETTUNE" -n "$NS_a" vnic set na queues 2
nt_check "ethtool sees 2 queues on na" bash -c "ip netns exec $NS_a ethtool -l na | grep -A4 Current | grep -q 'Combined:.*2'"

# Unprivileged: may read, may not create or change.
nt_check "nobody may show devices" nt_as_nobody "$NETTUNE" vnic show
nt_check_fails "nobody may not create a pair" 1 "CAP_NET_ADMIN|not permitted" \
	nt_as_nobody "$NETTUNE" vnic add x1
nt_check_fails "nobody may not change a port" 1 "CAP_NET_ADMIN|not permitted" \
	ip netns exec "$NS_a" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NETTUNE" vnic set na queues 1
nt_done
