#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for the ntvnic selftests. Source after ../lib.sh.

VNIC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# vnic_pair A B [QUEUES]: create an ntvnic pair A <-> B in the current
# namespace with `ip link add` (auto-named peer, renamed to B), QUEUES
# combined queues on each port (ethtool -L). Deleted on exit.
vnic_pair() {
	local a=$1 b=$2 nq=${3:-1} peer_idx peer
	ip link add "$a" type ntvnic || return 1
	nt_defer ip link del "$a"
	peer_idx=$(cat "/sys/class/net/$a/iflink")
	peer=$(ip -o link show | awk -F': ' -v i="$peer_idx" '$1 == i { sub(/@.*/, "", $2); print $2 }')
	[ -n "$peer" ] || return 1
	ip link set "$peer" name "$b" || return 1
	if [ "$nq" -ne 1 ]; then
		ethtool -L "$a" combined "$nq" && ethtool -L "$b" combined "$nq" || return 1
	fi
}

# vnic_pair_ns A NS_A B NS_B [QUEUES]: pair with A in NS_A (10.0.0.1/24,
# fd00::1/64) and B in NS_B (10.0.0.2/24, fd00::2/64), both up.
vnic_pair_ns() {
	local a=$1 nsa=$2 b=$3 nsb=$4 nq=${5:-1}
	vnic_pair "$a" "$b" "$nq" || return 1
	ip link set "$a" netns "$nsa" && ip link set "$b" netns "$nsb" || return 1
	ip -n "$nsa" addr add 10.0.0.1/24 dev "$a"
	ip -n "$nsb" addr add 10.0.0.2/24 dev "$b"
	ip -n "$nsa" addr add fd00::1/64 dev "$a" nodad
	ip -n "$nsb" addr add fd00::2/64 dev "$b" nodad
	ip -n "$nsa" link set "$a" up && ip -n "$nsb" link set "$b" up
}

# vnic_stat NS DEV STAT: one ethtool -S counter.
vnic_stat() { nt_ethtool_stat "$2" "$3" "$1"; }

# vnic_irq DEV Q [rx|tx]: the Linux IRQ number of DEV's RX (default) or TX
# queue Q (from /proc/interrupts).
vnic_irq() {
	awk -v n="$1-${3:-rx}-$2" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts
}

# vnic_irq_count IRQ CPU: interrupts of IRQ counted on CPU.
vnic_irq_count() {
	awk -v i="$1:" -v c="$2" '$1 == i { print $(c + 2) }' /proc/interrupts
}

# vnic_quiet_pair QUEUES: namespaces a and b ($NS_a, $NS_b) with a pair
# va <-> vb across them, IPv6 off and permanent neighbours, so no ARP,
# IPv6 or other chatter reaches a counter: only what a test sends.
vnic_quiet_pair() {
	local ns
	nt_netns_new a b || return 1
	for ns in "$NS_a" "$NS_b"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	done
	vnic_pair_ns va "$NS_a" vb "$NS_b" "$1" 2>/dev/null || return 1
	ip -n "$NS_a" neigh replace 10.0.0.2 lladdr "$(vnic_mac "$NS_b" vb)" dev va nud permanent &&
		ip -n "$NS_b" neigh replace 10.0.0.1 lladdr "$(vnic_mac "$NS_a" va)" dev vb nud permanent
}

# vnic_mac NS DEV: DEV's MAC address.
vnic_mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }

# vnic_burst N [BURSTS] (after vnic_quiet_pair): BURSTS (default 3) bursts
# of N UDP segments from CPU 0 with va-tx-0 and vb-rx-0 on CPU 0, so
# neither the TX completion NAPI nor the RX NAPI can run before a burst
# has been posted. The bursts follow each other at once: when softirq
# work is left to ksoftirqd (its time limit, under emulation), the next
# burst can reach the ring before the last poll of the previous one.
vnic_burst() {
	echo 0 >"/proc/irq/$(vnic_irq va 0 tx)/smp_affinity_list"
	echo 0 >"/proc/irq/$(vnic_irq vb 0)/smp_affinity_list"
	ip netns exec "$NS_a" taskset -c 0 python3 -S -E "$VNIC_DIR/udp_burst.py" 10.0.0.1 10.0.0.2 9000 "$1" "${2:-3}"
	sleep 0.5
}

