package query

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"forensics/capture"
	"forensics/event"
	"forensics/format"
	"forensics/internal/eventgen"
	"forensics/query/fields"
)

func testCapture(t testing.TB, n int) *capture.Capture {
	t.Helper()
	return writeCapture(t, 5, 500, n, nil)
}

// writeCapture writes n realistic events from generator seed into blocks
// of blockEvents, each passed to edit (when set) first, and opens them.
func writeCapture(t testing.TB, seed uint64, blockEvents, n int, edit func(i int, ev *event.Event)) *capture.Capture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.zst")
	g := eventgen.New(seed, 1_764_130_000_000_000_000)
	w, err := format.Create(path, format.Header{}, &event.Snapshot{Processes: g.Processes()}, &format.WriterOptions{BlockEvents: blockEvents})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		ev := g.Realistic()
		if edit != nil {
			edit(i, ev)
		}
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestRunParallel: the parallel run sees the same events, in the same
// order, as one worker, with and without a limit.
func TestRunParallel(t *testing.T) {
	c := testCapture(t, 20000)
	f, err := Compile("evt.type in (openat, execve) or fd.name contains /etc", testSource(), nil)
	if err != nil {
		t.Fatal(err)
	}
	collect := func(workers, limit int) []uint64 {
		var nums []uint64
		err := Run(context.Background(), c, Options{Filter: f, Workers: workers, Limit: limit}, func(fc *fields.Ctx) error {
			nums = append(nums, fc.Ev.Num)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return nums
	}
	one := collect(1, 0)
	if len(one) < 1000 {
		t.Fatalf("only %d matches", len(one))
	}
	for _, w := range []int{2, 4} {
		got := collect(w, 0)
		if len(got) != len(one) {
			t.Fatalf("%d workers: %d events, one worker %d", w, len(got), len(one))
		}
		for i := range got {
			if got[i] != one[i] {
				t.Fatalf("%d workers: event %d is #%d, one worker #%d", w, i, got[i], one[i])
			}
		}
	}
	if got := collect(4, 77); len(got) != 77 || got[76] != one[76] {
		t.Fatalf("limit 77: %d events", len(got))
	}
	// The index skipped blocks without openat or execve... or not, since
	// the filter has an untyped side: every block is read.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, c, Options{Filter: f}, func(*fields.Ctx) error { return nil }); err == nil {
		t.Fatal("a cancelled run did not stop")
	}
}

// TestRunParallelVisit: RunParallel hands every event Run selects to one
// worker, each call with a worker number in range, and stops at an error.
func TestRunParallelVisit(t *testing.T) {
	c := testCapture(t, 20000)
	f, err := Compile("evt.is_io=true and evt.dir=< or proc.name contains a", fields.Syscall(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]bool{}
	if err := Run(context.Background(), c, Options{Filter: f}, func(fc *fields.Ctx) error {
		want[fc.Ev.Num] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 4} {
		opts := Options{Filter: f, Workers: workers}
		parts := make([]map[uint64]bool, Workers(opts))
		for i := range parts {
			parts[i] = map[uint64]bool{}
		}
		err := RunParallel(context.Background(), c, opts, func(w int, fc *fields.Ctx) error {
			if parts[w][fc.Ev.Num] {
				t.Errorf("event #%d twice", fc.Ev.Num)
			}
			parts[w][fc.Ev.Num] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range parts {
			for num := range p {
				if !want[num] {
					t.Fatalf("%d workers: event #%d not selected by Run", workers, num)
				}
				n++
			}
		}
		if n != len(want) {
			t.Fatalf("%d workers: %d events, Run %d", workers, n, len(want))
		}
	}
	stop := errors.New("stop")
	if err := RunParallel(context.Background(), c, Options{Filter: f}, func(int, *fields.Ctx) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("error: %v", err)
	}
}

// TestStateOnlyEvents: events kept only for state are hidden unless asked
// for, whether a block's flags column is one value for all its events
// (all state-only, none) or varies.
func TestStateOnlyEvents(t *testing.T) {
	state := 0
	c := writeCapture(t, 7, 100, 300, func(i int, ev *event.Event) {
		ev.Flags &^= event.FlagStateOnly
		// Block 1: all state-only; block 2: every third; block 3: none.
		if i < 100 || (i < 200 && i%3 == 0) {
			ev.Flags |= event.FlagStateOnly
			state++
		}
	})
	br, err := c.Files[0].NewBlockReader()
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	var blk format.Block
	for i, want := range []bool{true, false, true} { // which blocks have one flags value
		if err := br.Read(i, &blk); err != nil {
			t.Fatal(err)
		}
		if _, ok := blk.ConstFlags(); ok != want {
			t.Fatalf("block %d: ConstFlags ok = %v", i, ok)
		}
	}
	for _, all := range []bool{false, true} {
		n := 0
		err := Run(context.Background(), c, Options{StateOnly: all}, func(fc *fields.Ctx) error {
			if !all && fc.Ev.Flags&event.FlagStateOnly != 0 {
				t.Errorf("event %d is state-only", fc.Ev.Num)
			}
			n++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := 300 - state
		if all {
			want = 300
		}
		if n != want {
			t.Errorf("StateOnly=%v: %d events, want %d", all, n, want)
		}
	}
}

// TestSkip: with Options.Skip the events come without the parts
// skipped and otherwise whole, when the filter reads none of them; a
// filter on a time or fd name field keeps those, and Since still selects
// by the timestamps.
func TestSkip(t *testing.T) {
	c := testCapture(t, 3000)
	reg := fields.Syscall()
	collect := func(src string, opts Options) map[uint64]event.Event {
		t.Helper()
		f, err := Compile(src, reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		opts.Filter = f
		out := map[uint64]event.Event{}
		if err := Run(context.Background(), c, opts, func(fc *fields.Ctx) error {
			ev := *fc.Ev
			ev.Params = nil
			out[ev.Num] = ev
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tc := range []struct {
		filter string
		reads  event.Parts
	}{
		{"fd.num > 2 and proc.name exists", event.PartProc},
		{"evt.rawtime > 0 and fd.num > 2", event.AllParts}, // evt.rawtime: every part
		{"fd.name contains / and fd.num > 2", event.PartFDName},
		{"fd.sport > 0 or evt.cpu > 0", event.PartFDTuple | event.PartTs},
		{"evt.info contains a or fd.num > 2", event.AllParts},
	} {
		f, _ := Compile(tc.filter, reg, nil)
		if f.Reads != tc.reads {
			t.Errorf("%s: reads %b, want %b", tc.filter, f.Reads, tc.reads)
		}
		want := collect(tc.filter, Options{})
		got := collect(tc.filter, Options{Skip: event.AllParts})
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("%s: %d events, %d without Skip", tc.filter, len(got), len(want))
		}
		for num, w := range want {
			if tc.reads&event.PartTs == 0 {
				w.Ts, w.CPU = 0, 0
			}
			if tc.reads&event.PartProc == 0 {
				w.Proc = 0
			}
			if tc.reads&event.PartFDName == 0 {
				w.FD.Name = ""
			}
			if tc.reads&event.PartFDTuple == 0 {
				w.FD.Tuple, w.FD.Role = event.Tuple{}, 0
			}
			if tc.reads&event.PartFDMeta == 0 {
				w.FD.OpenFlags, w.FD.Dev, w.FD.Ino = 0, 0, 0
			}
			if tc.reads&event.PartMerged == 0 {
				w.Merged = 0
			}
			if g := got[num]; !reflect.DeepEqual(g, w) {
				t.Fatalf("%s: event #%d is %+v, want %+v", tc.filter, num, g, w)
			}
		}
	}
	// Since selects by the timestamps, which the events then lack.
	all := collect("fd.num > 2", Options{})
	var mid uint64
	for _, ev := range all {
		mid = max(mid, ev.Ts)
	}
	mid -= (mid - 1_764_130_000_000_000_000) / 2
	want := collect("fd.num > 2", Options{Since: mid})
	got := collect("fd.num > 2", Options{Since: mid, Skip: event.AllParts})
	if len(got) != len(want) || len(want) == 0 || len(want) == len(all) {
		t.Fatalf("since: %d events, %d without Skip, %d in all", len(got), len(want), len(all))
	}
}
