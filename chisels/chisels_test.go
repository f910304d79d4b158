package chisels

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"forensics/query"
	"forensics/query/fields"
	"path/filepath"
	"strings"
	"testing"

	"forensics/capture"
	"forensics/event"
	"forensics/samples"
)

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		f    func(int64) string
		v    int64
		want string
	}{
		{formatBytes, 0, "0B"}, {formatBytes, 1024, "1024B"}, {formatBytes, 1025, "1.00KB"},
		{formatBytes, 92800 * 1024, "90.63M"}, {formatBytes, 3 << 30, "3.00G"}, {formatBytes, 5 << 40, "5.00T"},
		{formatTime, 999, "999ns"}, {formatTime, 1000, "1.00us"}, {formatTime, 29_400, "29us"},
		{formatTime, 4_610_000, "4.61ms"}, {formatTime, 37_000_000, "37ms"}, {formatTime, 22_030_000_000, "22.03s"},
	} {
		if got := c.f(c.v); got != c.want {
			t.Errorf("%d: got %q, want %q", c.v, got, c.want)
		}
	}
	if got := extend("dockercloud-haproxy-x", 16); got != "dockercloud-hap " {
		t.Errorf("extend: %q", got)
	}
	if got := asciiEOL([]byte("a\tb\r\nc\x00")); got != "\nab\nc" {
		t.Errorf("asciiEOL: %q", got)
	}
}

func TestLatencies(t *testing.T) {
	// Types: 2k is an enter event, 2k+1 its exit.
	const openE, openX, readE, readX = 2, 3, 6, 7
	l := &latencies{threads: map[int64]*callState{}}
	steps := []struct {
		tid    int64
		typ    int
		ts     uint64
		sw     bool
		latent int64
	}{
		{1, openE, 100, false, 0},
		{1, 0, 150, true, 0}, // a switch while in the call: the thread's latency is 0
		{1, openX, 180, false, 80},
		{1, 0, 190, true, 80},     // a switch right after: the last latency
		{1, readX, 200, false, 0}, // an exit without its enter
		{2, readE, 210, false, 0},
		{2, readX, 260, false, 50},
	}
	for i, s := range steps {
		ev := evAt(s.tid, s.typ, s.ts)
		if got := l.seen(&ev, s.sw); got != s.latent {
			t.Errorf("step %d: latency %d, want %d", i, got, s.latent)
		}
	}
}

