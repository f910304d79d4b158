#!/usr/bin/env bash
# bench-import.sh: how fast `forensics import` reads a large .scap, next to
# `sysdig -r big.scap -w copy.scap` on the same file, and how small the
# capture is next to the .scap, `gzip -6` of it and `zstd -19` of it.
#
# Usage: scripts/bench-import.sh        (or: make bench-import)
#
# What it does, in a temporary directory (removed at exit):
#   1. make build (bin/forensics) and build internal/cmd/bigscap;
#   2. big.scap: INPUT's events REPEAT times, timestamps shifted per
#      repetition (plain scap 1.2; see internal/scapgen);
#   3. RUNS times, alternating the two (ABBA order, so a drift of the
#      machine's speed hits both alike), with the input in the page cache:
#        sysdig -r big.scap -w copy.scap
#        bin/forensics import --no-progress big.scap out.zst
#      deleting the outputs between runs, timed by /usr/bin/time (wall,
#      user and system CPU, peak RSS); prints the medians, events/s and MB/s
#      (of the .scap input) and the speed ratio forensics/sysdig;
#   4. sizes of big.scap, `gzip -6 -c` of it, `zstd -19 -T$ZSTD_THREADS -c`
#      of it and our capture, bytes/event and the ratios;
#   5. the same sizes for a single repetition (INPUT's events once). A
#      repeated file flatters every compressor that sees more than one
#      repetition at a time: zstd -19 (an 8 MiB window; 502Error.scap is
#      1.5 MB a repetition) and ours (blocks of 65,536 events: three
#      repetitions of 502Error.scap), not gzip (a 32 KiB window). The
#      single-repetition sizes are the fair comparison.
#
# Environment (defaults in brackets):
#   INPUT          the .scap to repeat [../shared/corpus/scap/502Error.scap]
#   TARGET_EVENTS  events wanted in big.scap when REPEAT is unset [5000000]
#   REPEAT         repetitions [TARGET_EVENTS / events of INPUT, rounded: 223
#                  for 502Error.scap's 22,381 events]
#   RUNS           timed runs of each tool [3]
#   ZSTD_THREADS   zstd -T for the zstd -19 size [1; -T1 takes ~2.5 min on
#                  the 320 MB default file on a 2-core VM]
#   GO             the go command [go, else /usr/local/go/bin/go]
#   TMPDIR         where the temporary directory goes [/tmp]
#
# Needs sysdig, zstd, gzip and /usr/bin/time (apt-get install sysdig zstd
# gzip time). The whole run takes about 4 minutes on the project's 2-core VM.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)

INPUT=${INPUT:-$repo/../shared/corpus/scap/502Error.scap}
TARGET_EVENTS=${TARGET_EVENTS:-5000000}
RUNS=${RUNS:-3}
ZSTD_THREADS=${ZSTD_THREADS:-1}
if [[ -z ${GO:-} ]]; then
	GO=$(command -v go 2>/dev/null || echo /usr/local/go/bin/go)
fi

die() { echo "bench-import: $*" >&2; exit 1; }

for tool in sysdig zstd gzip /usr/bin/time; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (apt-get install sysdig zstd gzip time)"
done
[[ -r $INPUT ]] || die "$INPUT: not readable (set INPUT)"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS=$RUNS: want a positive integer"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-import.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---- machine and versions --------------------------------------------------

echo "== machine"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "cpus:    $(nproc) ($(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
echo "memory:  $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:  $(uname -sr)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, at start)"

echo "== build"
make --no-print-directory build GO="$GO" >/dev/null
"$GO" build -o "$work/bigscap" ./internal/cmd/bigscap
forensics=$repo/bin/forensics

echo "== versions"
echo "forensics: $("$forensics" --version 2>&1 | head -1)"
echo "go:        $("$GO" version)"
echo "sysdig:    $(sysdig --version 2>&1 | head -1)"
echo "zstd:      $(zstd --version 2>&1 | head -1)"
echo "gzip:      $(gzip --version 2>&1 | head -1)"

# ---- the input files -------------------------------------------------------

# bigscap prints "FILE: EVENTS events (N x PER), BYTES bytes".
one=$work/one.scap
line=$("$work/bigscap" -in "$INPUT" -repeat 1 -out "$one")
per_rep=$(awk '{ print $2 }' <<<"$line")
if [[ -z ${REPEAT:-} ]]; then
	REPEAT=$(( (TARGET_EVENTS + per_rep / 2) / per_rep ))
	(( REPEAT >= 1 )) || REPEAT=1
fi
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "REPEAT=$REPEAT: want a positive integer"

big=$work/big.scap
echo "== input"
start=$(date +%s.%N)
line=$("$work/bigscap" -in "$INPUT" -repeat "$REPEAT" -out "$big")
echo "bigscap: $line ($(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s)"
events=$(awk '{ print $2 }' <<<"$line")
scap_bytes=$(stat -c %s "$big")
echo "input:   $INPUT, $per_rep events, repeated $REPEAT times: $events events, $scap_bytes bytes"
cat "$big" >/dev/null # into the page cache, for both tools alike

