#!/usr/bin/env bash
# bench-query.sh: `forensics query` against `sysdig -r` on the same events,
# same filter, same output lines sent to /dev/null, measured side by side.
#
# Usage: scripts/bench-query.sh        (or: make bench-query)
#
# In a temporary directory (removed at exit): make build; big.scap = INPUT's
# events REPEAT times with shifted timestamps (internal/cmd/bigscap); our
# capture of it (forensics import, done once, not timed); then for each
# filter, RUNS times alternating the two tools:
#   sysdig -r big.scap FILTER > /dev/null
#   bin/forensics query --no-progress big.zst FILTER > /dev/null
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
	command -v "$tool" >/dev/null || { echo "bench-query: $tool is not installed" >&2; exit 1; }
done
. scripts/bench-lib.sh
bench_capture bench-query

filters=(
	'fd.name contains /etc'
	'proc.name=curl and evt.type=read'
	'evt.type=execve'
	'proc.name=nothing_matches_this'
)
compare_header 36 filter
for f in "${filters[@]}"; do
	sysdig_cmd() { sysdig -r "$work/big.scap" "$f"; }
	ours_cmd() { bin/forensics query --no-progress "$work/big.zst" "$f"; }
	alternate
	compare_row "$f" 36
done
compare_footer
