package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"forensics/internal/scaptest"
)

func TestImportExport(t *testing.T) {
	in := scaptest.CorpusFile(t, "open-multiple-files.scap")
	dir := t.TempDir()
	out := filepath.Join(dir, "c.zst")
	code, stdout, stderr := runCmd(t, "import", in, out)
	if code != exitOK || !strings.Contains(stdout, "1272 events") {
		t.Fatalf("import: %d %s %s", code, stdout, stderr)
	}
	code, stdout, _ = runCmd(t, "info", "-o", "json", out)
	var res struct {
		Total struct {
			Events uint64 `json:"events"`
			Source string `json:"source"`
		} `json:"total"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != exitOK || res.Total.Events != 1272 {
		t.Fatalf("info: %d %v %s", code, err, stdout)
	}
	// The .scap itself is a CAPTURE too.
	if code, stdout, _ := runCmd(t, "info", in); code != exitOK || !strings.Contains(stdout, "1272 in") {
		t.Fatalf("info on the .scap: %d %s", code, stdout)
	}
	rt := filepath.Join(dir, "rt.scap")
	if code, stdout, stderr := runCmd(t, "export", "--format", "scap", out, rt); code != exitOK || !strings.Contains(stdout, "1272 events") {
		t.Fatalf("export: %d %s %s", code, stdout, stderr)
	}
	if st, err := os.Stat(rt); err != nil || st.Size() == 0 {
		t.Fatalf("export wrote nothing: %v", err)
	}
	if code, _, _ := runCmd(t, "export", "--format", "xlsx", out, rt); code != exitUsage {
		t.Fatalf("unsupported export format: exit %d", code)
	}
	if code, _, _ := runCmd(t, "export", out, rt); code != exitUsage {
		t.Fatalf("export without --format: exit %d", code)
	}
	// A damaged .scap: the events before the damage, and exit 1.
	plain := scaptest.Plain(t, in)
	cut := filepath.Join(dir, "cut.scap")
	os.WriteFile(cut, plain[:len(plain)*95/100], 0o600)
	code, stdout, stderr = runCmd(t, "import", cut, filepath.Join(dir, "cut.zst"))
	if code != exitNegative || !strings.Contains(stderr, "offset") {
		t.Fatalf("import of a cut .scap: %d\n%s\n%s", code, stdout, stderr)
	}
}
