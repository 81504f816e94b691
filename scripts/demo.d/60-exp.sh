#!/bin/bash
# nettune exp: one experiment end to end (about 40 s in the VM). It builds
# its own ntvnic pair, sweeps pktgen's rate, reads the driver's counters at
# each point, prints the table and its verdict, and draws the plot.
set -eu
NETTUNE=${NETTUNE:-nettune}
run() {
	echo "\$ $*"
	"$@"
}

if ! [ -d /sys/module/ntvnic ]; then
	echo "ntvnic is not loaded (run through 'make demo' or vm-run --modules ntvnic)"
	exit 1
fi
run "$NETTUNE" exp list
echo
echo "\$ $NETTUNE exp run napi-irqs --quick"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
TERM=dumb "$NETTUNE" exp run napi-irqs --quick | tee "$log"
plot=$(sed -n 's/^plot: //p' "$log")
echo
echo "The plot: ${plot:-none (gnuplot failed)} (PNG beside it)"
if [ -n "${NTVM_OUT:-}" ]; then
	echo "  on the host: under exp/napi-irqs/ in the directory vm-run names ('guest files in ...')"
fi
