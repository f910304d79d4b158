package fields

import (
	"strings"
	"testing"

	"forensics/audit"
	"forensics/event"
)

// k8sEvent is a Request-level pod create with the shapes the field
// quirks of ../shared/reference/k8saudit.md are about.
const k8sEvent = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"a-1","stage":"ResponseComplete",
"requestURI":"/api/v1/namespaces/web/pods?dryRun=All&fieldManager=kubectl&fieldManager=x","verb":"create",
"user":{"username":"alice","groups":["dev","system:authenticated"]},"impersonatedUser":{"username":"bob"},
"sourceIPs":["192.0.2.10","10.0.0.1"],"userAgent":"kubectl/v1.30.0",
"objectRef":{"resource":"pods","namespace":"web","apiVersion":"v1"},
"responseStatus":{"metadata":{},"code":201},
"requestObject":{"kind":"Pod","metadata":{"name":"p1"},"data":{"z":"1","a":"x y"},
 "subjects":[{"kind":"User","name":"u1"},{"kind":"ServiceAccount","name":"sa1","namespace":"kube-system"},{"kind":"ServiceAccount","name":"sa2"},{"kind":"Group","name":"g1"}],
 "roleRef":{"kind":"ClusterRole","name":"cluster-admin"},
 "rules":[{"apiGroups":[""],"resources":["pods","pods/exec"],"verbs":["get","create"]},{"apiGroups":["apps"],"resources":["deployments"],"verbs":["*"]}],
 "spec":{"hostNetwork":true,"hostPID":false,"securityContext":{"runAsUser":1000,"supplementalGroups":[5,6]},
  "volumes":[{"name":"etc","hostPath":{"path":"/etc/ssl","type":""}},{"name":"tmp","emptyDir":{}},{"name":"fv","flexVolume":{"driver":"x/y"}}],
  "ports":[{"port":80}],"type":"NodePort",
  "containers":[{"name":"a","image":"registry:5000/org/app:1.0","command":["sh","-c","id"],"securityContext":{"privileged":true,"runAsUser":7,"capabilities":{"add":["NET_ADMIN","SYS_TIME"]}},"ports":[{"containerPort":8080},{"containerPort":9090,"hostPort":99}]},
                {"name":"b","image":"nginx@sha256:abc","args":["-g","daemon off;"]}],
  "initContainers":[{"name":"i","image":"busybox","securityContext":{"privileged":false}}]}},
