#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# NAPI budget: with weight 8 a 40-packet burst takes 5 polls that exhaust
# the budget and one that completes, with weight 64 none exhausts it; a
# socket learns the queue's napi_id (busy polling). test_legacy.sh covers
# legacy mode and threaded NAPI.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 taskset
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
nt_plan 7

vnic_quiet_pair 1
ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off

s() { vnic_stat "$NS_b" vb "rx_queue_0_$1"; }

nt_check "vnic set vb weight 8" "$NETTUNE" -n "$NS_b" vnic set vb weight 8
p0=$(s packets) n0=$(s polls) e0=$(s budget_exhausted)
# Three bursts, each sent alone: a burst's polls are counted whole.
for _ in 1 2 3; do vnic_burst 40 1; done
p1=$(s packets) n1=$(s polls) e1=$(s budget_exhausted)
nt_log "weight 8, 3 x 40: packets +$((p1 - p0)) polls +$((n1 - n0)) budget_exhausted +$((e1 - e0))"
nt_eq "all 120 packets delivered" 120 $((p1 - p0))
nt_eq "15 polls exhausted the budget of 8 (5 per burst)" 15 $((e1 - e0))
nt_eq "18 polls in all (6 per burst)" 18 $((n1 - n0))

nt_check "vnic set vb weight 64" "$NETTUNE" -n "$NS_b" vnic set vb weight 64
e0=$(s budget_exhausted)
vnic_burst 40
nt_eq "weight 64: no poll exhausts the budget on 40-packet bursts" 0 $(($(s budget_exhausted) - e0))

# Busy polling needs the socket to learn the queue's NAPI id.
got=$(ip netns exec "$NS_b" python3 -S -E -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.0.2", 9100))
s.settimeout(30)  # the sender is a python3 start away, slow under TCG
print("ready", flush=True)
s.recv(100)
try:
    print(s.getsockopt(socket.SOL_SOCKET, 56))  # SO_INCOMING_NAPI_ID
except OSError as e:
    print("errno", e.errno)  # ENOPROTOOPT: no CONFIG_NET_RX_BUSY_POLL
' | { read -r _; ip netns exec "$NS_a" python3 -S -E "$VNIC_DIR/udp_flows.py" 10.0.0.1 10.0.0.2 9100 40000:1; cat; })
want=$("$NETTUNE" -n "$NS_b" vnic show vb -s --json | python3 -S -E -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(d["queues"][0]["napi_id"])')
if [ "$got" = "errno 92" ]; then
	# PREEMPT_RT kernels are built without CONFIG_NET_RX_BUSY_POLL
	# (it depends on !PREEMPT_RT): the option does not exist there.
	nt_skip "SO_INCOMING_NAPI_ID of a received datagram is queue 0's napi_id" \
		"kernel without busy polling (ENOPROTOOPT)"
else
	nt_eq "SO_INCOMING_NAPI_ID of a received datagram is queue 0's napi_id" "$want" "$got"
fi

nt_done
