#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): UDP packets per second delivered through a network
# namespace where conntrack is active, with
#   a  no bypass
#   b  iptables -t raw ... -j CT --notrack   (iptables-nft, Debian's default)
#   bl the same rules with iptables-legacy  (classic x_tables walk)
#   c  nft ... notrack, one rule per port
#   cs nft, one rule with an anonymous set of all the ports (not in the
#      default VARIANTS: the idiomatic nft form, O(1) too)
#   d  ntbypass (nettune bypass load)
# each with 1, 100 and 1000 rules where the matching rule is the last one.
#
# Run in the VM, all variants side by side, interleaved: every configuration
# once per round, in a new random order each round, each measurement right
# after a measurement of (a) that serves as its reference, so that load from
# other VMs on the host hits every variant alike:
#
#   scripts/vm-run --modules ntbypass --timeout 2000 -- scripts/bench/bypass.sh
#
# (the default 4 rounds took 24 min under TCG on the shared build host)
#
# Topology, one for the whole run: netns A --veth--> netns B. The
# kernel's pktgen in A sends 64-byte UDP packets to B (dport 9, 1000 source
# ports, so conntrack holds ~1000 flows in case a); B has no socket on port
# 9, so each packet that crosses PRE_ROUTING, conntrack and INPUT ends in
# B's "Udp: NoPorts" counter, which is what we count (no extra rule on the
# path; its ICMP port-unreachable replies are rate-limited by the kernel).
# B's conntrack is active through an nft "ct state" rule, present in
# every variant, which also counts untracked packets (the proof that a
# bypass variant did bypass). Each measurement installs its rule set in B,
# runs pktgen (1 s warm-up, then SECONDS_PER_RUN counted), and removes the
# rule set again.
#
# Environment: REPS (default 4), SECONDS_PER_RUN (default 2), RULES
# (default "1 100 1000"), VARIANTS (default "a b bl c d"; a is measured
# anyway, as every pair's reference). Results: a CSV of
# every measurement and a markdown summary on stdout, both also written to
# $NTVM_OUT (when vm-run provides it) as bench-bypass.{csv,md}.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
NETTUNE=${NETTUNE:-$top/build/tools/nettune}
REPS=${REPS:-4}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-2}
RULES=${RULES:-"1 100 1000"}
VARIANTS=${VARIANTS:-"a b bl c d"}
OUT=${NTVM_OUT:-$(mktemp -d)}
CSV=$OUT/bench-bypass.csv
MATCH_PORT=9
SRC_PORT_MIN=10000
SRC_PORT_MAX=10999
FILLER_PORT_BASE=20000

work=$(mktemp -d)
pktgen_pid=""
cleanup() {
	[ -n "$pktgen_pid" ] && stop_pktgen 2>/dev/null
	ip netns del bA 2>/dev/null
	ip netns del bB 2>/dev/null
	rm -rf "$work"
}
trap 'cleanup || true' EXIT

inA() { ip netns exec bA "$@"; }
inB() { ip netns exec bB "$@"; }

# --- topology ---------------------------------------------------------------

make_namespaces() {
	ip netns add bA
	ip netns add bB
	ip link add vA netns bA type veth peer name vB netns bB
	inA ip addr add 10.77.0.1/24 dev vA
	inB ip addr add 10.77.0.2/24 dev vB
	inA ip link set vA up
	inB ip link set vB up
	inA ip link set lo up
	inB ip link set lo up
	# conntrack active in B: a ct expression registers its hooks there;
	# the counter tells how many packets arrived untracked
	inB nft -f - <<-EOF
		table inet ctbench {
			chain in {
				type filter hook input priority 0; policy accept;
				ct state invalid drop
				ct state untracked counter
			}
		}
	EOF
}

# --- the rule sets ------------------------------------------------------------

filler_ports() { # N-1 ports that the traffic never uses
	local n=$1 i
	for ((i = 0; i < n - 1; i++)); do echo $((FILLER_PORT_BASE + i)); done
}

setup_iptables() { # $1 = iptables-nft-restore or iptables-legacy-restore, $2 = N
	{
		echo '*raw'
		echo ':PREROUTING ACCEPT [0:0]'
		echo ':OUTPUT ACCEPT [0:0]'
		for p in $(filler_ports "$2"); do
			echo "-A PREROUTING -p udp -m udp --dport $p -j CT --notrack"
		done
		echo "-A PREROUTING -p udp -m udp --dport $MATCH_PORT -j CT --notrack"
		echo 'COMMIT'
	} >"$work/raw.rules"
	inB "$1" <"$work/raw.rules"
}

