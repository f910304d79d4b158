// Command bpffloor measures what the smallest eBPF programs cost a
// syscall on this machine, the floor under the recorder's own cost per
// event (scripts/bench-record.sh prints both). It attaches, one at a time,
// programs on the sys_exit tracepoint (tp_btf, the recorder's hook, and
// the older raw_tp for comparison) that do ever more of what any capture
// must do per event:
//
//	empty        return at once (raw_tp, and tp_btf as "empty btf")
//	pidtgid      read the current pid and tgid (every capture filters on it)
//	clock        read the boot clock (every event needs a timestamp)
//	ring         write a 64-byte record to a ring buffer, no clock
//	clock+ring   both: the least a timestamped capture can do
//
// and runs a tight loop of 16-byte reads and writes (as syscallloop does)
// under each, reporting the loop thread's CPU time per syscall and the
// difference from the run with nothing attached. As root:
//
//	go run ./internal/cmd/bpffloor -n 2000000 -runs 5
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
)

type variant struct {
	name string
	btf  bool // tp_btf (the recorder's program type) rather than raw_tp
	prog func(ring *ebpf.Map) asm.Instructions
}

const recSize = 64

// zeroStack stores zeros in the recSize bytes below the frame pointer, so
// the verifier lets a helper read them.
func zeroStack() asm.Instructions {
	out := asm.Instructions{asm.Mov.Imm(asm.R1, 0)}
	for off := int16(-recSize); off < 0; off += 8 {
		out = append(out, asm.StoreMem(asm.RFP, off, asm.R1, asm.DWord))
	}
	return out
}

// ringOutput writes the recSize bytes below the frame pointer to ring,
// without waking the reader (the recorder wakes it in batches too).
func ringOutput(ring *ebpf.Map) asm.Instructions {
	return asm.Instructions{
		asm.LoadMapPtr(asm.R1, ring.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -recSize),
		asm.Mov.Imm(asm.R3, recSize),
		asm.Mov.Imm(asm.R4, 1), // BPF_RB_NO_WAKEUP
		asm.FnRingbufOutput.Call(),
	}
}

func ret0() asm.Instructions {
	return asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}
}

var variants = []variant{
	{"empty", false, func(*ebpf.Map) asm.Instructions { return ret0() }},
	{"empty btf", true, func(*ebpf.Map) asm.Instructions { return ret0() }},
	{"pidtgid", true, func(*ebpf.Map) asm.Instructions {
		return append(asm.Instructions{asm.FnGetCurrentPidTgid.Call()}, ret0()...)
	}},
	{"clock", true, func(*ebpf.Map) asm.Instructions {
		return append(asm.Instructions{asm.FnKtimeGetBootNs.Call()}, ret0()...)
	}},
	{"ring", true, func(m *ebpf.Map) asm.Instructions {
		return slices.Concat(zeroStack(), ringOutput(m), ret0())
	}},
	{"clock+ring", true, func(m *ebpf.Map) asm.Instructions {
		return slices.Concat(zeroStack(), asm.Instructions{
			asm.FnKtimeGetBootNs.Call(),
			asm.StoreMem(asm.RFP, -recSize, asm.R0, asm.DWord),
		}, ringOutput(m), ret0())
	}},
}

type row struct {
	Variant string  `json:"variant"`
	NsPer   float64 `json:"ns_per_syscall"`
	Added   float64 `json:"added_ns"`
}

func main() {
	n := flag.Int("n", 2_000_000, "syscalls per run (half reads, half writes)")
	runs := flag.Int("runs", 5, "runs per variant; the median is reported")
	asJSON := flag.Bool("json", false, "print JSON")
	flag.Parse()
	if err := run(*n, *runs, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "bpffloor:", err)
		os.Exit(1)
	}
}

