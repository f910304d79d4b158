package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"forensics/format"
	"forensics/internal/testenv"
	"forensics/samples"
)

func TestParseSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", 0, true}, {"1024", 1024, true}, {"64K", 64 << 10, true}, {"256M", 256 << 20, true},
		{"1GiB", 1 << 30, true}, {"2g", 2 << 30, true}, {"x", 0, false}, {"-1", 0, false},
	} {
		got, err := parseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v", tt.in, got, err)
		}
	}
}

func TestRecordUsage(t *testing.T) {
	for _, args := range [][]string{
		{"record", "--rotate-size", "lots"},
		{"record", "--syscalls", "openat,nosuchcall", "-w", t.TempDir()},
		{"record", "--filter", "proc.name = = x", "-w", t.TempDir()},
		{"record", "extra-arg"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != exitUsage {
			t.Errorf("%q: exit %d, want %d (%s)", args, code, exitUsage, errb.String())
		}
	}
}

// TestRecordDaemon runs forensics record as systemd would: it must say
// READY=1 on $NOTIFY_SOCKET, start a new file on SIGHUP and close cleanly
// on SIGTERM.
func TestRecordDaemon(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Missing(t, "recording needs root (eBPF)")
	}
	tmp := t.TempDir()
	sock := filepath.Join(tmp, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	dir := filepath.Join(tmp, "cap")
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"record", "-w", dir, "--filter", "proc.name=cat", "-o", "json"}, &out, &errb)
	}()
	msg := func() string {
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		buf := make([]byte, 256)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v (stderr %s)", err, errb.String())
		}
		return string(buf[:n])
	}
	if m := msg(); !strings.Contains(m, "READY=1") {
		t.Fatalf("first notification %q", m)
	}
	cat := func() {
		if err := exec.Command("cat", "/etc/hostname").Run(); err != nil {
			t.Fatal(err)
		}
	}
	// The first file appears with the first event the filter keeps.
	files := func() int {
		m, _ := filepath.Glob(filepath.Join(dir, "*.zst"))
		return len(m)
	}
	for i := 0; i < 100 && files() < 1; i++ {
		cat()
		time.Sleep(200 * time.Millisecond)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	// After SIGHUP the next event starts a second file.
	for i := 0; i < 100 && files() < 2; i++ {
		cat()
		time.Sleep(200 * time.Millisecond)
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("record did not stop on SIGTERM")
	}
	if m := msg(); !strings.Contains(m, "STOPPING=1") {
		t.Errorf("last notification %q", m)
	}
	var st struct {
		Events   uint64   `json:"events"`
		Filtered uint64   `json:"filtered"`
		Files    []string `json:"files"`
	}
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if len(st.Files) != 2 || st.Events == 0 || st.Filtered == 0 {
		t.Fatalf("stats %+v: want two files (SIGHUP), events and filtered events", st)
	}
	for _, f := range st.Files {
		rep, err := format.Verify(context.Background(), f, nil)
		if err != nil || !rep.OK() || !rep.Complete {
			t.Errorf("%s after SIGTERM: %+v, %v", f, rep, err)
		}
	}
	var q bytes.Buffer
	if code := run(context.Background(), []string{"query", dir, "proc.name!=cat"}, &q, &errb); code != 0 || q.Len() != 0 {
		t.Errorf("--filter proc.name=cat let through: %s", q.String())
	}
}

// TestReplayRecordedSample replays the built-in rules over the capture the
// recorder wrote of samples/record-incident.sh: the incident's steps alert.
func TestReplayRecordedSample(t *testing.T) {
	path, err := samples.WriteRecorded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"replay", path}, &out, &errb); code != 0 {
		t.Fatalf("replay: exit %d: %s", code, errb.String())
	}
	all := out.String() + errb.String()
	for _, rule := range []string{"Sensitive file read by unexpected program", "Program run from temporary or hidden directory",
		"Write below binary directory", "Cron job installed", "File created below dev", "Shell in container",
		"File made executable in temporary directory"} {
		if !strings.Contains(all, rule) {
			t.Errorf("no %q alert", rule)
		}
	}
}