setup_nft() {
	{
		echo 'table ip rawbench {'
		echo '  chain pre {'
		echo '    type filter hook prerouting priority raw; policy accept;'
		for p in $(filler_ports "$1"); do echo "    udp dport $p notrack"; done
		echo "    udp dport $MATCH_PORT notrack"
		echo '  }'
		echo '}'
	} >"$work/raw.nft"
	inB nft -f "$work/raw.nft"
}

setup_nft_set() {
	local ports
	ports=$( (filler_ports "$1"; echo $MATCH_PORT) | paste -sd, -)
	inB nft -f - <<-EOF
		table ip rawbench {
			chain pre {
				type filter hook prerouting priority raw; policy accept;
				udp dport { $ports } notrack
			}
		}
	EOF
}

setup_ntbypass() {
	{
		for p in $(filler_ports "$1"); do echo "proto udp dport $p"; done
		echo "proto udp dport $MATCH_PORT"
	} >"$work/bypass.rules"
	inB "$NETTUNE" bypass load "$work/bypass.rules" >/dev/null
}

setup_variant() { # variant N
	case $1 in
	a) ;;
	b) setup_iptables iptables-nft-restore "$2" ;;
	bl) setup_iptables iptables-legacy-restore "$2" ;;
	c) setup_nft "$2" ;;
	cs) setup_nft_set "$2" ;;
	d) setup_ntbypass "$2" ;;
	*) echo "unknown variant $1" >&2; return 1 ;;
	esac
}

teardown_variant() { # variant: back to "no rules, no raw table"
	case $1 in
	a) ;;
	b) inB nft delete table ip raw ;;
	bl) inB iptables-legacy -t raw -F ;; # the (empty) table stays, see main
	c | cs) inB nft delete table ip rawbench ;;
	d) inB "$NETTUNE" bypass flush ;;
	esac
}

# --- traffic and counting -----------------------------------------------------

setup_pktgen() { # one shell in A for all of pktgen's settings
	local mac
	mac=$(inB cat /sys/class/net/vB/address)
	inA sh -e -c "cd /proc/net/pktgen
		echo rem_device_all > kpktgend_0
		echo add_device vA > kpktgend_0
		for c in 'count 0' 'clone_skb 0' 'pkt_size 64' 'delay 0' 'dst 10.77.0.2' \\
			'dst_mac $mac' 'udp_dst_min $MATCH_PORT' 'udp_dst_max $MATCH_PORT' \\
			'udp_src_min $SRC_PORT_MIN' 'udp_src_max $SRC_PORT_MAX'; do
			echo \"\$c\" > vA
		done"
}

start_pktgen() {
	inA sh -c 'echo start > /proc/net/pktgen/pgctrl' &
	pktgen_pid=$!
}

stop_pktgen() {
	inA sh -c 'echo stop > /proc/net/pktgen/pgctrl'
	wait "$pktgen_pid" 2>/dev/null || true
	pktgen_pid=""
}

udp_noports_awk='/^Udp:/ { if (h) { print $3; exit } h = 1 }'

# "time delivered" in B: Udp NoPorts counts the packets that crossed the
# whole receive path (PRE_ROUTING, conntrack, INPUT) to UDP; the time is
# taken right before reading it.
delivered_B() {
	inB sh -c "date +%s.%N; awk '$udp_noports_awk' /proc/net/snmp" | tr '\n' ' '
}

# "delivered untracked" totals in B (read while no traffic flows), to check
# that a bypass variant untracked what it delivered.
totals_B() {
	inB sh -c "awk '$udp_noports_awk' /proc/net/snmp
		nft list chain inet ctbench in |
			awk '/untracked counter/ { for (i = 1; i < NF; i++) if (\$i == \"packets\") print \$(i + 1) }'" |
		tr '\n' ' '
}

sent_count() {
	inA awk '/pkts-sofar/ { print $2 }' /proc/net/pktgen/vA
}

# One measurement: prints "delivered_pps,sent_pps,untracked_share".
measure() {
	local v=$1 n=$2 before after s0 s1 t0 t1
	setup_variant "$v" "$n"
	t0=$(totals_B)
	start_pktgen
	sleep 1 # warm-up: conntrack (re)learns the 1000 flows in case a
	s0=$(sent_count)
	before=$(delivered_B)
	sleep "$SECONDS_PER_RUN"
	after=$(delivered_B)
	s1=$(sent_count)
	stop_pktgen
	t1=$(totals_B)
	teardown_variant "$v"
	echo "$before $after $s0 $s1 $t0 $t1" | awk '{
		t = $3 - $1; d = $4 - $2; s = $6 - $5; dd = $9 - $7; du = $10 - $8
		printf "%.0f,%.0f,%.3f\n", d / t, s / t, (dd > 0 ? du / dd : 0) }'
}

