#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# netem loss on the data path, then on the ACK path, under a TCP bulk
# transfer a -> b: diagnose (run at the sender) names retrans_storm first
# both times and tells them apart: with data lost the retransmits were
# needed and fast retransmits dominate. With the ACKs lost in outages the
# sender's RTOs fire (one or more per outage) while the receiver, which
# got all the data, queues nothing out of order. Measured: Linux's
# recovery after those RTOs (F-RTO, RACK) counts most of the resends as
# fast retransmits, so "timeouts dominate" does not identify ACK loss
# here; the receiver's TCPOFOQueue (data loss) vs TCPDSACKOldSent
# (duplicates: ACK loss) does, and diagnose's advice says so. trace drops
# shows where the loss is: netem's drops are QDISC_DROP in
# __dev_queue_xmit, on a's va for the data, on b's vb for the ACKs.
# Run on a veth and on an ntvnic pair (netem replaces ntvnic's mq root).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip tc iperf3 jq
modprobe sch_netem 2>/dev/null
obs_plan 8

obs_trace_start
declare -A ns_a ns_b
for kind in $OBS_KINDS; do
	obs_pair "$kind" || nt_skip_all "cannot build the $kind pair"
	ns_a[$kind]=$NS_a
	ns_b[$kind]=$NS_b
	ip netns exec "$NS_b" iperf3 -s -D -B 10.0.0.2 >/dev/null 2>&1
	nt_defer ip netns exec "$NS_b" pkill -x iperf3
	rm -f "$OBS_OUT/connected"
	nt_wait_for 5 ip netns exec "$NS_b" bash -c "ss -ltn | grep -q ':5201'"

	# bulk DEV-NS LOSS: netem LOSS on DEV's egress, 3 s of iperf3 a -> b with
	# diagnose at the sender across it.
	bulk() {
		ip netns exec "$1" tc qdisc add dev "$2" root netem loss "$3" delay 1ms
		obs_diagnose_start "$NS_a"
		ip netns exec "$NS_a" timeout 10 iperf3 -c 10.0.0.2 -t 3 >/dev/null 2>&1
		obs_diagnose_wait
		ip netns exec "$1" tc qdisc del dev "$2" root
	}

	bulk "$NS_a" va 3%
	nt_eq "$kind: data loss: first finding is retrans_storm" retrans_storm "$(obs_first)"
	nt_check "$kind: data loss: fast retransmits dominate" bash -c "jq -e '.findings[0].title | test(\"fast retransmits dominate\")' $OBS_OUT/diag.json"
	nt_check "$kind: data loss: the cause says forward loss" bash -c "jq -e '.findings[0].cause | test(\"forward\")' $OBS_OUT/diag.json"
	fast=$(obs_evidence retrans_storm '^TcpExtTCPFastRetrans$')
	nt_log "data loss: TCPFastRetrans $fast, TCPTimeouts $(obs_evidence retrans_storm '^TcpExtTCPTimeouts$'), DSACKRecv $(obs_evidence retrans_storm '^TcpExtTCPDSACKRecv$')"

	# ACK loss: a single connection; once the handshake is done, b's egress
	# (nothing but ACKs on it) loses everything for 0.8 s, six times. Random
	# ACK loss, even 90%, causes no retransmit at all: any later ACK covers
	# the lost ones. An outage longer than the RTO makes the sender time out
	# and resend data b already has; b's D-SACKs say so once ACKs pass again.
	ip netns exec "$NS_b" python3 -S -E "$OBS_DIR/tcp_bulk.py" server 10.0.0.2 5202 &
	nt_defer kill $!
	nt_wait_for 5 ip netns exec "$NS_b" bash -c "ss -ltn | grep -q ':5202'"
	tcp_counters() {
		"$NETTUNE" -n "$NS_a" stat --json -z TcpRetransSegs TcpExtTCPTimeouts TcpExtTCPLossProbes \
			TcpExtTCPFastRetrans TcpExtTCPDSACKRecv TcpExtTCPSpuriousRTOs | jq -c '[.counters[] | {(.name): .value}] | add'
	}
	rx_counter() {
		"$NETTUNE" -n "$NS_b" stat --json -z "$1" | jq '.counters[0].value'
	}
	nt_log "before the ACK outages: $(tcp_counters)"
	ofo0=$(rx_counter TcpExtTCPOFOQueue)
	dup0=$(rx_counter TcpExtTCPDSACKOldSent)
	obs_diagnose_start "$NS_a"
	ip netns exec "$NS_a" timeout 30 python3 -S -E "$OBS_DIR/tcp_bulk.py" client 10.0.0.2 5202 9 "$OBS_OUT/connected" &
	client=$!
	nt_wait_for 10 test -e "$OBS_OUT/connected"
	ip netns exec "$NS_b" tc qdisc add dev vb root netem loss 0% delay 1ms
	sleep 1
	for _ in 1 2 3 4 5 6; do
		ip netns exec "$NS_b" tc qdisc change dev vb root netem loss 100% delay 1ms
		sleep 0.8
		ip netns exec "$NS_b" tc qdisc change dev vb root netem loss 0% delay 1ms
		sleep 0.3
	done
	wait $client
	obs_diagnose_wait
	nt_log "after: $(tcp_counters)"
	ofo1=$(rx_counter TcpExtTCPOFOQueue)
	dup1=$(rx_counter TcpExtTCPDSACKOldSent)
	nt_log "receiver: TCPOFOQueue +$((ofo1 - ofo0)), TCPDSACKOldSent +$((dup1 - dup0))"
	ip netns exec "$NS_b" tc qdisc del dev vb root
	nt_log "ack loss: TCPFastRetrans $(obs_evidence retrans_storm '^TcpExtTCPFastRetrans$'), TCPTimeouts $(obs_evidence retrans_storm '^TcpExtTCPTimeouts$'), TCPLossProbes $(obs_evidence retrans_storm '^TcpExtTCPLossProbes$'), DSACKRecv $(obs_evidence retrans_storm '^TcpExtTCPDSACKRecv$'), retrans $(obs_evidence retrans_storm '^TcpRetransSegs$')"
	nt_eq "$kind: ack loss: first finding is retrans_storm" retrans_storm "$(obs_first)"
	nt_ge "$kind: ack loss: an RTO or more per outage (TcpExtTCPTimeouts)" "$(obs_evidence retrans_storm '^TcpExtTCPTimeouts$')" 4
	nt_eq "$kind: ack loss: the receiver queued nothing out of order (no data was lost)" 0 $((ofo1 - ofo0))
done
obs_trace_stop
for kind in $OBS_KINDS; do
	nt_ge "$kind: trace drops: data loss is QDISC_DROP at a" \
		"$(obs_drops "${ns_a[$kind]}" QDISC_DROP '__dev_queue_xmit|__dev_xmit_skb')" 1
	nt_ge "$kind: trace drops: ACK loss is QDISC_DROP at b" \
		"$(obs_drops "${ns_b[$kind]}" QDISC_DROP '__dev_queue_xmit|__dev_xmit_skb')" 1
done
nt_done
