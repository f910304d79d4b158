package scap

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"forensics/internal/scaptest"
)

// TestCorpusRead reads every corpus file to the end and checks the counts
// against the independent block walker.
func TestCorpusRead(t *testing.T) {
	for _, path := range scaptest.CorpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			secs, evs, st, err := readAll(t, raw, path)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			w := scaptest.Walk(t, scaptest.Plain(t, path))

			if got := scaptest.FormatTypes(st.Events); got != scaptest.FormatTypes(w.Events) {
				t.Errorf("events by type:\n reader %s\n walker %s", got, scaptest.FormatTypes(w.Events))
			}
			var nwalk uint64
			for _, n := range w.Events {
				nwalk += n
			}
			if uint64(len(evs)) != nwalk {
				t.Errorf("reader returned %d events, walker counted %d", len(evs), nwalk)
			}
			if st.Sections != w.Sections || len(secs) != w.Sections {
				t.Errorf("sections: stats %d, returned %d, walker %d", st.Sections, len(secs), w.Sections)
			}
			if int(st.Blocks[BlockSHB]) != w.Sections || st.Bytes != int64(len(scaptest.Plain(t, path))) {
				t.Errorf("stats: %d SHB, %d bytes", st.Blocks[BlockSHB], st.Bytes)
			}
			if st.SkippedBlocks != 0 || st.TrailerMismatches != 0 || st.SkippedTypes != 0 {
				t.Errorf("unexpected skips or mismatches: %+v", st)
			}

			var threads, fdLists, fds, users, groups, ifaces int
			for _, s := range secs {
				threads += len(s.Threads)
				fdLists += len(s.FDs)
				for _, l := range s.FDs {
					fds += len(l.FDs)
				}
				users += len(s.Users)
				groups += len(s.Groups)
				ifaces += len(s.Interfaces)
			}
			got := [6]int{threads, fdLists, fds, users, groups, ifaces}
			want := [6]int{w.Threads, w.FDLists, w.FDs, w.Users, w.Groups, w.Interfaces}
			if got != want {
				t.Errorf("threads, fd lists, fds, users, groups, interfaces: reader %v, walker %v", got, want)
			}
			plausible(t, secs[0])
			t.Logf("%d events, %d threads, %d fds in %d lists, %d users, %d groups, %d interfaces",
				len(evs), threads, fds, fdLists, users, groups, ifaces)
		})
	}
}

// plausible checks that a section's metadata looks like a real capture's.
func plausible(t *testing.T, s *Section) {
	t.Helper()
	if s.Machine == nil || s.Machine.NumCPUs == 0 || s.Machine.MemoryBytes == 0 || s.Machine.Hostname == "" {
		t.Errorf("machine info %+v", s.Machine)
	}
	if len(s.Threads) == 0 || len(s.Users) == 0 || len(s.Groups) == 0 {
		t.Errorf("%d threads, %d users, %d groups", len(s.Threads), len(s.Users), len(s.Groups))
	}
	root := false
	for _, u := range s.Users {
		if u.UID == 0 && u.Name == "root" {
			root = true
		}
	}
	if !root {
		t.Errorf("no root user among %d", len(s.Users))
	}
	tids := map[int64]bool{}
	for _, th := range s.Threads {
		if th.Tid <= 0 || th.Pid <= 0 || th.Comm == "" {
			t.Errorf("implausible thread %d/%d %q", th.Tid, th.Pid, th.Comm)
		}
		tids[th.Tid] = true
	}
	for _, l := range s.FDs {
		if !tids[l.Tid] {
			t.Errorf("fd list of tid %d, which the process list lacks", l.Tid)
		}
		for _, fd := range l.FDs {
			if fd.Num < 0 || fd.Type > FDPidFD {
				t.Errorf("tid %d: implausible fd %d of type %d", l.Tid, fd.Num, fd.Type)
			}
		}
	}
}

// rewrite reads a capture and writes it back with Copy.
func rewrite(t testing.TB, data []byte, opts Options) []byte {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), "in")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w, err := NewWriter(&out, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(context.Background(), w, r); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Truncated() != 0 {
		t.Errorf("%d strings truncated", w.Truncated())
	}
	return out.Bytes()
}

// TestCorpusRoundTrip rewrites every corpus file and reads it back: the
// metadata structs and the events are unchanged, the rewrite is in the
// current layout only, and rewriting the rewrite gives the same bytes.
func TestCorpusRoundTrip(t *testing.T) {
	for _, path := range scaptest.CorpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			secs, evs, st, err := readAll(t, raw, "orig")
			if err != nil {
				t.Fatal(err)
			}
			out := rewrite(t, raw, Options{})
			secs2, evs2, st2, err := readAll(t, out, "rewritten")
			if err != nil {
				t.Fatal(err)
			}
			compareSections(t, secs, secs2)
			compareEvents(t, evs, evs2)
			if scaptest.FormatTypes(st.Events) != scaptest.FormatTypes(st2.Events) {
				t.Errorf("event counts differ")
			}
			for id := range st2.Blocks {
				switch id {
				case BlockSHB, BlockMI, BlockILV2, BlockULV2, BlockPLV9, BlockFDLV2, BlockEVV2, BlockEVFV2, BlockEVV2Large, BlockEVFV2Large:
				default:
					t.Errorf("rewrite has a block %#x", id)
				}
			}
			if again := rewrite(t, out, Options{}); !bytes.Equal(again, out) {
				t.Errorf("rewriting the rewrite changes it (%d vs %d bytes)", len(again), len(out))
			}
			gz := rewrite(t, raw, Options{Gzip: true})
			if plain := scaptest.Plain(t, writeTemp(t, gz)); !bytes.Equal(plain, out) {
				t.Errorf("gzip rewrite decompresses to other bytes than the plain one")
			}
		})
	}
}

func writeTemp(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.scap")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// comparableSection drops what a rewrite changes by design: the version,
// section length (always -1), positions and block list.
func comparableSection(s *Section) Section {
	c := *s
	c.Major, c.Minor, c.Length, c.Offset, c.Blocks = 0, 0, 0, 0, nil
	return c
}

func compareSections(t testing.TB, a, b []*Section) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d sections, then %d", len(a), len(b))
	}
	for i := range a {
		ca, cb := comparableSection(a[i]), comparableSection(b[i])
		if !reflect.DeepEqual(ca, cb) {
			t.Errorf("section %d differs after the round trip", i)
			diffSection(t, &ca, &cb)
		}
	}
}

func diffSection(t testing.TB, a, b *Section) {
	t.Helper()
	va, vb := reflect.ValueOf(*a), reflect.ValueOf(*b)
	for i := 0; i < va.NumField(); i++ {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			t.Errorf("  field %s differs", va.Type().Field(i).Name)
		}
	}
}

func compareEvents(t testing.TB, a, b []*Event) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d events, then %d", len(a), len(b))
	}
	for i := range a {
		if !sameEvent(a[i], b[i]) {
			t.Fatalf("event %d differs:\n %+v\n %+v", i, a[i], b[i])
		}
	}
}

// sameEvent compares what a rewrite keeps: everything but the block.
func sameEvent(a, b *Event) bool {
	if a.Ts != b.Ts || a.Tid != b.Tid || a.CPU != b.CPU || a.Type != b.Type ||
		a.Flags&^FlagLarge != b.Flags&^FlagLarge || len(a.Params) != len(b.Params) {
		return false
	}
	for i := range a.Params {
		if !bytes.Equal(a.Params[i], b.Params[i]) {
			return false
		}
	}
	return true
}
