#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Each RX queue has its own IRQ "<dev>-rx-<q>" in /proc/interrupts;
# writing /proc/irq/N/smp_affinity_list moves that queue's interrupt
# counts to the chosen CPU at once, and effective_affinity follows. A
# restart of the port (ethtool -G) re-creates the IRQs on the CPUs they
# had, so a pinning survives it.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool ping
[ "$(nproc)" -ge 2 ] || nt_skip_all "needs 2 CPUs"
nt_plan 13

nt_netns_new a b
vnic_pair_ns va "$NS_a" vb "$NS_b" 2

nt_check "/proc/interrupts lists vb-rx-0 and vb-rx-1" bash -c \
	"grep -q ' vb-rx-0\$' /proc/interrupts && grep -q ' vb-rx-1\$' /proc/interrupts"
nt_check "the IRQs belong to the ntvnic irq_chip" bash -c "grep ' vb-rx-0\$' /proc/interrupts | grep -q ntvnic"
irq0=$(vnic_irq vb 0)
irq1=$(vnic_irq vb 1)
nt_check "queues get distinct IRQs" test -n "$irq0" -a -n "$irq1" -a "$irq0" != "$irq1"

# All pings from one flow: ICMP hashes on addresses only, so one queue.
# Make it queue 0 for sure: every indirection entry -> 0.
ip netns exec "$NS_b" ethtool -X vb weight 1 0

# ping_on_cpu CPU: pin vb-rx-0 to CPU, ping 20 times, print "delta_cpu0 delta_cpu1".
ping_on_cpu() {
	local cpu=$1 c0 c1 d0 d1
	echo "$cpu" >"/proc/irq/$irq0/smp_affinity_list"
	c0=$(vnic_irq_count "$irq0" 0)
	c1=$(vnic_irq_count "$irq0" 1)
	ip netns exec "$NS_a" ping -c 20 -i 0.05 -W 2 -q 10.0.0.2 >/dev/null
	d0=$(($(vnic_irq_count "$irq0" 0) - c0))
	d1=$(($(vnic_irq_count "$irq0" 1) - c1))
	echo "$d0 $d1"
}

read -r d0 d1 <<<"$(ping_on_cpu 1)"
nt_log "affinity 1: CPU0 +$d0, CPU1 +$d1"
nt_eq "effective affinity of vb-rx-0 is CPU 1" 1 "$(cat /proc/irq/"$irq0"/effective_affinity_list)"
nt_ge "affinity 1: CPU1 counts the interrupts (20 pings)" "$d1" 20
nt_eq "affinity 1: CPU0 counts none" 0 "$d0"

read -r d0 d1 <<<"$(ping_on_cpu 0)"
nt_log "affinity 0: CPU0 +$d0, CPU1 +$d1"
nt_eq "effective affinity of vb-rx-0 is CPU 0" 0 "$(cat /proc/irq/"$irq0"/effective_affinity_list)"
nt_ge "affinity 0: CPU0 counts the interrupts (20 pings)" "$d0" 20
nt_eq "affinity 0: CPU1 counts none" 0 "$d1"

# Read /proc/interrupts around ethtool: a stray packet may interrupt in between.
t0=$(awk -v i="$irq0:" '$1 == i { print $2 + $3 }' /proc/interrupts)
irqs=$(vnic_stat "$NS_b" vb rx_queue_0_irqs)
t1=$(awk -v i="$irq0:" '$1 == i { print $2 + $3 }' /proc/interrupts)
nt_log "/proc/interrupts total $t0 then $t1, ethtool rx_queue_0_irqs $irqs"
nt_ge "ethtool rx_queue_0_irqs >= the /proc/interrupts total read before" "$irqs" "$t0"
nt_le "ethtool rx_queue_0_irqs <= the /proc/interrupts total read after" "$irqs" "$t1"

# vb-rx-0 and vb-tx-0 start on CPU 0 (the default spread); pin both to 1.
echo 1 >"/proc/irq/$irq0/smp_affinity_list"
echo 1 >"/proc/irq/$(vnic_irq vb 0 tx)/smp_affinity_list"
ip netns exec "$NS_b" ethtool -G vb rx 512
new_rx=$(vnic_irq vb 0) new_tx=$(vnic_irq vb 0 tx)
nt_eq "after ethtool -G, the new vb-rx-0 (IRQ $new_rx) is still on CPU 1" 1 \
	"$(cat /proc/irq/"$new_rx"/effective_affinity_list)"
nt_eq "and so is the new vb-tx-0 (IRQ $new_tx)" 1 "$(cat /proc/irq/"$new_tx"/effective_affinity_list)"
nt_done
