#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nettune trace retrans sees each retransmission of a bulk TCP flow with
# its flow and the right kind: 100% netem loss on the sender's device for
# 2 s or more gives timeouts (rto, ca_state loss), and a connect() during it
# retransmits its SYN (syn, SYN-SENT); then 5% loss with 5 ms delay gives
# fast retransmits (fast, ca_state recovery).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/trace_lib.sh"
nt_require_cmds jq python3 tc
nt_plan 8

trace_veth_pair || nt_skip_all "cannot build the veth pair"
modprobe sch_netem 2>/dev/null
tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"

# receiver: reads and discards; sender: writes as fast as it can for S seconds
ip netns exec "$NS_b" python3 -c '
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.2", 5201)); s.listen(8)
def drain(c):
    while c.recv(65536): pass
while True:
    c, _ = s.accept(); threading.Thread(target=drain, args=(c,), daemon=True).start()
' &
nt_defer "kill $! 2>/dev/null"
nt_wait_for 30 bash -c "ip netns exec $NS_b ss -Hltn | grep -q ':5201 '" ||
	nt_skip_all "the receiver did not start"

trace_start "$tmp/out" --json trace retrans --duration 120 || nt_skip_all "trace retrans did not start"

ip netns exec "$NS_a" python3 -c '
import socket, sys, time
s = socket.create_connection(("10.0.0.2", 5201))
s.settimeout(30)
open(sys.argv[1], "w").write("up")
end = time.time() + 8
buf = b"x" * 65536
while time.time() < end:
    s.send(buf)
' "$tmp/up" &
sender=$!
nt_defer "kill $sender 2>/dev/null"
# python starts slowly under emulation: the loss begins once data flows
nt_wait_for 60 test -s "$tmp/up" || nt_skip_all "the sender did not connect"
sleep 0.5
tc -n "$NS_a" qdisc add dev va root netem loss 100%
# a SYN that gets no answer while the path is down: the outage lasts until
# 1.6 s after it is in SYN-SENT (the first SYN retransmission is at 1 s)
ip netns exec "$NS_a" timeout 20 bash -c 'exec 3<>/dev/tcp/10.0.0.2/5201' 2>/dev/null &
nt_defer "kill $! 2>/dev/null"
nt_wait_for 20 bash -c "ip netns exec $NS_a ss -Htn state syn-sent | grep -q ':5201'"
sleep 1.6
tc -n "$NS_a" qdisc change dev va root netem delay 5ms loss 5%
sleep 3
tc -n "$NS_a" qdisc del dev va root
wait $sender
trace_stop "$tmp/out"
nt_eq "trace retrans exits 0 on SIGINT" 0 $?

jq -r '.flows[] | "\(.count) \(.local) -> \(.peer) \(.kinds)"' "$tmp/out" | sed 's/^/#   flow /'
flow_kind() { # KIND: events of that kind from 10.0.0.1 to 10.0.0.2:5201
	jq --arg k "$1" '[.events[] | select(.kind == $k and (.local | startswith("10.0.0.1:"))
		and .peer == "10.0.0.2:5201")] | length' "$tmp/out"
}
rto=$(flow_kind rto)
fast=$(flow_kind fast)
syn=$(flow_kind syn)
nt_ge "100% loss: timeouts (rto) on 10.0.0.1 -> 10.0.0.2:5201 ($rto)" "$rto" 2
nt_eq "every rto is in ca_state loss" "loss" \
	"$(jq -r '[.events[] | select(.kind == "rto") | .ca_state] | unique | join(",")' "$tmp/out")"
nt_ge "5% loss: fast retransmits ($fast)" "$fast" 2
# (ESTAB, or FIN-WAIT-1 once the sender closed with data still unacked)
nt_eq "every fast retransmit is in ca_state recovery" "recovery" \
	"$(jq -r '[.events[] | select(.kind == "fast") | .ca_state] | unique | join(",")' "$tmp/out")"
nt_ge "the unanswered connect() retransmitted its SYN ($syn)" "$syn" 1
nt_eq "the SYN retransmission is in SYN-SENT" "SYN-SENT" \
	"$(jq -r '[.events[] | select(.kind == "syn") | .state] | unique | join(",")' "$tmp/out")"
nt_check "the flow summary counts every event" \
	test "$(jq '[.flows[].count] | add' "$tmp/out")" = "$(jq '.events | length' "$tmp/out")"
nt_done
