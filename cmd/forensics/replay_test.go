package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"forensics/internal/testenv"
	"forensics/samples"
)

func incidentPath(t *testing.T) string {
	t.Helper()
	p, err := samples.WriteIncident(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReplayDefaultRules(t *testing.T) {
	in := incidentPath(t)
	code, out, stderr := runCmd(t, "replay", in)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 10 || !strings.Contains(stderr, "Alerts: 10") || !strings.Contains(stderr, "Events read: ") {
		t.Fatalf("%d alerts:\n%s\n%s", len(lines), out, stderr)
	}
	// Text form: "<time>: <Priority> <output>".
	if !strings.HasSuffix(strings.SplitN(lines[1], " ", 2)[0], ":") || !strings.Contains(lines[1], ": Warning Sensitive file opened") {
		t.Errorf("text alert %q", lines[1])
	}

	code, out, _ = runCmd(t, "replay", "-o", "json", in)
	if code != exitOK {
		t.Fatalf("-o json: exit %d", code)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		f, _ := m["output_fields"].(map[string]any)
		if m["hostname"] != "web-01" || m["source"] != "syscall" || m["rule"] == "" || len(f) < 2 || f["evt.time"] == nil ||
			m["tags"] == nil || !strings.HasSuffix(fmt.Sprint(m["time"]), "Z") {
			t.Errorf("JSON alert %s", line)
		}
	}
}

func TestReplaySelection(t *testing.T) {
	in := incidentPath(t)
	for _, tc := range []struct {
		args []string
		code int
		n    int
	}{
		{[]string{"--min-priority", "critical"}, exitOK, 2},
		{[]string{"--min-priority", "error"}, exitOK, 4},
		{[]string{"--enable-tags", "network"}, exitOK, 2},
		{[]string{"--disable-tags", "filesystem"}, exitOK, 4},
		{[]string{"--disable-rule", "*temporary*", "--disable-rule", "Cron job installed"}, exitOK, 6},
		{[]string{"--enable-tags", "container"}, exitNegative, 0},
		{[]string{"--min-priority", "WARN"}, exitUsage, 0},
		{[]string{"--min-priority", "emergency"}, exitUsage, 0},
	} {
		code, out, stderr := runCmd(t, append(append([]string{"replay"}, tc.args...), in)...)
		n := strings.Count(out, "\n")
		if code != tc.code || n != tc.n {
			t.Errorf("%v: exit %d with %d alerts, want %d with %d\n%s%s", tc.args, code, n, tc.code, tc.n, out, stderr)
		}
	}
}

func TestReplayOfficialRules(t *testing.T) {
	dir := testenv.Shared(t, "corpus/rules")
	in := incidentPath(t)
	code, out, stderr := runCmd(t, "replay", "-r", filepath.Join(dir, "falco_rules.yaml"), in)
	if code != exitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, "Warning Sensitive file opened for reading by non-trusted program") ||
		!strings.Contains(out, "file=/etc/shadow") {
		t.Fatalf("exit %d:\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "rules warnings") {
		t.Errorf("no warnings count: %s", stderr)
	}
	code, _, stderr = runCmd(t, "replay", "--show-warnings", "-r", dir, in)
	if code != exitOK || !strings.Contains(stderr, "LOAD_UNKNOWN_FILTER") {
		t.Errorf("directory of rules: exit %d\n%s", code, stderr)
	}
}

func TestReplayBadRules(t *testing.T) {
	in := incidentPath(t)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: LOUD\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, "replay", "-r", bad, in)
	if code != exitUsage || !strings.Contains(stderr, "bad.yaml:5:13") || !strings.Contains(stderr, "Invalid priority") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if code, _, _ := runCmd(t, "replay", "-r", "/nonexistent.yaml", in); code != exitUsage {
		t.Errorf("missing rules file: exit %d", code)
	}
	if code, _, _ := runCmd(t, "replay", "/nonexistent.zst"); code != exitRuntime {
		t.Errorf("missing capture: exit %d", code)
	}
}

// TestReplayConfig sends the alerts to a file, a program and an HTTP
// endpoint chosen in a falco.yaml.
func TestReplayConfig(t *testing.T) {
	in := incidentPath(t)
	dir := t.TempDir()
	var mu sync.Mutex
	var posted []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		posted = append(posted, m)
		mu.Unlock()
	}))
	defer srv.Close()
	file, prog := filepath.Join(dir, "events.txt"), filepath.Join(dir, "program.txt")
	cfg := filepath.Join(dir, "falco.yaml")
	y := fmt.Sprintf(`json_output: true
priority: warning
stdout_output: {enabled: false}
file_output: {enabled: true, filename: %s, keep_alive: true}
program_output: {enabled: true, program: "cat >> %s", keep_alive: true}
http_output: {enabled: true, url: %s}
`, file, prog, srv.URL)
	if err := os.WriteFile(cfg, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCmd(t, "replay", "--config", cfg, in)
	if code != exitOK || out != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, stderr)
	}
	for _, p := range []string{file, prog} {
		data, _ := os.ReadFile(p)
		if n := strings.Count(string(data), "\n"); n != 6 || !strings.HasPrefix(string(data), "{") {
			t.Errorf("%s: %d alerts:\n%s", p, n, data)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posted) != 6 {
		t.Errorf("http endpoint got %d alerts", len(posted))
	}
}

