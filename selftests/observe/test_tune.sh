#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nettune tune bdp/audit --apply write the sysctls they advise, in a
# network namespace where the sysctl is per namespace (tcp_rmem, tcp_wmem,
# tcp_mtu_probing, tcp_max_syn_backlog) without touching the initial
# namespace's; global sysctls seen from a namespace (rmem_max is not
# shown there on 6.1 and read-only on 6.12, nf_conntrack_max is
# read-only) are left alone and said so;
# in the initial namespace rmem_max/wmem_max are written (restored on
# exit). A value the kernel cannot take is refused with exit 1 and nothing
# written; a rate without a unit is a usage error (exit 2).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/observe_lib.sh"
nt_require_cmds jq iptables
nt_plan 14

nt_netns_new q
ns_sysctl() { ip netns exec "$NS_q" sysctl -n "$1" | tr -s '\t ' ' '; }
init_rmem=$(sysctl -n net.ipv4.tcp_rmem | tr -s '\t ' ' ')
init_rmem_max=$(sysctl -n net.core.rmem_max)

# 1 Gbit/s x 100 ms: BDP 12.5 MB, buffers of 24 MiB
"$NETTUNE" -n "$NS_q" --json tune bdp --rate 1gbit --rtt 100ms --apply >"$OBS_OUT/bdp.json"
rcv=$(jq .rcvbuf_bytes "$OBS_OUT/bdp.json")
snd=$(jq .sndbuf_bytes "$OBS_OUT/bdp.json")
nt_log "applied: $(jq -c .applied "$OBS_OUT/bdp.json")"
nt_eq "bdp --apply: tcp_rmem's max is the receive buffer ($rcv)" "$rcv" "$(ns_sysctl net.ipv4.tcp_rmem | awk '{ print $3 }')"
nt_eq "bdp --apply: tcp_wmem's max is the send buffer ($snd)" "$snd" "$(ns_sysctl net.ipv4.tcp_wmem | awk '{ print $3 }')"
nt_eq "bdp --apply: tcp_rmem's min and default kept" "$(echo "$init_rmem" | awk '{ print $1, $2 }')" \
	"$(ns_sysctl net.ipv4.tcp_rmem | awk '{ print $1, $2 }')"
nt_eq "bdp --apply in a namespace: the initial namespace's tcp_rmem untouched" "$init_rmem" \
	"$(sysctl -n net.ipv4.tcp_rmem | tr -s '\t ' ' ')"
# rmem_max is global: 6.1 does not show it in a namespace, 6.12 shows it
# read-only there. Either way nettune says so and writes nothing.
if ip netns exec "$NS_q" test -e /proc/sys/net/core/rmem_max; then
	rmem_max_status=read-only
else
	rmem_max_status=unavailable
fi
nt_eq "bdp in a namespace: rmem_max (global) $rmem_max_status there, not written" \
	"$rmem_max_status $init_rmem_max" \
	"$(jq -r '.items[] | select(.sysctl == "net.core.rmem_max") | .status' "$OBS_OUT/bdp.json") $(sysctl -n net.core.rmem_max)"
nt_eq "bdp --apply again: nothing left to apply" "[]" \
	"$("$NETTUNE" -n "$NS_q" --json tune bdp --rate 1gbit --rtt 100ms --apply | jq -c .applied)"

before=$(ns_sysctl net.ipv4.tcp_rmem)
nt_check_fails "bdp --apply of a 2.5 TB buffer is refused (exit 1), naming tcp_rmem" 1 \
	"nothing applied: net.ipv4.tcp_rmem: [0-9]+ is above the largest value the kernel takes" \
	"$NETTUNE" -n "$NS_q" tune bdp --rate 10tbit --rtt 1s --apply
nt_eq "... and nothing was written" "$before" "$(ns_sysctl net.ipv4.tcp_rmem)"
nt_check_fails "bdp --rate without a unit is a usage error (exit 2)" 2 "rate '10': give a unit" \
	"$NETTUNE" tune bdp --rate 10 --rtt 1ms --apply

# audit in the namespace, conntrack loaded there (its max is read-only)
ip netns exec "$NS_q" iptables -A INPUT -m conntrack --ctstate NEW -j ACCEPT
ip netns exec "$NS_q" sysctl -qw net.ipv4.tcp_mtu_probing=0
# a global nf_conntrack_max the audit finds small (restored on exit)
[ "$(sysctl -n net.netfilter.nf_conntrack_max)" -lt 65536 ] || obs_sysctl net.netfilter.nf_conntrack_max 16384
init_ct_max=$(sysctl -n net.netfilter.nf_conntrack_max)
"$NETTUNE" -n "$NS_q" --json tune audit --apply >"$OBS_OUT/audit.json"
nt_log "audit applied: $(jq -c .applied "$OBS_OUT/audit.json")"
nt_check "audit --apply: tcp_mtu_probing = 1 applied" \
	bash -c "jq -e '.applied | index(\"net.ipv4.tcp_mtu_probing = 1\")' $OBS_OUT/audit.json"
wrong=$(jq -r '.items[] | select(.status == "change") | "\(.sysctl) \(.advised)"' "$OBS_OUT/audit.json" |
	while read -r name value; do
		[ "$(ns_sysctl "$name")" = "$value" ] || echo "$name is '$(ns_sysctl "$name")', not '$value'"
	done)
nt_eq "audit --apply: every 'change' item now has its advised value in the namespace" "" "$wrong"
nt_eq "audit --apply: nothing left to change" "" \
	"$("$NETTUNE" -n "$NS_q" --json tune audit | jq -r '.items[] | select(.status == "change") | .sysctl')"
if [ "$init_ct_max" -lt 65536 ]; then
	nt_eq "audit in a namespace: nf_conntrack_max read-only, the global one untouched" \
		"read-only $init_ct_max" \
		"$(jq -r '.items[] | select(.sysctl == "net.netfilter.nf_conntrack_max") | .status' "$OBS_OUT/audit.json") $(sysctl -n net.netfilter.nf_conntrack_max)"
else
	nt_skip "audit in a namespace: nf_conntrack_max read-only" "nf_conntrack_max is $init_ct_max already"
fi

# the initial namespace: global rmem_max/wmem_max written, restored on exit
nt_defer sysctl -qw "net.core.rmem_max=$init_rmem_max"
nt_defer sysctl -qw "net.core.wmem_max=$(sysctl -n net.core.wmem_max)"
nt_defer sysctl -qw "net.ipv4.tcp_rmem=\"$init_rmem\""
nt_defer sysctl -qw "net.ipv4.tcp_wmem=\"$(sysctl -n net.ipv4.tcp_wmem | tr -s '\t ' ' ')\""
"$NETTUNE" --json tune bdp --rate 1gbit --rtt 100ms --apply >"$OBS_OUT/bdp-init.json"
nt_eq "bdp --apply in the initial namespace: rmem_max and wmem_max written" "$rcv $snd" \
	"$(sysctl -n net.core.rmem_max) $(sysctl -n net.core.wmem_max)"
nt_done