# RSS flows (after vnic_quiet_pair with RSS_NQ queues): 32 UDP flows with
# scattered source ports (RSS_SPORTS); flow i sends 1 + i % 7 datagrams, so
# per-queue totals depend on which flow went where, not only how many.
RSS_NQ=4
RANDOM=3
RSS_SPORTS=$(for i in $(seq 32); do echo $((10000 + RANDOM % 50000)); done | sort -un | head -32 | tr '\n' ' ')
RSS_FLOWS=$(i=0; for p in $RSS_SPORTS; do printf '%s:%d ' "$p" $((1 + i % 7)); i=$((i + 1)); done)
RSS_TOTAL=$(i=0; t=0; for p in $RSS_SPORTS; do t=$((t + 1 + i % 7)); i=$((i + 1)); done; echo $t)

# rss_queue_counts: rx_queue_N_packets of vb, space separated.
rss_queue_counts() {
	ip netns exec "$NS_b" ethtool -S vb |
		awk -v n=$RSS_NQ '{ for (q = 0; q < n; q++) if ($1 == "rx_queue_" q "_packets:") c[q] = $2 }
			END { for (q = 0; q < n; q++) printf "%d ", c[q]; print "" }'
}

# rss_expected: per-queue packet counts the reference hash predicts for
# RSS_FLOWS with vb's current key and table.
rss_expected() {
	# shellcheck disable=SC2086
	ip netns exec "$NS_b" python3 -S -E "$VNIC_DIR/toeplitz.py" vb 10.0.0.1 10.0.0.2 udp $RSS_SPORTS --dport 9000 |
		awk -v n=$RSS_NQ '{ c[$2] += 1 + (NR - 1) % 7 } END { for (q = 0; q < n; q++) printf "%d ", c[q] + 0; print "" }'
}

# rss_run_flows: send RSS_FLOWS, print per-queue deltas.
rss_run_flows() {
	local before after q out=""
	read -ra before <<<"$(rss_queue_counts)"
	# shellcheck disable=SC2086
	ip netns exec "$NS_a" python3 -S -E "$VNIC_DIR/udp_flows.py" 10.0.0.1 10.0.0.2 9000 $RSS_FLOWS
	sleep 0.5
	read -ra after <<<"$(rss_queue_counts)"
	for ((q = 0; q < RSS_NQ; q++)); do out+="$((after[q] - before[q])) "; done
	echo "$out"
}

# vnic_iperf_server NS [ARGS...]: a one-shot iperf3 daemon on 10.0.0.2 in
# NS, listening when this returns.
vnic_iperf_server() {
	local ns=$1
	shift
	ip netns exec "$ns" iperf3 -s -1 -D -B 10.0.0.2 "$@" >/dev/null 2>&1
	nt_wait_for 5 ip netns exec "$ns" bash -c "ss -ltn | grep -q ':5201'"
}

# vnic_step NS ETHTOOL-ARGS...: one ethtool change made under traffic,
# counted in VNIC_CHANGES; a failure is logged and counted in VNIC_FAILS.
# VNIC_STEP_PAUSE (default 0.2 s) lets traffic run between changes.
VNIC_CHANGES=0
VNIC_FAILS=0
vnic_step() {
	local ns=$1
	shift
	ip netns exec "$ns" ethtool "$@" || { VNIC_FAILS=$((VNIC_FAILS + 1)); nt_log "failed: ethtool $*"; }
	VNIC_CHANGES=$((VNIC_CHANGES + 1))
	sleep "${VNIC_STEP_PAUSE:-0.2}"
}

# vnic_rx_packets NS DEV: the sum of DEV's rx_queue_N_packets.
vnic_rx_packets() {
	ip netns exec "$1" ethtool -S "$2" | awk '/rx_queue_[0-9]+_packets/ { s += $2 } END { print s }'
}

# vnic_rx_irqs NS DEV Q: interrupts delivered to DEV's RX queue Q. Normally
# ntvnic's own rx_queue_Q_irqs (handler runs). On PREEMPT_RT every handler
# is force-threaded: deliveries that arrive while the thread runs coalesce
# into one run, so there the hardirq deliveries that /proc/interrupts counts
# are the "interrupts" (Documentation/reliability.rst, kernel differences).
vnic_rx_irqs() {
	local irq
	if uname -v | grep -q PREEMPT_RT; then
		irq=$(vnic_irq "$2" "$3")
		awk -v i="$irq:" '$1 == i { n = 0; for (c = 2; c <= NF && $c ~ /^[0-9]+$/; c++) n += $c; print n }' /proc/interrupts
	else
		vnic_stat "$1" "$2" "rx_queue_$3_irqs"
	fi
}
