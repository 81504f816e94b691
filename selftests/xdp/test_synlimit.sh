#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nettune xdp synlimit: a flood of raw SYNs from 10.20.0.66 is held to its
# token bucket (burst + rate x duration pass, the rest is dropped and
# counted), while a legitimate client on 10.20.0.1 completes every connect
# during the flood, each within 0.9 s (a dropped SYN would retransmit only
# after 1 s). `synlimit off` stops the dropping.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/xdp_lib.sh"
nt_require_cmds ip jq python3
nt_plan 11

xdp_veth_setup || nt_skip_all "cannot create the veth pair"
nt_defer "$NETTUNE" -n "$NS_b" xdp detach vb
xdp_listen "$NS_b" 10.20.0.2 8080 || nt_skip_all "listener did not start"

RATE=10 BURST=8
nt_check "attach vb" nt_b xdp attach vb mode native
nt_check "synlimit $RATE/s burst $BURST" nt_b xdp synlimit $RATE/s burst $BURST
nt_eq "show --json has the limit" "$RATE $BURST" \
	"$(nt_b -j xdp show | jq -r '"\(.[0].rules.synlimit.rate) \(.[0].rules.synlimit.burst)"')"

# One process: the flood (3 s) in a child, the client's connects 0.5 s
# into it; that they fell inside the flood is checked with both windows.
out=$(xdp_send bg synflood 10.20.0.66 10.20.0.2 8080 3 sleep 0.5 connect 10.20.0.1 10.20.0.2 8080 5 0.9)
read -r _ FLOOD _ elapsed _ f0 f1 <<<"$(echo $(grep ^syn_ <<<"$out"))"
read -r _ connected _ c0 c1 <<<"$(echo $(grep ^connect <<<"$out"))"
xdp_wait_total $((FLOOD + 5))
dropped=$(xdp_reason synlimit)
# What the bucket can let through: a full bucket plus rate x duration, and
# 2 for the rounding of elapsed and the possible lost update (see the program).
allowed=$(awk -v b=$BURST -v r=$RATE -v e="$elapsed" 'BEGIN { printf "%d", b + r * e + 2 }')
nt_log "flood: $FLOOD SYNs in ${elapsed}s, $dropped dropped, at most $allowed may pass"
nt_eq "legitimate client: 5 of 5 connects" 5 "$connected"
nt_check "the connects ran during the flood ($c0-$c1 in $f0-$f1)" \
	awk -v c0="$c0" -v c1="$c1" -v f0="$f0" -v f1="$f1" 'BEGIN { exit !(c0 > f0 && c1 < f1) }'
nt_le "synlimit dropped no more than the flood" "$dropped" $FLOOD
nt_ge "synlimit dropped all but the bucket's worth" "$dropped" $((FLOOD - allowed))
show=$(nt_b xdp show)
nt_check "show: synlimit tracks 2 sources, hits = dropped" grep -Eq "synlimit $RATE/s burst $BURST \(2 sources\) +$dropped\$" <<<"$show"

nt_check "synlimit off" nt_b xdp synlimit off
t0=$(xdp_total)
xdp_send syn 10.20.0.66 10.20.0.2 8080 50 >/dev/null
xdp_wait_total $((t0 + 50))
nt_eq "after synlimit off: nothing more dropped" "$dropped" "$(xdp_reason synlimit)"
nt_check "show: no synlimit" bash -c "! \"$NETTUNE\" -n $NS_b xdp show | grep -q synlimit"
nt_done
