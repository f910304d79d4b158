package webhook

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"forensics/capture"
	"forensics/format"
	"forensics/query"
	"forensics/query/fields"
)

// batch is an EventList as kube-apiserver's webhook backend posts it:
// items without kind, RFC 3339 microsecond times.
func batch(ids ...string) []byte {
	var items []string
	for i, id := range ids {
		items = append(items, fmt.Sprintf(`{"level":"Metadata","auditID":%q,"stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods/p%d","verb":"get",`+
			`"user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["192.0.2.7"],"userAgent":"kubectl/v1.30.0",`+
			`"objectRef":{"resource":"pods","namespace":"default","name":"p%d","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},`+
			`"requestReceivedTimestamp":"2026-11-20T10:00:0%d.000100Z","stageTimestamp":"2026-11-20T10:00:0%d.000200Z",`+
			`"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}`, id, i, i, i%10, i%10))
	}
	return []byte(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[` + strings.Join(items, ",") + "]}")
}

func post(t *testing.T, c *http.Client, url, ctype string, body []byte) (int, string) {
	t.Helper()
	resp, err := c.Post(url, ctype, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// stored reads back the audit ids stored in dir, in order.
func stored(t *testing.T, dir string) []string {
	t.Helper()
	var ids []string
	c, err := capture.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !query.IsAuditCapture(c) {
		t.Error("the files are not recognised as an audit capture")
	}
	c.Close()
	if _, err := query.RunAudit(context.Background(), dir, query.AuditOptions{Bad: func(e error) { t.Error(e) }}, func(fc *fields.Ctx) error {
		ids = append(ids, string(fc.Audit.Value.GetStringBytes("auditID")))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestReceiverLoopback(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tlsOn), func(t *testing.T) {
			dir := t.TempDir()
			var logged []string
			rcv, err := New(Options{Rotate: capture.RotateOptions{Dir: dir}, MaxBody: 64 << 10,
				Log: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewUnstartedServer(rcv)
			if tlsOn {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer srv.Close()
			cl := srv.Client()

			// A malformed body first: refused, nothing stored.
			if code, msg := post(t, cl, srv.URL, "application/json", []byte(`{"kind":"EventList","items":[{"auditID":"x"`)); code != http.StatusBadRequest || !strings.Contains(msg, "not a k8s audit event") {
				t.Errorf("malformed body: %d %q", code, msg)
			}
			if code, _ := post(t, cl, srv.URL, "application/json", []byte(`{"kind":"EventList","items":[{"auditID":"x"}]}`)); code != http.StatusBadRequest {
				t.Errorf("event without stageTimestamp: %d", code)
			}
			if ms, _ := filepath.Glob(filepath.Join(dir, "*")); len(ms) != 0 {
				t.Fatalf("a refused body left files: %v", ms)
			}
			if code, _ := post(t, cl, srv.URL, "text/plain", batch("a")); code != http.StatusUnsupportedMediaType {
				t.Errorf("text/plain: %d", code)
			}
			if resp, err := cl.Get(srv.URL); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("GET: %v %v", resp, err)
			}
			if code, _ := post(t, cl, srv.URL, "application/json", batch(strings.Split(strings.Repeat("big,", 200), ",")...)); code != http.StatusRequestEntityTooLarge {
				t.Errorf("too large: %d", code)
			}

			// Two batches as the API server posts them.
			for _, b := range [][]byte{batch("a1", "a2", "a3"), batch("b1", "b2")} {
				if code, msg := post(t, cl, srv.URL+"/audit", "application/json; charset=utf-8", b); code != http.StatusOK {
					t.Fatalf("batch: %d %s", code, msg)
				}
			}
			// Stored and flushed before Close: readable while serving.
			if ids := stored(t, dir); strings.Join(ids, ",") != "a1,a2,a3,b1,b2" {
				t.Errorf("before close: %v", ids)
			}
			srv.Close()
			if err := rcv.Close(); err != nil {
				t.Fatal(err)
			}
			if ids := stored(t, dir); strings.Join(ids, ",") != "a1,a2,a3,b1,b2" {
				t.Errorf("stored %v", ids)
			}
			st := rcv.Stats()
			if st.Batches != 2 || st.Events != 5 || st.Refused != 5 || len(logged) != 5 {
				t.Errorf("stats %+v, %d logged", st, len(logged))
			}
			files, _ := filepath.Glob(filepath.Join(dir, "audit-*.zst"))
			if len(files) != 1 {
				t.Fatalf("files %v", files)
			}
			if info, _ := os.Stat(files[0]); info.Mode().Perm() != 0o600 {
				t.Errorf("file mode %v", info.Mode())
			}
			f, err := format.Open(files[0])
			if err != nil || !f.Complete || f.Header.Source != "k8s_audit:webhook" {
				t.Fatalf("file: %v complete %v", err, f != nil && f.Complete)
			}
			f.Close()
		})
	}
}

func TestReceiverRotation(t *testing.T) {
	dir := t.TempDir()
	rcv, err := New(Options{Rotate: capture.RotateOptions{Dir: dir, Count: 2}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	for i := 0; i < 4; i++ {
		if code, msg := post(t, srv.Client(), srv.URL, "application/json", batch(fmt.Sprintf("e%d", i))); code != http.StatusOK {
			t.Fatalf("%d %s", code, msg)
		}
		if err := rcv.Rotate(); err != nil {
			t.Fatal(err)
		}
	}
	rcv.Close()
	// Count 2 keeps the newest two files; they read as one capture.
	if ids := stored(t, dir); strings.Join(ids, ",") != "e2,e3" {
		t.Errorf("stored %v", ids)
	}
}
