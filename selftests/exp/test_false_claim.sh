#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The runner's verdict can come out negative: the hidden experiment
# selftest-false claims that ping across an ntvnic pair loses every packet
# and measures that it does not, so its verdict must be "not reproduced";
# and the numbers the table prints are the numbers of the results JSON
# (and of --json).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/exp_lib.sh"
nt_require_modules ntvnic
nt_require_cmds ip ping jq gnuplot
nt_plan 8
exp_out_dir

before=$(exp_state)
out=$("$NETTUNE" exp run selftest-false --quick --out "$EXP_OUT" 2>&1)
rc=$?
nt_log "$out"
nt_eq "exp run selftest-false exits 0 (a negative verdict is a result)" 0 "$rc"
nt_check "the table says: verdict: not reproduced" grep -q '^verdict: not reproduced: pings crossed' <<<"$out"
json=$EXP_OUT/selftest-false/result.json
nt_eq "result.json has verdict \"not reproduced\"" "not reproduced" "$(jq -r .verdict "$json")"

# Table rows: the lines between the header and "verdict:", as printed.
table=$(awk '/^variant/ { on = 1; next } /^verdict:/ { on = 0 } on' <<<"$out" |
	awk '{ print $1, $2, $3, $4, $5 }')
from_json=$(jq -r '.rows[] | "\(.x) \(.sent) \(.received) \(.loss_pct) \(.rtt_us)"' "$json" |
	awk '{ printf "%d %d %d %.1f %d\n", $1, $2, $3, $4, $5 }')
nt_log "table: $table"
nt_log "json:  $from_json"
nt_eq "two rows measured" 2 "$(jq '.rows | length' "$json")"
nt_eq "the table's numbers are the JSON's" "$from_json" "$table"
nt_check "a plot was written (SVG and PNG)" test -s "$EXP_OUT/selftest-false/selftest-false.svg" -a -s "$EXP_OUT/selftest-false/selftest-false.png"

jout=$("$NETTUNE" --json exp run selftest-false --quick --out "$EXP_OUT" 2>&1)
nt_eq "--json prints the result with the same verdict" "not reproduced" "$(jq -r .verdict <<<"$jout" 2>&1)"
nt_eq "nothing left behind" "$before" "$(exp_state)"
nt_done
