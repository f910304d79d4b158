package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"forensics/internal/testenv"
)

// gzipCopy writes a gzipped copy of the files' lines, one after another,
// into dir.
func gzipCopy(t *testing.T, dir string, files ...string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		zw.Write(bytes.TrimSpace(b))
		zw.Write([]byte("\n"))
	}
	zw.Close()
	p := filepath.Join(dir, "audit.log.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestQueryAuditLog(t *testing.T) {
	dir := testenv.Shared(t, "corpus/k8s_audit")
	in := gzipCopy(t, t.TempDir(), filepath.Join(dir, "exec_pod.json"), filepath.Join(dir, "fal_01_003.json"),
		filepath.Join(dir, "create_secret.json"))
	code, out, stderr := runCmd(t, "query", in, "ka.verb=create")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "ResponseStarted minikube-user create pods default/nginx-deployment-7998647bdf-phvq7 101 /api/v1/") ||
		!strings.HasPrefix(lines[1], "2 ") || !strings.Contains(lines[1], " secrets ") {
		t.Errorf("query output:\n%s", out)
	}
	if !strings.Contains(stderr, "audit.log.gz:2: not a k8s audit event") {
		t.Errorf("bad line not reported: %q", stderr)
	}

	code, out, _ = runCmd(t, "query", "-o", "json", "-p", "%ka.uri.param[command] %ka.user.groups %jevt.value[/objectRef/subresource]", in, "ka.target.subresource=exec")
	var m map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &m) != nil || m["ka.uri.param[command]"] != "bash" ||
		m["jevt.value[/objectRef/subresource]"] != "exec" || len(m["ka.user.groups"].([]any)) != 2 {
		t.Errorf("-o json: exit %d\n%s", code, out)
	}

	// Times: --since as an offset from the first event, --until absolute.
	if code, out, _ = runCmd(t, "query", "--since", "+0s", "-n", "1", in); code != exitOK || !strings.HasPrefix(out, "1 ") || strings.Count(out, "\n") != 1 {
		t.Errorf("--since +0s -n 1: %d %q", code, out)
	}
	if code, out, _ = runCmd(t, "query", "--until", "2001-01-01T00:00:00Z", in); code != exitOK || out != "" {
		t.Errorf("--until 2001: %d %q", code, out)
	}
	// A clock time is on the day of the first event.
	if code, out, _ = runCmd(t, "query", "--since", "13:38:00", "--until", "13:39", filepath.Join(dir, "exec_pod.json")); code != exitOK || !strings.HasPrefix(out, "1 13:38:34.902914000 ") {
		t.Errorf("--since 13:38:00 --until 13:39: %d %q", code, out)
	}

	code, _, stderr = runCmd(t, "query", in, "proc.name=bash")
	if code != exitUsage || !strings.Contains(stderr, "k8s_audit") {
		t.Errorf("syscall field on audit log: exit %d %s", code, stderr)
	}
	code, _, stderr = runCmd(t, "query", filepath.Join(dir, "fal_01_003.json"))
	if code != exitRuntime || !strings.Contains(stderr, "fal_01_003.json:1: not a k8s audit event") ||
		!strings.Contains(stderr, "no audit event read") {
		t.Errorf("fal_01_003.json: exit %d %s", code, stderr)
	}
}

func TestReplayAuditCorpus(t *testing.T) {
	rulesFile := testenv.Shared(t, "corpus/rules/k8s_audit_rules.yaml")
	dir := testenv.Shared(t, "corpus/k8s_audit")
	code, out, stderr := runCmd(t, "replay", "-o", "json", "--rules", rulesFile, filepath.Join(dir, "exec_pod.json"),
		filepath.Join(dir, "attach_cluster_admin_role.json"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rules []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var a struct {
			Rule, Source, Priority, Output string
			Fields                         map[string]any `json:"output_fields"`
		}
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatal(err)
		}
		if a.Source != "k8s_audit" || a.Fields["evt.time"] == nil || a.Fields["ka.user.name"] != "minikube-user" {
			t.Errorf("alert %s", line)
		}
		rules = append(rules, a.Rule)
	}
	if strings.Join(rules, "|") != "Attach/Exec Pod|Attach to cluster-admin Role" {
		t.Errorf("rules %v", rules)
	}

	// The built-in audit rules run without --rules.
	code, out, stderr = runCmd(t, "replay", filepath.Join(dir, "create_nginx_pod_privileged_2nd_container.json"))
	if code != exitOK || !strings.Contains(out, ": Warning Privileged pod (user=") {
		t.Errorf("built-in rules: exit %d\n%s\n%s", code, out, stderr)
	}
	// A syscall rules file has nothing for audit logs.
	code, _, stderr = runCmd(t, "replay", "--rules", testenv.Shared(t, "corpus/rules/falco_rules.yaml"), filepath.Join(dir, "exec_pod.json"))
	if code != exitUsage || !strings.Contains(stderr, "no k8s_audit rule") {
		t.Errorf("syscall rules on audit log: exit %d %s", code, stderr)
	}
	code, _, stderr = runCmd(t, "replay", "--rules", rulesFile, filepath.Join(dir, "fal_01_003.json"))
	if code != exitRuntime || !strings.Contains(stderr, "fal_01_003.json:1: not a k8s audit event: no \"kind\"") {
		t.Errorf("fal_01_003.json: exit %d %s", code, stderr)
	}
}

