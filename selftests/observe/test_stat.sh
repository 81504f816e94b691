#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nettune stat reads the same numbers as nstat -az, ethtool -S and
# conntrack -S, in one run on a quiet namespace after some traffic: every
# MIB counter both print, every ethtool -S counter of an ntvnic port (per
# queue and device-wide), conntrack's per-CPU statistics and count. The
# views (softnet, irq, dev, sockets) and --watch work; bad patterns are
# usage errors.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../vnic/vnic_lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool nstat conntrack iptables jq
nt_plan 14

vnic_quiet_pair 2
# conntrack in b, so that its statistics have something to count
ip netns exec "$NS_b" iptables -A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT ||
	nt_skip_all "iptables conntrack match unavailable"
ip netns exec "$NS_a" ping -c 5 -i 0.1 -q 10.0.0.2 >/dev/null

# Every counter both print, compared (nstat -s: no history update).
ip netns exec "$NS_b" nstat -azs | awk 'NR > 1 { print $1, $2 }' | sort >"$OBS_OUT/nstat"
"$NETTUNE" -n "$NS_b" stat -z --json | jq -r '.counters[] | "\(.name) \(.value)"' | sort >"$OBS_OUT/mine"
common=$(join "$OBS_OUT/nstat" "$OBS_OUT/mine" | wc -l)
differ=$(join "$OBS_OUT/nstat" "$OBS_OUT/mine" | awk '$2 != $3' | head -5)
nt_ge "stat and nstat -az share the counters ($common)" "$common" 200
nt_eq "every shared counter has the same value" "" "$differ"
nt_eq "IcmpInEchos is 5 in both" 5 "$(jq -r '.counters[] | select(.name == "IcmpInEchos") | .value' <("$NETTUNE" -n "$NS_b" stat --json IcmpInEchos))"

# every ethtool -S counter: rx_queue_N_X / tx_queue_N_X per queue, the rest device-wide
ip netns exec "$NS_b" ethtool -S vb | awk -F': *' 'NR > 1 {
	sub(/^ +/, "", $1)
	if (match($1, /^(rx|tx)_queue_[0-9]+_/)) {
		split($1, w, "_"); k = substr($1, RLENGTH + 1); print w[1], w[3], k, $2
	} else print "dev", $1, $2 }' | sort >"$OBS_OUT/ethtool"
"$NETTUNE" -n "$NS_b" stat dev vb --json | jq -r '
	(.receive[] | . as $r | del(.queue) | to_entries[] | "rx \($r.queue) \(.key) \(.value)"),
	(.transmit[] | . as $r | del(.queue) | to_entries[] | "tx \($r.queue) \(.key) \(.value)"),
	(.device // [] | .[] | "dev \(.counter) \(.value)")' | sort >"$OBS_OUT/statdev"
nt_ge "ethtool -S vb has counters ($(wc -l <"$OBS_OUT/ethtool"))" "$(wc -l <"$OBS_OUT/ethtool")" 20
nt_eq "stat dev vb == ethtool -S vb, every counter" "" "$(diff "$OBS_OUT/ethtool" "$OBS_OUT/statdev" | head -5)"
nt_eq "rx_queue_0/1_packets add up to the 5 echo requests" 5 \
	"$(awk '$1 == "rx" && $3 == "packets" { s += $4 } END { print s }' "$OBS_OUT/statdev")"

# conntrack -S and conntrack -C (names differ: error=icmp_error,
# clash_resolve=clashres, chaintoolong=chainlength)
mine=$("$NETTUNE" -n "$NS_b" stat conntrack --json | jq -r '.per_cpu[] | "\(.cpu) \(.found) \(.invalid) \(.insert) \(.insert_failed) \(.drop) \(.early_drop) \(.icmp_error) \(.search_restart)"')
theirs=$(ip netns exec "$NS_b" conntrack -S | sed 's/=/ /g' | awk '{ print $2, $4, $6, $8, $10, $12, $14, $16, $18 }')
nt_eq "stat conntrack per-CPU counters == conntrack -S" "$theirs" "$mine"
nt_eq "stat conntrack count == conntrack -C (the ping's entry)" "$(ip netns exec "$NS_b" conntrack -C)" \
	"$("$NETTUNE" -n "$NS_b" stat conntrack --json | jq '.table[0].count')"

cpus=$(grep -c . /proc/net/softnet_stat)
nt_eq "stat softnet has one row per CPU" "$cpus" "$("$NETTUNE" stat softnet --json | jq '.softnet | length')"
nt_eq "stat irq vb finds vb-rx-0, vb-rx-1 and their TX IRQs" 4 "$("$NETTUNE" stat irq vb --json | jq '[.interrupts[] | select(.irq | test("vb-"))] | length')"
nt_check_fails "stat irq of a device without IRQs says so" 1 "no interrupt named" "$NETTUNE" stat irq nosuchdev
nt_check "stat sockets reads sockstat" bash -c "'$NETTUNE' stat sockets --json | jq -e '.sockstat | map(.proto) | index(\"TCP\")'"
nt_check_fails "an unknown counter pattern is a usage error" 2 "no counter matches" "$NETTUNE" stat 'NoSuchCounter*'
# (until 2 lines came, or 60 s: its start alone took 4 s on a loaded host)
n=$(timeout -s INT 60 "$NETTUNE" -n "$NS_b" stat --watch 0.5 --json -z "Ip*" | head -n 2 | wc -l)
nt_eq "stat --watch 0.5 prints a line each interval" 2 "$n"
nt_done
