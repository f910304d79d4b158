#!/usr/bin/env bash
# bench-chisels.sh: `forensics chisel` against `sysdig -r -c` on the same events,
# same chisel, output sent to /dev/null, measured side by side.
#
# Usage: scripts/bench-chisels.sh        (or: make bench-chisels)
#
# In a temporary directory (removed at exit): make build; big.scap = INPUT's
# events REPEAT times with shifted timestamps (internal/cmd/bigscap); our
# capture of it (forensics import, done once, not timed); then for each
# chisel, RUNS times alternating the two tools:
#   sysdig -r big.scap -c CHISEL ARGS > /dev/null
#   bin/forensics chisel --no-progress CHISEL ARGS big.zst > /dev/null
# and prints the median wall seconds, events/s (of the whole capture) and
# the ratio forensics/sysdig. forensics uses both cores; sysdig one.
#
# Environment: INPUT [../shared/corpus/scap/502Error.scap], REPEAT [200:
# 4,476,200 events, the "several million" of the issue; the import and
# export benches use as many],
# RUNS [5], GO [go, else /usr/local/go/bin/go], TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
INPUT=${INPUT:-../shared/corpus/scap/502Error.scap}
REPEAT=${REPEAT:-200}
RUNS=${RUNS:-5}
for tool in sysdig; do
	command -v "$tool" >/dev/null || { echo "bench-chisels: $tool is not installed" >&2; exit 1; }
done
. scripts/bench-lib.sh
bench_capture bench-chisels


chisels=(
	'topfiles_bytes'
	'topprocs_net'
	'fdcount_by fd.sport'
)
compare_header 24 chisel
for c in "${chisels[@]}"; do
	read -ra words <<<"$c"
	sysdig_cmd() { sysdig -r "$work/big.scap" -c "${words[@]}"; }
	ours_cmd() { bin/forensics chisel --no-progress "${words[@]}" "$work/big.zst"; }
	alternate
	# The same answer, or the comparison means nothing.
	diff <(sysdig_cmd | sort) <(ours_cmd | sort) >/dev/null ||
		echo "bench-chisels: $c: outputs differ (see the oracle tests)" >&2
	compare_row "$c" 24
done
compare_footer
