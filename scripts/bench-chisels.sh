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
# Environment: INPUT [../shared/corpus/scap/502Error.scap], REPEAT [100],
# RUNS [3], GO [go, else /usr/local/go/bin/go], TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
INPUT=${INPUT:-../shared/corpus/scap/502Error.scap}
REPEAT=${REPEAT:-100}
RUNS=${RUNS:-3}
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
printf '\n%-24s %10s %10s %12s %12s %8s %9s %9s %7s\n' chisel sysdig_s ours_s sysdig_ev/s ours_ev/s ratio sysd_cpu ours_cpu cpu_x
for c in "${chisels[@]}"; do
	read -ra words <<<"$c"
	s=() o=()
	for ((i = 0; i < RUNS; i++)); do
		if ((i % 2 == 0)); then
			s+=("$(timeit sysdig -r "$work/big.scap" -c "${words[@]}")")
			o+=("$(timeit bin/forensics chisel --no-progress "${words[@]}" "$work/big.zst")")
		else
			o+=("$(timeit bin/forensics chisel --no-progress "${words[@]}" "$work/big.zst")")
			s+=("$(timeit sysdig -r "$work/big.scap" -c "${words[@]}")")
		fi
	done
	# The same answer, or the comparison means nothing.
	diff <(sysdig -r "$work/big.scap" -c "${words[@]}" | sort) \
		<(bin/forensics chisel --no-progress "${words[@]}" "$work/big.zst" | sort) >/dev/null ||
		echo "bench-chisels: $c: outputs differ (see the oracle tests)" >&2
	ms=$(printf '%s\n' "${s[@]}" | awk '{print $1}' | median)
	mo=$(printf '%s\n' "${o[@]}" | awk '{print $1}' | median)
	cs=$(printf '%s\n' "${s[@]}" | awk '{print $2}' | median)
	co=$(printf '%s\n' "${o[@]}" | awk '{print $2}' | median)
	printf '%-24s %10.3f %10.3f %12.0f %12.0f %8.2f %9.3f %9.3f %7.2f\n' "$c" "$ms" "$mo" \
		"$(echo "$events / $ms" | bc -l)" "$(echo "$events / $mo" | bc -l)" "$(echo "$ms / $mo" | bc -l)" \
		"$cs" "$co" "$(echo "$cs / $co" | bc -l)"
done
echo
echo "ratio = sysdig wall seconds / forensics wall seconds (higher is better for forensics; the issue's target is 10)"
echo "cpu_x = sysdig CPU seconds / forensics CPU seconds (user+system, all cores)"
