#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The transmit path behaves like a NIC's: each TX queue has its own
# completion IRQ "<dev>-tx-<q>" raised on its affinity CPU; an xmit_more
# batch rings one doorbell; a full TX ring stops the queue, the qdisc
# requeues the rest, completions wake it and nothing is lost; BQL sees
# every completed byte (inflight back to 0).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 taskset tc
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
nt_plan 22

vnic_quiet_pair 1
ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off
tx() { vnic_stat "$NS_a" va "tx_queue_0_$1"; }

nt_check "/proc/interrupts lists va-tx-0 and vb-tx-0" bash -c \
	"grep -q ' va-tx-0\$' /proc/interrupts && grep -q ' vb-tx-0\$' /proc/interrupts"
irq=$(vnic_irq va 0 tx)

# send_on_tx_cpu CPU: pin va-tx-0 to CPU, send 20 datagrams from the other
# CPU, print "delta_cpu0 delta_cpu1 delta_packets delta_irqs".
send_on_tx_cpu() {
	local c0 c1 p0 i0
	echo "$1" >"/proc/irq/$irq/smp_affinity_list"
	c0=$(vnic_irq_count "$irq" 0) c1=$(vnic_irq_count "$irq" 1)
	p0=$(tx packets) i0=$(tx irqs)
	ip netns exec "$NS_a" taskset -c $((1 - $1)) python3 -S -E "$VNIC_DIR/udp_flows.py" \
		10.0.0.1 10.0.0.2 9000 40000:20
	sleep 0.5
	echo "$(($(vnic_irq_count "$irq" 0) - c0)) $(($(vnic_irq_count "$irq" 1) - c1))" \
		"$(($(tx packets) - p0)) $(($(tx irqs) - i0))"
}
read -r d0 d1 pk ir <<<"$(send_on_tx_cpu 1)"
nt_log "va-tx-0 on CPU1, sender on CPU0: CPU0 +$d0 CPU1 +$d1, tx packets +$pk, tx irqs +$ir"
nt_eq "effective affinity of va-tx-0 is CPU 1" 1 "$(cat /proc/irq/"$irq"/effective_affinity_list)"
nt_eq "20 datagrams completed on TX queue 0" 20 "$pk"
nt_ge "affinity 1: CPU1 takes the TX completion interrupts" "$d1" 1
nt_eq "affinity 1: CPU0 takes none" 0 "$d0"
if uname -v | grep -q PREEMPT_RT; then
	# Force-threaded handlers: deliveries that arrive while the irq
	# thread runs share its run (reliability.rst, kernel differences).
	nt_check "ethtool tx_queue_0_irqs (handler runs, $ir) is between 1 and the deliveries /proc/interrupts counted ($d1)" \
		test "$ir" -ge 1 -a "$ir" -le "$d1"
else
	nt_eq "ethtool tx_queue_0_irqs counts what /proc/interrupts counted" "$d1" "$ir"
fi
read -r d0 d1 pk ir <<<"$(send_on_tx_cpu 0)"
nt_log "va-tx-0 on CPU0, sender on CPU1: CPU0 +$d0 CPU1 +$d1, tx packets +$pk, tx irqs +$ir"
nt_ge "affinity 0: CPU0 takes the TX completion interrupts" "$d0" 1
nt_eq "affinity 0: CPU1 takes none" 0 "$d1"

# xmit_more: a 40-segment GSO send is one list through ndo_start_xmit,
# one doorbell for the whole batch.
k0=$(tx kicks) p0=$(tx packets) s0=$(tx stops)
vnic_burst 40
nt_eq "256-entry TX ring: 3 x 40 segments completed" 120 $(($(tx packets) - p0))
nt_eq "one doorbell per 40-segment batch (xmit_more)" 3 $(($(tx kicks) - k0))
nt_eq "a 256-entry TX ring never stops for 40" 0 $(($(tx stops) - s0))

# An 8-entry TX ring: each batch of 8 fills it and stops the queue; the
# qdisc requeues the rest of the list; the completion NAPI (same CPU, so
# only after the batch is posted) carries 8 and wakes the queue.
nt_check "ethtool -G va tx 8" ip netns exec "$NS_a" ethtool -G va tx 8
requeues() { ip netns exec "$NS_a" tc -s qdisc show dev va | awk '/requeues/ { for (i = 1; i < NF; i++) if ($i == "requeues") s += $(i + 1) } END { print s + 0 }'; }
p0=$(tx packets) s0=$(tx stops) w0=$(tx wakes) d0=$(tx drops) q0=$(requeues)
r0=$(vnic_rx_packets "$NS_b" vb)
vnic_burst 40
stops=$(($(tx stops) - s0)) wakes=$(($(tx wakes) - w0)) rq=$(($(requeues) - q0))
nt_log "8-entry TX ring, 3 x 40: stops +$stops wakes +$wakes qdisc requeues +$rq"
nt_eq "all 120 completed" 120 $(($(tx packets) - p0))
nt_eq "all 120 received by vb" 120 $(($(vnic_rx_packets "$NS_b" vb) - r0))
nt_eq "no TX drops" 0 $(($(tx drops) - d0))
nt_eq "the queue stopped 5 times per burst (40 / 8)" 15 "$stops"
nt_eq "every stop was followed by a wake" "$stops" "$wakes"
nt_ge "the qdisc requeued the rest of a stopped list" "$rq" 3

bql=/sys/class/net/va/queues/tx-0/byte_queue_limits
nt_eq "BQL: every queued byte was completed (inflight 0)" 0 "$(ip netns exec "$NS_a" cat $bql/inflight)"
nt_ge "BQL: the limit grew from completions" "$(ip netns exec "$NS_a" cat $bql/limit)" 1

# The same picture from nettune: the TX IRQ and the stop/wake counters.
json=$("$NETTUNE" -n "$NS_a" vnic show va -s --json)
field() { python3 -S -E -c "import json,sys; d=json.loads(sys.argv[1]); d=d[0] if isinstance(d,list) else d; print($1)" "$json"; }
nt_eq "vnic show -s --json: tx_irq.number is va-tx-0's IRQ" "$irq" "$(field 'd["queues"][0]["tx_irq"]["number"]')"
nt_eq "vnic show -s --json: tx.stops equals ethtool's" "$(tx stops)" "$(field 'd["queues"][0]["tx"]["stops"]')"
nt_done
