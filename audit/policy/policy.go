// Package policy evaluates Kubernetes audit policies (audit.k8s.io/v1
// Policy) offline: given an audit event, which rule of a policy decides
// it, at what level it would have been logged, and whether its stage
// would have been logged at all. `forensics audit policy` uses it to show
// what a policy would keep of a log and how much smaller the log would be
// (../shared/reference/k8saudit.md §6).
//
//	Policy ── rules, top to bottom: the first that matches decides ─┐
//	  omitStages (unioned into every rule's)                        │
//	  omitManagedFields                                             ▼
//	Rule: users AND userGroups AND verbs AND                 Decision{Level,
//	      (namespaces/resources      → resource requests      OmitStages,
//	       | nonResourceURLs         → other requests          Rule}
//	       | neither                 → every request)
//	no rule matches ─────────────────────────────────────────> Level None
//
// An event maps to the request attributes the API server's checker saw:
// objectRef present means a resource request (group, resource,
// subresource, namespace, name); otherwise the path of requestURI.
package policy

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// ErrInvalid is wrapped by every *Error: a policy the API server would
// refuse.
var ErrInvalid = errors.New("invalid audit policy")

// Error is a mistake in a policy file, with its line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }
func (e *Error) Unwrap() error { return ErrInvalid }

// Level is an audit level.
type Level string

// The levels, least first.
const (
	LevelNone            Level = "None"
	LevelMetadata        Level = "Metadata"
	LevelRequest         Level = "Request"
	LevelRequestResponse Level = "RequestResponse"
)

var levels = []Level{LevelNone, LevelMetadata, LevelRequest, LevelRequestResponse}

// Less reports whether l records less than m.
func (l Level) Less(m Level) bool { return slices.Index(levels, l) < slices.Index(levels, m) }

// Stages are the audit stages.
var Stages = []string{"RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"}

// Policy is a parsed audit policy.
type Policy struct {
	File              string
	Rules             []Rule
	OmitStages        []string
	OmitManagedFields bool
}

// Rule is one rule of a policy.
type Rule struct {
	Line              int // in the policy file
	Level             Level
	Users             []string
	UserGroups        []string
	Verbs             []string
	Resources         []GroupResources
	Namespaces        []string
	NonResourceURLs   []string
	OmitStages        []string
	OmitManagedFields *bool
}

// GroupResources selects resources of an API group.
type GroupResources struct {
	Group         string
	Resources     []string
	ResourceNames []string
}

