#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark: tcp_ntcubic against the kernel's cubic and bbr over the same
# emulated path, in one VM run, repetitions interleaved (cubic, bbr,
# ntcubic, cubic, ...) so that drift in the shared, emulated machine hits
# all three alike. Reports mean throughput, retransmissions and RTT per
# algorithm and the ratio to cubic, and writes Documentation/bench-cc.md.
#
#   scripts/bench/cc.sh [REPS] [SECONDS]      (default 5 reps of 8 s)
#
# On the host it boots the VM (scripts/vm-run) and runs itself inside.
set -u
top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
reps=${1:-5}
secs=${2:-8}
path_desc="sender -- router (tbf rate 10mbit burst 10000 limit 100000; netem delay 40ms on the ACK path) -- receiver, veth"

if [ -z "${NTVM_OUT:-}" ]; then
	out=$(mktemp -d /tmp/nt-bench-cc.XXXXXX)
	"$top/scripts/vm-run" --modules tcp_ntcubic --timeout 1500 --out "$out" -- \
		"$top/scripts/bench/cc.sh" "$reps" "$secs" || exit 1
	[ -s "$out/bench-cc.tsv" ] || { echo "bench: no results" >&2; exit 1; }
	awk -F'\t' -v reps="$reps" -v secs="$secs" -v path="$path_desc" -v cmd="scripts/bench/cc.sh $reps $secs" '
	{ n[$1]++; mb[$1] += $3; rt[$1] += $4; rtt[$1] += $5; all[$1] = all[$1] sprintf(" %.2f", $3) }
	END {
		print "# Benchmark: tcp_ntcubic vs the kernel'"'"'s cubic and bbr"
		print ""
		print "Command: `" cmd "` (host; boots the VM and runs the same script inside)."
		print ""
		print "Path: " path ". " reps " runs of " secs " s per algorithm, interleaved, one VM run (TCG, 2 vCPUs, shared host)."
		print ""
		print "| algorithm | Mbit/s (mean) | runs | retransmits (mean) | RTT ms (mean) | throughput / cubic |"
		print "|---|---|---|---|---|---|"
		split("cubic bbr ntcubic", order, " ")
		for (i = 1; i <= 3; i++) {
			a = order[i]
			if (!n[a]) continue
			printf "| %s | %.2f | %s | %.1f | %.1f | %.3f |\n", a, mb[a] / n[a], all[a], rt[a] / n[a], rtt[a] / n[a], (mb[a] / n[a]) / (mb["cubic"] / n["cubic"])
		}
	}' "$out/bench-cc.tsv" >"$top/Documentation/bench-cc.md"
	cat "$top/Documentation/bench-cc.md"
	exit 0
fi

# In the VM.
# shellcheck disable=SC1091
source "$top/selftests/lib.sh"
# shellcheck disable=SC1091
source "$top/selftests/cc/cc_lib.sh"
modprobe tcp_bbr
cc_path_new || exit 1
cc_shape "delay 40ms limit 10000" "rate 10mbit burst 10000 limit 100000"
: >"$NTVM_OUT/bench-cc.tsv"
for ((r = 1; r <= reps; r++)); do
	for algo in cubic bbr ntcubic; do
		j=$(cc_iperf "$algo" "$secs")
		line=$(printf '%s\t%d\t%s\t%s\t%s' "$algo" "$r" \
			"$(jq -r '.end.sum_sent.bits_per_second / 1e6' <<<"$j")" \
			"$(cc_json_retrans "$j")" "$(cc_json_rtt_ms "$j")")
		echo "$line"
		echo "$line" >>"$NTVM_OUT/bench-cc.tsv"
	done
done
