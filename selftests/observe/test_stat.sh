#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nettune stat reads the same numbers as nstat -az, ethtool -S and the
# kernel's files, in one run on a quiet namespace after some traffic; the
# views (softnet, irq, dev, sockets) and --watch work; bad patterns are
# usage errors.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../vnic/vnic_lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool nstat jq
nt_plan 10

vnic_quiet_pair 2
ip netns exec "$NS_a" ping -c 5 -i 0.1 -q 10.0.0.2 >/dev/null

# Every counter both print, compared (nstat -s: no history update).
ip netns exec "$NS_b" nstat -azs | awk 'NR > 1 { print $1, $2 }' | sort >"$OBS_OUT/nstat"
"$NETTUNE" -n "$NS_b" stat -z --json | jq -r '.counters[] | "\(.name) \(.value)"' | sort >"$OBS_OUT/mine"
common=$(join "$OBS_OUT/nstat" "$OBS_OUT/mine" | wc -l)
differ=$(join "$OBS_OUT/nstat" "$OBS_OUT/mine" | awk '$2 != $3' | head -5)
nt_ge "stat and nstat -az share the counters ($common)" "$common" 200
nt_eq "every shared counter has the same value" "" "$differ"
nt_eq "IcmpInEchos is 5 in both" 5 "$(jq -r '.counters[] | select(.name == "IcmpInEchos") | .value' <("$NETTUNE" -n "$NS_b" stat --json IcmpInEchos))"

ethtool_s=$(ip netns exec "$NS_b" ethtool -S vb | awk -F': *' '/rx_queue_[0-9]+_packets/ { sub(/^ +/, "", $1); print $1, $2 }')
mine=$("$NETTUNE" -n "$NS_b" stat dev vb --json | jq -r '.receive[] | "rx_queue_\(.queue)_packets \(.packets)"')
nt_eq "stat dev vb per-queue packets == ethtool -S" "$ethtool_s" "$mine"

cpus=$(grep -c . /proc/net/softnet_stat)
nt_eq "stat softnet has one row per CPU" "$cpus" "$("$NETTUNE" stat softnet --json | jq '.softnet | length')"
nt_eq "stat irq vb finds vb-rx-0, vb-rx-1 and their TX IRQs" 4 "$("$NETTUNE" stat irq vb --json | jq '[.interrupts[] | select(.irq | test("vb-"))] | length')"
nt_check_fails "stat irq of a device without IRQs says so" 1 "no interrupt named" "$NETTUNE" stat irq nosuchdev
nt_check "stat sockets reads sockstat" bash -c "'$NETTUNE' stat sockets --json | jq -e '.sockstat | map(.proto) | index(\"TCP\")'"
nt_check_fails "an unknown counter pattern is a usage error" 2 "no counter matches" "$NETTUNE" stat 'NoSuchCounter*'
n=$(timeout -s INT 5 "$NETTUNE" -n "$NS_b" stat --watch 0.5 --json -z "Ip*" | wc -l)
nt_ge "stat --watch 0.5 prints a line each interval until interrupted ($n)" "$n" 2
nt_done
