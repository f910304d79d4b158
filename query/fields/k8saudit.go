package fields

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/valyala/fastjson"
)

// The registry of the k8s_audit event source: the ka.* fields of Falco's
// k8saudit plugin 0.18.0 and the jevt.* / json.* fields of its json
// plugin 0.7.4 (../shared/reference/k8saudit.md §2-§4), over the audit
// event in Ctx.Audit, plus the evt.* time fields.
//
// As the plugins: every value is a string; JSON strings are returned
// unquoted, other JSON values as compact JSON text; a field whose path is
// missing, whose list is empty, or whose JSON has the wrong type has no
// value; an event without "auditID" has no ka.* value at all. List fields
// print as (a,b,c).
//
// Where forensics departs from the plugin, on purpose: ka.sourceips reads
// the event's sourceIPs (the plugin reads requestObject.rules[*].sourceIPs
// and so never has a value, §3.1); ka.req.pod.containers.eff_run_as_user
// and eff_run_as_group read securityContext as the field description says
// (the plugin's path misses it and yields 0, §3.5).

var (
	auditOnce   sync.Once
	auditSource *Source
)

// K8sAudit returns the registry of the k8s_audit event source. It is
// built once and shared; it must not be modified.
func K8sAudit() *Source {
	auditOnce.Do(func() { auditSource = NewSource("k8s_audit", auditFields()) })
	return auditSource
}

// jroot is the event's JSON, nil when the context holds no audit event.
func jroot(c *Ctx) *fastjson.Value {
	if c.Audit == nil {
		return nil
	}
	return c.Audit.Value
}

// kroot is the event's JSON for ka.* fields: nil without auditID.
func kroot(c *Ctx) *fastjson.Value {
	v := jroot(c)
	if v == nil || v.Get("auditID") == nil {
		return nil
	}
	return v
}

// jtext is a JSON value as the plugins return it (§2).
func jtext(v *fastjson.Value) string {
	if v.Type() == fastjson.TypeString {
		return string(v.GetStringBytes())
	}
	return string(v.MarshalTo(nil))
}

// ctext is jtext sharing the short strings of the event's reader (see
// audit.Event.Str).
func ctext(c *Ctx, v *fastjson.Value) string {
	switch v.Type() {
	case fastjson.TypeString:
		return c.Audit.Str(v.GetStringBytes())
	case fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse, fastjson.TypeNull:
		var buf [64]byte
		return c.Audit.Str(v.MarshalTo(buf[:0]))
	}
	return string(v.MarshalTo(nil))
}

// kaPath is a ka.* field reading one path.
func kaPath(name, desc string, path ...string) *Field {
	return field(name, TString, desc, func(c *Ctx) (Value, bool) {
		r := kroot(c)
		if r == nil {
			return Value{}, false
		}
		v := r.Get(path...)
		if v == nil {
			return Value{}, false
		}
		return Str(ctext(c, v)), true
	})
}

// kaAnnotation is a ka.* field reading one annotation.
func kaAnnotation(name, key, desc string) *Field {
	return kaPath(name, desc, "annotations", key)
}

func list(l []string) (Value, bool) {
	if len(l) == 0 {
		return Value{}, false
	}
	return Value{Kind: TStrings, List: l, Paren: true}, true
}

// collect walks path from v as the plugin does (§2.1): an array met
// before the last key is expanded (idx < 0) or indexed (the first one
// only); the value at the last key is taken as it is.
func collect(v *fastjson.Value, idx int, path []string, out []string) []string {
	for i, k := range path {
		if v.Type() == fastjson.TypeArray {
			a, _ := v.Array()
			if idx >= 0 {
				if idx >= len(a) {
					return out
				}
				return collect(a[idx], -1, path[i:], out)
			}
			for _, e := range a {
				out = collect(e, -1, path[i:], out)
			}
			return out
		}
		if v = v.Get(k); v == nil {
			return out
		}
	}
	return append(out, jtext(v))
}

