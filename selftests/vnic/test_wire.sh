#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# The wire of a direction: a line rate (ethtool reports it as the speed;
# frames leave at their serialisation time, so the TX queue waits for the
# clock, BQL limits what is in flight and the qdisc holds the backlog), a
# propagation delay (ping's RTT is twice the delay of each direction) and
# a random loss (counted, at roughly the set probability). Ranges are
# refused with their message; a port goes away with frames in flight and
# its timers armed.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3 ping tc
[ -x "$NETTUNE" ] || nt_skip_all "nettune not built ($NETTUNE)"
nt_plan 28

vnic_quiet_pair 1
nta() { "$NETTUNE" -n "$NS_a" "$@"; }
ntb() { "$NETTUNE" -n "$NS_b" "$@"; }
speed() { ip netns exec "$1" ethtool "$2" | awk '/Speed:/ { print $2 }'; }
tx() { vnic_stat "$NS_a" va "tx_queue_0_$1"; }
json() { python3 -S -E -c "import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print($1)"; }

nt_eq "ethtool speed without a line rate" "10000Mb/s" "$(speed "$NS_a" va)"
nt_check "vnic set va rate 50mbit" nta vnic set va rate 50mbit
nt_eq "ethtool reports the line rate as the speed" "50Mb/s" "$(speed "$NS_a" va)"
nt_eq "the other direction keeps its own (none)" "10000Mb/s" "$(speed "$NS_b" vb)"
nt_eq "vnic show --json: wire.rate_bps" 50000000 "$(nta --json vnic show va | json 'd["wire"]["rate_bps"]')"

# Delay: 10 ms each way, so the RTT is 20 ms (within 1 ms) more than
# without: the smallest of 10 RTTs each, as the emulated machine adds its
# own (scheduling, timer) latency to some.
both_delays() { nta vnic set va delay "$1" && ntb vnic set vb delay "$1"; }
min_rtt() {
	ip netns exec "$NS_a" ping -c 10 -i 0.2 -W 2 10.0.0.2 |
		awk -F'[/ ]' '/^rtt/ { print $7, $8 }'
}
read -r bmin bavg <<<"$(min_rtt)"
nt_check "vnic set va delay 10ms, vb delay 10ms" both_delays 10ms
read -r rmin ravg <<<"$(min_rtt)"
nt_log "ping RTT min/avg: without delay $bmin/$bavg ms, with 10 ms each way $rmin/$ravg ms"
# A VM whose own RTT averages above 2 ms (a loaded host: its timers fire
# late) cannot time 1 ms: then 5 ms, said so in the log.
tol=$(awk -v a="$bavg" 'BEGIN { print (a > 2) ? 5 : 1 }')
[ "$tol" = 1 ] || nt_log "loaded VM (average RTT $bavg ms without delay): tolerance $tol ms"
nt_check "the delay adds 20 ms to ping's RTT, within $tol ms" \
	awk -v r="$rmin" -v b="$bmin" -v t="$tol" 'BEGIN { d = r - b; exit !(r >= 20 && d >= 20 - t && d <= 20 + t) }'
nt_ge "frames went through the delay line" "$(tx wire_delayed)" 5
nt_eq "vnic show: the delay" "10ms" "$(nta --json vnic show va | json 'd["wire"]["delay_us"] // 1000' )ms"

# Loss: 10% of 1000 datagrams (binomial: 100 +- 9.5; accept 60..140).
nta vnic set va delay 0 rate 0 >/dev/null
nt_check "vnic set va loss 10%" nta vnic set va loss 10%
l0=$(tx wire_lost) r0=$(vnic_rx_packets "$NS_b" vb) p0=$(tx packets)
ip netns exec "$NS_a" python3 -S -E "$VNIC_DIR/udp_flows.py" 10.0.0.1 10.0.0.2 9000 40000:1000
sleep 0.5
lost=$(($(tx wire_lost) - l0)) rcvd=$(($(vnic_rx_packets "$NS_b" vb) - r0))
nt_log "loss 10%: 1000 sent, $lost lost on the wire, $rcvd received"
nt_ge "about 10% lost (>= 60)" "$lost" 60
nt_le "about 10% lost (<= 140)" "$lost" 140
nt_eq "lost + received = sent" 1000 $((lost + rcvd))
nt_eq "lost frames count as transmitted" 1000 $(($(tx packets) - p0))
nt_check "vnic set va loss 0" nta vnic set va loss 0

