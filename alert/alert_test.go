package alert

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"forensics/internal/testenv"
	"forensics/rules"
)

// testAlert is alert number i.
func testAlert(i int) *Alert {
	return &Alert{Time: 1795072451123456789 + uint64(i), Rule: fmt.Sprintf("Rule %d", i), Priority: rules.Warning,
		Source: "syscall", Tags: []string{"a", "b"}, Hostname: "web-01",
		Output: fmt.Sprintf("03:14:11.123456789: Warning alert %d (proc=cat)", i),
		Fields: json.RawMessage(fmt.Sprintf(`{"evt.time":%d,"proc.name":"cat"}`, 1795072451123456789+uint64(i)))}
}

func fastOpts(report func(string, string)) Options {
	return Options{RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond, DrainTimeout: 10 * time.Second, Report: report}
}

// sendAll sends n alerts through sinks and closes.
func sendAll(t *testing.T, n int, cfg *Config, opts Options, sinks ...Sink) []Stats {
	t.Helper()
	o, err := New(sinks, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		a := testAlert(i)
		o.Send(a, cfg.Format(a))
	}
	stats, err := o.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return stats
}

func TestJSONForm(t *testing.T) {
	a := testAlert(0)
	var m map[string]any
	if err := json.Unmarshal(a.JSON(JSONOptions{}), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"hostname": "web-01", "priority": "Warning", "rule": "Rule 0", "source": "syscall",
		"time": "2026-11-19T07:14:11.123456789Z", "output": a.Output}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if tags, _ := m["tags"].([]any); len(tags) != 2 {
		t.Errorf("tags %v", m["tags"])
	}
	if f, _ := m["output_fields"].(map[string]any); f["proc.name"] != "cat" {
		t.Errorf("output_fields %v", m["output_fields"])
	}
	// Keys are sorted, as Falco prints them.
	s := string(a.JSON(JSONOptions{}))
	if !(strings.Index(s, `"hostname"`) < strings.Index(s, `"output"`) && strings.Index(s, `"tags"`) < strings.Index(s, `"time"`)) {
		t.Errorf("keys not sorted: %s", s)
	}
	s = string(a.JSON(JSONOptions{NoOutput: true, NoTags: true, NoOutputFields: true}))
	if strings.Contains(s, `"output"`) || strings.Contains(s, `"tags"`) || strings.Contains(s, "output_fields") {
		t.Errorf("json_include_* false kept keys: %s", s)
	}
}

func TestStdout(t *testing.T) {
	var buf strings.Builder
	sendAll(t, 3, DefaultConfig(), fastOpts(nil), NewWriterSink("stdout", &buf))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 || lines[2] != testAlert(2).Output {
		t.Errorf("stdout got %q", buf.String())
	}
}

func TestFile(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprint("keep_alive=", keep), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "events.txt")
			if err := os.WriteFile(path, []byte("earlier\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := &Config{JSONOutput: true}
			sendAll(t, 5, cfg, fastOpts(nil), NewFileSink(path, keep))
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			if len(lines) != 6 || lines[0] != "earlier" {
				t.Fatalf("file holds %q", data)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(lines[5]), &m); err != nil || m["rule"] != "Rule 4" {
				t.Errorf("last line %q: %v", lines[5], err)
			}
		})
	}
}

// TestFileRecovers: the file's directory is missing at first; the sink
// reports, retries, and writes every alert once it appears.
func TestFileRecovers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "later")
	path := filepath.Join(dir, "events.txt")
	var reports reportLog
	o, err := New([]Sink{NewFileSink(path, false)}, fastOpts(reports.add))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		o.Send(testAlert(i), []byte(testAlert(i).Output))
	}
	reports.wait(t, "failed")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	stats, err := o.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "\n"); n != 4 || stats[0].Lost != 0 || stats[0].Retries == 0 {
		t.Errorf("%d lines, stats %+v, reports %v", n, stats[0], reports.all())
	}
	if !reports.has("recovered") {
		t.Errorf("no recovery reported: %v", reports.all())
	}
}

