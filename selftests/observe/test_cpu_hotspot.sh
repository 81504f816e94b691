#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# IRQ and softirq load on one CPU: an ntvnic pair with 2 queues, every
# queue interrupt of both ports pinned to CPU 0, RPS off (the default), and
# 8 TCP flows a -> b (iperf3 -P 8 on CPU 1; RSS spreads them over both RX
# queues). CPU 0 takes every NET_RX softirq and receives every packet.
# diagnose names cpu_softirq_hotspot first with CPU 0's softirqs, its
# packets (softnet processed) and vb's RX IRQs counted there, and advises
# moving vb-rx-1's IRQ to CPU 1 and RPS for vb.
# veth has no IRQ and no queue to pin: its receive work runs in the
# sender's CPU backlog (netif_rx), so this fault exists on ntvnic only.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip iperf3 taskset jq
[ "$(nproc)" -ge 2 ] || nt_skip_all "needs 2 CPUs"
nt_plan 7

obs_pair ntvnic 2 || nt_skip_all "cannot build the ntvnic pair"
for dev in va vb; do
	for q in 0 1; do
		for kind in rx tx; do
			echo 0 >"/proc/irq/$(vnic_irq "$dev" "$q" "$kind")/smp_affinity_list"
		done
	done
done
nt_eq "RPS is off on vb" "0 0" \
	"$(ip netns exec "$NS_b" cat /sys/class/net/vb/queues/rx-{0,1}/rps_cpus | sed 's/^0*$/0/' | paste -sd' ')"
vnic_iperf_server "$NS_b"
rx0=$(vnic_stat "$NS_b" vb rx_queue_0_packets)
rx1=$(vnic_stat "$NS_b" vb rx_queue_1_packets)
obs_diagnose_start "$NS_b"
ip netns exec "$NS_a" taskset -c 1 iperf3 -c 10.0.0.2 -t 4 -P 8 >/dev/null 2>&1
obs_diagnose_wait
nt_log "vb rx packets: queue 0 +$(($(vnic_stat "$NS_b" vb rx_queue_0_packets) - rx0)), queue 1 +$(($(vnic_stat "$NS_b" vb rx_queue_1_packets) - rx1))"
nt_eq "first finding is cpu_softirq_hotspot" cpu_softirq_hotspot "$(obs_first)"
nt_check "it names CPU 0" bash -c "jq -e '.findings[0].title | startswith(\"CPU 0 runs\")' $OBS_OUT/diag.json"
nt_ge "evidence: the packets cpu0 processed" \
	"$(obs_evidence cpu_softirq_hotspot '^cpu0 processed$')" 1
nt_ge "evidence: vb-rx-0's interrupts on cpu0" "$(obs_evidence cpu_softirq_hotspot ' vb-rx-0 on cpu0$')" 1
nt_ge "evidence: vb-rx-1's interrupts on cpu0" "$(obs_evidence cpu_softirq_hotspot ' vb-rx-1 on cpu0$')" 1
nt_check "fix: vb-rx-1's IRQ to CPU 1 and RPS for vb" bash -c "jq -e '.findings[0].fix | join(\"\\n\") |
	test(\"echo 1 > /proc/irq/$(vnic_irq vb 1)/smp_affinity_list\") and test(\"/sys/class/net/vb/queues/rx-0/rps_cpus\")' \
	$OBS_OUT/diag.json"
nt_done
