package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"forensics/capture"
	"forensics/event"
	"forensics/format"
	"forensics/internal/eventgen"
)

const t0 = 1_764_130_000_000_000_000

// runCmd runs forensics in-process and returns its exit status and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// makeSet writes a rotation set of n realistic events into dir.
func makeSet(t *testing.T, dir string, n int, size int64) []string {
	t.Helper()
	g := eventgen.New(1, t0)
	s, err := capture.NewSetWriter(capture.RotateOptions{Dir: dir, Size: size,
		Header: format.Header{Source: "test", Host: event.Host{Hostname: "web-01", Kernel: "6.1.0", CPUs: 2}},
		Writer: &format.WriterOptions{BlockEvents: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		if err := s.Write(g.Realistic()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return s.Files()
}

func TestInfo(t *testing.T) {
	dir := t.TempDir()
	files := makeSet(t, dir, 12000, 100<<10)
	if len(files) < 2 {
		t.Fatalf("want a set of several files, got %d", len(files))
	}
	code, out, errs := runCmd(t, "info", files[0])
	if code != exitOK {
		t.Fatalf("info: %d %s", code, errs)
	}
	for _, want := range []string{"Host:", "web-01", "Time span:", "Events:", "bytes/event", "compression", "Drops:", "Format:", "1.0", "< read", "Event types:"} {
		if !strings.Contains(out, want) {
			t.Errorf("info output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCmd(t, "info", "-o", "json", dir)
	if code != exitOK {
		t.Fatalf("info -o json: %d", code)
	}
	var res struct {
		Files []capture.Summary `json:"files"`
		Total capture.Summary   `json:"total"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if res.Total.Events != 12000 || len(res.Files) != len(files) || res.Total.Files != len(files) {
		t.Fatalf("total %+v over %d files", res.Total, len(res.Files))
	}
	var sum uint64
	for _, tc := range res.Total.Types {
		sum += tc.Count
	}
	if sum != 12000 {
		t.Fatalf("histogram adds up to %d", sum)
	}
	if code, _, _ := runCmd(t, "info", filepath.Join(dir, "nothing-*.zst")); code != exitRuntime {
		t.Fatalf("info on a glob matching nothing: exit %d", code)
	}
}

func TestVerifyAndRepair(t *testing.T) {
	dir := t.TempDir()
	files := makeSet(t, dir, 5000, 0)
	path := files[0]
	if code, out, _ := runCmd(t, "verify", path); code != exitOK || !strings.Contains(out, "intact") {
		t.Fatalf("verify intact: %d %s", code, out)
	}
	data, _ := os.ReadFile(path)
	// The writer died in the middle of a block.
	if err := os.WriteFile(path, data[:len(data)*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "verify", path)
	if code != exitNegative || !strings.Contains(out, "DAMAGED") || !strings.Contains(out, "truncated") || !strings.Contains(out, "offset") {
		t.Fatalf("verify truncated: %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "verify", "-o", "json", path)
	var reps []format.Report
	if err := json.Unmarshal([]byte(out), &reps); err != nil || code != exitNegative || len(reps) != 1 || reps[0].OK() {
		t.Fatalf("verify -o json: %d %v\n%s", code, err, out)
	}
	code, out, _ = runCmd(t, "repair", path)
	if code != exitOK || !strings.Contains(out, "footer rebuilt") {
		t.Fatalf("repair: %d %s", code, out)
	}
	if code, out, _ := runCmd(t, "verify", path); code != exitOK {
		t.Fatalf("verify after repair: %d %s", code, out)
	}
	if code, out, _ := runCmd(t, "repair", path); code != exitOK || !strings.Contains(out, "nothing to repair") {
		t.Fatalf("repair of an intact file: %d %s", code, out)
	}
	// Not a capture at all.
	junk := filepath.Join(dir, "junk.zst")
	os.WriteFile(junk, []byte("hello"), 0o600)
	if code, _, _ := runCmd(t, "verify", junk); code != exitNegative {
		t.Fatalf("verify junk: exit %d", code)
	}
	if code, _, _ := runCmd(t, "verify"); code != exitUsage {
		t.Fatalf("verify without arguments: exit %d", code)
	}
}