func TestProgram(t *testing.T) {
	testenv.Tool(t, "cat", "coreutils")
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprint("keep_alive=", keep), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.txt")
			sendAll(t, 5, DefaultConfig(), fastOpts(nil), NewProgramSink("cat >> "+out, keep))
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			if len(lines) != 5 || lines[0] != testAlert(0).Output || lines[4] != testAlert(4).Output {
				t.Errorf("program received %q", data)
			}
		})
	}
}

// TestProgramRecovers: the program fails until a flag file exists.
func TestProgramRecovers(t *testing.T) {
	dir := t.TempDir()
	flag, out := filepath.Join(dir, "ok"), filepath.Join(dir, "out.txt")
	var reports reportLog
	o, err := New([]Sink{NewProgramSink(fmt.Sprintf("test -e %s || exit 3; cat >> %s", flag, out), false)}, fastOpts(reports.add))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		o.Send(testAlert(i), []byte(testAlert(i).Output))
	}
	reports.wait(t, "failed")
	if err := os.WriteFile(flag, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	stats, err := o.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	if strings.Count(string(data), "\n") != 3 || stats[0].Retries == 0 {
		t.Errorf("got %q, stats %+v", data, stats[0])
	}
}

// TestSyslog receives the messages on a unixgram socket and a UDP port,
// with facility user and the alert's severity.
func TestSyslog(t *testing.T) {
	unixPath := filepath.Join(t.TempDir(), "log.sock")
	ul, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: unixPath, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	for _, tc := range []struct {
		network, addr string
		conn          net.PacketConn
	}{{"unixgram", unixPath, ul}, {"udp", udp.LocalAddr().String(), udp}} {
		t.Run(tc.network, func(t *testing.T) {
			a := testAlert(7)
			a.Priority = rules.Critical
			o, err := New([]Sink{NewSyslogSink(tc.network, tc.addr, "forensics")}, fastOpts(nil))
			if err != nil {
				t.Fatal(err)
			}
			o.Send(a, []byte(a.Output))
			if _, err := o.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 4096)
			tc.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, _, err := tc.conn.ReadFrom(buf)
			if err != nil {
				t.Fatal(err)
			}
			msg := string(buf[:n])
			// facility user (1) * 8 + severity crit (2) = 10
			if !strings.HasPrefix(msg, "<10>") || !strings.Contains(msg, "forensics") || !strings.Contains(msg, a.Output) {
				t.Errorf("syslog got %q", msg)
			}
		})
	}
}

// receiver is an HTTP endpoint collecting the alerts it is POSTed.
type receiver struct {
	mu     sync.Mutex
	bodies []map[string]any
	agents []string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var m map[string]any
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want a JSON POST", http.StatusBadRequest)
		return
	}
	if err := json.NewDecoder(req.Body).Decode(&m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// What falcosidekick checks before accepting an alert.
	if f, _ := m["output_fields"].(map[string]any); len(f) == 0 || m["rule"] == "" {
		http.Error(w, "falcosidekick would refuse this", http.StatusBadRequest)
		return
	}
	if _, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["time"])); err != nil {
		http.Error(w, "bad time", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.bodies = append(r.bodies, m)
	r.agents = append(r.agents, req.UserAgent())
	r.mu.Unlock()
}

func (r *receiver) rules() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, b := range r.bodies {
		out = append(out, fmt.Sprint(b["rule"]))
	}
	return out
}

func wantRules(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("Rule %d", i))
	}
	return out
}

