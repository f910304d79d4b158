#!/usr/bin/env bash
# bench-record: what `forensics record` costs a syscall-heavy workload.
#
# The workload (internal/cmd/syscallloop) is a tight loop of 16-byte reads
# from /dev/zero and writes to /dev/null: every call is an event of the
# default syscall set. The script measures, as root:
#
#   1. the loop's CPU time per syscall without the recorder, then with
#      `forensics record --syscalls default` running: the difference is the
#      cost the eBPF program adds to each captured event (the number Falco's
#      probes are measured by: 116 ns/event for the modern probe with a small
#      syscall set, 349 ns with a large one);
#   2. the same with a syscall set that does not include read and write
#      (--syscalls execve): the cost of the tracepoint for an event that is
#      not captured;
#   3. the recorder's own CPU time per event (decoding, state, compression);
#   4. paced runs at RATES events/s for DURATION seconds each: the drops the
#      kernel counted (0 = the rate is sustained);
#   5. bytes per event on disk;
#   6. the floor under any eBPF capture on this machine
#      (internal/cmd/bpffloor): what an empty program on the same hook,
#      a clock read and a 64-byte ring buffer write add to each syscall,
#      measured in the same way right after the recorder.
#
# CPU time (getrusage of the loop) is used rather than wall time because
# the machine may be shared; the median of RUNS runs is reported. Numbers
# from a loaded machine are still noisy: the load average is printed.
#
#   make bench-record                 # N=2000000 RUNS=3 RATES="200000 400000" DURATION=5
#   N=4000000 RUNS=5 scripts/bench-record.sh
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
N=${N:-2000000}
RUNS=${RUNS:-3}
RATES=${RATES:-"200000 400000"}
DURATION=${DURATION:-5}

if [ "$(id -u)" -ne 0 ]; then
	echo "bench-record: needs root (eBPF)" >&2
	exit 2
fi
PY=$(command -v python3)

tmp=$(mktemp -d)
rec=
cleanup() {
	[ -n "$rec" ] && kill "$rec" 2>/dev/null && wait "$rec" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

"$GO" build -o "$tmp/forensics" ./cmd/forensics
"$GO" build -o "$tmp/loop" ./internal/cmd/syscallloop
"$GO" build -o "$tmp/bpffloor" ./internal/cmd/bpffloor

# field FILE KEY: a number from a JSON object on one line.
field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# cpu_ticks PID: utime+stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# start_recorder DIR ARGS...: starts forensics record and waits until it
# records (its first file appears).
start_recorder() {
	local dir=$1
	shift
	"$tmp/forensics" record -w "$dir" -o json "$@" >"$dir.json" 2>"$dir.log" &
	rec=$!
	for _ in $(seq 300); do
		ls "$dir"/*.zst >/dev/null 2>&1 && return 0
		kill -0 "$rec" 2>/dev/null || { cat "$dir.log" >&2; exit 1; }
		sleep 0.1
	done
	echo "bench-record: the recorder did not start" >&2
	exit 1
}

stop_recorder() {
	kill -TERM "$rec"
	wait "$rec"
	rec=
}

# loops N RUNS: runs the loop, prints the median CPU ns per call.
loops() {
	local out=() i
	for i in $(seq "$RUNS"); do
		"$tmp/loop" -n "$N" >"$tmp/loop.json"
		out+=("$(field "$tmp/loop.json" cpu_ns)")
	done
	echo "${out[@]}" | median | awk -v n="$N" '{printf "%.1f", $1 / n}'
}

echo "machine: $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "workload: $N syscalls (16-byte read + write pairs), median of $RUNS runs"
echo

base=$(loops)

start_recorder "$tmp/cap-default" --syscalls default
t0=$(cpu_ticks "$rec")
with=$(loops)
t1=$(cpu_ticks "$rec")
stop_recorder
events=$(field "$tmp/cap-default.json" events)
kdrops=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["drops"]["Kernel"])' "$tmp/cap-default.json")
"$tmp/forensics" info -o json "$tmp/cap-default" >"$tmp/info.json"
bpe=$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d.get("total") or d["files"][0]
print("%.2f" % (t["bytes_on_disk"] / max(t["events"], 1)))' "$tmp/info.json")
tck=$(getconf CLK_TCK)
user_ns=$(awk -v t=$((t1 - t0)) -v tck="$tck" -v e="$events" 'BEGIN {printf "%.0f", t * 1e9 / tck / e}')

start_recorder "$tmp/cap-nocapture" --syscalls execve
without=$(loops)
stop_recorder

added=$(awk -v a="$with" -v b="$base" 'BEGIN {printf "%.1f", a - b}')
idle=$(awk -v a="$without" -v b="$base" 'BEGIN {printf "%.1f", a - b}')
echo "loop CPU per syscall, no recorder:              $base ns"
echo "loop CPU per syscall, recorder (default set):   $with ns"
echo "  => added per captured event:                  $added ns   (target < 116 ns)"
echo "loop CPU per syscall, recorder (not captured):  $without ns"
echo "  => added per uncaptured syscall:              $idle ns"
echo "recorder userspace CPU per recorded event:      $user_ns ns ($events events, $kdrops kernel drops)"
echo "bytes per event on disk:                        $bpe"
echo

for rate in $RATES; do
	n=$((rate * DURATION))
	start_recorder "$tmp/cap-$rate" --syscalls default
	t0=$(cpu_ticks "$rec")
	"$tmp/loop" -n "$n" -rate "$rate" >"$tmp/loop.json"
	t1=$(cpu_ticks "$rec")
	stop_recorder
	got=$(field "$tmp/loop.json" rate)
	drops=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["drops"]["Kernel"] + d["drops"]["User"])' "$tmp/cap-$rate.json")
	ev=$(field "$tmp/cap-$rate.json" events)
	cpu=$(awk -v t=$((t1 - t0)) -v tck="$tck" -v d="$DURATION" 'BEGIN {printf "%.0f", t / tck / d * 100}')
	printf "paced %7d events/s for %ss: achieved %.0f/s, %d events recorded, %d dropped, recorder CPU %s%%\n" \
		"$rate" "$DURATION" "$got" "$ev" "$drops" "$cpu"
done

echo
echo "floor: the smallest programs on the recorder's hook (internal/cmd/bpffloor)"
"$tmp/bpffloor" -n "$((N / 4))" -runs "$RUNS" | tail -n +5
echo "(the recorder's added cost above compares with the clock+ring row: the least any timestamped capture does)"
