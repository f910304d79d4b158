# bench-lib.sh: what the bench-*.sh scripts share. Source it from the
# repository root after setting GO, INPUT and REPEAT.

# bench_capture NAME builds bin/forensics and, in a temporary directory
# $work (removed at exit), big.scap (INPUT's events REPEAT times with
# shifted timestamps, internal/cmd/bigscap) and big.zst, our capture of it
# (forensics import). It sets events and prints the machine and the input.
bench_capture() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	echo "== machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
	make -s build GO="$GO" >/dev/null
	"$GO" run ./internal/cmd/bigscap -in "$INPUT" -repeat "$REPEAT" -out "$work/big.scap" >/dev/null
	bin/forensics import --no-progress "$work/big.scap" "$work/big.zst" >/dev/null
	events=$(bin/forensics info -o json "$work/big.zst" | sed -n 's/.*"events": \([0-9]*\).*/\1/p' | tail -1)
	echo "== input: $INPUT x $REPEAT = $events events; .scap $(stat -c %s "$work/big.scap") bytes, capture $(stat -c %s "$work/big.zst") bytes"
}

# median prints the median of the numbers on stdin, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# timeit runs a command with its output thrown away and prints its
# wall-clock and CPU (user + system, all threads) seconds, to the
# millisecond: "wall cpu". On a shared machine the CPU time is the steadier
# figure.
timeit() {
	local TIMEFORMAT='%3R %3U %3S' out
	out=$( { time "$@" >/dev/null 2>&1; } 2>&1 ) || true
	awk '{printf "%s %.3f\n", $1, $2 + $3}' <<<"$out"
}
