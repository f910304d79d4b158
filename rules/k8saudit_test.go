package rules

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"forensics/audit"
	"forensics/internal/testenv"
	"forensics/query"
	"forensics/query/fields"
)

// k8sAuditEngine loads the official k8s_audit_rules.yaml and returns an
// engine running all its rules, every match reported.
func k8sAuditEngine(t testing.TB) *Engine {
	t.Helper()
	rulesPath := testenv.Shared(t, "corpus/rules/k8s_audit_rules.yaml")
	rs, warns, err := Load(Options{}, rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range warns {
		if w.Code != CodePluginVersion {
			t.Errorf("unexpected warning: %s", w)
		}
	}
	eng := rs.Engine(Selection{Source: "k8s_audit", MinPriority: Debug, Matching: MatchAll})
	if len(eng.Rules) != 48 {
		t.Fatalf("%d rules run, want the 48 of k8s_audit_rules.yaml", len(eng.Rules))
	}
	return eng
}

// TestK8sAuditCorpus replays each corpus audit file (Falco's trace files
// for its k8s audit tests) against the official rules: each raises the
// rules it was written for, and no other, as many times as listed.
func TestK8sAuditCorpus(t *testing.T) {
	eng := k8sAuditEngine(t)
	dir := testenv.Shared(t, "corpus/k8s_audit")
	want := map[string]map[string]int{
		"anonymous_creates_namespace_foo.json":                                   {"Anonymous Request Allowed": 1, "Create Disallowed Namespace": 1, "K8s Namespace Created": 1},
		"attach_cluster_admin_role.json":                                         {"Attach to cluster-admin Role": 1, "K8s ClusterRoleBinding Created": 1},
		"create_cluster_role_pod_exec.json":                                      {"ClusterRole With Pod Exec Created": 1, "K8s ClusterRole Created": 1},
		"create_cluster_role_wildcard_resources.json":                            {"ClusterRole With Wildcard Created": 1, "K8s ClusterRole Created": 1},
		"create_cluster_role_write_privileges.json":                              {"ClusterRole With Write Privileges Created": 1, "K8s ClusterRole Created": 1},
		"create_clusterrole.json":                                                {"K8s ClusterRole Created": 1},
		"create_configmap.json":                                                  {"K8s ConfigMap Created": 1},
		"create_configmap_no_sensitive_values.json":                              {"K8s ConfigMap Created": 1},
		"create_deployment.json":                                                 {"K8s Deployment Created": 1},
		"create_kube_system_secret.json":                                         {}, // K8s Secret Created leaves kube-system out
		"create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json": {"Create Privileged Pod": 1},
		"create_nginx_pod_nohostnetwork.json":                                    {},
		"create_nginx_pod_privileged_2nd_container.json":                         {"Create Privileged Pod": 1},
		"create_nginx_pod_sensitive_mount.json":                                  {"Create Sensitive Mount Pod": 1},
		"create_nginx_pod_unprivileged.json":                                     {},
		"create_nginx_pod_unsensitive_mount.json":                                {},
		"create_nginx_service_nonodeport.json":                                   {"K8s Service Created": 1},
		"create_pod_kube_public_namespace.json":                                  {"Pod Created in Kube Namespace": 1},
		"create_secret.json":                                                     {"K8s Secret Created": 1},
		"create_service.json":                                                    {"K8s Service Created": 1},
		"create_serviceaccount.json":                                             {"K8s Serviceaccount Created": 1},
		"create_serviceaccount_kube_public_namespace.json":                       {"K8s Serviceaccount Created": 1, "Service Account Created in Kube Namespace": 1},
		"delete_cluster_role_kube_aggregator.json":                               {"K8s ClusterRole Deleted": 1, "System ClusterRole Modified/Deleted": 1},
		"delete_clusterrole.json":                                                {"K8s ClusterRole Deleted": 1},
		"delete_configmap.json":                                                  {"K8s ConfigMap Deleted": 1},
		"delete_deployment.json":                                                 {"K8s Deployment Deleted": 1},
		"delete_secret.json":                                                     {"K8s Secret Deleted": 1},
		"delete_service.json":                                                    {"K8s Service Deleted": 1},
		"exec_pod.json":                                                          {"Attach/Exec Pod": 1},
		"modify_cluster_role_node_problem_detector.json":                         {"System ClusterRole Modified/Deleted": 1},
		"some-user_creates_namespace_foo.json":                                   {"Create Disallowed Namespace": 1, "Disallowed K8s User": 1, "K8s Namespace Created": 1},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	seen := 0
	for _, f := range files {
		name := filepath.Base(f)
		if name == "fal_01_003.json" {
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			got := map[string]int{}
			st, err := query.RunAudit(context.Background(), f, query.AuditOptions{Bad: func(e error) { t.Error(e) }}, func(c *fields.Ctx) error {
				eng.Match(c, func(r *Rule) { got[r.Name]++ })
				return nil
			})
			if err != nil || st.Events != 1 {
				t.Fatalf("%d events, %v", st.Events, err)
			}
			if !maps.Equal(got, w) {
				t.Errorf("rules raised %v, want %v", got, w)
			}
		})
	}
	if seen != len(want) {
		t.Errorf("%d corpus files, %d expected", seen, len(want))
	}
}

// TestK8sAuditBadFile: fal_01_003.json ({"kind": 0}) is skipped with an
// error naming the file, the line and what is wrong.
func TestK8sAuditBadFile(t *testing.T) {
	f := testenv.Shared(t, "corpus/k8s_audit/fal_01_003.json")
	var bad []error
	st, err := query.RunAudit(context.Background(), f, query.AuditOptions{Bad: func(e error) { bad = append(bad, e) }},
		func(*fields.Ctx) error { t.Error("an event was read"); return nil })
	if err != nil || st.Events != 0 || st.Bad != 1 || len(bad) != 1 {
		t.Fatalf("events %d bad %d errors %v, %v", st.Events, st.Bad, bad, err)
	}
	var le *audit.LineError
	if !errors.As(bad[0], &le) || le.Line != 1 || !errors.Is(bad[0], audit.ErrBadEvent) {
		t.Fatalf("error %v is not a line error of line 1", bad[0])
	}
	for _, s := range []string{"fal_01_003.json:1:", "kind", "Event or EventList"} {
		if !strings.Contains(bad[0].Error(), s) {
			t.Errorf("error %q does not say %q", bad[0], s)
		}
	}
}

// TestK8sAuditFirstMatch: with Falco's default rule_matching (first), an
// event raises only the first matching rule in file order.
func TestK8sAuditFirstMatch(t *testing.T) {
	rs, _, err := Load(Options{}, testenv.Shared(t, "corpus/rules/k8s_audit_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	eng := rs.Engine(Selection{Source: "k8s_audit", MinPriority: Debug})
	var got []string
	f := testenv.Shared(t, "corpus/k8s_audit/anonymous_creates_namespace_foo.json")
	if _, err := query.RunAudit(context.Background(), f, query.AuditOptions{}, func(c *fields.Ctx) error {
		eng.Match(c, func(r *Rule) { got = append(got, r.Name) })
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !slices.Contains([]string{"Anonymous Request Allowed", "Create Disallowed Namespace"}, got[0]) {
		t.Errorf("first match raised %v", got)
	}
}

// BenchmarkK8sAuditReplay replays an audit log against the whole
// official k8s_audit_rules.yaml, as `forensics replay` does (read, parse,
// every rule, Falco's rule_matching all), and reports audit events per
// second. The log is the corpus events repeated to 32768 lines.
func BenchmarkK8sAuditReplay(b *testing.B) {
	eng := k8sAuditEngine(b)
	dir := testenv.Shared(b, "corpus/k8s_audit")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var lines [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if filepath.Base(f) != "fal_01_003.json" {
			lines = append(lines, bytes.TrimSpace(data))
		}
	}
	const n = 32768
	var log bytes.Buffer
	for i := 0; i < n; i++ {
		log.Write(lines[i%len(lines)])
		log.WriteByte('\n')
	}
	path := filepath.Join(b.TempDir(), "audit.log")
	if err := os.WriteFile(path, log.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(log.Len()))
	b.ResetTimer()
	alerts := 0
	for b.Loop() {
		st, err := query.RunAudit(context.Background(), path, query.AuditOptions{}, func(c *fields.Ctx) error {
			alerts += eng.Match(c, func(*Rule) {})
			return nil
		})
		if err != nil || st.Events != n {
			b.Fatalf("%d events, %v", st.Events, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(alerts)/float64(b.N), "alerts/op")
}