"responseObject":{"metadata":{"name":"p1-resp"}},
"requestReceivedTimestamp":"2026-11-20T10:00:00.000000Z","stageTimestamp":"2026-11-20T10:00:00.250000Z",
"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed","cluster_name":"prod"}}`

func auditCtx(t *testing.T, js string) *Ctx {
	t.Helper()
	var d audit.Decoder
	a, err := d.Decode([]byte(js), 1_700_000_000_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return &Ctx{Ev: &event.Event{Num: 1, Ts: a.Time}, Audit: a}
}

func TestK8sAuditFields(t *testing.T) {
	c := auditCtx(t, k8sEvent)
	const na = "<NA>"
	for _, tc := range []struct{ field, want string }{
		{"ka.auditid", "a-1"},
		{"ka.stage", "ResponseComplete"},
		{"ka.auth.decision", "allow"},
		{"ka.auth.reason", "RBAC: allowed"},
		{"ka.cluster.name", "prod"},
		{"ka.auth.openshift.decision", na},
		{"ka.user.name", "alice"},
		{"ka.user.groups", "(dev,system:authenticated)"},
		{"ka.impuser.name", "bob"},
		{"ka.verb", "create"},
		{"ka.uri.param[fieldManager]", "kubectl"}, // the first value
		{"ka.uri.param[dryRun]", "All"},
		{"ka.uri.param[nope]", na},
		{"ka.useragent", "kubectl/v1.30.0"},
		{"ka.sourceips", "(192.0.2.10,10.0.0.1)"},
		{"ka.sourceips[1]", "(10.0.0.1)"},
		{"ka.response.code", "201"}, // a number, as text
		{"ka.response.reason", na},
		{"ka.resp.name", "p1-resp"},
		{"ka.target.resource", "pods"},
		{"ka.target.subresource", na},
		{"ka.target.name", na},
		{"ka.target.pod.name", "p1-resp"},
		{"ka.req.configmap.obj", `{"z":"1","a":"x y"}`}, // compact, input order
		{"ka.req.binding.subjects.user_names", "(u1)"},
		{"ka.req.binding.subjects.serviceaccount_names", "(sa1,sa2)"},
		{"ka.req.binding.subjects.serviceaccount_ns_names", "(kube-system:sa1)"},
		{"ka.req.binding.subjects.group_names", "(g1)"},
		{"ka.req.binding.role", "cluster-admin"},
		{"ka.req.binding.subject.has_name[whatever]", "true"},
		{"ka.req.role.rules.apiGroups", "(,apps)"},
		{"ka.req.role.rules.resources[0]", "(pods,pods/exec)"},
		{"ka.req.role.rules.verbs", "(get,create,*)"},
		{"ka.req.role.rules.verbs[2]", na},
		{"ka.req.pod.host_network", "true"},
		{"ka.req.pod.host_pid", "false"},
		{"ka.req.pod.host_ipc", na},
		{"ka.req.pod.run_as_user", "1000"},
		{"ka.req.pod.supplemental_groups", "(5,6)"},
		{"ka.req.pod.volumes.hostpath", "(/etc/ssl)"},
		{"ka.req.pod.volumes.hostpath[1]", na},
		{"ka.req.volume.hostpath[/etc*]", "true"},
		{"ka.req.volume.hostpath[/etc]", "false"},
		{"ka.req.pod.volumes.flexvolume_driver", "(x/y)"},
		{"ka.req.pod.volumes.volume_type", "(hostPath,emptyDir,flexVolume)"},
		{"ka.req.service.type", "NodePort"},
		{"ka.req.service.ports", `([{"port":80}])`},
		{"ka.req.pod.containers.name", "(a,b)"},
		{"ka.req.pod.containers.image", "(registry:5000/org/app:1.0,nginx@sha256:abc)"},
		{"ka.req.pod.containers.image[1]", "(nginx@sha256:abc)"},
		{"ka.req.pod.containers.image.repository", "(registry,nginx)"}, // the plugin's cut at the first ':'
		{"ka.req.pod.containers.command", "(sh -c id)"},
		{"ka.req.pod.containers.args", "(-g daemon off;)"},
		{"ka.req.pod.containers.privileged", "(true)"},
		{"ka.req.pod.containers.add_capabilities", `(["NET_ADMIN","SYS_TIME"])`},
		{"ka.req.pod.containers.host_port", "(8080,99)"},
		{"ka.req.pod.containers.eff_run_as_user", "(7,1000)"},
		{"ka.req.pod.containers.image[5]", na},
		{"ka.req.pod.initContainers.privileged", "(false)"},
		{"ka.req.pod.ephemeralContainers.image", na},
		{"ka.req.container.image", "registry:5000/org/app:1.0"},
		{"ka.req.container.privileged", "true"},
		{"jevt.value[/objectRef/resource]", "pods"},
		{"jevt.value[/sourceIPs/0]", "192.0.2.10"},
		{"jevt.value[/responseStatus]", `{"metadata":{},"code":201}`},
		{"jevt.value[/requestObject/spec/hostPID]", "false"},
		{"jevt.value[/annotations/authorization.k8s.io~1decision]", "allow"}, // ~1 is /
		{"json.value[/nope]", na},
		{"jevt.rawtime", "1700000000000000000"}, // the stored time
		{"evt.rawtime", "1700000000000000000"},
		{"evt.source", "k8s_audit"},
	} {
		b, err := K8sAudit().Lookup(splitArg(tc.field))
		if err != nil {
			t.Errorf("%s: %v", tc.field, err)
			continue
		}
		v, ok := b.Ext(c)
		got := na
		if ok {
			got = v.String()
		}
		if got != tc.want {
			t.Errorf("%s = %q, want %q", tc.field, got, tc.want)
		}
	}
}

// splitArg splits "name[arg]" as the filter parser does.
func splitArg(s string) (string, string, bool) {
	if i := strings.IndexByte(s, '['); i >= 0 && strings.HasSuffix(s, "]") {
		return s[:i], s[i+1 : len(s)-1], true
	}
	return s, "", false
}

// TestK8sAuditNoAuditID: an event without auditID has no ka.* value; the
// json fields still read it.
func TestK8sAuditNoAuditID(t *testing.T) {
	c := auditCtx(t, `{"kind":"Event","verb":"get","stageTimestamp":"2026-11-20T10:00:00Z"}`)
	for name, want := range map[string]bool{"ka.verb": false, "jevt.value": true} {
		arg, has := "", false
		if name == "jevt.value" {
			arg, has = "/verb", true
		}
		b, err := K8sAudit().Lookup(name, arg, has)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := b.Ext(c); ok != want {
			t.Errorf("%s: has value %v", name, ok)
		}
	}
	b, _ := K8sAudit().Lookup("jevt.obj", "", false)
	if v, ok := b.Ext(c); !ok || !strings.Contains(v.S, "\n  \"verb\": \"get\"") {
		t.Errorf("jevt.obj = %q", v.S)
	}
	// Index arguments are digits only.
	if _, err := K8sAudit().Lookup("ka.req.pod.containers.image", "x", true); err == nil {
		t.Error("a non-numeric index was accepted")
	}
}

func BenchmarkK8sAuditFields(b *testing.B) {
	var d audit.Decoder
	a, _ := d.Decode([]byte(k8sEvent), 1)
	c := &Ctx{Ev: &event.Event{}, Audit: a}
	var exts []Extractor
	for _, n := range []string{"ka.verb", "ka.target.resource", "ka.user.name", "ka.req.pod.containers.image.repository"} {
		bd, _ := K8sAudit().Lookup(n, "", false)
		exts = append(exts, bd.Ext)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range exts {
			e(c)
		}
	}
}
