package scapconv_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"forensics/capture"
	"forensics/event"
	"forensics/format"
	"forensics/index"
	"forensics/internal/scaptest"
	"forensics/scap"
	"forensics/scapconv"
)

// importCorpus imports one corpus file into dir and opens the capture.
func importCorpus(t *testing.T, in, dir string) (*capture.Capture, *scapconv.Stats) {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(in)+".zst")
	st, err := scapconv.ImportFile(context.Background(), in, out, nil, nil)
	if err != nil {
		t.Fatalf("import %s: %v", in, err)
	}
	c, err := capture.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, st
}

// TestImportCountsEveryType: every corpus file imports, and the capture's
// own counts (what `forensics info` shows) equal the events of each type
// that an independent walk of the .scap's blocks finds.
func TestImportCountsEveryType(t *testing.T) {
	for _, in := range scaptest.CorpusFiles(t) {
		t.Run(filepath.Base(in), func(t *testing.T) {
			want := scaptest.Walk(t, scaptest.Plain(t, in)).Events
			c, st := importCorpus(t, in, t.TempDir())
			got := map[event.Type]uint64{}
			for _, tc := range capture.Summarize(c.Files[0]).Types {
				got[event.Type(tc.ID)] = tc.Count
			}
			if len(got) != len(want) {
				t.Errorf("%d event types, the .scap holds %d", len(got), len(want))
			}
			for typ, n := range want {
				if got[typ] != n {
					t.Errorf("type %d (%s): %d events, the .scap holds %d", typ, typ, got[typ], n)
				}
			}
			if st.Events != c.Events() {
				t.Errorf("import says %d events, the capture holds %d", st.Events, c.Events())
			}
		})
	}
}

// exportCapture writes a capture back to .scap.
func exportCapture(t *testing.T, c *capture.Capture, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	it := c.Iter(index.Selection{})
	defer it.Close()
	if _, err := scapconv.Export(context.Background(), c.Files[0], it, f, scap.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// The sysdig views compared for every corpus file: the default line, the
// buffers as text, and formats that show the process, fd and user state
// sysdig rebuilt from the exported lists and events. The leading * keeps
// events whose fields are missing.
var sysdigViews = [][]string{
	nil,
	{"-A"},
	{"-p", "*%evt.num %evt.time %evt.cpu %evt.type %evt.dir %proc.name %proc.pid %proc.ppid %proc.exe %proc.cmdline %thread.tid %proc.cwd"},
	{"-p", "*%evt.num %fd.num %fd.type %fd.typechar %fd.name %fd.directory %fd.filename %fd.cip %fd.sip %fd.cport %fd.sport %fd.l4proto"},
	{"-p", "*%evt.num %user.uid %user.name %user.homedir %user.shell %group.gid %group.name %proc.pname %proc.args"},
	{"-p", "*%evt.num %evt.args %evt.res %evt.failed %evt.is_io %evt.category"},
	{"-c", "ps"},
	{"-c", "lsof"},
}

// TestRoundTripThroughSysdig: import followed by export prints, in sysdig
// 0.29.3, exactly the lines the original prints, for every corpus file
// and every view.
func TestRoundTripThroughSysdig(t *testing.T) {
	sysdig := scaptest.Sysdig(t)
	for _, in := range scaptest.CorpusFiles(t) {
		t.Run(filepath.Base(in), func(t *testing.T) {
			dir := t.TempDir()
			c, _ := importCorpus(t, in, dir)
			rt := filepath.Join(dir, "roundtrip.scap")
			exportCapture(t, c, rt)
			for _, view := range sysdigViews {
				want, err := scaptest.RunSysdig(sysdig, in, view...)
				if err != nil {
					t.Fatalf("sysdig %v on the original: %v", view, err)
				}
				got, err := scaptest.RunSysdig(sysdig, rt, view...)
				if err != nil {
					t.Fatalf("sysdig %v on the round trip: %v", view, err)
				}
				if !bytes.Equal(got, want) {
					n, first := scaptest.DiffLines(want, got)
					t.Errorf("sysdig %v: %d lines differ; first: %s", view, n, first)
				}
			}
		})
	}
}

// TestTruncatedImport: a .scap cut short imports what was complete; the
// error names the file and the offset where reading stopped, and the
// capture is complete and holds those events.
func TestTruncatedImport(t *testing.T) {
	in := scaptest.CorpusFile(t, "cat_write.scap")
	plain := scaptest.Plain(t, in)
	// Cut inside the events: after the metadata blocks.
	first := len(plain)
	for _, b := range scaptest.Walk(t, plain).Blocks {
		if b.ID == 0x204 || b.ID == 0x216 || b.ID == 0x217 {
			first = min(first, b.Off)
		}
	}
	dir := t.TempDir()
	for _, frac := range []int{10, 50, 90} {
		cut := filepath.Join(dir, "cut.scap")
		at := first + (len(plain)-first)*frac/100 + 1
		if err := os.WriteFile(cut, plain[:at], 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "cut.zst")
		os.Remove(out)
		st, err := scapconv.ImportFile(context.Background(), cut, out, nil, nil)
		var pe *scap.PosError
		if !errors.As(err, &pe) || pe.File != cut || pe.Offset <= 0 || !errors.Is(err, scap.ErrTruncated) {
			t.Fatalf("cut at %d%%: error %v does not name the file and offset", frac, err)
		}
		f, ferr := format.Open(out)
		if ferr != nil {
			t.Fatal(ferr)
		}
		if !f.Complete || f.Events() != st.Events || st.Events == 0 {
			t.Errorf("cut at %d%%: capture complete=%v with %d events, import read %d", frac, f.Complete, f.Events(), st.Events)
		}
		f.Close()
	}
}

// TestScapAsCapture: a .scap is accepted wherever a CAPTURE is.
func TestScapAsCapture(t *testing.T) {
	in := scaptest.CorpusFile(t, "syscall.scap")
	c, err := capture.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := scaptest.Walk(t, scaptest.Plain(t, in)).Events
	var total uint64
	for _, n := range want {
		total += n
	}
	if c.Events() != total || c.Files[0].Name != in {
		t.Fatalf("reading %s directly: %d events (want %d), name %q", in, c.Events(), total, c.Files[0].Name)
	}
}