// kaIndexed is a list field with an optional [N] index: ext gets the
// event's audit document and the index (-1 without one).
func kaIndexed(name, desc string, ext func(r *fastjson.Value, idx int) (Value, bool)) *Field {
	return argField(name, TStrings, ArgIndex, NoTransformer, desc, func(arg string, has bool) (Extractor, error) {
		idx, err := indexArg(arg, has)
		if err != nil {
			return nil, err
		}
		return func(c *Ctx) (Value, bool) {
			r := kroot(c)
			if r == nil {
				return Value{}, false
			}
			return ext(r, idx)
		}, nil
	})
}

// pick keeps element idx of elems (all of them for -1); false when there
// is no such element.
func pick(elems []*fastjson.Value, idx int) ([]*fastjson.Value, bool) {
	if idx < 0 {
		return elems, true
	}
	if idx >= len(elems) {
		return nil, false
	}
	return elems[idx : idx+1], true
}

// kaList is a list field over path, with an optional [N] index.
func kaList(name, desc string, path ...string) *Field {
	return kaIndexed(name, desc, func(r *fastjson.Value, idx int) (Value, bool) {
		return list(collect(r, idx, path, nil))
	})
}

// kaArrayField is a list field over the elements of the array at path
// (none when it is missing), with an optional [N] index that keeps one
// element: each appends an element's values.
func kaArrayField(name, desc string, path []string, each func(e *fastjson.Value, out []string) []string) *Field {
	return kaIndexed(name, desc, func(r *fastjson.Value, idx int) (Value, bool) {
		elems, ok := pick(arrayAt(r, path...), idx)
		if !ok {
			return Value{}, false
		}
		var out []string
		for _, e := range elems {
			out = each(e, out)
		}
		return list(out)
	})
}

// kaListNoIndex is a list field without argument.
func kaListNoIndex(name, desc string, ext Extractor) *Field {
	return &Field{Name: name, Type: TStrings, Desc: desc, Flags: NoTransformer, Bind: simple(ext)}
}

