#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The line rate carries what it promises: iperf3 TCP goodput within 5% of
# the set rate at 10 and 50 Mbit/s. MTU 9000, so that per-frame overhead
# (headers, and the 24 bytes of preamble, FCS and gap a frame costs on the
# wire) is 1% of the rate: at MTU 1500 TCP's best is 1448/1538 = 94.1%.
# Needs a quiet host (timers on time): full tier.
# nt-tier: full
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip iperf3 python3
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
RATES=${NT_WIRE_RATES:-10 50}
nt_plan $(($(wc -w <<<"$RATES") * 2))

nt_netns_new a b
vnic_pair_ns va "$NS_a" vb "$NS_b" 1
ip -n "$NS_a" link set va mtu 9000
ip -n "$NS_b" link set vb mtu 9000
# TSQ lets TCP keep about 2 TSO packets below it; with 8 segments each
# (57 ms at 10 Mbit/s) the wire, not the emulated VM's timer and
# scheduling latency, is what limits the sender.
ip netns exec "$NS_a" sysctl -qw net.ipv4.tcp_min_tso_segs=8

goodput() {
	vnic_iperf_server "$NS_b"
	ip netns exec "$NS_a" iperf3 -c 10.0.0.2 -t 4 -O 1 -J 2>&1 |
		python3 -S -E -c 'import json,sys; print(int(json.loads(sys.stdin.read())["end"]["sum_received"]["bits_per_second"]))' 2>/dev/null
}
tx() { vnic_stat "$NS_a" va "tx_queue_0_$1"; }

# What this VM carries without a rate: a rate needs twice that to be
# measured (the brief: "up to what the VM can carry").
capacity=$(goodput)
nt_log "without a line rate: iperf3 goodput ${capacity:-?} bit/s"
for mbit in $RATES; do
	"$NETTUNE" -n "$NS_a" vnic set va rate "${mbit}mbit"
	if [ "${capacity:-0}" -lt $((mbit * 2000000)) ]; then
		nt_skip "${mbit} Mbit/s: goodput within 5%" "the VM carries only ${capacity:-?} bit/s"
		nt_skip "${mbit} Mbit/s: goodput at most the rate" "the VM carries only ${capacity:-?} bit/s"
		continue
	fi
	w0=$(tx wire_waits) b0=$(tx bql_limited_us)
	bps=$(goodput)
	nt_log "rate ${mbit}mbit: iperf3 goodput ${bps:-?} bit/s; clock waits +$(($(tx wire_waits) - w0)), BQL-limited +$((($(tx bql_limited_us) - b0) / 1000)) ms, BQL limit $(ip netns exec "$NS_a" cat /sys/class/net/va/queues/tx-0/byte_queue_limits/limit)"
	nt_ge "${mbit} Mbit/s: goodput at least 95% of the rate" "${bps:-0}" $((mbit * 950000))
	nt_le "${mbit} Mbit/s: goodput at most the rate (+1% for timing)" "${bps:-0}" $((mbit * 1010000))
done
nt_done
