package rules

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"forensics/internal/testenv"
	"forensics/query"
	"forensics/query/fields"
)

// auditEvent builds an audit Event as the API server logs it at Request
// level.
func auditEvent(id, user, verb, ns, resource, sub, name, stage string, code int, req any) map[string]any {
	ev := map[string]any{
		"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Request", "auditID": id, "stage": stage,
		"requestURI": "/api/v1/namespaces/" + ns + "/" + resource + "/" + name, "verb": verb,
		"user":      map[string]any{"username": user, "groups": []string{"system:authenticated"}},
		"sourceIPs": []string{"192.0.2.10"}, "userAgent": "kubectl/v1.30.0",
		"objectRef":                map[string]any{"resource": resource, "namespace": ns, "name": name, "subresource": sub, "apiVersion": "v1"},
		"responseStatus":           map[string]any{"metadata": map[string]any{}, "code": code},
		"requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.100000Z",
		"annotations": map[string]string{"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""},
	}
	if sub == "" {
		delete(ev["objectRef"].(map[string]any), "subresource")
	}
	if req != nil {
		ev["requestObject"] = req
	}
	return ev
}

func pod(spec map[string]any) map[string]any {
	if spec["containers"] == nil {
		spec["containers"] = []any{map[string]any{"name": "app", "image": "nginx:1.27"}}
	}
	return map[string]any{"kind": "Pod", "apiVersion": "v1", "metadata": map[string]any{"name": "p"}, "spec": spec}
}

// TestK8sAuditDefaultRules runs the built-in audit rules over events of
// each case they cover, and over harmless look-alikes.
func TestK8sAuditDefaultRules(t *testing.T) {
	l := NewLoader(Options{})
	if err := l.LoadData(DefaultK8sAuditName, DefaultK8sAudit()); err != nil {
		t.Fatal(err)
	}
	rs, err := l.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range l.Warnings() {
		t.Errorf("warning: %s", w)
	}
	eng := rs.Engine(Selection{Source: "k8s_audit", MinPriority: Debug, Matching: MatchAll})
	priv := map[string]any{"name": "x", "image": "evil:1", "securityContext": map[string]any{"privileged": true}}
	cases := []struct {
		ev   map[string]any
		want []string
	}{
		{auditEvent("priv", "alice", "create", "default", "pods", "", "", "ResponseComplete", 201,
			pod(map[string]any{"containers": []any{map[string]any{"name": "a", "image": "nginx"}, priv}})), []string{"K8s Privileged Pod"}},
		{auditEvent("priv-init", "alice", "create", "default", "pods", "", "", "ResponseComplete", 201,
			pod(map[string]any{"initContainers": []any{priv}})), []string{"K8s Privileged Pod"}},
		{auditEvent("priv-denied", "alice", "create", "default", "pods", "", "", "ResponseComplete", 403,
			pod(map[string]any{"containers": []any{priv}})), nil},
		{auditEvent("unpriv", "alice", "create", "default", "pods", "", "", "ResponseComplete", 201,
			pod(map[string]any{"containers": []any{map[string]any{"name": "a", "image": "nginx", "securityContext": map[string]any{"privileged": false}}}})), nil},
		{auditEvent("mount", "alice", "create", "default", "pods", "", "", "ResponseComplete", 201,
			pod(map[string]any{"volumes": []any{map[string]any{"name": "v", "hostPath": map[string]any{"path": "/var/run/docker.sock"}}}})), []string{"K8s Pod With Sensitive Host Mount"}},
		{auditEvent("mount-sub", "alice", "create", "default", "pods", "", "", "ResponseComplete", 201,
			pod(map[string]any{"volumes": []any{map[string]any{"name": "v", "hostPath": map[string]any{"path": "/etc/kubernetes/pki"}}}})), []string{"K8s Pod With Sensitive Host Mount"}},
		{auditEvent("mount-ok", "alice", "create", "default", "pods", "", "", "ResponseComplete", 201,
			pod(map[string]any{"volumes": []any{map[string]any{"name": "v", "hostPath": map[string]any{"path": "/data/app"}}, map[string]any{"name": "e", "emptyDir": map[string]any{}}}})), nil},
		{auditEvent("hostnet", "alice", "create", "default", "pods", "", "", "ResponseComplete", 201,
			pod(map[string]any{"hostNetwork": true})), []string{"K8s Pod In Host Namespaces"}},
		{auditEvent("hostpid", "alice", "update", "default", "pods", "", "p", "ResponseComplete", 200,
			pod(map[string]any{"hostPID": true})), []string{"K8s Pod In Host Namespaces"}},
		{auditEvent("nohostnet", "alice", "create", "default", "pods", "", "", "ResponseComplete", 201,
			pod(map[string]any{"hostNetwork": false})), nil},
		{auditEvent("exec", "alice", "create", "default", "pods", "exec", "p", "ResponseStarted", 101, nil), []string{"K8s Exec Or Attach Into Pod"}},
		{auditEvent("exec-done", "alice", "create", "default", "pods", "exec", "p", "ResponseComplete", 101, nil), nil},
		{auditEvent("attach-denied", "bob", "create", "default", "pods", "attach", "p", "ResponseComplete", 403, nil), []string{"K8s Exec Or Attach Into Pod"}},
		{auditEvent("log", "alice", "get", "default", "pods", "log", "p", "ResponseComplete", 200, nil), nil},
		{auditEvent("admin", "alice", "create", "", "clusterrolebindings", "", "b", "ResponseComplete", 201, map[string]any{
			"kind": "ClusterRoleBinding", "roleRef": map[string]any{"kind": "ClusterRole", "name": "cluster-admin"},
			"subjects": []any{map[string]any{"kind": "User", "name": "mallory"}}}), []string{"K8s Binding To Admin Role"}},
		{auditEvent("view", "alice", "create", "", "clusterrolebindings", "", "b", "ResponseComplete", 201, map[string]any{
			"kind": "ClusterRoleBinding", "roleRef": map[string]any{"kind": "ClusterRole", "name": "view"}}), nil},
		{auditEvent("cm-creds", "alice", "create", "default", "configmaps", "", "c", "ResponseComplete", 201, map[string]any{
			"kind": "ConfigMap", "data": map[string]any{"db.conf": "user=app\nPassword=hunter2\n"}}), []string{"K8s ConfigMap With Credentials"}},
		{auditEvent("cm-ok", "alice", "create", "default", "configmaps", "", "c", "ResponseComplete", 201, map[string]any{
			"kind": "ConfigMap", "data": map[string]any{"ui.properties": "color=purple"}}), nil},
		{auditEvent("secret-get", "alice", "get", "prod", "secrets", "", "db", "ResponseComplete", 200, nil), []string{"K8s Secret Read By User"}},
		{auditEvent("secret-ctrl", "system:serviceaccount:kube-system:token-controller", "list", "prod", "secrets", "", "", "ResponseComplete", 200, nil), nil},
		{auditEvent("anon", "system:anonymous", "get", "default", "pods", "", "", "ResponseComplete", 200, nil), []string{"K8s Anonymous Request Allowed"}},
	}
	var lines []string
	want := map[string]map[string]int{}
	for _, c := range cases {
		b, _ := json.Marshal(c.ev)
		lines = append(lines, string(b))
		w := map[string]int{}
		for _, r := range c.want {
			w[r]++
		}
		want[c.ev["auditID"].(string)] = w
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]int{}
	st, err := query.RunAudit(context.Background(), path, query.AuditOptions{Bad: func(e error) { t.Error(e) }}, func(c *fields.Ctx) error {
		id := string(c.Audit.Value.GetStringBytes("auditID"))
		if got[id] == nil {
			got[id] = map[string]int{}
		}
		eng.Match(c, func(r *Rule) {
			got[id][r.Name]++
			if out := string(r.AppendOutput(nil, c)); id == "priv" && !strings.Contains(out, "pod=default/p images=(nginx,evil:1) privileged=(true)") {
				t.Errorf("output %q", out)
			}
		})
		return nil
	})
	if err != nil || int(st.Events) != len(cases) {
		t.Fatalf("%d events of %d, %v", st.Events, len(cases), err)
	}
	for id, w := range want {
		if !maps.Equal(got[id], w) {
			t.Errorf("%s raised %v, want %v", id, got[id], w)
		}
	}
}

// TestK8sAuditDefaultRulesCorpus: the built-in rules raise what they
// cover on the corpus files.
func TestK8sAuditDefaultRulesCorpus(t *testing.T) {
	dir := testenv.Shared(t, "corpus/k8s_audit")
	l := NewLoader(Options{})
	if err := l.LoadData(DefaultK8sAuditName, DefaultK8sAudit()); err != nil {
		t.Fatal(err)
	}
	rs, err := l.Compile()
	if err != nil {
		t.Fatal(err)
	}
	eng := rs.Engine(Selection{Source: "k8s_audit", MinPriority: Debug, Matching: MatchAll})
	want := map[string]string{
		"create_nginx_pod_privileged_2nd_container.json":                         "K8s Privileged Pod",
		"create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json": "K8s Privileged Pod",
		"create_nginx_pod_sensitive_mount.json":                                  "K8s Pod With Sensitive Host Mount",
		"exec_pod.json":                                                          "K8s Exec Or Attach Into Pod",
		"attach_cluster_admin_role.json":                                         "K8s Binding To Admin Role",
		"anonymous_creates_namespace_foo.json":                                   "K8s Anonymous Request Allowed",
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		got := map[string]int{}
		if _, err := query.RunAudit(context.Background(), f, query.AuditOptions{}, func(c *fields.Ctx) error {
			eng.Match(c, func(r *Rule) { got[r.Name]++ })
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		w := map[string]int{}
		if r := want[filepath.Base(f)]; r != "" {
			w[r] = 1
		}
		if !maps.Equal(got, w) {
			t.Errorf("%s raised %v, want %v", filepath.Base(f), got, w)
		}
	}
}