func openIncident(t testing.TB) *capture.Capture {
	t.Helper()
	path, err := samples.WriteIncident(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func runChisel(t *testing.T, e *Env, args ...string) string {
	t.Helper()
	ch, err := Find(args[0])
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e.Out = &out
	if err := ch.Run(context.Background(), e, args[1:]); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out.String()
}

// TestIncident: on the sample incident, the chisels show what happened.
func TestIncident(t *testing.T) {
	c := openIncident(t)
	f := samples.IncidentFacts()
	cases := []struct {
		name   string
		env    Env
		args   []string
		want   []string
		absent []string
	}{
		{"the shell in ps", Env{Filter: "proc.name=bash"}, []string{"ps"},
			[]string{"2201    2201    deploy", " bash"}, nil},
		{"the root shell and the payload in ps", Env{Filter: "proc.name=payload"}, []string{"ps"},
			[]string{"2246    2246    root", "2330    2330    root", "payload"}, nil},
		{"ps at the start predates the attack", Env{}, []string{"ps"}, []string{"sshd"}, []string{"payload", "deploy"}},
		{"the SSH session and the C2 connection in netstat", Env{Filter: "proc.name=payload and evt.is_io_write=true and fd.type=ipv4"},
			[]string{"netstat"}, []string{f.SSHServer.String() + "  ", f.C2Server.String(), "ESTABLISHED    2330/2330/payload"}, nil},
		{"the connections in topconns", Env{Top: -1}, []string{"topconns"}, []string{f.DownloadConn, f.C2Conn}, nil},
		{"the files written in topfiles_bytes", Env{Filter: "evt.is_io_write=true and not proc.name in (postgres, nginx)"},
			[]string{"topfiles_bytes"}, []string{f.KitFile, f.PayloadFile, f.DroppedFile, f.CronFile}, nil},
		{"the shadow file read", Env{Filter: "proc.name=cat"}, []string{"topfiles_bytes"}, []string{"1024B", f.ShadowFile}, nil},
		{"the attacker's traffic in spy_ip", Env{}, []string{"spy_ip", f.C2Server.Addr().String(), "disable_color"},
			[]string{"------ Write"}, nil},
		{"payload's files in lsof", Env{Filter: "proc.name=payload and evt.type=write"}, []string{"lsof", "proc.name=payload"},
			[]string{f.DroppedFile}, nil},
		{"no procinfo: CPU unknown", Env{}, []string{"topprocs_cpu"}, []string{"Note: the capture has no procinfo events"}, nil},
		{"no enter events: latency unknown", Env{}, []string{"topfiles_time"}, []string{"Note: the capture has no enter events"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.env
			e.Capture = c
			out := runChisel(t, &e, tc.args...)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("%v: no %q in\n%s", tc.args, w, out)
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(out, w) {
					t.Errorf("%v: %q in\n%s", tc.args, w, out)
				}
			}
		})
	}
}

func TestJSON(t *testing.T) {
	c := openIncident(t)
	out := runChisel(t, &Env{Capture: c, JSON: true, Top: 3}, "topprocs_net")
	var doc struct {
		Chisel  string           `json:"chisel"`
		Columns []Column         `json:"columns"`
		Rows    []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Chisel != "topprocs_net" || len(doc.Rows) != 3 || len(doc.Columns) != 3 {
		t.Fatalf("%+v", doc)
	}
	if _, ok := doc.Rows[0]["Bytes"].(float64); !ok {
		t.Errorf("Bytes is not a number: %v", doc.Rows[0])
	}
	if doc.Rows[0]["Process"] == nil || doc.Rows[0]["PID"] == nil {
		t.Errorf("keys missing: %v", doc.Rows[0])
	}
}

func TestErrors(t *testing.T) {
	c := openIncident(t)
	if _, err := Find("nosuch"); !errors.Is(err, ErrUnknownChisel) {
		t.Errorf("Find: %v", err)
	}
	ch, _ := Find("fdbytes_by")
	if err := ch.Run(context.Background(), &Env{Capture: c, Out: &bytes.Buffer{}}, nil); !errors.Is(err, ErrArgs) {
		t.Errorf("no key: %v", err)
	}
	if err := ch.Run(context.Background(), &Env{Capture: c, Out: &bytes.Buffer{}}, []string{"no.such"}); !errors.Is(err, ErrArgs) {
		t.Errorf("bad key: %v", err)
	}
	if err := ch.Run(context.Background(), &Env{Capture: c, Out: &bytes.Buffer{}, Filter: "proc.name="}, []string{"fd.name"}); !errors.Is(err, ErrFilter) {
		t.Errorf("bad filter: %v", err)
	}
}

func TestList(t *testing.T) {
	want := strings.Fields(`topprocs_cpu topprocs_net topprocs_file topprocs_errors topfiles_bytes topfiles_time
		topfiles_errors topconns topports_server topscalls topscalls_time topcontainers_cpu topcontainers_net
		topcontainers_file topcontainers_error netstat ps lsof lscontainers fdcount_by fdbytes_by fdtime_by iobytes
		iobytes_file iobytes_net echo_fds spy_file spy_ip spy_port stdin stdout stderr proc_exec_time around`)
	have := map[string]bool{}
	for _, c := range List() {
		if have[c.Name] {
			t.Errorf("%s listed twice", c.Name)
		}
		have[c.Name] = true
		if c.Category == "" || c.Short == "" || c.Desc == "" {
			t.Errorf("%s: undocumented", c.Name)
		}
	}
	for _, n := range want {
		if !have[n] {
			t.Errorf("%s missing", n)
		}
	}
}

func evAt(tid int64, typ int, ts uint64) event.Event {
	return event.Event{Tid: tid, Type: event.Type(typ), Ts: ts}
}

// TestAround: around writes the events within the window around each
// match to a new capture.
func TestAround(t *testing.T) {
	c := openIncident(t)
	out := filepath.Join(t.TempDir(), "around.zst")
	msg := runChisel(t, &Env{Capture: c, Filter: "proc.name=payload and evt.type=connect", AroundOut: out}, "around", "200")
	if !strings.Contains(msg, "in 1 ranges") {
		t.Fatalf("%s", msg)
	}
	a, err := capture.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var match uint64
	if err := query.Run(context.Background(), c, query.Options{Filter: mustCompile(t, "proc.name=payload and evt.type=connect")},
		func(fc *fields.Ctx) error { match = fc.Ev.Ts; return nil }); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := query.Run(context.Background(), a, query.Options{StateOnly: true}, func(fc *fields.Ctx) error {
		if d := int64(fc.Ev.Ts) - int64(match); d < -200e6 || d > 200e6 {
			t.Errorf("event #%d at %d ms from the match", fc.Ev.Num, d/1e6)
		}
		n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no events written")
	}
}

func mustCompile(t *testing.T, src string) *query.Filter {
	t.Helper()
	f, err := query.Compile(src, fields.Syscall(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRecorded: on the capture the eBPF recorder wrote
// (samples/record-incident.sh), the chisels show what happened.
func TestRecorded(t *testing.T) {
	path, err := samples.WriteRecorded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cases := []struct {
		env  Env
		args []string
		want []string
	}{
		{Env{Filter: "proc.name=bash"}, []string{"ps"}, []string{" bash"}},
		{Env{Filter: "evt.type=connect and fd.sport=4444"}, []string{"netstat"},
			[]string{"127.0.0.1:4444           0.0.0.0:*                LISTEN", "127.0.0.1:4444           127.0.0.1:", "ESTABLISHED"}},
		{Env{}, []string{"topconns"}, []string{"tcp                 127.0.0.1:", "->127.0.0.1:4444"}},
		{Env{Filter: "evt.is_io_write=true"}, []string{"topfiles_bytes"},
			[]string{"/usr/bin/.forensics-sample-helper", "/etc/cron.d/forensics-sample-update"}},
		{Env{Filter: "fd.name contains shadow"}, []string{"topfiles_bytes"}, []string{"/etc/shadow"}},
	}
	for _, tc := range cases {
		e := tc.env
		e.Capture = c
		out := runChisel(t, &e, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v %q: no %q in\n%s", tc.args, tc.env.Filter, w, out)
			}
		}
	}
}