# The wire as the bottleneck: 8 Mbit/s, UDP offered at about 40 Mbit/s
# through fq_codel. The TX NAPI waits for the clock, BQL keeps little in
# flight, the qdisc holds the queue.
ip netns exec "$NS_a" tc qdisc replace dev va root fq_codel limit 10000
nta vnic set va rate 8mbit >/dev/null
w0=$(tx wire_waits) b0=$(tx bql_limited_us)
bql=/sys/class/net/va/queues/tx-0/byte_queue_limits
ip netns exec "$NS_a" python3 -S -E - <<'PY' &
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("10.0.0.2", 9000))
s.setsockopt(socket.SOL_SOCKET, 32, 8 << 20)  # SO_SNDBUFFORCE: more than ring + BQL
s.setblocking(False)
end = time.time() + 2.5
while time.time() < end:
    for _ in range(40):
        try:
            s.send(b"x" * 1200)
        except OSError:
            pass
    time.sleep(0.01)
PY
flood=$!
# Sample while the load runs (python starts slowly in a loaded VM): the
# largest qdisc backlog, BQL inflight and BQL limit seen.
backlog=0 inflight=0 limit=0 samples=0
while kill -0 $flood 2>/dev/null; do
	b=$(ip netns exec "$NS_a" tc -s qdisc show dev va | awk '/backlog/ { sub("b", "", $2); print $2; exit }')
	i=$(ip netns exec "$NS_a" cat $bql/inflight) l=$(ip netns exec "$NS_a" cat $bql/limit)
	[ "${b:-0}" -gt "$backlog" ] && backlog=$b
	[ "${i:-0}" -gt "$inflight" ] && inflight=$i
	[ "${l:-0}" -gt "$limit" ] && limit=$l
	samples=$((samples + 1))
	sleep 0.1
done
nt_log "8 Mbit/s under 40 Mbit/s, $samples samples: largest qdisc backlog ${backlog}b, BQL inflight $inflight, limit $limit"
nt_ge "the qdisc holds a backlog" "$backlog" 1
nt_ge "BQL had frames in flight" "$inflight" 1
nt_le "BQL keeps in flight far less than the 256-entry ring holds (256 x 1242 B)" "$inflight" 100000
nt_le "BQL's limit stays far below the ring too" "$limit" 100000
nt_ge "the TX NAPI waited for the serialisation clock" $(($(tx wire_waits) - w0)) 50
nt_ge "time BQL-limited is counted" $(($(tx bql_limited_us) - b0)) 1

# Refusals: the kernel's policy ranges, named by nettune (exit 1), and
# words that are not values (exit 2).
nt_check_fails "rate below 100kbit refused" 1 "wire rate must be 0 .unlimited. or between 100 kbit/s" \
	nta vnic set va rate 50kbit
nt_check_fails "rate above 100gbit refused with the range" 1 "rate \(bit/s\): .*out of range.*allowed 0\.\.100000000000" \
	nta vnic set va rate 200gbit
nt_check_fails "delay above 1 s refused with the range" 1 "delay \(microseconds\): .*out of range.*allowed 0\.\.1000000" \
	nta vnic set va delay 2s
nt_check_fails "loss above 100% refused with the range" 1 "loss \(frames per million\): .*allowed 0\.\.1000000" \
	nta vnic set va loss 150%
nt_check_fails "loss without a percent sign is a usage error" 2 "give a percentage" \
	nta vnic set va loss 0.5
nt_eq "a refused value changed nothing" 8000000 "$(nta --json vnic show va | json 'd["wire"]["rate_bps"]')"

# Unload safety: a slow, long wire full of frames, then the pair goes.
nta vnic set va rate 1mbit delay 300ms >/dev/null
ip netns exec "$NS_a" python3 -S -E "$VNIC_DIR/udp_flows.py" 10.0.0.1 10.0.0.2 9000 40001:200
nt_check "the pair goes with frames in flight and timers armed" ip -n "$NS_a" link del va
nt_done
