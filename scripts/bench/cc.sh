#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark: tcp_ntcubic against the kernel's cubic and bbr over the same
# emulated paths, in one VM run, repetitions interleaved (cubic, bbr,
# ntcubic, cubic, ...) so that drift in the shared, emulated machine hits
# all of them alike. Reports, per path, mean throughput, retransmissions and
# RTT per algorithm and the ratios to cubic, and writes
# Documentation/bench-cc.md.
#
#   scripts/bench/cc.sh [REPS] [SECONDS] [PATH ...]   (default 5 reps of 8 s)
#
# PATH is RATE/QUEUE/RTT, tbf rate and limit on the bottleneck and netem
# delay on the ACK path, e.g. 20mbit/150000/60ms. Default: 10mbit/100000/40ms
# (about 1 BDP of queue), 20mbit/150000/60ms (the path of issue 15's
# retransmission report, 1 BDP) and 50mbit/200000/20ms (3 BDP). Every
# connection starts without cached metrics (tcp_no_metrics_save=1), so no
# algorithm inherits an ssthresh from the previous run.
#
# Besides cubic, bbr and ntcubic (its defaults) it runs ntcubic-css0:
# ntcubic with hystart_css_rounds=0, i.e. slow start ends on HyStart++'s
# RTT rise at once, as in tcp_cubic.c, instead of going through RFC 9406's
# Conservative Slow Start (Documentation/cc.rst).
#
# On the host it boots the VM (scripts/vm-run) and runs itself inside.
set -u
top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
reps=${1:-5}
secs=${2:-8}
shift 2 2>/dev/null || shift $#
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(10mbit/100000/40ms 20mbit/150000/60ms 50mbit/200000/20ms)
for p in "${paths[@]}"; do
	[[ "$p" =~ ^[0-9]+[kmg]bit/[0-9]+/[0-9]+ms$ ]] ||
		{ echo "bench: path '$p' is not RATE/QUEUE_BYTES/RTTms (e.g. 20mbit/150000/60ms)" >&2; exit 2; }
done

report() { # TSV (path algo rep mbps retrans rtt) -> markdown
	awk -F'\t' -v reps="$reps" -v secs="$secs" -v cmd="scripts/bench/cc.sh $reps $secs ${paths[*]}" '
	{ k = $1 SUBSEP $2; n[k]++; mb[k] += $4; rt[k] += $5; rtt[k] += $6
	  all[k] = all[k] sprintf(" %.2f/%d", $4, $5)
	  if (!($1 in seen)) { seen[$1] = 1; order[++np] = $1 } }
	END {
		print "# Benchmark: tcp_ntcubic vs the kernel'"'"'s cubic and bbr"
		print ""
		print "Command: `" cmd "` (host; boots the VM and runs the same script inside)."
		print ""
		print "Each path: sender -- router (tbf RATE, limit QUEUE bytes; netem delay RTT on the ACK path) -- receiver, veth; tcp_no_metrics_save=1 on both ends. " reps " runs of " secs " s per algorithm, interleaved, one VM run (TCG, 2 vCPUs)."
		print ""
		print "| path | algorithm | Mbit/s (mean) | runs (Mbit/s / retransmits) | retransmits (mean) | RTT ms (mean) | throughput / cubic | retransmits / cubic |"
		print "|---|---|---|---|---|---|---|---|"
		split("cubic bbr ntcubic ntcubic-css0", algos, " ")
		for (i = 1; i <= np; i++) {
			p = order[i]; c = p SUBSEP "cubic"
			for (j = 1; j <= 4; j++) {
				k = p SUBSEP algos[j]
				if (!n[k]) continue
				rr = (rt[c] > 0) ? sprintf("%.2f", (rt[k] / n[k]) / (rt[c] / n[c])) : "-"
				printf "| %s | %s | %.2f |%s | %.1f | %.1f | %.3f | %s |\n", p, algos[j], mb[k] / n[k], all[k], rt[k] / n[k], rtt[k] / n[k], (mb[k] / n[k]) / (mb[c] / n[c]), rr
			}
		}
	}' "$1"
}

if [ -z "${NTVM_OUT:-}" ]; then
	out=$(mktemp -d /tmp/nt-bench-cc.XXXXXX)
	timeout=$((300 + ${#paths[@]} * reps * 4 * (secs + 12)))
	"$top/scripts/vm-run" --modules tcp_ntcubic --timeout "$timeout" --out "$out" -- \
		"$top/scripts/bench/cc.sh" "$reps" "$secs" "${paths[@]}" || exit 1
	[ -s "$out/bench-cc.tsv" ] || { echo "bench: no results" >&2; exit 1; }
	report "$out/bench-cc.tsv" >"$top/Documentation/bench-cc.md"
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
: >"$NTVM_OUT/bench-cc.tsv"
for p in "${paths[@]}"; do
	IFS=/ read -r rate queue rtt <<<"$p"
	cc_shape "delay $rtt limit 10000" "rate $rate burst 32000 limit $queue"
	for ((r = 1; r <= reps; r++)); do
		for algo in cubic bbr ntcubic ntcubic-css0; do
			if [ "$algo" = ntcubic-css0 ]; then
				css=$(cat "$CC_PARAMS/hystart_css_rounds")
				echo 0 >"$CC_PARAMS/hystart_css_rounds"
				j=$(cc_iperf ntcubic "$secs")
				echo "$css" >"$CC_PARAMS/hystart_css_rounds"
			else
				j=$(cc_iperf "$algo" "$secs")
			fi
			line=$(printf '%s\t%s\t%d\t%s\t%s\t%s' "$p" "$algo" "$r" \
				"$(jq -r '.end.sum_sent.bits_per_second / 1e6' <<<"$j")" \
				"$(cc_json_retrans "$j")" "$(cc_json_rtt_ms "$j")")
			echo "$line"
			echo "$line" >>"$NTVM_OUT/bench-cc.tsv"
		done
	done
done