func run(n, runs int, asJSON bool) error {
	if err := rlimit.RemoveMemlock(); err != nil {
		return err
	}
	ring, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: 16 << 20})
	if err != nil {
		return fmt.Errorf("ring buffer: %w", err)
	}
	defer ring.Close()
	// Drain the ring as the recorder does, so that writes never fail for
	// want of room.
	rd, err := ringbuf.NewReader(ring)
	if err != nil {
		return err
	}
	defer rd.Close()
	go func() {
		var rec ringbuf.Record
		for {
			rd.SetDeadline(time.Now().Add(5 * time.Millisecond))
			if err := rd.ReadInto(&rec); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				return
			}
		}
	}()

	// Load every program first; then, round after round, run the loop
	// with nothing attached, with one program, and with nothing again, so
	// each difference is taken between runs seconds apart (the machine is
	// shared and its speed drifts).
	type loaded struct {
		v    variant
		prog *ebpf.Program
	}
	var progs []loaded
	defer func() {
		for _, p := range progs {
			p.prog.Close()
		}
	}()
	for _, v := range variants {
		spec := &ebpf.ProgramSpec{Name: "floor", Type: ebpf.RawTracepoint, License: "GPL", Instructions: v.prog(ring)}
		if v.btf {
			spec.Type, spec.AttachType, spec.AttachTo = ebpf.Tracing, ebpf.AttachTraceRawTp, "sys_exit"
		}
		prog, err := ebpf.NewProgram(spec)
		if err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
		progs = append(progs, loaded{v, prog})
	}
	bases := make([]float64, 0, runs)
	added := make([][]float64, len(progs))
	withs := make([][]float64, len(progs))
	for range runs {
		for i, p := range progs {
			b1 := loop(n)
			var l link.Link
			var err error
			if p.v.btf {
				l, err = link.AttachTracing(link.TracingOptions{Program: p.prog})
			} else {
				l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_exit", Program: p.prog})
			}
			if err != nil {
				return fmt.Errorf("%s: attach: %w", p.v.name, err)
			}
			x := loop(n)
			l.Close()
			b2 := loop(n)
			bases = append(bases, b1, b2)
			withs[i] = append(withs[i], x)
			added[i] = append(added[i], x-(b1+b2)/2)
		}
	}
	rows := []row{{Variant: "none", NsPer: median(bases)}}
	for i, p := range progs {
		rows = append(rows, row{Variant: p.v.name, NsPer: median(withs[i]), Added: median(added[i])})
	}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(rows)
	}
	fmt.Printf("machine: %d CPUs, load average %s\n", runtime.NumCPU(), loadavg())
	fmt.Printf("loop of %d syscalls, CPU time of the loop thread; added = median over %d rounds of the\n", n, runs)
	fmt.Printf("run with the program minus the mean of the runs just before and after without it\n\n")
	fmt.Printf("%-12s %14s %12s\n", "program", "ns/syscall", "added ns")
	for _, r := range rows {
		fmt.Printf("%-12s %14.1f %12.1f\n", r.Variant, r.NsPer, r.Added)
	}
	return nil
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

// loop makes n syscalls on a thread of its own and returns that thread's
// CPU time per syscall.
func loop(n int) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	in, err := syscall.Open("/dev/zero", syscall.O_RDONLY, 0)
	if err != nil {
		panic(err)
	}
	defer syscall.Close(in)
	out, err := syscall.Open("/dev/null", syscall.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	defer syscall.Close(out)
	buf := make([]byte, 16)
	var before, after syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	syscall.Getrusage(rusageThread, &before)
	for i := 0; i < n; i += 2 {
		syscall.Read(in, buf)
		syscall.Write(out, buf)
	}
	syscall.Getrusage(rusageThread, &after)
	cpu := func(r *syscall.Rusage) int64 { return r.Utime.Nano() + r.Stime.Nano() }
	return float64(cpu(&after)-cpu(&before)) / float64(n)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(b) < 14 {
		return "?"
	}
	return string(b[:14])
}
