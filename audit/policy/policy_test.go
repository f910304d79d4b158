package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/valyala/fastjson"
)

func event(t *testing.T, js string) *fastjson.Value {
	t.Helper()
	v, err := fastjson.Parse(js)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// req builds an event: a resource request when resource is set, else a
// request of uri.
func req(user, group, verb, apiGroup, resource, sub, ns, name, uri, stage string) string {
	s := `{"kind":"Event","level":"RequestResponse","auditID":"x","stage":"` + stage + `","verb":"` + verb + `","requestURI":"` + uri + `"`
	if user != "" {
		s += `,"user":{"username":"` + user + `","groups":["` + group + `"]}`
	}
	if resource != "" {
		s += `,"objectRef":{"apiGroup":"` + apiGroup + `","resource":"` + resource + `","subresource":"` + sub + `","namespace":"` + ns + `","name":"` + name + `"}`
	}
	return s + `,"requestObject":{"metadata":{"name":"n","managedFields":[{"manager":"kubectl"}]},"spec":{}},"responseObject":{"metadata":{"name":"n"}}}`
}

func TestEvaluate(t *testing.T) {
	p, err := Load("testdata/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const rc, rs = "ResponseComplete", "ResponseStarted"
	for _, tc := range []struct {
		name, ev string
		rule     int
		level    Level
		logs     bool
	}{
		{"pod create", req("alice", "dev", "create", "", "pods", "", "web", "", "/api/v1/namespaces/web/pods", rc), 0, LevelRequestResponse, true},
		{"received stage omitted", req("alice", "dev", "create", "", "pods", "", "web", "", "/api/v1/namespaces/web/pods", "RequestReceived"), 0, LevelRequestResponse, false},
		{"pod log: plain pods does not match subresources", req("alice", "dev", "get", "", "pods", "log", "web", "p", "/api/v1/namespaces/web/pods/p/log", rc), 1, LevelMetadata, true},
		{"pod exec: no rule names it until the core catch-all", req("alice", "dev", "create", "", "pods", "exec", "web", "p", "/api/v1/namespaces/web/pods/p/exec", rs), 8, LevelRequest, false},
		{"leader lock", req("ctrl", "system:authenticated", "update", "", "configmaps", "", "kube-system", "leader-lock", "/api/v1/namespaces/kube-system/configmaps/leader-lock", rc), 2, LevelNone, false},
		{"other configmap of kube-system", req("ctrl", "system:authenticated", "update", "", "configmaps", "", "kube-system", "cfg", "/api/v1/namespaces/kube-system/configmaps/cfg", rc), 5, LevelRequest, true},
		{"configmap list: no name, resourceNames cannot match", req("ctrl", "x", "list", "", "configmaps", "", "web", "", "/api/v1/namespaces/web/configmaps", rc), 6, LevelMetadata, true},
		{"proxy watch", req("system:kube-proxy", "system:nodes", "watch", "", "endpoints", "", "", "", "/api/v1/endpoints?watch=true", rc), 3, LevelNone, false},
		{"proxy get", req("system:kube-proxy", "system:nodes", "get", "", "endpoints", "", "", "e", "/api/v1/endpoints/e", rc), 8, LevelRequest, true},
		{"discovery: /api* covers /apis too", req("alice", "system:authenticated", "get", "", "", "", "", "", "/apis/apps/v1?timeout=32s", rc), 4, LevelNone, false},
		{"metrics", req("alice", "system:authenticated", "get", "", "", "", "", "", "/metrics", rc), 9, LevelMetadata, true},
		{"api prefix", req("alice", "system:authenticated", "get", "", "", "", "", "", "/api/v1", rc), 4, LevelNone, false},
		{"version", req("alice", "system:authenticated", "get", "", "", "", "", "", "/version", rc), 4, LevelNone, false},
		{"version of an anonymous user", req("system:anonymous", "system:unauthenticated", "get", "", "", "", "", "", "/version", rc), 9, LevelMetadata, true},
		{"no user info", req("", "", "get", "", "", "", "", "", "/version", rc), 9, LevelMetadata, true},
		{"secret", req("alice", "dev", "get", "", "secrets", "", "web", "s", "/api/v1/namespaces/web/secrets/s", rc), 6, LevelMetadata, true},
		{"deployment scale", req("alice", "dev", "update", "apps", "deployments", "scale", "web", "d", "/apis/apps/v1/namespaces/web/deployments/d/scale", rc), 7, LevelRequest, true},
		{"statefulset scale", req("alice", "dev", "patch", "apps", "statefulsets", "scale", "web", "s", "/apis/apps/v1/namespaces/web/statefulsets/s/scale", rc), 7, LevelRequest, true},
		{"deployments/* matches the deployment itself", req("alice", "dev", "create", "apps", "deployments", "", "web", "", "/apis/apps/v1/namespaces/web/deployments", rc), 7, LevelRequest, true},
		{"daemonset: apps is not core", req("alice", "dev", "create", "apps", "daemonsets", "", "web", "", "/apis/apps/v1/namespaces/web/daemonsets", rc), 9, LevelMetadata, true},
		{"ingress of extensions", req("alice", "dev", "create", "extensions", "ingresses", "", "web", "", "/apis/extensions/v1beta1/namespaces/web/ingresses", rc), 8, LevelRequest, true},
		{"node (cluster-scoped, core)", req("kubelet", "system:nodes", "patch", "", "nodes", "status", "", "n1", "/api/v1/nodes/n1/status", rc), 8, LevelRequest, true},
		{"core rule omits ResponseStarted", req("alice", "dev", "watch", "", "events", "", "web", "", "/api/v1/namespaces/web/events?watch=1", rs), 8, LevelRequest, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := event(t, tc.ev)
			a := AttributesOf(ev)
			d := p.Evaluate(&a)
			if d.Rule != tc.rule || d.Level != tc.level || d.Logs(string(ev.GetStringBytes("stage"))) != tc.logs {
				t.Errorf("rule %d (line %d) level %s logs %v; want rule %d level %s logs %v", d.Rule, p.Rules[max(d.Rule, 0)].Line, d.Level,
					d.Logs(string(ev.GetStringBytes("stage"))), tc.rule, tc.level, tc.logs)
			}
		})
	}
}

func TestNoMatchAndGroupWildcard(t *testing.T) {
	p, err := Parse("p.yaml", []byte("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Request\n  namespaces: [\"\"]\n  resources:\n  - group: \"*\"\n    resources: [\"*\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ev   string
		want Level
	}{
		{req("a", "g", "get", "rbac.authorization.k8s.io", "clusterroles", "", "", "r", "/apis/rbac.authorization.k8s.io/v1/clusterroles/r", "ResponseComplete"), LevelRequest},
		{req("a", "g", "get", "", "pods", "", "web", "p", "/api/v1/namespaces/web/pods/p", "ResponseComplete"), LevelNone},
		{req("a", "g", "get", "", "", "", "", "", "/healthz", "ResponseComplete"), LevelNone},
	} {
		a := AttributesOf(event(t, tc.ev))
		if d := p.Evaluate(&a); d.Level != tc.want || (tc.want == LevelNone) != (d.Rule == -1) {
			t.Errorf("%s/%s: %+v, want %s", a.Kind, a.Path, d, tc.want)
		}
	}
}

func TestReduce(t *testing.T) {
	p, _ := Load("testdata/policy.yaml")
	for _, tc := range []struct {
		ev            string
		keep, drop    []string
		short, logged bool
	}{
		// Pods at RequestResponse: everything stays.
		{req("alice", "dev", "create", "", "pods", "", "web", "", "/api/v1/namespaces/web/pods", "ResponseComplete"), []string{"requestObject", "responseObject", "managedFields"}, nil, false, true},
		// Secrets at Metadata: both bodies go.
		{req("alice", "dev", "get", "", "secrets", "", "web", "s", "/api/v1/namespaces/web/secrets/s", "ResponseComplete"), nil, []string{"requestObject", "responseObject"}, false, true},
		// The catch-all strips managedFields.
		{req("alice", "dev", "get", "", "", "", "", "", "/healthz", "ResponseComplete"), nil, []string{"managedFields", "requestObject"}, false, true},
		{req("alice", "dev", "create", "", "pods", "", "web", "", "/api/v1/namespaces/web/pods", "RequestReceived"), nil, nil, false, false},
	} {
		ev := event(t, tc.ev)
		a := AttributesOf(ev)
		d := p.Evaluate(&a)
		before := len(ev.MarshalTo(nil))
		size, short := Reduce(ev, d)
		out := string(ev.MarshalTo(nil))
		if short != tc.short || (size > 0) != tc.logged || size > before {
			t.Errorf("%s: size %d of %d short %v", a.Path, size, before, short)
		}
		if !tc.logged {
			continue
		}
		if size != len(out) || !strings.Contains(out, `"level":"`+string(d.Level)+`"`) {
			t.Errorf("%s: size %d, %s", a.Kind, size, out)
		}
		for _, k := range tc.keep {
			if !strings.Contains(out, k) {
				t.Errorf("%s: %s was dropped", a.Kind, k)
			}
		}
		for _, k := range tc.drop {
			if strings.Contains(out, k) {
				t.Errorf("%s: %s was kept: %s", a.Kind, k, out)
			}
		}
	}
	// A Metadata log cannot give what a RequestResponse policy asks.
	ev := event(t, `{"kind":"Event","level":"Metadata","stage":"ResponseComplete","verb":"create","objectRef":{"resource":"pods","namespace":"w"}}`)
	a := AttributesOf(ev)
	if _, short := Reduce(ev, p.Evaluate(&a)); !short {
		t.Error("a Metadata event under a RequestResponse rule is not short")
	}
}

func TestValidate(t *testing.T) {
	head := "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n"
	for _, tc := range []struct {
		name, yaml string
		line       int
		msg        string
	}{
		{"bad yaml", head + "- level: [\n", 4, "yaml"},
		{"bad level", head + "- level: Everything\n", 4, "level \"Everything\""},
		{"no level", head + "- verbs: [get]\n", 4, "no level"},
		{"unknown rule field", head + "- level: None\n  user: [bob]\n", 5, "unknown rule field \"user\""},
		{"bad stage", head + "- level: None\n  omitStages: [RequestReceived, Done]\n", 5, "unknown stage \"Done\""},
		{"bad policy stage", "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages:\n  - Later\nrules:\n- level: None\n", 4, "unknown stage"},
		{"url without slash", head + "- level: None\n  nonResourceURLs: [healthz]\n", 5, "must begin with /"},
		{"url star inside", head + "- level: None\n  nonResourceURLs:\n  - /api/*/x\n", 6, "only as its last"},
		{"urls with resources", head + "- level: None\n  nonResourceURLs: [/x]\n  resources: [{group: \"\"}]\n", 4, "both nonResourceURLs and resources"},
		{"resourceNames alone", head + "- level: None\n  resources:\n  - group: \"\"\n    resourceNames: [x]\n", 6, "resourceNames needs resources"},
		{"bad group", head + "- level: None\n  resources:\n  - group: \"Apps_V1\"\n", 6, "not an API group"},
		{"wrong kind", "apiVersion: audit.k8s.io/v1\nkind: Pod\nrules: []\n", 2, "kind \"Pod\""},
		{"wrong apiVersion", "apiVersion: v1\nkind: Policy\nrules: []\n", 1, "apiVersion"},
		{"no rules", "apiVersion: audit.k8s.io/v1\nkind: Policy\n", 1, "rules is missing"},
		{"unknown top field", head + "- level: None\nrulez: []\n", 5, "unknown field \"rulez\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tc.yaml))
			var pe *Error
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v", err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) || !strings.HasPrefix(err.Error(), "p.yaml:") {
				t.Errorf("got %q (line %d), want line %d and %q", err, pe.Line, tc.line, tc.msg)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  resources: [{group: \"\", resources: [pods/*]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.yaml", data)
		if err == nil {
			a := Attributes{Resource: true, Kind: "pods", Verb: "get"}
			p.Evaluate(&a)
		}
	})
}