# ---- speed -----------------------------------------------------------------

# run NAME: one timed run of tool NAME; appends "wall user sys maxrss_kb" to
# $work/NAME.times and leaves its output in place.
run() {
	local name=$1 t=$work/time.out
	case $name in
	sysdig)
		rm -f "$work/copy.scap"
		/usr/bin/time -f '%e %U %S %M' -o "$t" sysdig -r "$big" -w "$work/copy.scap" >/dev/null 2>"$work/sysdig.err" ||
			{ cat "$work/sysdig.err" >&2; die "sysdig failed"; }
		;;
	forensics)
		rm -f "$work/out.zst"
		/usr/bin/time -f '%e %U %S %M' -o "$t" "$forensics" import --no-progress "$big" "$work/out.zst" >"$work/import.out" ||
			{ cat "$work/import.out" >&2; die "forensics import failed"; }
		;;
	esac
	cat "$t" >>"$work/$name.times"
}

echo "== speed: $RUNS runs of each, alternating (ABBA), wall-clock"
for (( i = 1; i <= RUNS; i++ )); do
	if (( i % 2 )); then order="sysdig forensics"; else order="forensics sysdig"; fi
	for name in $order; do
		run "$name"
		printf '  run %d %-9s %6.2f s wall\n' "$i" "$name" "$(tail -1 "$work/$name.times" | cut -d' ' -f1)"
	done
done

# The last import must have read every event.
imported=$(awk '{ print $2 }' "$work/import.out")
[[ $imported == "$events" ]] || die "forensics import read $imported events, bigscap wrote $events"
copy_bytes=$(stat -c %s "$work/copy.scap")

# median: the median of the numbers on stdin, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A wall
printf '\n%-10s %9s %13s %9s %11s %10s\n' tool "median s" events/s MB/s "CPU s" "max RSS"
for name in sysdig forensics; do
	wall[$name]=$(awk '{ print $1 }' "$work/$name.times" | median)
	cpu=$(awk '{ print $2 + $3 }' "$work/$name.times" | median)
	rss=$(awk '{ print $4 }' "$work/$name.times" | median)
	awk -v n="$name" -v w="${wall[$name]}" -v e="$events" -v b="$scap_bytes" -v c="$cpu" -v r="$rss" 'BEGIN {
		printf "%-10s %9.2f %13.0f %9.1f %11.2f %7.0f MiB\n", n, w, e / w, b / 1e6 / w, c, r / 1024 }'
done
awk -v s="${wall[sysdig]}" -v f="${wall[forensics]}" 'BEGIN {
	printf "\nspeed ratio forensics/sysdig (events/s): %.2f  (forensics takes %.2fx the time of sysdig)\n", s / f, f / s }'
echo "(CPU s: median user+system; sysdig -w copy: $copy_bytes bytes)"

# ---- sizes -----------------------------------------------------------------

# sizes LABEL SCAP CAPTURE EVENTS: the size table of one .scap and our
# capture of it.
sizes() {
	local label=$1 scap=$2 ours=$3 n=$4 s g z o t0 tg tz
	s=$(stat -c %s "$scap")
	t0=$(date +%s.%N)
	g=$(gzip -6 -c "$scap" | wc -c)
	tg=$(date +%s.%N)
	z=$(zstd -q -19 -T"$ZSTD_THREADS" -c "$scap" | wc -c)
	tz=$(date +%s.%N)
	o=$(stat -c %s "$ours")
	echo "== size: $label ($n events)"
	printf '%-34s %13s %11s %12s %12s\n' file bytes bytes/event "ours/this" "this/ours"
	awk -v n="$n" -v o="$o" -v s="$s" -v g="$g" -v z="$z" -v zt="$ZSTD_THREADS" \
		-v tgz="$(awk -v a="$t0" -v b="$tg" 'BEGIN { printf "%.1f", b - a }')" \
		-v tzs="$(awk -v a="$tg" -v b="$tz" 'BEGIN { printf "%.1f", b - a }')" 'BEGIN {
		row(".scap (plain)", s)
		row("gzip -6 of the .scap (" tgz " s)", g)
		row("zstd -19 -T" zt " of the .scap (" tzs " s)", z)
		row("ours (forensics import)", o)
	}
	function row(name, b) {
		printf "%-34s %13d %11.2f %12.4f %12.2f\n", name, b, b / n, o / b, b / o
	}'
}

echo
sizes "big.scap, $REPEAT repetitions" "$big" "$work/out.zst" "$events"
rm -f "$work/copy.scap"

"$forensics" import --no-progress "$one" "$work/one.zst" >/dev/null
echo
sizes "one repetition (the input's events once, same encoding)" "$one" "$work/one.zst" "$per_rep"
echo
echo "ours is seekable (each block of events its own zstd frames, with an index); gzip and zstd -19 are one stream each."
echo "The repeated file flatters zstd -19 (8 MiB window) and ours (a block holds several repetitions when a"
echo "repetition has fewer events than a block); the single-repetition table is the fair size comparison."