// Load reads and validates a policy file.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses and validates a policy; name is used in errors.
func Parse(name string, data []byte) (*Policy, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 1
		if m := yamlLine().FindStringSubmatch(err.Error()); m != nil {
			fmt.Sscan(m[1], &line)
		}
		return nil, &Error{File: name, Line: line, Msg: err.Error()}
	}
	p := &Policy{File: name}
	r := &reader{file: name}
	if len(doc.Content) == 0 {
		return nil, &Error{File: name, Line: 1, Msg: "empty policy"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, r.errf(root, "a policy is a mapping with apiVersion, kind and rules")
	}
	var apiVersion, kind string
	var sawRules bool
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "apiVersion":
			apiVersion = r.str(v)
			if apiVersion != "audit.k8s.io/v1" && apiVersion != "audit.k8s.io/v1beta1" {
				r.fail(v, "apiVersion %q: want audit.k8s.io/v1", apiVersion)
			}
		case "kind":
			if kind = r.str(v); kind != "Policy" {
				r.fail(v, "kind %q: want Policy", kind)
			}
		case "metadata":
		case "omitStages":
			p.OmitStages = r.stages(v)
		case "omitManagedFields":
			p.OmitManagedFields = r.boolean(v)
		case "rules":
			sawRules = true
			if v.Kind != yaml.SequenceNode {
				r.fail(v, "rules must be a list")
				break
			}
			for _, rn := range v.Content {
				p.Rules = append(p.Rules, r.rule(rn))
			}
		default:
			r.fail(k, "unknown field %q", k.Value)
		}
	}
	if r.err == nil && apiVersion == "" {
		r.fail(root, "apiVersion is missing")
	}
	if r.err == nil && kind == "" {
		r.fail(root, "kind is missing")
	}
	if r.err == nil && !sawRules {
		r.fail(root, "rules is missing: a policy needs at least one rule")
	}
	if r.err != nil {
		return nil, r.err
	}
	return p, nil
}

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)`) })

// reader keeps the first error of a policy walk.
type reader struct {
	file string
	err  error
}

func (r *reader) errf(n *yaml.Node, format string, args ...any) error {
	return &Error{File: r.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

func (r *reader) fail(n *yaml.Node, format string, args ...any) {
	if r.err == nil {
		r.err = r.errf(n, format, args...)
	}
}

func (r *reader) str(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		r.fail(n, "want a string")
		return ""
	}
	return n.Value
}

func (r *reader) boolean(n *yaml.Node) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		r.fail(n, "want true or false")
	}
	return b
}

func (r *reader) strs(n *yaml.Node) []string {
	if n.Kind != yaml.SequenceNode {
		r.fail(n, "want a list of strings")
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, e := range n.Content {
		out = append(out, r.str(e))
	}
	return out
}

func (r *reader) stages(n *yaml.Node) []string {
	out := r.strs(n)
	for i, s := range out {
		if !slices.Contains(Stages, s) {
			r.fail(n.Content[i], "omitStages: unknown stage %q (the stages are %s)", s, strings.Join(Stages, ", "))
		}
	}
	return out
}

var dnsSubdomain = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
})

func (r *reader) rule(n *yaml.Node) Rule {
	rl := Rule{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		r.fail(n, "a rule is a mapping with a level")
		return rl
	}
	var sawLevel bool
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "level":
			sawLevel = true
			rl.Level = Level(r.str(v))
			if !slices.Contains(levels, rl.Level) {
				r.fail(v, "level %q: the levels are None, Metadata, Request, RequestResponse", v.Value)
			}
		case "users":
			rl.Users = r.strs(v)
		case "userGroups":
			rl.UserGroups = r.strs(v)
		case "verbs":
			rl.Verbs = r.strs(v)
		case "namespaces":
			rl.Namespaces = r.strs(v)
		case "nonResourceURLs":
			rl.NonResourceURLs = r.strs(v)
			for j, u := range rl.NonResourceURLs {
				switch {
				case u == "*":
				case !strings.HasPrefix(u, "/"):
					r.fail(v.Content[j], "nonResourceURLs: %q must begin with / (or be *)", u)
				case strings.Contains(strings.TrimSuffix(u, "*"), "*"):
					r.fail(v.Content[j], "nonResourceURLs: %q may have * only as its last character", u)
				}
			}
		case "resources":
			if v.Kind != yaml.SequenceNode {
				r.fail(v, "resources must be a list of {group, resources, resourceNames}")
				break
			}
			for _, g := range v.Content {
				rl.Resources = append(rl.Resources, r.groupResources(g))
			}
		case "omitStages":
			rl.OmitStages = r.stages(v)
		case "omitManagedFields":
			b := r.boolean(v)
			rl.OmitManagedFields = &b
		default:
			r.fail(k, "unknown rule field %q", k.Value)
		}
	}
	if !sawLevel {
		r.fail(n, "the rule has no level")
	}
	if len(rl.NonResourceURLs) > 0 && (len(rl.Resources) > 0 || len(rl.Namespaces) > 0) {
		r.fail(n, "a rule cannot have both nonResourceURLs and resources or namespaces")
	}
	return rl
}

func (r *reader) groupResources(n *yaml.Node) GroupResources {
	var g GroupResources
	if n.Kind != yaml.MappingNode {
		r.fail(n, "a resources entry is a mapping {group, resources, resourceNames}")
		return g
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "group":
			g.Group = r.str(v)
			if g.Group != "" && g.Group != "*" && !dnsSubdomain().MatchString(g.Group) {
				r.fail(v, "group %q is not an API group name", g.Group)
			}
		case "resources":
			g.Resources = r.strs(v)
			for j, res := range g.Resources {
				if res == "" || strings.Count(res, "/") > 1 {
					r.fail(v.Content[j], "resource %q: want resource, resource/subresource, *, resource/* or */subresource", res)
				}
			}
		case "resourceNames":
			g.ResourceNames = r.strs(v)
		default:
			r.fail(k, "unknown resources field %q", k.Value)
		}
	}
	if len(g.ResourceNames) > 0 && len(g.Resources) == 0 {
		r.fail(n, "resourceNames needs resources to name")
	}
	return g
}
