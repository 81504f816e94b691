#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# A UDP reader with a tiny SO_RCVBUF that does not read, behind a veth and
# an ntvnic pair: 200 datagrams overflow it. diagnose names
# udp_rcvbuf_drops first with UdpRcvbufErrors; trace drops counts the same
# datagrams as SOCKET_RCVBUFF in the UDP receive path.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip python3 jq
obs_plan 4

obs_trace_start
declare -A ns_b errs
for kind in $OBS_KINDS; do
	obs_pair "$kind" || nt_skip_all "cannot build the $kind pair"
	ns_b[$kind]=$NS_b
	ip netns exec "$NS_b" python3 -S -E -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
s.bind(("10.0.0.2", 9000)); time.sleep(30)' &
	nt_defer kill $!
	nt_wait_for 5 ip netns exec "$NS_b" bash -c "ss -lun | grep -q ':9000'"
	obs_diagnose_start "$NS_b"
	ip netns exec "$NS_a" python3 -S -E -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(200): s.sendto(b"x" * 500, ("10.0.0.2", 9000))'
	obs_diagnose_wait
	nt_eq "$kind: first finding is udp_rcvbuf_drops" udp_rcvbuf_drops "$(obs_first)"
	errs[$kind]=$(obs_evidence udp_rcvbuf_drops '^UdpRcvbufErrors$')
	nt_ge "$kind: evidence: UdpRcvbufErrors moved by 150 or more of 200 (${errs[$kind]})" "${errs[$kind]}" 150
	nt_check "$kind: fix names rmem_max" bash -c "jq -e '.findings[0].fix | join(\" \") | test(\"rmem_max\")' $OBS_OUT/diag.json"
done
obs_trace_stop
for kind in $OBS_KINDS; do
	n=$(obs_drops "${ns_b[$kind]}" SOCKET_RCVBUFF '__udp_queue_rcv_skb|udp_queue_rcv_one_skb|udp_queue_rcv_skb|__udp4_lib_rcv|udp_unicast_rcv_skb')
	nt_eq "$kind: trace drops: SOCKET_RCVBUFF x UdpRcvbufErrors" "${errs[$kind]}" "$n"
done
nt_done
