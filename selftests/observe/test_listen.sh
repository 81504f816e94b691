#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A listener with backlog 1 that never accepts, and 10 connections: the
# accept queue overflows. diagnose --port names listen_queue_overflow first
# with TcpExtListenOverflows and the listener's queue, and suggests
# somaxconn. The server's SYN-ACK retransmits are not a retransmission storm.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_cmds ip python3 jq
nt_plan 4

obs_veth_pair
ip netns exec "$NS_b" python3 -c '
import socket, time
s = socket.socket(); s.bind(("10.0.0.2", 8080)); s.listen(1); time.sleep(30)' &
nt_defer kill $!
nt_wait_for 5 ip netns exec "$NS_b" bash -c "ss -ltn | grep -q ':8080'"
obs_diagnose_start "$NS_b" --port 8080
ip netns exec "$NS_a" python3 -c '
import socket
socks = []
for _ in range(10):
    s = socket.socket(); s.setblocking(False)
    s.connect_ex(("10.0.0.2", 8080)); socks.append(s)
import time; time.sleep(1)'
obs_diagnose_wait
nt_eq "first finding is listen_queue_overflow" listen_queue_overflow "$(obs_first)"
nt_ge "evidence: TcpExtListenOverflows moved" "$(obs_evidence listen_queue_overflow '^TcpExtListenOverflows$')" 1
nt_ge "evidence: the listener on :8080 holds a full queue (2 for backlog 1)" "$(obs_evidence listen_queue_overflow '10.0.0.2:8080')" 2
nt_check "fix names somaxconn" bash -c "jq -e '.findings[0].fix | join(\" \") | test(\"somaxconn\")' $OBS_OUT/diag.json"
nt_done
