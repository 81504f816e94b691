#!/bin/bash
# The machine as the kernel and nettune see it.
set -e
echo "\$ nettune version"
"$NETTUNE" version
echo
echo "CPUs: $(nproc), kernel $(uname -r), memory $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
echo
echo "\$ ip -br link"
ip -br link
echo
echo "softnet_stat per CPU (processed, dropped, time_squeeze):"
cpu=0
while read -r processed dropped squeezed _; do
	printf '  cpu%d  %d  %d  %d\n' $cpu $((16#$processed)) $((16#$dropped)) $((16#$squeezed))
	cpu=$((cpu + 1))
done </proc/net/softnet_stat
echo
echo "Congestion control: $(cat /proc/sys/net/ipv4/tcp_congestion_control) (available: $(cat /proc/sys/net/ipv4/tcp_available_congestion_control))"