func TestFieldsK8sAudit(t *testing.T) {
	code, out, _ := runCmd(t, "fields", "--source", "k8s_audit", "-o", "json")
	var rows []struct{ Name string }
	if code != exitOK || json.Unmarshal([]byte(out), &rows) != nil {
		t.Fatalf("exit %d %s", code, out)
	}
	names := map[string]bool{}
	for _, r := range rows {
		names[r.Name] = true
	}
	for _, n := range []string{"ka.verb", "ka.user.name", "ka.req.pod.containers.image", "jevt.value", "jevt.obj", "json.value", "ka.uri.param"} {
		if !names[n] {
			t.Errorf("fields --source k8s_audit lacks %s", n)
		}
	}
	if code, _, _ := runCmd(t, "fields", "--source", "nope"); code != exitUsage {
		t.Errorf("unknown source: exit %d", code)
	}
}

func TestAuditServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"audit", "serve", "--listen", addr, "-w", dir, "--rotate-count", "5"}, &out, &errb)
	}()
	body := `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[` +
		`{"level":"Metadata","auditID":"s1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/secrets/db","verb":"get","user":{"username":"alice"},` +
		`"objectRef":{"resource":"secrets","namespace":"default","name":"db","apiVersion":"v1"},"responseStatus":{"code":200},` +
		`"requestReceivedTimestamp":"2026-11-20T10:00:00.000001Z","stageTimestamp":"2026-11-20T10:00:00.000002Z",` +
		`"annotations":{"authorization.k8s.io/decision":"allow"}}]}`
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Post("http://"+addr+"/k8s-audit", "application/json", strings.NewReader(body)); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("post: %v %v", resp, err)
	}
	resp.Body.Close()
	if resp, err = http.Post("http://"+addr+"/k8s-audit", "application/json", strings.NewReader("{garbage")); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve exit %d: %s", code, errb.String())
	}
	if s := errb.String(); !strings.Contains(s, "stored 1 events in 1 batches, refused 1") || !strings.Contains(s, "listening on http://"+addr) {
		t.Errorf("stderr: %s", s)
	}
	// The directory reads back as an audit input for query and replay.
	code, qout, qerr := runCmd(t, "query", dir, "ka.target.resource=secrets")
	if code != exitOK || !strings.Contains(qout, "alice get secrets default/db 200") {
		t.Errorf("query: %d %s %s", code, qout, qerr)
	}
	code, rout, rerr := runCmd(t, "replay", dir)
	if code != exitOK || !strings.Contains(rout, "Notice Secrets read (user=alice verb=get secret=default/db") {
		t.Errorf("replay: %d %s %s", code, rout, rerr)
	}
}

func TestAuditPolicyCmd(t *testing.T) {
	dir := testenv.Shared(t, "corpus/k8s_audit")
	pol := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(pol, []byte(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
- level: None
  users: ["minikube-user"]
  verbs: ["delete"]
- level: Metadata
  resources:
  - group: ""
    resources: ["secrets", "configmaps"]
- level: Request
`), 0o600)
	code, out, stderr := runCmd(t, "audit", "policy", "--policy", pol, "-o", "json", filepath.Join(dir, "delete_secret.json"),
		filepath.Join(dir, "create_secret.json"), filepath.Join(dir, "exec_pod.json"), filepath.Join(dir, "create_deployment.json"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Events []struct {
			Kept    bool
			Why     string
			Rule    int
			Level   string `json:"policy_level"`
			AuditID string `json:"audit_id"`
		}
		Summary map[string]any
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range rep.Events {
		got = append(got, fmt.Sprintf("%d:%s:%v:%s", e.Rule, e.Level, e.Kept, e.Why))
	}
	want := "1:None:false:level None|2:Metadata:true:|3:Request:false:stage ResponseStarted omitted|3:Request:true:"
	if strings.Join(got, "|") != want {
		t.Errorf("verdicts %s\nwant     %s", strings.Join(got, "|"), want)
	}
	if s := rep.Summary; s["events"] != 4.0 || s["kept"] != 2.0 || s["shrink_percent"].(float64) < 40 {
		t.Errorf("summary %v", s)
	}

	// A mistake in the policy names its line.
	os.WriteFile(pol, []byte("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n- level: Loud\n"), 0o600)
	code, _, stderr = runCmd(t, "audit", "policy", "--policy", pol, filepath.Join(dir, "create_secret.json"))
	if code != exitUsage || !strings.Contains(stderr, "policy.yaml:5: level \"Loud\"") {
		t.Errorf("bad policy: exit %d %s", code, stderr)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "forensics test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestAuditServeTLS(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"audit", "serve", "--listen", addr, "-w", filepath.Join(dir, "a"), "--cert", certFile, "--key", keyFile}, &out, &errb)
	}()
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	body := `{"kind":"EventList","items":[{"auditID":"t1","stage":"ResponseComplete","verb":"list","user":{"username":"bob"},` +
		`"objectRef":{"resource":"secrets","namespace":"prod"},"responseStatus":{"code":200},"stageTimestamp":"2026-11-20T10:00:00.5Z"}]}`
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = cl.Post("https://"+addr+"/k8s-audit", "application/json", strings.NewReader(body)); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("post over TLS: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if code := <-done; code != exitOK || !strings.Contains(errb.String(), "listening on https://") {
		t.Fatalf("serve exit %d: %s", code, errb.String())
	}
	if code, qout, _ := runCmd(t, "query", "-p", "%ka.user.name %ka.verb %ka.target.namespace", filepath.Join(dir, "a")); code != exitOK || qout != "bob list prod\n" {
		t.Errorf("query: %d %q", code, qout)
	}
	if code, _, stderr := runCmd(t, "audit", "serve", "-w", dir, "--cert", certFile); code != exitUsage || !strings.Contains(stderr, "--cert and --key") {
		t.Errorf("--cert alone: %d %s", code, stderr)
	}
}
