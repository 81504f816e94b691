#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# Interrupt coalescing (ethtool -C, or nettune vnic set rx-usecs ...): an
# interrupt waits up to usecs after the first event, or until frames events
# are pending. Legacy mode makes it countable: about one RX interrupt per
# packet without coalescing, a few per 120 packets with rx-usecs, one per
# 8 packets with rx-frames 8. tx-usecs delays the TX completion interrupt,
# and with it the wire: ping's RTT grows by at least that much. Bad values
# are refused with the setting named and change nothing.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 taskset ping
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
nt_plan 20

vnic_quiet_pair 1
ip netns exec "$NS_a" ethtool -K va tx-udp-segmentation off
s() { vnic_stat "$NS_b" vb "rx_queue_0_$1"; }
coal() { ip netns exec "$1" ethtool -c "$2" | awk -v k="$3:" '$1 == k { print $2 }'; }

nt_eq "rx-usecs is 0 by default (ethtool -c)" 0 "$(coal "$NS_b" vb rx-usecs)"
"$NETTUNE" -n "$NS_b" vnic set vb mode legacy

# burst_irqs: 3 x 40 packets to vb, print "packets irqs".
burst_irqs() {
	local p0 i0
	p0=$(s packets) i0=$(vnic_rx_irqs "$NS_b" vb 0)
	vnic_burst 40
	echo "$(($(s packets) - p0)) $(($(vnic_rx_irqs "$NS_b" vb 0) - i0))"
}
read -r pk ir <<<"$(burst_irqs)"
nt_log "legacy, no coalescing: $pk packets, $ir interrupts"
nt_ge "no coalescing: about one interrupt per packet (>= 108 for 120)" "$ir" 108

nt_check "ethtool -C vb rx-usecs 50000" ip netns exec "$NS_b" ethtool -C vb rx-usecs 50000
read -r pk ir <<<"$(burst_irqs)"
nt_log "legacy, rx-usecs 50000: $pk packets, $ir interrupts"
nt_eq "rx-usecs 50000: all 120 delivered" 120 "$pk"
nt_ge "rx-usecs 50000: at least one interrupt" "$ir" 1
nt_le "rx-usecs 50000: at most 2 interrupts per burst" "$ir" 6

nt_check "nettune vnic set vb rx-frames 8" "$NETTUNE" -n "$NS_b" vnic set vb rx-frames 8
nt_eq "ethtool -c shows rx-frames 8" 8 "$(coal "$NS_b" vb rx-frames)"
nt_eq "and keeps rx-usecs 50000" 50000 "$(coal "$NS_b" vb rx-usecs)"
read -r pk ir <<<"$(burst_irqs)"
nt_log "legacy, rx-usecs 50000 rx-frames 8: $pk packets, $ir interrupts"
nt_eq "rx-frames 8: all 120 delivered" 120 "$pk"
nt_ge "rx-frames 8: one interrupt per 8 packets (15 for 120)" "$ir" 15
nt_le "rx-frames 8: ... plus at most one timer expiry per burst" "$ir" 18

# Refusals name the setting and change nothing.
out=$(ip netns exec "$NS_b" ethtool -C vb rx-usecs 200000 2>&1)
rc=$?
nt_log "ethtool -C vb rx-usecs 200000: exit $rc: $out"
nt_check "ethtool -C rx-usecs 200000 is refused" test "$rc" -ne 0
nt_check "... naming the range" grep -q "must be between 0 and 100000" <<<"$out"
out=$("$NETTUNE" -n "$NS_b" vnic set vb rx-frames 5000 2>&1)
nt_eq "nettune vnic set rx-frames 5000 exits 1" 1 $?
nt_check "... with the kernel's message" grep -q "rx-frames must be between 0 and 4096" <<<"$out"
nt_eq "the refusals changed nothing (rx-frames still 8)" 8 "$(coal "$NS_b" vb rx-frames)"

# tx-usecs: the echo request waits 20 ms for va's TX completion interrupt
# (vb's RX coalescing off first, or its 50 ms would dominate).
min_rtt() {
	ip netns exec "$NS_a" ping -c 5 -i 0.2 -W 2 -q 10.0.0.2 | awk -F/ '/^rtt/ { sub(/.* = /, "", $0); print $1 }'
}
nt_check "ethtool -C vb rx-usecs 0 rx-frames 0" ip netns exec "$NS_b" ethtool -C vb rx-usecs 0 rx-frames 0
fast=$(min_rtt)
ip netns exec "$NS_a" ethtool -C va tx-usecs 20000
slow=$(min_rtt)
nt_log "ping min RTT: $fast ms without, $slow ms with va tx-usecs 20000"
nt_check "tx-usecs 20000: every RTT is at least 20 ms" awk -v r="$slow" 'BEGIN { exit !(r >= 20) }'
nt_check "without coalescing on either side the RTT stays under 20 ms" awk -v r="$fast" 'BEGIN { exit !(r < 20) }'
nt_done
