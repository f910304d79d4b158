package query

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"forensics/capture"
	"forensics/query/fields"
)

// TestWriteLines: the lines rendered in the workers are those Run and the
// printer give one at a time, and -n counts lines.
func TestWriteLines(t *testing.T) {
	c := testCapture(t, 5000)
	reg := fields.Syscall()
	f, err := Compile("fd.name contains /etc or proc.name = sshd", reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := NewPrinter(DefaultFormat, reg)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	err = Run(context.Background(), c, Options{Filter: f}, func(fc *fields.Ctx) error {
		line, ok := pr.Append(nil, fc)
		if ok {
			want.Write(append(line, '\n'))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.SplitAfter(want.String(), "\n")
	all = all[:len(all)-1]
	if len(all) < 50 {
		t.Fatalf("only %d lines", len(all))
	}
	for _, limit := range []int{0, 1, 7, len(all), len(all) + 5} {
		var got bytes.Buffer
		n, err := WriteLines(context.Background(), c, Options{Filter: f, Limit: limit}, pr.Append, &got)
		if err != nil {
			t.Fatal(err)
		}
		w := all
		if limit > 0 && limit < len(all) {
			w = all[:limit]
		}
		if n != len(w) || got.String() != strings.Join(w, "") {
			t.Fatalf("limit %d: %d lines, want %d", limit, n, len(w))
		}
	}
}

// BenchmarkWriteLines measures query's path, filter and default line, on
// 200,000 synthetic events with both cores.
func BenchmarkWriteLines(b *testing.B) {
	benchWriteLines(b, testCapture(b, 200_000), Options{},
		"fd.name contains /etc", "proc.name=sshd and evt.type=read", "evt.type=execve", "proc.name=nothing_matches_this")
}

// benchWriteLines runs WriteLines with the default line for each filter
// over c, reporting events/s of the whole capture.
func benchWriteLines(b *testing.B, c *capture.Capture, opts Options, filters ...string) {
	reg := fields.Syscall()
	pr, _ := NewPrinter(DefaultFormat, reg)
	for _, src := range filters {
		f, err := Compile(src, reg, nil)
		if err != nil {
			b.Fatal(err)
		}
		opts.Filter = f
		b.Run(src, func(b *testing.B) {
			for b.Loop() {
				if _, err := WriteLines(context.Background(), c, opts, pr.Append, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(c.Events())*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// TestRunMulti: each event RunMulti reports comes with exactly the
// filters whose Match holds for it, and no event some filter matches is
// left out.
func TestRunMulti(t *testing.T) {
	c := testCapture(t, 20000)
	reg := fields.Syscall()
	var fs []*Filter
	for _, src := range []string{
		"fd.name contains /etc",
		"evt.type in (openat, execve) and proc.name != bash",
		"proc.name = sshd",
		"not evt.dir = <",
		"evt.type = connect",
	} {
		f, err := Compile(src, reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	type hit struct {
		num   uint64
		which string
	}
	var want []hit
	examinedWant := uint64(0)
	err := Run(context.Background(), c, Options{}, func(fc *fields.Ctx) error {
		examinedWant++
		var w []string
		for i, f := range fs {
			if f.Match(fc) {
				w = append(w, fmt.Sprint(i))
			}
		}
		if len(w) > 0 {
			want = append(want, hit{fc.Ev.Num, strings.Join(w, ",")})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []hit
	examined, err := RunMulti(context.Background(), c, Options{}, fs, func(fc *fields.Ctx, which []int) error {
		got = append(got, hit{fc.Ev.Num, strings.Trim(strings.Join(strings.Fields(fmt.Sprint(which)), ","), "[]")})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if examined != examinedWant || len(got) != len(want) {
		t.Fatalf("%d examined, %d events; want %d, %d", examined, len(got), examinedWant, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// BenchmarkWriteLinesCapture is BenchmarkWriteLines on the capture named
// by FORENSICS_BENCH_CAPTURE (for profiling on a big real capture, such
// as the one scripts/bench-query.sh builds); skipped without it.
func BenchmarkWriteLinesCapture(b *testing.B) {
	path := os.Getenv("FORENSICS_BENCH_CAPTURE")
	if path == "" {
		b.Skip("FORENSICS_BENCH_CAPTURE is not set")
	}
	c, err := capture.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	benchWriteLines(b, c, Options{HideInternal: true},
		"fd.name contains /etc", "proc.name=curl and evt.type=read", "proc.name=nothing_matches_this")
}