func TestReplayListAndJSONSummary(t *testing.T) {
	code, out, _ := runCmd(t, "replay", "--list-rules", "-o", "json", "--min-priority", "error")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != exitOK || len(rows) == 0 {
		t.Fatalf("--list-rules: exit %d, %v\n%s", code, err, out)
	}
	for _, r := range rows {
		if p := r["priority"]; p != "Error" && p != "Critical" {
			t.Errorf("--min-priority error listed %v", r)
		}
	}
	in := incidentPath(t)
	code, _, stderr := runCmd(t, "replay", "-o", "json", in)
	var sum struct {
		Events, Alerts int
		ByRule         map[string]int `json:"by_rule"`
	}
	if err := json.Unmarshal([]byte(stderr), &sum); err != nil || code != exitOK || sum.Alerts != 10 || sum.Events != 3385 ||
		sum.ByRule["Hidden file created in temporary directory"] != 2 {
		t.Errorf("JSON summary: exit %d, %v: %s", code, err, stderr)
	}
}

// TestReplayOutputDown: an HTTP endpoint that is down is reported and
// retried while the replay goes on; the other outputs get every alert, and
// the alerts it never took make the exit status 3.
func TestReplayOutputDown(t *testing.T) {
	in := incidentPath(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // down
	cfg := filepath.Join(t.TempDir(), "falco.yaml")
	y := fmt.Sprintf("stdout_output: {enabled: true}\nhttp_output: {enabled: true, url: %s}\noutput_timeout: 500\n", url)
	if err := os.WriteFile(cfg, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCmd(t, "replay", "--config", cfg, in)
	if code != exitRuntime || strings.Count(out, "\n") != 10 || !strings.Contains(stderr, "http output: failed") ||
		!strings.Contains(stderr, "alerts not delivered: 10") || !strings.Contains(stderr, "Alerts: 10") {
		t.Errorf("exit %d, %d alerts on stdout\n%s", code, strings.Count(out, "\n"), stderr)
	}
}

// TestReplayConfigRulesFiles: the config's rules_files are used without
// --rules; those that do not exist are dropped, as Falco does.
func TestReplayConfigRulesFiles(t *testing.T) {
	in := incidentPath(t)
	dir := t.TempDir()
	rf := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(rf, []byte("- rule: cat\n  desc: d\n  condition: evt.type=execve and proc.name=cat\n  output: \"cat ran (%proc.cmdline)\"\n  priority: INFO\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "falco.yaml")
	y := fmt.Sprintf("rules_files: [/nonexistent/falco_rules.yaml, %s]\nstdout_output: {enabled: true}\n", rf)
	if err := os.WriteFile(cfg, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCmd(t, "replay", "--config", cfg, in)
	if code != exitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, "Informational cat ran (cat /etc/shadow)") {
		t.Errorf("exit %d:\n%s%s", code, out, stderr)
	}
}
