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

# alternate times the functions sysdig_cmd and ours_cmd RUNS times each,
# alternating which goes first, into the arrays s and o ("wall cpu").
alternate() {
	s=() o=()
	for ((i = 0; i < RUNS; i++)); do
		if ((i % 2 == 0)); then
			s+=("$(timeit sysdig_cmd)")
			o+=("$(timeit ours_cmd)")
		else
			o+=("$(timeit ours_cmd)")
			s+=("$(timeit sysdig_cmd)")
		fi
	done
}

# compare_header WIDTH NAME and compare_row LABEL WIDTH print the table of
# a side-by-side comparison: compare_row takes the timings alternate left
# in s and o and prints their medians, the events per second of each and
# the ratios sysdig/ours.
compare_header() {
	printf "\n%-${1}s %9s %9s %12s %12s %7s %9s %9s %7s\n" "$2" sysdig_s ours_s sysdig_ev/s ours_ev/s ratio sysd_cpu ours_cpu cpu_x
}
compare_row() {
	local ms mo cs co
	ms=$(printf '%s\n' "${s[@]}" | awk '{print $1}' | median)
	mo=$(printf '%s\n' "${o[@]}" | awk '{print $1}' | median)
	cs=$(printf '%s\n' "${s[@]}" | awk '{print $2}' | median)
	co=$(printf '%s\n' "${o[@]}" | awk '{print $2}' | median)
	printf "%-${2}s %9.3f %9.3f %12.0f %12.0f %7.2f %9.3f %9.3f %7.2f\n" "$1" "$ms" "$mo" \
		"$(echo "$events / $ms" | bc -l)" "$(echo "$events / $mo" | bc -l)" "$(echo "$ms / $mo" | bc -l)" \
		"$cs" "$co" "$(echo "$cs / $co" | bc -l)"
}
compare_footer() {
	echo
	echo "ratio = sysdig wall seconds / forensics wall seconds (higher is better for forensics; the issue's target is 10)"
	echo "cpu_x = sysdig CPU seconds / forensics CPU seconds (user+system, all cores)"
}