func TestHTTP(t *testing.T) {
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	h, err := NewHTTPSink(HTTPConfig{Enabled: true, URL: srv.URL}, JSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sendAll(t, 5, DefaultConfig(), fastOpts(nil), h)
	if got := rcv.rules(); fmt.Sprint(got) != fmt.Sprint(wantRules(5)) || rcv.agents[0] != "falcosecurity/falco" {
		t.Errorf("received %v (agent %v)", got, rcv.agents)
	}
}

// TestHTTPS checks the TLS settings: the server's CA, and mutual TLS.
func TestHTTPS(t *testing.T) {
	rcv := &receiver{}
	srv := httptest.NewUnstartedServer(rcv)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	writePEM(t, ca, "CERTIFICATE", srv.Certificate().Raw)

	// Without the CA the server is not trusted: a failure, retried, then
	// given up at the drain timeout.
	h, err := NewHTTPSink(HTTPConfig{URL: srv.URL}, JSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o, _ := New([]Sink{h}, Options{RetryMin: 10 * time.Millisecond, DrainTimeout: 300 * time.Millisecond})
	o.Send(testAlert(0), nil)
	if stats, err := o.Close(context.Background()); !errors.Is(err, ErrUndelivered) || stats[0].Lost != 1 {
		t.Errorf("untrusted server: %v %+v", err, stats)
	}
	for _, c := range []HTTPConfig{{URL: srv.URL, CACert: ca}, {URL: srv.URL, CABundle: ca}, {URL: srv.URL, CAPath: dir}, {URL: srv.URL, Insecure: true}} {
		h, err := NewHTTPSink(c, JSONOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sendAll(t, 1, DefaultConfig(), fastOpts(nil), h)
	}
	if n := len(rcv.rules()); n != 4 {
		t.Errorf("%d alerts received over TLS, want 4", n)
	}
	if _, err := NewHTTPSink(HTTPConfig{URL: srv.URL, MTLS: true, ClientCert: "/nonexistent", ClientKey: "/nonexistent"}, JSONOptions{}); !errors.Is(err, ErrConfig) {
		t.Errorf("missing client certificate: %v", err)
	}
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if _, err := x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	writeRaw(t, path, kind, der)
}

func writeRaw(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestHTTPServerDown: the endpoint is down when the alerts come; the sink
// reports, retries, and delivers all of them in order once it is up.
func TestHTTPServerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // down
	h, err := NewHTTPSink(HTTPConfig{URL: "http://" + addr + "/"}, JSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var reports reportLog
	o, err := New([]Sink{h}, fastOpts(reports.add))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		o.Send(testAlert(i), nil)
	}
	reports.wait(t, "failed")
	rcv := &receiver{}
	ln, err = net.Listen("tcp", addr) // up again, same address
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	srv := &http.Server{Handler: rcv}
	go srv.Serve(ln)
	defer srv.Close()
	for i := 10; i < 15; i++ {
		o.Send(testAlert(i), nil)
	}
	stats, err := o.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := rcv.rules(); fmt.Sprint(got) != fmt.Sprint(wantRules(15)) {
		t.Errorf("received %v", got)
	}
	if stats[0].Sent != 15 || stats[0].Lost != 0 || stats[0].Retries == 0 || !reports.has("recovered") {
		t.Errorf("stats %+v, reports %v", stats[0], reports.all())
	}
}

// TestHTTPRejected: a 4xx is reported and not retried; other channels
// and later alerts go on.
func TestHTTPRejected(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer srv.Close()
	h, _ := NewHTTPSink(HTTPConfig{URL: srv.URL}, JSONOptions{})
	var buf strings.Builder
	stats := sendAll(t, 3, DefaultConfig(), fastOpts(nil), h, NewWriterSink("stdout", &buf))
	if stats[0].Rejected != 3 || stats[0].Retries != 0 || strings.Count(buf.String(), "\n") != 3 {
		t.Errorf("stats %+v, stdout %q", stats, buf.String())
	}
}

// TestSlowSinkHoldsNoOther: a failing channel does not hold up stdout.
func TestSlowSinkHoldsNoOther(t *testing.T) {
	var buf syncBuf
	h, _ := NewHTTPSink(HTTPConfig{URL: "http://127.0.0.1:1/"}, JSONOptions{})
	o, _ := New([]Sink{h, NewWriterSink("stdout", &buf)}, Options{RetryMin: time.Second, DrainTimeout: 200 * time.Millisecond})
	for i := range 3 {
		o.Send(testAlert(i), []byte(testAlert(i).Output))
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(buf.String(), "\n") < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(buf.String(), "\n"); n != 3 {
		t.Errorf("stdout got %d alerts while http was failing", n)
	}
	if _, err := o.Close(context.Background()); !errors.Is(err, ErrUndelivered) {
		t.Errorf("close: %v", err)
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// reportLog collects Options.Report calls.
type reportLog struct {
	mu   sync.Mutex
	msgs []string
}

func (r *reportLog) add(sink, msg string) {
	r.mu.Lock()
	r.msgs = append(r.msgs, sink+": "+msg)
	r.mu.Unlock()
}

func (r *reportLog) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

func (r *reportLog) has(s string) bool {
	for _, m := range r.all() {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

func (r *reportLog) wait(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !r.has(s) {
		if time.Now().After(deadline) {
			t.Fatalf("no report %q: %v", s, r.all())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestConfig(t *testing.T) {
	y := `
json_output: true
json_include_tags_property: false
priority: warning
rule_matching: all
rules:
  - disable: {rule: "*"}
  - enable: {tag: network}
append_output:
  - match: {source: syscall}
    extra_output: "extra=%proc.pid"
stdout_output: {enabled: true}
file_output: {enabled: true, filename: /tmp/x.txt, keep_alive: true}
syslog_output: {enabled: true}
program_output: {enabled: true, program: "cat", keep_alive: false}
http_output: {enabled: true, url: "http://127.0.0.1:2801/", user_agent: "x"}
some_other_falco_key: {whatever: 1}
`
	c, err := ParseConfig("falco.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	sel, err := c.Selection()
	if err != nil || sel.MinPriority != rules.Warning || sel.Matching != rules.MatchAll || len(sel.Steps) != 2 ||
		sel.Steps[0].Enable || sel.Steps[0].Rule != "*" || !sel.Steps[1].Enable || sel.Steps[1].Tag != "network" {
		t.Errorf("selection %+v %v", sel, err)
	}
	sinks, err := c.Sinks(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sinks {
		names = append(names, s.Name())
	}
	if strings.Join(names, ",") != "file,stdout,syslog,program,http" {
		t.Errorf("sinks %v", names)
	}
	if lo := c.LoaderOptions(); len(lo.AppendOutput) != 1 || lo.AppendOutput[0].ExtraOutput != "extra=%proc.pid" {
		t.Errorf("append_output %+v", lo)
	}
	if !c.JSONOptions().NoTags || c.JSONOptions().NoOutput {
		t.Errorf("json options %+v", c.JSONOptions())
	}
	for _, bad := range []string{"priority: WARN\n", "rule_matching: some\n", "rules:\n  - toggle: {rule: x}\n", "[1, 2"} {
		if _, err := ParseConfig("bad.yaml", []byte(bad)); !errors.Is(err, ErrConfig) {
			t.Errorf("%q: %v, want ErrConfig", bad, err)
		}
	}
	empty, _ := ParseConfig("empty.yaml", []byte("json_output: false\n"))
	if _, err := empty.Sinks(io.Discard); !errors.Is(err, ErrNoOutput) {
		t.Errorf("no outputs: %v", err)
	}
}

// TestProgramHangsGivenUp: a program that never exits is killed when
// Close gives up, and the alert counts as lost.
func TestProgramHangsGivenUp(t *testing.T) {
	testenv.Tool(t, "sleep", "coreutils")
	o, _ := New([]Sink{NewProgramSink("sleep 60", false)}, Options{DrainTimeout: 300 * time.Millisecond})
	o.Send(testAlert(0), []byte("x"))
	start := time.Now()
	stats, err := o.Close(context.Background())
	if !errors.Is(err, ErrUndelivered) || stats[0].Lost != 1 || time.Since(start) > 10*time.Second {
		t.Errorf("close after %v: %v %+v", time.Since(start), err, stats)
	}
}
