#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# RSS and ethtool -X: changing the indirection table (weight, equal) or
# the key (hkey) moves 32 UDP flows exactly as the reference Toeplitz hash
# predicts from the new table/key; ethtool -n shows the hashed fields.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vnic_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ethtool python3
here=$(cd "$(dirname "$0")" && pwd)
nt_plan 6

NQ=4
# 32 flows with scattered source ports; flow i sends 1 + i % 7 datagrams,
# so per-queue totals depend on which flow went where, not only how many.
RANDOM=3
SPORTS=$(for i in $(seq 32); do echo $((10000 + RANDOM % 50000)); done | sort -un | head -32 | tr '\n' ' ')
FLOWS=$(i=0; for p in $SPORTS; do printf '%s:%d ' "$p" $((1 + i % 7)); i=$((i + 1)); done)
TOTAL=$(i=0; t=0; for p in $SPORTS; do t=$((t + 1 + i % 7)); i=$((i + 1)); done; echo $t)
nt_netns_new a b
for ns in "$NS_a" "$NS_b"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
vnic_pair_ns va "$NS_a" vb "$NS_b" $NQ 2>/dev/null
# No ARP, IPv6 or ICMP noise: only our datagrams reach vb.
mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }
ip -n "$NS_a" neigh replace 10.0.0.2 lladdr "$(mac "$NS_b" vb)" dev va nud permanent
ip -n "$NS_b" neigh replace 10.0.0.1 lladdr "$(mac "$NS_a" va)" dev vb nud permanent
# Port unreachable errors go from vb to va: they do not touch vb's counters.

# queue_counts: rx_queue_N_packets of vb, space separated.
queue_counts() {
	ip netns exec "$NS_b" ethtool -S vb |
		awk -v n=$NQ '{ for (q = 0; q < n; q++) if ($1 == "rx_queue_" q "_packets:") c[q] = $2 }
			END { for (q = 0; q < n; q++) printf "%d ", c[q]; print "" }'
}

# expected: per-queue packet counts the reference hash predicts for FLOWS.
expected() {
	# shellcheck disable=SC2086
	ip netns exec "$NS_b" python3 "$here/toeplitz.py" vb 10.0.0.1 10.0.0.2 udp $SPORTS --dport 9000 |
		awk -v n=$NQ '{ c[$2] += 1 + (NR - 1) % 7 } END { for (q = 0; q < n; q++) printf "%d ", c[q] + 0; print "" }'
}

# run_flows: send FLOWS, print per-queue deltas.
run_flows() {
	local before after q out=""
	read -ra before <<<"$(queue_counts)"
	# shellcheck disable=SC2086
	ip netns exec "$NS_a" python3 "$here/udp_flows.py" 10.0.0.1 10.0.0.2 9000 $FLOWS
	sleep 0.5
	read -ra after <<<"$(queue_counts)"
	for ((q = 0; q < NQ; q++)); do out+="$((after[q] - before[q])) "; done
	echo "$out"
}

ip netns exec "$NS_b" ethtool -X vb weight 1 0 0 3
want=$(expected)
got=$(run_flows)
nt_log "weight 1 0 0 3: expected: $want  received: $got"
nt_eq "ethtool -X weight 1 0 0 3 moves flows as predicted" "$want" "$got"
read -ra g <<<"$got"
nt_eq "queues 1 and 2 get nothing with weight 1 0 0 3" "0 0" "${g[1]} ${g[2]}"

ip netns exec "$NS_b" ethtool -X vb equal 2
want=$(expected)
got=$(run_flows)
nt_log "equal 2: expected: $want  received: $got"
nt_eq "ethtool -X equal 2 moves flows as predicted" "$want" "$got"

key=$(for i in $(seq 40); do printf '%02x\n' $((RANDOM % 256)); done | paste -sd:)
ip netns exec "$NS_b" ethtool -X vb equal 4 hkey "$key"
nt_check "ethtool -x shows the new key" bash -c "ip netns exec $NS_b ethtool -x vb | grep -qi '$key'"
want=$(expected)
got=$(run_flows)
nt_log "new key: expected: $want  received: $got"
nt_eq "ethtool -X hkey: flows follow the new key as predicted" "$want" "$got"

nt_check "ethtool -n reports the L4 4-tuple hashed for UDP/IPv4" bash -c \
	"ip netns exec $NS_b ethtool -n vb rx-flow-hash udp4 | grep -q 'L4 bytes 0 & 1'"
nt_done