# --- main ---------------------------------------------------------------------

modprobe nf_conntrack
modprobe pktgen
[ -e /sys/module/ntbypass ] || { echo "bypass.sh: ntbypass not loaded (vm-run --modules ntbypass)" >&2; exit 1; }
for v in $VARIANTS; do
	[ "$v" = bl ] && ! command -v iptables-legacy-restore >/dev/null && { echo "no iptables-legacy" >&2; exit 1; }
done

configs=()
for v in $VARIANTS; do
	[ "$v" = a ] && continue
	for n in $RULES; do configs+=("$v $n"); done
done

make_namespaces
setup_pktgen
# iptables-legacy's raw table cannot be removed once made: make it (empty)
# before the first measurement so that every variant pays for it alike.
case " $VARIANTS " in *" bl "*) inB iptables-legacy -t raw -L >/dev/null ;; esac

# Paired design: every measurement of a configuration comes right after a
# measurement of (a), and its ratio to that (a) is what the summary uses:
# host load drifts over tens of seconds, and a pair takes about ten.
echo "variant,rules,rep,delivered_pps,sent_pps,untracked_share,baseline_pps" >"$CSV"
for ((rep = 1; rep <= REPS; rep++)); do
	# a new random order each round, so that nothing systematically runs
	# after the same neighbour
	mapfile -t order < <(printf '%s\n' "${configs[@]}" | shuf)
	for c in "${order[@]}"; do
		set -- $c
		base=$(measure a 0)
		echo "a,0,$rep,$base,${base%%,*}" | tee -a "$CSV"
		echo "$1,$2,$rep,$(measure "$1" "$2"),${base%%,*}" | tee -a "$CSV"
	done
done

python3 - "$CSV" <<'EOF' | tee "$OUT/bench-bypass.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
names = {"a": "no bypass", "b": "iptables raw CT --notrack (iptables-nft)",
         "bl": "iptables raw CT --notrack (iptables-legacy)",
         "c": "nft notrack, one rule per port",
         "cs": "nft notrack, one rule with a port set", "d": "ntbypass"}
groups = {}
for r in rows:
    groups.setdefault((r["variant"], int(r["rules"])), []).append(r)
def med(key, f):
    return statistics.median(f(r) for r in groups[key])
pps = lambda r: float(r["delivered_pps"])
rel = lambda r: float(r["delivered_pps"]) / float(r["baseline_pps"])
order = sorted(groups, key=lambda k: (list(names).index(k[0]), k[1]))
print(f"{len(rows)} measurements, {max(int(r['rep']) for r in rows)} rounds\n")
print("| variant | rules | n | delivered pps, median | min - max | ratio to (a) in its pair, median |")
print("|---|---:|---:|---:|---:|---:|")
for k in order:
    v = [pps(r) for r in groups[k]]
    ratio = "1 (reference)" if k[0] == "a" else f"{med(k, rel):.2f}"
    print(f"| {k[0]}: {names[k[0]]} | {k[1] or '-'} | {len(v)} | {med(k, pps):.0f} | "
          f"{min(v):.0f} - {max(v):.0f} | {ratio} |")
print()
print("Untracked share (packets counted by the `ct state untracked` rule / packets delivered):",
      ", ".join(f"{k[0]}@{k[1]} {med(k, lambda r: float(r['untracked_share'])):.2f}" for k in order))
print()
ns = sorted({k[1] for k in groups if k[0] == "d"})
print("Ratios of the paired medians (ratio-to-(a) of one configuration over another's):\n")
print("| rules | d / b | d / bl | d / c | d / cs | d@N / d@1 | b@N / b@1 | c@N / c@1 |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
def q(x, y):
    return f"{med(x, rel) / med(y, rel):.2f}" if x in groups and y in groups else "-"
for n in ns:
    print(f"| {n} | {q(('d', n), ('b', n))} | {q(('d', n), ('bl', n))} | {q(('d', n), ('c', n))} | "
          f"{q(('d', n), ('cs', n))} | "
          f"{q(('d', n), ('d', ns[0]))} | {q(('b', n), ('b', ns[0]))} | {q(('c', n), ('c', ns[0]))} |")
EOF
