#!/bin/bash
# ntvnic: a pair across two namespaces with 4 queues, each queue's IRQ pinned
# to a CPU, several flows spread by RSS; then the per-queue, per-CPU picture
# (receive and transmit) and a flow whose RX queue `nettune vnic rss` predicts before it is sent.
set -eu
NETTUNE=${NETTUNE:-nettune}
A=ntdemo-a B=ntdemo-b
cleanup() {
	ip netns pids $B 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del $A 2>/dev/null || true
	ip netns del $B 2>/dev/null || true
}
trap cleanup EXIT
run() {
	echo "\$ $*"
	"$@"
}

if ! [ -d /sys/module/ntvnic ]; then
	echo "ntvnic is not loaded (run through 'make demo' or vm-run --modules ntvnic)"
	exit 1
fi
cleanup
ip netns add $A
ip netns add $B

run "$NETTUNE" vnic add vd0 peer vd1 queues 4 netns $A peer-netns $B
ip -n $A addr add 10.77.0.1/24 dev vd0
ip -n $B addr add 10.77.0.2/24 dev vd1
ip -n $A link set vd0 up
ip -n $B link set vd1 up
run "$NETTUNE" -n $A vnic show
echo

# RX queue q of vd1 (the receiving port) -> CPU q % ncpu.
ncpu=$(nproc)
echo "Pinning vd1's queue IRQs (receive side):"
for q in 0 1 2 3; do
	irq=$(awk -v n="vd1-rx-$q" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts)
	[ -n "$irq" ] || { echo "no IRQ named vd1-rx-$q in /proc/interrupts"; exit 1; }
	echo $((q % ncpu)) >/proc/irq/"$irq"/smp_affinity_list
	echo "  vd1-rx-$q = IRQ $irq -> CPU $(cat /proc/irq/"$irq"/smp_affinity_list)"
done
echo

echo "Traffic: ping, then iperf3 -P 8 for 2 s (8 TCP flows, RSS spreads them):"
ip netns exec $A ping -c 3 -i 0.2 -q 10.77.0.2 | tail -2
ip netns exec $B iperf3 -s -1 -D -p 5201
sleep 1
ip netns exec $A iperf3 -c 10.77.0.2 -p 5201 -P 8 -t 2 | grep -E 'SUM.*(sender|receiver)' || true
echo

run "$NETTUNE" -n $B vnic show -s vd1
echo
echo "The sender's side: TX completion IRQs (vd0-tx-q), doorbells, queue stops/wakes:"
run "$NETTUNE" -n $A vnic show -s vd0
echo

# Prediction: ask for the queue of one UDP flow, then send 200 datagrams of it.
flow=10.77.0.1:40001,10.77.0.2:9999
run "$NETTUNE" -n $B vnic rss vd1 --flow $flow --proto udp
predicted=$("$NETTUNE" -n $B --json vnic rss vd1 --flow $flow --proto udp | jq .queue)
rx_packets() {
	"$NETTUNE" -n $B --json vnic show -s vd1 | jq -r '.[0].queues[] | "\(.queue) \(.rx.packets)"'
}
before=$(rx_packets)
ip netns exec $A python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.77.0.1", 40001))
for _ in range(200):
    s.sendto(b"x" * 64, ("10.77.0.2", 9999))
'
sleep 0.5
after=$(rx_packets)
echo
echo "rx_packets per queue moved by (200 datagrams sent; ARP/ICMP may add a few):"
join <(echo "$before") <(echo "$after") | while read -r q b a; do
	mark=""
	[ "$q" = "$predicted" ] && mark="   <- predicted queue"
	printf '  queue %s  +%d%s\n' "$q" $((a - b)) "$mark"
done