func indexArg(arg string, has bool) (int, error) {
	if !has {
		return -1, nil
	}
	if arg == "" || strings.Trim(arg, "0123456789") != "" {
		return 0, fmt.Errorf("the index must be a number")
	}
	n, err := strconv.Atoi(arg)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// kArray returns the array at path in the event's audit document; ok is
// false when there is no such array (an empty one is ok).
func kArray(c *Ctx, path ...string) (a []*fastjson.Value, ok bool) {
	r := kroot(c)
	if r == nil {
		return nil, false
	}
	v := r.Get(path...)
	if v == nil || v.Type() != fastjson.TypeArray {
		return nil, false
	}
	a, _ = v.Array()
	return a, true
}

// arrayAt returns the array at path, or nil.
func arrayAt(r *fastjson.Value, path ...string) []*fastjson.Value {
	v := r.Get(path...)
	if v == nil || v.Type() != fastjson.TypeArray {
		return nil
	}
	a, _ := v.Array()
	return a
}

// strOf returns a string member of an object.
func strOf(v *fastjson.Value, key string) (string, bool) {
	m := v.Get(key)
	if m == nil || m.Type() != fastjson.TypeString {
		return "", false
	}
	return string(m.GetStringBytes()), true
}

// subjects lists the binding's subjects of one kind as fn renders them.
func subjects(kind string, fn func(s *fastjson.Value) (string, bool)) Extractor {
	return func(c *Ctx) (Value, bool) {
		r := kroot(c)
		if r == nil {
			return Value{}, false
		}
		var out []string
		for _, s := range arrayAt(r, "requestObject", "subjects") {
			if k, _ := strOf(s, "kind"); k == kind {
				if t, ok := fn(s); ok {
					out = append(out, t)
				}
			}
		}
		return list(out)
	}
}

// imageRepository cuts an image at its first : then at its first @
// (§3.5, registry ports included).
func imageRepository(img string) string {
	if i := strings.IndexByte(img, ':'); i >= 0 {
		img = img[:i]
	}
	if i := strings.IndexByte(img, '@'); i >= 0 {
		img = img[:i]
	}
	return img
}

// containerField is ka.req.pod.<list>.<f>: per container of
// requestObject.spec.<list>, fn's values.
func containerField(listKey, f, desc string, fn func(ctr, spec *fastjson.Value, out []string) ([]string, bool)) *Field {
	return kaIndexed("ka.req.pod."+listKey+"."+f, desc, func(r *fastjson.Value, idx int) (Value, bool) {
		spec := r.Get("requestObject", "spec")
		a := r.Get("requestObject", "spec", listKey)
		if a == nil || a.Type() != fastjson.TypeArray {
			return Value{}, false
		}
		all, _ := a.Array()
		ctrs, ok := pick(all, idx)
		if !ok {
			return Value{}, false
		}
		var out []string
		for _, ctr := range ctrs {
			if out, ok = fn(ctr, spec, out); !ok {
				return Value{}, false
			}
		}
		return list(out)
	})
}

// ctrString: a required string member (a container without it fails the
// whole field).
func ctrString(key string, conv func(string) string) func(ctr, spec *fastjson.Value, out []string) ([]string, bool) {
	return func(ctr, _ *fastjson.Value, out []string) ([]string, bool) {
		s, ok := strOf(ctr, key)
		if !ok {
			return out, false
		}
		if conv != nil {
			s = conv(s)
		}
		return append(out, s), true
	}
}

// ctrJoined: an array member joined with spaces, for containers that
// have it.
func ctrJoined(key string) func(ctr, spec *fastjson.Value, out []string) ([]string, bool) {
	return func(ctr, _ *fastjson.Value, out []string) ([]string, bool) {
		a := arrayAt(ctr, key)
		if a == nil {
			return out, true
		}
		parts := make([]string, len(a))
		for i, e := range a {
			parts[i] = jtext(e)
		}
		return append(out, strings.Join(parts, " ")), true
	}
}

// ctrPath: the value at a path, for containers that have it.
func ctrPath(path ...string) func(ctr, spec *fastjson.Value, out []string) ([]string, bool) {
	return func(ctr, _ *fastjson.Value, out []string) ([]string, bool) {
		if v := ctr.Get(path...); v != nil {
			out = append(out, jtext(v))
		}
		return out, true
	}
}

// ctrEffective: the container's securityContext value, else the pod's,
// else 0.
func ctrEffective(key string) func(ctr, spec *fastjson.Value, out []string) ([]string, bool) {
	return func(ctr, spec *fastjson.Value, out []string) ([]string, bool) {
		if v := ctr.Get("securityContext", key); v != nil {
			return append(out, jtext(v)), true
		}
		if v := spec.Get("securityContext", key); v != nil {
			return append(out, jtext(v)), true
		}
		return append(out, "0"), true
	}
}

// ctrHostPorts: hostPort, else containerPort, of each port.
func ctrHostPorts(ctr, _ *fastjson.Value, out []string) ([]string, bool) {
	for _, p := range arrayAt(ctr, "ports") {
		if v := p.Get("hostPort"); v != nil {
			out = append(out, jtext(v))
		} else if v := p.Get("containerPort"); v != nil {
			out = append(out, jtext(v))
		}
	}
	return out, true
}

// containerFields are the per-container fields of one container list.
func containerFields(listKey string) []*Field {
	what := "containers"
	switch listKey {
	case "initContainers":
		what = "init containers"
	case "ephemeralContainers":
		what = "ephemeral containers"
	}
	d := func(s string) string {
		return s + " of the pod's " + what + " (requestObject.spec." + listKey + "); [N] selects one"
	}
	fs := []*Field{
		containerField(listKey, "name", d("names"), ctrString("name", nil)),
		containerField(listKey, "image", d("images"), ctrString("image", nil)),
		containerField(listKey, "image.repository", d("image repositories (the image up to its first : or @)"), ctrString("image", imageRepository)),
		containerField(listKey, "command", d("commands, each joined with spaces"), ctrJoined("command")),
		containerField(listKey, "args", d("arguments, each joined with spaces"), ctrJoined("args")),
		containerField(listKey, "privileged", d("securityContext.privileged flags (containers that set it)"), ctrPath("securityContext", "privileged")),
		containerField(listKey, "allow_privilege_escalation", d("securityContext.allowPrivilegeEscalation flags"), ctrPath("securityContext", "allowPrivilegeEscalation")),
		containerField(listKey, "read_only_fs", d("securityContext.readOnlyRootFilesystem flags"), ctrPath("securityContext", "readOnlyRootFilesystem")),
		containerField(listKey, "run_as_user", d("securityContext.runAsUser values"), ctrPath("securityContext", "runAsUser")),
		containerField(listKey, "run_as_group", d("securityContext.runAsGroup values"), ctrPath("securityContext", "runAsGroup")),
		containerField(listKey, "eff_run_as_user", d("effective user ids (the container's runAsUser, else the pod's, else 0)"), ctrEffective("runAsUser")),
		containerField(listKey, "eff_run_as_group", d("effective group ids (the container's runAsGroup, else the pod's, else 0)"), ctrEffective("runAsGroup")),
		containerField(listKey, "proc_mount", d("securityContext.procMount values"), ctrPath("securityContext", "procMount")),
		containerField(listKey, "add_capabilities", d("added capabilities, one JSON array per container"), ctrPath("securityContext", "capabilities", "add")),
	}
	if listKey != "ephemeralContainers" {
		fs = append(fs, containerField(listKey, "host_port", d("host ports (hostPort, else containerPort, of every port)"), ctrHostPorts))
	}
	return fs
}

// firstContainer is a deprecated single-container field over
// spec.containers[0].
func firstContainer(name, desc string, conv func(string) string) *Field {
	return field(name, TString, desc, func(c *Ctx) (Value, bool) {
		r := kroot(c)
		if r == nil {
			return Value{}, false
		}
		ctrs := arrayAt(r, "requestObject", "spec", "containers")
		if len(ctrs) == 0 {
			return Value{}, false
		}
		s, ok := strOf(ctrs[0], "image")
		if !ok {
			return Value{}, false
		}
		if conv != nil {
			s = conv(s)
		}
		return Str(s), true
	})
}

// jsonPointer resolves a JSON pointer as the json plugin does (§4):
// leading / optional, ~1 and ~0 unescaped, numeric segments index arrays.
func jsonPointer(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return nil
	}
	segs := strings.Split(ptr, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return segs
}

func bindJSONValue(arg string, has bool) (Extractor, error) {
	path := jsonPointer(arg)
	return func(c *Ctx) (Value, bool) {
		r := jroot(c)
		if r == nil {
			return Value{}, false
		}
		if len(path) == 0 {
			return Str(string(r.MarshalTo(nil))), true
		}
		v := r.Get(path...)
		if v == nil {
			return Value{}, false
		}
		return Str(ctext(c, v)), true
	}, nil
}

func extJSONObj(c *Ctx) (Value, bool) {
	if c.Audit == nil {
		return Value{}, false
	}
	var b bytes.Buffer
	b.Grow(len(c.Audit.Raw) + len(c.Audit.Raw)/2) // indentation adds about a half
	if err := json.Indent(&b, c.Audit.Raw, "", "  "); err != nil {
		return Value{}, false
	}
	return Str(b.String()), true
}

func extJSONRawtime(c *Ctx) (Value, bool) {
	if c.Audit == nil {
		return Value{}, false
	}
	return Str(strconv.FormatUint(c.Audit.Time, 10)), true
}

func auditFields() []*Field {
	fs := []*Field{
		// Request metadata (§3.1).
		kaPath("ka.auditid", "the event's audit id (auditID)", "auditID"),
		kaPath("ka.stage", "the stage of the request (stage): RequestReceived, ResponseStarted, ResponseComplete, Panic", "stage"),
		kaAnnotation("ka.auth.decision", "authorization.k8s.io/decision", "authorization decision (allow, forbid)"),
		kaAnnotation("ka.auth.reason", "authorization.k8s.io/reason", "authorization reason"),
		kaAnnotation("ka.auth.openshift.decision", "authentication.openshift.io/decision", "OpenShift authentication decision"),
		kaAnnotation("ka.auth.openshift.username", "authentication.openshift.io/username", "OpenShift authenticated user name"),
		kaAnnotation("ka.validations.admission.policy.failure", "validation.policy.admission.k8s.io/validation_failure", "admission validation policy failures"),
		kaAnnotation("ka.security.pod.violations", "pod-security.kubernetes.io/audit-violations", "pod security audit violations"),
		kaAnnotation("ka.cluster.name", "cluster_name", "cluster name (annotation cluster_name)"),
		kaPath("ka.user.name", "user name performing the request (user.username)", "user", "username"),
		kaListNoIndex("ka.user.groups", "groups of the user performing the request (user.groups)", kaArrayTexts("user", "groups")),
		kaPath("ka.impuser.name", "impersonated user name (impersonatedUser.username)", "impersonatedUser", "username"),
		kaPath("ka.verb", "action of the request (verb): get, list, watch, create, update, patch, delete...", "verb"),
		kaPath("ka.uri", "request URI as sent to the API server (requestURI)", "requestURI"),
		argField("ka.uri.param", TString, ArgKey|ArgRequired, 0, "first value of a query parameter of the request URI: ka.uri.param[command]", func(arg string, _ bool) (Extractor, error) {
			return func(c *Ctx) (Value, bool) {
				r := kroot(c)
				if r == nil {
					return Value{}, false
				}
				s, ok := strOf(r, "requestURI")
				if !ok {
					return Value{}, false
				}
				u, err := url.Parse(s)
				if err != nil {
					return Value{}, false
				}
				vals, ok := u.Query()[arg]
				if !ok || len(vals) == 0 {
					return Value{}, false
				}
				return Str(vals[0]), true
			}, nil
		}),
		kaPath("ka.useragent", "user agent of the client (userAgent)", "userAgent"),
		kaArrayField("ka.sourceips", "client IP addresses (sourceIPs); [N] selects one", []string{"sourceIPs"},
			func(ip *fastjson.Value, out []string) []string { return append(out, jtext(ip)) }),
		kaPath("ka.response.code", "response code (responseStatus.code), as text", "responseStatus", "code"),
		kaPath("ka.response.reason", "response reason (responseStatus.reason)", "responseStatus", "reason"),
		kaPath("ka.resp.name", "name of the object in the response (responseObject.metadata.name)", "responseObject", "metadata", "name"),

		// Target object (§3.2).
		kaPath("ka.target.name", "name of the target object (objectRef.name)", "objectRef", "name"),
		kaPath("ka.target.namespace", "namespace of the target object (objectRef.namespace)", "objectRef", "namespace"),
		kaPath("ka.target.resource", "resource of the target object (objectRef.resource)", "objectRef", "resource"),
		kaPath("ka.target.subresource", "subresource of the target object (objectRef.subresource)", "objectRef", "subresource"),
		field("ka.target.pod.name", TString, "name of the pod a pods request (no subresource) concerns, from the response (responseObject.metadata.name)", func(c *Ctx) (Value, bool) {
			r := kroot(c)
			if r == nil {
				return Value{}, false
			}
			if res, _ := strOf(r.Get("objectRef"), "resource"); res != "pods" || r.Get("objectRef") == nil {
				return Value{}, false
			}
			if sub, _ := strOf(r.Get("objectRef"), "subresource"); sub != "" {
				return Value{}, false
			}
			v := r.Get("responseObject", "metadata", "name")
			if v == nil {
				return Value{}, false
			}
			return Str(jtext(v)), true
		}),
		kaPath("ka.req.configmap.name", "name of the configmap (objectRef.name)", "objectRef", "name"),
		kaPath("ka.req.configmap.obj", "data of the configmap in the request, as JSON (requestObject.data)", "requestObject", "data"),

		// RBAC objects (§3.3).
		kaListNoIndex("ka.req.binding.subjects", "subjects of the role binding in the request, each as JSON (requestObject.subjects)", kaArrayTexts("requestObject", "subjects")),
		kaListNoIndex("ka.req.binding.subjects.user_names", "names of the User subjects of the role binding", subjects("User", func(s *fastjson.Value) (string, bool) { return strOf(s, "name") })),
		kaListNoIndex("ka.req.binding.subjects.serviceaccount_names", "names of the ServiceAccount subjects of the role binding", subjects("ServiceAccount", func(s *fastjson.Value) (string, bool) { return strOf(s, "name") })),
		kaListNoIndex("ka.req.binding.subjects.serviceaccount_ns_names", "namespace:name of the ServiceAccount subjects of the role binding (those with a namespace)", subjects("ServiceAccount", func(s *fastjson.Value) (string, bool) {
			ns, ok := strOf(s, "namespace")
			if !ok {
				return "", false
			}
			n, _ := strOf(s, "name")
			return ns + ":" + n, true
		})),
		kaListNoIndex("ka.req.binding.subjects.group_names", "names of the Group subjects of the role binding", subjects("Group", func(s *fastjson.Value) (string, bool) { return strOf(s, "name") })),
		kaPath("ka.req.binding.role", "role the binding refers to (requestObject.roleRef.name)", "requestObject", "roleRef", "name"),
		argField("ka.req.binding.subject.has_name", TString, ArgKey|ArgRequired, Hidden, "deprecated: always true", func(string, bool) (Extractor, error) {
			return func(c *Ctx) (Value, bool) {
				if kroot(c) == nil {
					return Value{}, false
				}
				return Str("true"), true
			}, nil
		}),
		kaListNoIndex("ka.req.role.rules", "rules of the role in the request, each as JSON (requestObject.rules)", kaArrayTexts("requestObject", "rules")),
		kaRuleList("ka.req.role.rules.apiGroups", "apiGroups"),
		kaRuleList("ka.req.role.rules.nonResourceURLs", "nonResourceURLs"),
		kaRuleList("ka.req.role.rules.verbs", "verbs"),
		kaRuleList("ka.req.role.rules.resources", "resources"),

		// Pod spec (§3.4).
		kaPath("ka.req.pod.host_ipc", "hostIPC of the pod in the request", "requestObject", "spec", "hostIPC"),
		kaPath("ka.req.pod.host_network", "hostNetwork of the pod in the request", "requestObject", "spec", "hostNetwork"),
		hidden(kaPath("ka.req.container.host_network", "deprecated alias of ka.req.pod.host_network", "requestObject", "spec", "hostNetwork")),
		kaPath("ka.req.pod.host_pid", "hostPID of the pod in the request", "requestObject", "spec", "hostPID"),
		kaPath("ka.req.pod.run_as_user", "runAsUser of the pod's security context", "requestObject", "spec", "securityContext", "runAsUser"),
		kaPath("ka.req.pod.run_as_group", "runAsGroup of the pod's security context", "requestObject", "spec", "securityContext", "runAsGroup"),
		kaPath("ka.req.pod.fs_group", "fsGroup of the pod's security context", "requestObject", "spec", "securityContext", "fsGroup"),
		kaListNoIndex("ka.req.pod.supplemental_groups", "supplementalGroups of the pod's security context", kaArrayTexts("requestObject", "spec", "securityContext", "supplementalGroups")),
		kaList("ka.req.pod.volumes.hostpath", "host paths of the pod's hostPath volumes; [N] selects one volume", "requestObject", "spec", "volumes", "hostPath", "path"),
		argField("ka.req.volume.hostpath", TString, ArgKey|ArgRequired, Hidden, "deprecated: true when a hostPath volume mounts the path given (a trailing * matches a prefix)", func(arg string, _ bool) (Extractor, error) {
			return func(c *Ctx) (Value, bool) {
				a, ok := kArray(c, "requestObject", "spec", "volumes")
				if !ok {
					return Value{}, false
				}
				for _, v := range a {
					p, ok := strOf(v.Get("hostPath"), "path")
					if v.Get("hostPath") == nil || !ok {
						continue
					}
					if p == arg || strings.HasSuffix(arg, "*") && strings.HasPrefix(p, strings.TrimSuffix(arg, "*")) {
						return Str("true"), true
					}
				}
				return Str("false"), true
			}, nil
		}),
		kaList("ka.req.pod.volumes.flexvolume_driver", "drivers of the pod's flexVolume volumes; [N] selects one volume", "requestObject", "spec", "volumes", "flexVolume", "driver"),
		kaArrayField("ka.req.pod.volumes.volume_type", "types of the pod's volumes (each volume's keys but name: hostPath, emptyDir...); [N] selects one volume",
			[]string{"requestObject", "spec", "volumes"}, func(v *fastjson.Value, out []string) []string {
				if o, err := v.Object(); err == nil {
					o.Visit(func(k []byte, _ *fastjson.Value) {
						if string(k) != "name" {
							out = append(out, string(k))
						}
					})
				}
				return out
			}),
		kaPath("ka.req.service.type", "type of the service in the request (requestObject.spec.type)", "requestObject", "spec", "type"),
		argField("ka.req.service.ports", TStrings, ArgIndex, NoTransformer, "ports of the service in the request: one element, the ports array as JSON", func(arg string, has bool) (Extractor, error) {
			if _, err := indexArg(arg, has); err != nil {
				return nil, err
			}
			return func(c *Ctx) (Value, bool) {
				r := kroot(c)
				if r == nil {
					return Value{}, false
				}
				v := r.Get("requestObject", "spec", "ports")
				if v == nil {
					return Value{}, false
				}
				return list([]string{jtext(v)})
			}, nil
		}),

		// Deprecated single-container fields (§3.5).
		hidden(firstContainer("ka.req.container.image", "deprecated: image of the pod's first container", nil)),
		hidden(firstContainer("ka.req.container.image.repository", "deprecated: image repository of the pod's first container", imageRepository)),
		hidden(field("ka.req.container.privileged", TString, "deprecated: true when any container of the pod is privileged", func(c *Ctx) (Value, bool) {
			a, ok := kArray(c, "requestObject", "spec", "containers")
			if !ok {
				return Value{}, false
			}
			for _, ctr := range a {
				if p := ctr.Get("securityContext", "privileged"); p != nil && p.Type() == fastjson.TypeTrue {
					return Str("true"), true
				}
			}
			return Str("false"), true
		})),

		// json plugin (§4), and its jevt.* aliases.
		argField("json.value", TString, ArgKey|ArgRequired, 0, "the value at a JSON pointer in the event: json.value[/objectRef/name]; strings unquoted, other values as JSON", bindJSONValue),
		field("json.obj", TString, "the whole event as indented JSON", extJSONObj),
		field("json.rawtime", TString, "event time (stageTimestamp) in ns since the epoch", extJSONRawtime),
		argField("jevt.value", TString, ArgKey|ArgRequired, 0, "alias of json.value", bindJSONValue),
		field("jevt.obj", TString, "alias of json.obj", extJSONObj),
		field("jevt.rawtime", TString, "alias of json.rawtime", extJSONRawtime),
		field("evt.source", TString, "the event source: k8s_audit", func(c *Ctx) (Value, bool) { return Str("k8s_audit"), true }),
	}
	fs = append(fs, containerFields("containers")...)
	fs = append(fs, containerFields("initContainers")...)
	fs = append(fs, containerFields("ephemeralContainers")...)
	// The generic time fields, from the stand-in event (Ctx.Ev).
	generic := map[string]bool{"evt.num": true, "evt.time": true, "evt.time.s": true, "evt.time.iso8601": true,
		"evt.datetime": true, "evt.datetime.s": true, "evt.rawtime": true, "evt.rawtime.s": true,
		"evt.rawtime.ns": true, "evt.outputtime": true}
	for _, f := range syscallFields() {
		if generic[f.Name] {
			fs = append(fs, f)
		}
	}
	return fs
}

func hidden(f *Field) *Field {
	f.Flags |= Hidden
	return f
}

// kaRuleList is ka.req.role.rules.<key>: the union of requestObject.rules[*].<key>,
// or of rule N.
func kaRuleList(name, key string) *Field {
	return kaIndexed(name, key+" of the rules of the role in the request; [N] selects one rule", func(r *fastjson.Value, idx int) (Value, bool) {
		rules, ok := pick(arrayAt(r, "requestObject", "rules"), idx)
		if !ok {
			return Value{}, false
		}
		var out []string
		for _, rl := range rules {
			for _, e := range arrayAt(rl, key) {
				out = append(out, jtext(e))
			}
		}
		return list(out)
	})
}

// kaArrayTexts makes the extractor of a list field: the text of each
// element of the array at path in the audit event.
func kaArrayTexts(path ...string) Extractor {
	return func(c *Ctx) (Value, bool) {
		r := kroot(c)
		if r == nil {
			return Value{}, false
		}
		var out []string
		for _, e := range arrayAt(r, path...) {
			out = append(out, jtext(e))
		}
		return list(out)
	}
}
