#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# RFC 9438 multiplicative decrease as the tracepoint records it: with 1%
# random loss and 40 ms of delay, every loss event is a congestion event,
# and when its recovery ends the window is beta (0.7) times the window at
# the loss. Tolerance: the kernel's integer window, floor(0.7 * cwnd), can
# be up to one segment below 0.7 * cwnd, so for windows of at least 20
# segments the ratio must lie in [0.65, 0.705]; recoveries that ended in an
# RTO or an undo are not reductions and are skipped.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/cc_lib.sh"
nt_require_cmds iperf3 jq python3
nt_require_modules tcp_ntcubic
nt_plan 5

cc_path_new || nt_skip_all "cannot build the veth path"
cc_shape "delay 40ms loss 1%"
tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"

cc_trace_start || nt_skip_all "no tracefs"
json=$(cc_iperf ntcubic 4)
cc_trace_stop "$tmp/trace"
nt_eq "iperf3 -C ntcubic over the lossy path completes" ntcubic "$(cc_json_algo "$json")"

python3 -S -E "$(dirname "$0")/cc_trace.py" reductions "$tmp/trace" >"$tmp/red"
nt_log "loss events (cwnd at loss, cwnd after recovery, ssthresh, ratio):"
sed 's/^/#   /' "$tmp/red" | head -20
losses=$(grep -c 'event=loss' "$tmp/trace")
big=$(awk '$1 >= 20' "$tmp/red" | wc -l)
bad=$(awk '$1 >= 20 && ($4 < 0.65 || $4 > 0.705)' "$tmp/red" | wc -l)
nt_ge "the trace has loss events ($losses)" "$losses" 3
nt_ge "at least 2 completed reductions from windows >= 20 segments" "$big" 2
nt_eq "every such reduction is to 0.7x (0.65..0.705)" 0 "$bad"
# ssthresh itself is floor(cwnd * 0.7), for every loss event
off=$(grep -o 'event=loss cwnd=[0-9]* ssthresh=[0-9]*' "$tmp/trace" |
	awk -F'[ =]' '{ c = $4; s = $6; w = int(c * 7 / 10); if (w < 2) w = 2; if (s != w) n++ } END { print n + 0 }')
nt_eq "ssthresh = max(floor(0.7 cwnd), 2) at every loss" 0 "$off"
nt_done
