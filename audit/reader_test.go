package audit

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func ev(id, ts string) string {
	return `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"` + id + `","stage":"ResponseComplete","verb":"get","stageTimestamp":"` + ts + `"}`
}

// readAll reads every event: ids, times, and the bad lines as file:line.
func readAll(t *testing.T, r *Reader) (ids []string, times []uint64, bad []string) {
	t.Helper()
	for {
		e, err := r.Next()
		var le *LineError
		switch {
		case errors.Is(err, io.EOF):
			return
		case errors.As(err, &le):
			bad = append(bad, le.Error())
			continue
		case err != nil:
			t.Fatal(err)
		}
		ids = append(ids, string(e.Value.GetStringBytes("auditID")))
		times = append(times, e.Time)
		if bytes.ContainsAny(e.Raw, "\n ") && !bytes.Contains(e.Raw, []byte(`" "`)) {
			t.Errorf("event %s not compact: %s", ids[len(ids)-1], e.Raw)
		}
	}
}

func TestReader(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ids      string
		bad      []string
	}{
		{"lines", ev("a", "2026-11-20T10:00:00.5Z") + "\n" + ev("b", "2026-11-20T10:00:01Z") + "\n", "a,b", nil},
		{"no final newline, blank lines, CRLF", "\n" + ev("a", "2026-11-20T10:00:00Z") + "\r\n\n  \n" + ev("b", "2026-11-20T10:00:00Z"), "a,b", nil},
		{"event list", `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[` + ev("a", "2026-11-20T10:00:00Z") + "," + ev("b", "2026-11-20T10:00:00Z") + `]}`, "a,b", nil},
		{"array of both", `[` + ev("a", "2026-11-20T10:00:00Z") + `,{"kind":"EventList","items":[` + ev("b", "2026-11-20T10:00:00Z") + `]}]`, "a,b", nil},
		{"indented event", "{\n  \"kind\": \"Event\", \"auditID\": \"a\", \"stageTimestamp\": \"2026-11-20T10:00:00Z\"}", "", []string{"x:1: not a k8s audit event", "x:2: not a k8s audit event"}},
		{"bad lines skipped", "not json\n" + ev("a", "2026-11-20T10:00:00Z") + "\n{\"kind\": 0}\n" + `{"kind":"Pod"}` + "\n" + `{"kind":"Event"}` + "\n" + ev("b", "yesterday") + "\n[1]\n" + ev("c", "2026-11-20T10:00:00Z") + "\n",
			"a,c", []string{"x:1: not a k8s audit event", "x:3: not a k8s audit event: no \"kind\"", "x:4: not a k8s audit event: kind is \"Pod\"",
				"x:5: not a k8s audit event: can't read stageTimestamp", "x:6: not a k8s audit event: stageTimestamp", "x:7: not a k8s audit event: a JSON number"}},
		{"bad item fails its line", `{"kind":"EventList","items":[` + ev("a", "2026-11-20T10:00:00Z") + `,3]}` + "\n" + ev("b", "2026-11-20T10:00:00Z"), "b", []string{"x:1:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, gz := range []bool{false, true} {
				var src io.Reader = strings.NewReader(tc.in)
				if gz {
					var b bytes.Buffer
					zw := gzip.NewWriter(&b)
					zw.Write([]byte(tc.in))
					zw.Close()
					src = &b
				}
				r, err := NewReader(src, "x")
				if err != nil {
					t.Fatal(err)
				}
				ids, _, bad := readAll(t, r)
				if strings.Join(ids, ",") != tc.ids {
					t.Errorf("gzip %v: ids %v, want %s", gz, ids, tc.ids)
				}
				if len(bad) != len(tc.bad) {
					t.Fatalf("gzip %v: bad %q, want %q", gz, bad, tc.bad)
				}
				for i := range bad {
					if !strings.HasPrefix(bad[i], tc.bad[i]) {
						t.Errorf("gzip %v: bad %q, want prefix %q", gz, bad[i], tc.bad[i])
					}
				}
			}
		})
	}
}

func TestReaderTimes(t *testing.T) {
	r, _ := NewReader(strings.NewReader(ev("a", "2026-11-20T10:00:00.123456Z")+"\n"+ev("b", "2026-11-20T12:00:00+02:00")), "x")
	_, times, _ := readAll(t, r)
	t0 := uint64(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC).UnixNano())
	if len(times) != 2 || times[0] != t0+123456000 || times[1] != t0 {
		t.Errorf("times %v", times)
	}
}

func TestReaderLongLine(t *testing.T) {
	big := `{"kind":"Event","auditID":"big","stageTimestamp":"2026-11-20T10:00:00Z","requestObject":{"data":"` + strings.Repeat("x", 200_000) + `"}}`
	r, _ := NewReader(strings.NewReader(big+"\n"+ev("a", "2026-11-20T10:00:00Z")), "x")
	ids, _, bad := readAll(t, r)
	if strings.Join(ids, ",") != "big,a" || bad != nil {
		t.Errorf("ids %v bad %v", ids, bad)
	}
}

func TestParseAndCapture(t *testing.T) {
	evs, err := Parse([]byte(`{"kind":"EventList","items":[` + ev("a", "2026-11-20T10:00:00Z") + `, ` + ev("b", "2026-11-20T10:00:01Z") + `]}`))
	if err != nil || len(evs) != 2 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	ce := ToEvent(evs[1].Time, evs[1].Raw)
	raw, ok := FromEvent(&ce)
	if !ok || !bytes.Equal(raw, evs[1].Raw) || ce.Ts != uint64(time.Date(2026, 11, 20, 10, 0, 1, 0, time.UTC).UnixNano()) {
		t.Fatalf("round trip: %v %s", ok, raw)
	}
	var d Decoder
	e, err := d.Decode(raw, ce.Ts)
	if err != nil || string(e.Value.GetStringBytes("auditID")) != "b" {
		t.Fatalf("decode: %v", err)
	}
	if _, err := Parse([]byte(`{"kind":"EventList","items":[{"kind":"Event"}]}`)); !errors.Is(err, ErrBadEvent) {
		t.Errorf("event without time: %v", err)
	}
	ce.Params[0] = []byte{2, 0, 0, 0}
	if _, ok := FromEvent(&ce); ok {
		t.Error("another plugin's event read as audit")
	}
}
