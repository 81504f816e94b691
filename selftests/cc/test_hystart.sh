#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nt-tier: full
# HyStart++ against plain slow start on the same path, in the same run:
# 50 ms RTT, a 5 Mbit/s bottleneck with a 64 KB drop-tail queue (the ACK
# path carries the delay). Plain slow start doubles until the queue
# overflows. With HyStart++ the rise of the per-round minimum RTT is
# detected before the first loss (the flow leaves standard slow start for
# CSS with no retransmission yet), and slow start costs fewer
# retransmissions. "Slow start retransmissions" are counted from the trace:
# the total at HyStart++'s exit to congestion avoidance, or, if slow start
# (or CSS) ended in a loss, at the end of that first recovery.
#
# Each setting runs twice, alternating (on, off, on, off), and the
# comparison uses the sums, so one unlucky run under emulation does not
# decide it. The ACK-train exit is off: this is RFC 9406's delay signal
# alone (test_ack_train.sh tests the other).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/cc_lib.sh"
nt_require_cmds iperf3 jq python3
nt_require_modules tcp_ntcubic
nt_plan 6

cc_param_keep hystart hystart_ack_train
echo 0 >$CC_PARAMS/hystart_ack_train
cc_path_new || nt_skip_all "cannot build the veth path"
cc_shape "delay 50ms limit 10000" "rate 5mbit burst 5000 limit 64000"
cc_trace_start || nt_skip_all "no tracefs"
tmp=$(mktemp -d)
nt_defer rm -rf "$tmp"

cc_ab_slowstart "$tmp" hystart 2
sum() { cc_ss_sum "$tmp" "$1" "$2"; }
detected=$(jq -s 'map(select(.css_t != null and (.first_loss_t == null or .css_t < .first_loss_t) and .css_retrans == 0)) | length' "$tmp"/ss.1.*)
nt_eq "HyStart++ detected the RTT rise before the first loss, no retransmission yet, in both runs" 2 "$detected"
nt_eq "plain slow start never entered CSS" 0 "$(jq -s 'map(select(.css_t != null)) | length' "$tmp"/ss.0.*)"
overshoot=$(jq -s 'map(select(.ended_by == "loss")) | length' "$tmp"/ss.0.*)
nt_eq "plain slow start ended in a loss (overshoot) in both runs" 2 "$overshoot"
hs_rtx=$(sum 1 ss_retrans)
plain_rtx=$(sum 0 ss_retrans)
nt_log "slow-start retransmissions: HyStart++ $hs_rtx, plain $plain_rtx (two runs each)"
nt_ge "plain slow start retransmitted" "$plain_rtx" 1
nt_check "HyStart++ retransmitted less in slow start than plain slow start" test "$hs_rtx" -lt "$plain_rtx"
hs_w=$(sum 1 ss_end_cwnd)
plain_w=$(sum 0 ss_end_cwnd)
nt_log "window at the end of slow start: HyStart++ $hs_w, plain $plain_w (two runs each)"
nt_check "HyStart++ left slow start with a smaller window (less overshoot)" test "$hs_w" -lt "$plain_w"
nt_done
