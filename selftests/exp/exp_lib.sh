# SPDX-License-Identifier: GPL-2.0
# Helpers for the nettune exp runner selftests (sourced after ../lib.sh).

# What an experiment may change, as one text: namespaces of the runner
# (ntx<pid>-...), ntvnic devices (their queue IRQs in /proc/interrupts
# exist in any namespace), the sysctls the selftest experiments change,
# pktgen devices and the runner's processes.
exp_state() {
	echo "netns: $(ip netns list | awk '$1 ~ /^ntx/ { print $1 }' | tr '\n' ' ')"
	echo "ntvnic irqs: $(awk '$NF ~ /^nx[ab]-(rx|tx)-/ { print $NF }' /proc/interrupts | tr '\n' ' ')"
	echo "netdev_max_backlog: $(cat /proc/sys/net/core/netdev_max_backlog)"
	echo "ip_forward: $(cat /proc/sys/net/ipv4/ip_forward)"
	echo "processes: $(pgrep -f 'nettune exp run' | tr '\n' ' ')"
}

# exp_out: a results directory of this test, removed at exit.
exp_out_dir() {
	EXP_OUT=$(mktemp -d)
	nt_defer rm -rf "$EXP_OUT"
}
