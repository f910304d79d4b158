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
# Environment: INPUT [../shared/corpus/scap/502Error.scap], REPEAT [100],
# RUNS [3], GO [go, else /usr/local/go/bin/go], TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
INPUT=${INPUT:-../shared/corpus/scap/502Error.scap}
REPEAT=${REPEAT:-100}
RUNS=${RUNS:-3}
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
printf '\n%-36s %9s %9s %12s %12s %7s %9s %9s %7s\n' filter sysdig_s ours_s sysdig_ev/s ours_ev/s ratio sysd_cpu ours_cpu cpu_x
for f in "${filters[@]}"; do
	s=() o=()
	for ((i = 0; i < RUNS; i++)); do
		if ((i % 2 == 0)); then
			s+=("$(timeit sysdig -r "$work/big.scap" "$f")")
			o+=("$(timeit bin/forensics query --no-progress "$work/big.zst" "$f")")
		else
			o+=("$(timeit bin/forensics query --no-progress "$work/big.zst" "$f")")
			s+=("$(timeit sysdig -r "$work/big.scap" "$f")")
		fi
	done
	ms=$(printf '%s\n' "${s[@]}" | awk '{print $1}' | median)
	mo=$(printf '%s\n' "${o[@]}" | awk '{print $1}' | median)
	cs=$(printf '%s\n' "${s[@]}" | awk '{print $2}' | median)
	co=$(printf '%s\n' "${o[@]}" | awk '{print $2}' | median)
	printf '%-36s %9.3f %9.3f %12.0f %12.0f %7.2f %9.3f %9.3f %7.2f\n' "$f" "$ms" "$mo" \
		"$(echo "$events / $ms" | bc -l)" "$(echo "$events / $mo" | bc -l)" "$(echo "$ms / $mo" | bc -l)" \
		"$cs" "$co" "$(echo "$cs / $co" | bc -l)"
done
echo
echo "ratio = sysdig wall seconds / forensics wall seconds (higher is better for forensics; the issue's target is 10)"
echo "cpu_x = sysdig CPU seconds / forensics CPU seconds (user+system, all cores)"
