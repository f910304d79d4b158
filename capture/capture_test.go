package capture

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"forensics/event"
	"forensics/format"
	"forensics/index"
	"forensics/internal/eventgen"
)

const t0 = 1_700_000_000_000_000_000

func readAll(t *testing.T, c *Capture) []*event.Event {
	t.Helper()
	it := c.Iter(index.Selection{})
	defer it.Close()
	var out []*event.Event
	var ev event.Event
	for it.Next(&ev) {
		out = append(out, ev.Clone())
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func write(t *testing.T, opts RotateOptions, evs []*event.Event) *SetWriter {
	t.Helper()
	s, err := NewSetWriter(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := s.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRotateBySize(t *testing.T) {
	g := eventgen.New(1, t0)
	var evs []*event.Event
	for range 40000 {
		evs = append(evs, g.Realistic())
	}
	dir := filepath.Join(t.TempDir(), "set")
	s := write(t, RotateOptions{Dir: dir, Size: 64 << 10, Writer: &format.WriterOptions{BlockEvents: 1000}}, evs)
	files := s.Files()
	if len(files) < 4 {
		t.Fatalf("size rotation made %d files", len(files))
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", f, st.Mode().Perm())
		}
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v", st.Mode().Perm())
	}
	// The directory reads as one capture, every event in order, across
	// block and file boundaries.
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := readAll(t, c)
	if len(got) != len(evs) {
		t.Fatalf("read %d events, wrote %d", len(got), len(evs))
	}
	for i := range got {
		if got[i].Num != evs[i].Num || got[i].Ts != evs[i].Ts || got[i].FD != evs[i].FD {
			t.Fatalf("event %d differs", i)
		}
	}
}

func TestRotateByTimeAndCount(t *testing.T) {
	g := eventgen.New(2, t0)
	g.Step = uint64(10 * time.Millisecond) // about 10 s of events
	var evs []*event.Event
	for range 1000 {
		evs = append(evs, g.Realistic())
	}
	span := time.Duration(evs[len(evs)-1].Ts - evs[0].Ts)
	dir := t.TempDir()
	s := write(t, RotateOptions{Dir: dir, Age: time.Second}, evs)
	want := int(span/time.Second) + 1
	if n := len(s.Files()); n < want-1 || n > want {
		t.Fatalf("time rotation over %v made %d files, want about %d", span, n, want)
	}
	for _, p := range s.Files() {
		f, err := format.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		first, last := f.Index.Span()
		if time.Duration(last-first) >= time.Second {
			t.Errorf("%s spans %v", p, time.Duration(last-first))
		}
		// The name carries the file's start time.
		if filepath.Base(p) != FileName("forensics", f.Header.Seq, f.Header.StartTs) {
			t.Errorf("%s: name does not carry start %d", p, f.Header.StartTs)
		}
		f.Close()
	}

	dir2 := t.TempDir()
	s = write(t, RotateOptions{Dir: dir2, Age: time.Second, Count: 3}, evs)
	ents, _ := os.ReadDir(dir2)
	if len(ents) != 3 || len(s.Files()) != 3 {
		t.Fatalf("count rotation kept %d files", len(ents))
	}
	// The survivors are the newest.
	c, err := Open(dir2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := readAll(t, c)
	if len(got) == 0 || got[len(got)-1].Num != evs[len(evs)-1].Num {
		t.Fatal("the newest events were not kept")
	}
}

func TestRestartContinues(t *testing.T) {
	g := eventgen.New(3, t0)
	var evs []*event.Event
	for range 3000 {
		evs = append(evs, g.Realistic())
	}
	dir := t.TempDir()
	opts := RotateOptions{Dir: dir, Size: 32 << 10, Writer: &format.WriterOptions{BlockEvents: 500}}
	s1 := write(t, opts, evs[:1500])
	// The second run numbers its files and events after the first's.
	for _, ev := range evs[1500:] {
		ev.Num = 0
	}
	s2 := write(t, opts, evs[1500:])
	f1, f2 := s1.Files(), s2.Files()
	if !slices.Equal(f2[:len(f1)], f1) || len(f2) <= len(f1) {
		t.Fatalf("restart files %v after %v", f2, f1)
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := readAll(t, c)
	if len(got) != 3000 {
		t.Fatalf("read %d events", len(got))
	}
	for i, ev := range got {
		if ev.Num != uint64(i+1) {
			t.Fatalf("event %d has number %d", i, ev.Num)
		}
	}
	var seqs []uint64
	set := ""
	for _, f := range c.Files {
		seqs = append(seqs, f.Header.Seq)
		if set != "" && f.Header.SetID != set {
			t.Error("set id changed across the restart")
		}
		set = f.Header.SetID
	}
	for i := range seqs {
		if seqs[i] != uint64(i+1) {
			t.Fatalf("sequence numbers %v", seqs)
		}
	}
}

func TestResolveGlob(t *testing.T) {
	g := eventgen.New(4, t0)
	var evs []*event.Event
	for range 2000 {
		evs = append(evs, g.Realistic())
	}
	dir := t.TempDir()
	write(t, RotateOptions{Dir: dir, Size: 16 << 10, Writer: &format.WriterOptions{BlockEvents: 200}}, evs)
	c, err := Open(filepath.Join(dir, "forensics-*.zst"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Events() != 2000 {
		t.Fatalf("glob reads %d events", c.Events())
	}
	if _, err := Open(filepath.Join(dir, "nothing-*.zst")); err == nil {
		t.Fatal("a glob matching nothing is not an error")
	}
}

// TestRoundTripAcrossFiles: random events of every parameter type, written
// through a rotation set with small blocks and small files, read back
// identical from the directory.
func TestRoundTripAcrossFiles(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		g := eventgen.New(seed, t0)
		var evs []*event.Event
		for i := range 4000 {
			if i%500 == 0 {
				evs = append(evs, g.EveryType()...)
			}
			evs = append(evs, g.Random())
		}
		dir := t.TempDir()
		s := write(t, RotateOptions{Dir: dir, Size: 48 << 10, Writer: &format.WriterOptions{BlockEvents: 97}}, evs)
		if len(s.Files()) < 3 {
			t.Fatalf("seed %d: only %d files", seed, len(s.Files()))
		}
		c, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, c)
		c.Close()
		if len(got) != len(evs) {
			t.Fatalf("seed %d: read %d of %d events", seed, len(got), len(evs))
		}
		for i := range evs {
			a, b := got[i], evs[i]
			same := a.Num == b.Num && a.Ts == b.Ts && a.CPU == b.CPU && a.Tid == b.Tid && a.Type == b.Type &&
				a.Flags == b.Flags && a.Merged == b.Merged && a.Proc == b.Proc && a.FD == b.FD && len(a.Params) == len(b.Params)
			for k := 0; same && k < len(a.Params); k++ {
				same = string(a.Params[k]) == string(b.Params[k])
			}
			if !same {
				t.Fatalf("seed %d: event %d differs:\n got %+v\nwant %+v", seed, i, a, b)
			}
		}
	}
}

// A host whose state table alone is larger than the size limit still gets
// files of many events: the opening snapshot does not count towards Size.
func TestRotateBySizeIgnoresSnapshot(t *testing.T) {
	snap := &event.Snapshot{}
	for i := range 2000 {
		snap.Processes = append(snap.Processes, event.Process{
			Key: event.ProcKey(i + 1), Tid: int64(i + 1), Pid: int64(i + 1), Comm: fmt.Sprintf("worker-%d", i),
			ExePath: fmt.Sprintf("/usr/lib/app/bin/worker-%d", i), Args: []string{"--id", fmt.Sprint(i * 7919)},
		})
	}
	g := eventgen.New(1, t0)
	var evs []*event.Event
	for range 20000 {
		evs = append(evs, g.Realistic())
	}
	dir := filepath.Join(t.TempDir(), "set")
	const limit = 16 << 10
	s := write(t, RotateOptions{Dir: dir, Size: limit, Snapshot: func() *event.Snapshot { return snap },
		Writer: &format.WriterOptions{BlockEvents: 1000}}, evs)
	files := s.Files()
	if len(files) < 2 || len(files) > 25 {
		t.Fatalf("size rotation with a large snapshot made %d files for 20 blocks", len(files))
	}
	first, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if first.Size() < 2*limit {
		t.Fatalf("first file %d bytes: the snapshot was meant to be larger than the limit", first.Size())
	}
}
