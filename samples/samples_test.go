package samples

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"forensics/format"
)

func TestWriteIncident(t *testing.T) {
	dir := t.TempDir()
	// A file of that name is replaced, whatever its mode.
	if err := os.WriteFile(filepath.Join(dir, IncidentName), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := WriteIncident(dir)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, IncidentName) {
		t.Errorf("wrote %s", path)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, Incident()) {
		t.Error("the written file is not the embedded capture")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d files, want only the capture", len(entries))
	}
	rep, err := format.Verify(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("verify: %+v", rep.Problems)
	}
}

func TestWriteIncidentMissingDir(t *testing.T) {
	if _, err := WriteIncident(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestIncidentIsACopy(t *testing.T) {
	a := Incident()
	if len(a) == 0 {
		t.Fatal("empty capture")
	}
	a[0] ^= 0xFF
	if b := Incident(); b[0] == a[0] {
		t.Error("Incident returns the embedded bytes themselves")
	}
}

func TestRecorded(t *testing.T) {
	dir := t.TempDir()
	path, err := WriteRecorded(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := format.Verify(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || !rep.Complete {
		t.Fatalf("verify: %+v", rep)
	}
	f, err := format.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Header.Source != "ebpf" || f.Events() < 1000 {
		t.Errorf("source %q, %d events: not a recording", f.Header.Source, f.Events())
	}
	if f.Drops != (format.Drops{}) {
		t.Errorf("drops %+v", f.Drops)
	}
	for _, p := range f.Processes() {
		if len(p.Env) != 0 {
			t.Errorf("process %d %s carries its environment", p.Pid, p.Comm)
		}
	}
}
