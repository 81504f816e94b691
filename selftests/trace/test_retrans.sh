#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# nettune trace retrans sees each retransmission of a bulk TCP flow with
# its flow and the right kind: 5% netem loss with 5 ms delay on the
# sender's device gives fast retransmits (fast, ca_state recovery); then
# 100% loss for 2 s or more gives timeouts (rto, ca_state loss), and a
# connect() during it retransmits its SYN (syn, SYN-SENT).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/trace_lib.sh"
nt_require_cmds jq iperf3 tc
nt_plan 8

trace_veth_pair || nt_skip_all "cannot build the veth pair"
modprobe sch_netem 2>/dev/null
tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"

# iperf3 (starts in a fraction of python's time under emulation): the
# receiver in b, a sender in a that runs until killed
ip netns exec "$NS_b" iperf3 -s -1 -D -B 10.0.0.2 -p 5201 || nt_skip_all "iperf3 -s failed"
nt_defer "ip netns exec $NS_b pkill -f 'iperf3 -s -1 -D -B 10.0.0.2' 2>/dev/null"
nt_wait_for 30 bash -c "ip netns exec $NS_b ss -Hltn | grep -q ':5201 '" ||
	nt_skip_all "the receiver did not start"

trace_start "$tmp/out" --json trace retrans --duration 120 || nt_skip_all "trace retrans did not start"

ip netns exec "$NS_a" iperf3 -c 10.0.0.2 -p 5201 -t 60 >/dev/null 2>&1 &
sender=$!
nt_defer "kill $sender 2>/dev/null"
# the loss begins once data flows: control and data connections established
nt_wait_for 60 bash -c "[ \$(ip netns exec $NS_a ss -Htn state established '( dport = :5201 )' | wc -l) -ge 2 ]" ||
	nt_skip_all "iperf3 did not connect"
# fast retransmits first, on a flow in full swing (after an outage the
# backed-off RTO timer would leave little of the lossy phase to the flow)
tc -n "$NS_a" qdisc add dev va root netem delay 5ms loss 5%
sleep 4
tc -n "$NS_a" qdisc change dev va root netem loss 100%
# a SYN that gets no answer while the path is down: the outage lasts until
# 1.6 s after it is in SYN-SENT (the first SYN retransmission is at 1 s)
ip netns exec "$NS_a" timeout 20 bash -c 'exec 3<>/dev/tcp/10.0.0.2/5201' 2>/dev/null &
nt_defer "kill $! 2>/dev/null"
nt_wait_for 20 bash -c "ip netns exec $NS_a ss -Htn state syn-sent | grep -q ':5201'"
sleep 1.6
kill $sender
tc -n "$NS_a" qdisc del dev va root
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
