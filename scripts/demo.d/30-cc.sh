#!/bin/bash
# Congestion control: cubic, bbr and ntcubic over the same emulated path
# (10 Mbit/s bottleneck with a 64 KB queue, 40 ms RTT, 0.1% loss), one
# after the other: throughput, retransmissions and RTT for each, then
# ntcubic's live state from `nettune cc sockets` and the window trace.
set -u
# shellcheck disable=SC1091
source "$NT_TOP/selftests/lib.sh"
# shellcheck disable=SC1091
source "$NT_TOP/selftests/cc/cc_lib.sh"
nt_load_module tcp_ntcubic || { echo "tcp_ntcubic does not load"; exit 1; }
modprobe tcp_bbr 2>/dev/null
cc_path_new || exit 1
cc_shape "delay 40ms loss 0.1% limit 10000" "rate 10mbit burst 10000 limit 64000"
echo "\$ nettune cc list"
"$NETTUNE" cc list
echo
echo "path: sender -- router (tbf 10mbit, 64 KB queue; netem 40 ms, 0.1% loss) -- receiver"
printf '%-8s %10s %8s %8s\n' ALGO Mbit/s RETRANS RTT_ms
for algo in cubic bbr ntcubic; do
	j=$(cc_iperf "$algo" 5)
	printf '%-8s %10s %8s %8s\n' "$algo" "$(jq -r '.end.sum_sent.bits_per_second / 1e6 * 100 | floor / 100' <<<"$j")" \
		"$(cc_json_retrans "$j")" "$(cc_json_rtt_ms "$j")"
done
echo
echo "ntcubic's state while a flow runs (\$ nettune -n <sender> cc sockets):"
cc_trace_start
(
	# both iperf3 connections up, then a few seconds of data
	nt_wait_for 30 bash -c "[ \$(ip netns exec $NS_a ss -Htn state established 'dport = :$CC_SERVER_PORT' | wc -l) -ge 2 ]"
	sleep 3
	ip netns exec "$NS_a" "$NETTUNE" cc sockets
) &
cc_iperf ntcubic 10 >/dev/null
wait
cc_trace_stop /tmp/nt-demo-cc.trace
echo
echo "window updates traced (ntcubic:ntcubic_update): $(wc -l </tmp/nt-demo-cc.trace); the loss events:"
grep -o 'event=loss cwnd=[0-9]* ssthresh=[0-9]* w_max=[0-9]*' /tmp/nt-demo-cc.trace | head -5 | sed 's/^/  /'
rm -f /tmp/nt-demo-cc.trace
