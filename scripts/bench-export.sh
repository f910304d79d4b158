#!/usr/bin/env bash
# bench-export.sh: `forensics export` throughput for each table format, and
# the size of each output against the capture's.
#
# Usage: scripts/bench-export.sh        (or: make bench-export)
#
# In a temporary directory (removed at exit): make build; big.scap = INPUT's
# events REPEAT times with shifted timestamps (internal/cmd/bigscap); our
# capture of it (forensics import, not timed); then, RUNS times for each
# format, and for `forensics sql` (in memory, two columns loaded):
#   bin/forensics export --no-progress --format F big.zst OUT
# and prints the median wall seconds, the capture's events per second, the
# rows written (the events forensics query prints: not the state-only and
# internal ones) per second, the output's size and its ratio to the
# capture's size. Each run starts from a removed OUT.
#
# Environment: INPUT [../shared/corpus/scap/502Error.scap], REPEAT [200],
# RUNS [1], FORMATS [parquet sqlite arrow jsonl csv], GO [go, else
# /usr/local/go/bin/go], TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
INPUT=${INPUT:-../shared/corpus/scap/502Error.scap}
REPEAT=${REPEAT:-200}
RUNS=${RUNS:-1}
FORMATS=${FORMATS:-parquet sqlite arrow jsonl csv}
. scripts/bench-lib.sh
bench_capture bench-export
rm -f "$work/big.scap"
capsize=$(stat -c %s "$work/big.zst")

now() { date +%s.%N; }

rows=$(bin/forensics sql --no-progress -o csv "$work/big.zst" "SELECT count(*) FROM events" | tail -1)
echo "== rows: $rows events in the events table"
printf '\n%-22s %10s %12s %12s %14s %10s\n' format seconds events/s rows/s bytes x_capture
run() { # name out command...
	local name=$1 out=$2 t0 t1 secs=() size
	shift 2
	for ((i = 0; i < RUNS; i++)); do
		rm -rf "$out"
		t0=$(now)
		"$@" >/dev/null
		t1=$(now)
		secs+=("$(echo "$t1 - $t0" | bc -l)")
	done
	m=$(printf '%s\n' "${secs[@]}" | median)
	size=0
	if [ -e "$out" ]; then
		size=$(du -sb "$out" | cut -f1)
	fi
	printf '%-22s %10.2f %12.0f %12.0f %14d %10.3f\n' "$name" "$m" "$(echo "$events / $m" | bc -l)" "$(echo "$rows / $m" | bc -l)" \
		"$size" "$(echo "$size / $capsize" | bc -l)"
	rm -rf "$out"
}
for f in $FORMATS; do
	out="$work/out.$f"
	[ "$f" = parquet ] && out="$work/lake"
	run "$f" "$out" bin/forensics export --no-progress --format "$f" "$work/big.zst" "$out"
done
run "parquet (one file)" "$work/one.parquet" bin/forensics export --no-progress --format parquet "$work/big.zst" "$work/one.parquet"
run "sql (memory)" "$work/none" bin/forensics sql --no-progress "$work/big.zst" \
	"SELECT proc_name, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
echo
echo "events/s: the capture's events; rows/s: the rows written; x_capture = output bytes / capture bytes"
echo "machine load during the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
