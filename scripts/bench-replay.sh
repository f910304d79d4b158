#!/usr/bin/env bash
# bench-replay.sh: `forensics replay` speed over a large capture, in events
# per second, with the official falco_rules.yaml, with the built-in ruleset,
# and reading alone (a query that matches nothing) for reference.
#
# Usage: scripts/bench-replay.sh        (or: make bench-replay)
#
# In a temporary directory (removed at exit): make build; big.scap = INPUT's
# events REPEAT times with shifted timestamps (internal/cmd/bigscap); our
# capture of it (forensics import, not timed); then RUNS times each:
#   GOMAXPROCS=1 taskset -c 0 bin/forensics replay --rules RULES big.zst
# (one core: the issue's target is 3 million events/s on one core) and the
# same on every core. Prints the median wall seconds and events/s, and the
# median CPU seconds (user + sys) and events per CPU second: on a machine
# shared with other work the wall clock also counts the time the process
# waited for a core.
#
# Environment: INPUT [../shared/corpus/scap/502Error.scap], REPEAT [100],
# RUNS [3], RULES [../shared/corpus/rules/falco_rules.yaml], GO, TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
INPUT=${INPUT:-../shared/corpus/scap/502Error.scap}
RULES=${RULES:-../shared/corpus/rules/falco_rules.yaml}
REPEAT=${REPEAT:-100}
RUNS=${RUNS:-3}
for f in "$INPUT" "$RULES"; do
	[ -e "$f" ] || { echo "bench-replay: $f not found" >&2; exit 1; }
done
. scripts/bench-lib.sh
bench_capture bench-replay
rm -f "$work/big.scap"
echo "== rules: $RULES"

one=()
if command -v taskset >/dev/null; then one=(taskset -c 0); fi
measure() { # label, command...
	local label=$1 w=() c=() r
	shift
	for ((i = 0; i < RUNS; i++)); do
		r=$(timeit "$@")
		w+=("${r% *}") c+=("${r#* }")
	done
	local mw mc
	mw=$(printf '%s\n' "${w[@]}" | median)
	mc=$(printf '%s\n' "${c[@]}" | median)
	printf '%-44s %8.2f %12.0f %8.2f %12.0f\n' "$label" "$mw" "$(echo "$events / $mw" | bc -l)" "$mc" "$(echo "$events / $mc" | bc -l)"
}

printf '\n%-44s %8s %12s %8s %12s\n' run wall_s events/s cpu_s events/cpu_s
measure "replay falco_rules.yaml, 1 core" env GOMAXPROCS=1 "${one[@]}" bin/forensics replay --no-progress -r "$RULES" "$work/big.zst"
measure "replay built-in rules, 1 core" env GOMAXPROCS=1 "${one[@]}" bin/forensics replay --no-progress "$work/big.zst"
measure "read only (query matching nothing), 1 core" env GOMAXPROCS=1 "${one[@]}" bin/forensics query --no-progress "$work/big.zst" "evt.num=0"
measure "replay falco_rules.yaml, all cores" bin/forensics replay --no-progress -r "$RULES" "$work/big.zst"
echo
echo "target: 3,000,000 events/s on one core (libsinsp: about 680,000)"
