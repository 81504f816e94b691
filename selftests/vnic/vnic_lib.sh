#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for the ntvnic selftests. Source after ../lib.sh.

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

# vnic_irq DEV Q: the Linux IRQ number of DEV's RX queue Q (from /proc/interrupts).
vnic_irq() {
	awk -v n="$1-rx-$2" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts
}

# vnic_irq_count IRQ CPU: interrupts of IRQ counted on CPU.
vnic_irq_count() {
	awk -v i="$1:" -v c="$2" '$1 == i { print $(c + 2) }' /proc/interrupts
}
