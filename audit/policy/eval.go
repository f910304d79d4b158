package policy

import (
	"net/url"
	"slices"
	"strings"

	"github.com/valyala/fastjson"
)

// Attributes are what the API server's policy checker sees of a request.
type Attributes struct {
	User     string
	Groups   []string
	HasUser  bool
	Verb     string
	Resource bool // a resource request (the event has objectRef)
	// Resource requests:
	Group, Kind, Subresource, Namespace, Name string
	// Other requests:
	Path string
}

// AttributesOf maps an audit event to its request's attributes (§5).
func AttributesOf(ev *fastjson.Value) Attributes {
	var a Attributes
	if u := ev.Get("user"); u != nil && u.Type() == fastjson.TypeObject {
		a.HasUser = true
		a.User = string(u.GetStringBytes("username"))
		for _, g := range u.GetArray("groups") {
			a.Groups = append(a.Groups, string(g.GetStringBytes()))
		}
	}
	a.Verb = string(ev.GetStringBytes("verb"))
	if o := ev.Get("objectRef"); o != nil && o.Type() == fastjson.TypeObject {
		a.Resource = true
		a.Group = string(o.GetStringBytes("apiGroup"))
		a.Kind = string(o.GetStringBytes("resource"))
		a.Subresource = string(o.GetStringBytes("subresource"))
		a.Namespace = string(o.GetStringBytes("namespace"))
		a.Name = string(o.GetStringBytes("name"))
		return a
	}
	uri := string(ev.GetStringBytes("requestURI"))
	if u, err := url.ParseRequestURI(uri); err == nil {
		a.Path = u.Path
	} else {
		a.Path, _, _ = strings.Cut(uri, "?")
	}
	return a
}

// Decision is the outcome of a policy for a request.
type Decision struct {
	Level             Level
	OmitStages        []string
	OmitManagedFields bool
	// Rule is the index of the deciding rule, -1 when none matched.
	Rule int
}

// Logs reports whether an event of stage would be logged.
func (d Decision) Logs(stage string) bool {
	return d.Level != LevelNone && !slices.Contains(d.OmitStages, stage)
}

// Evaluate returns the decision of the policy for a request: the first
// matching rule's level and omitted stages (with the policy's), or None.
func (p *Policy) Evaluate(a *Attributes) Decision {
	for i := range p.Rules {
		r := &p.Rules[i]
		if !r.matches(a) {
			continue
		}
		d := Decision{Level: r.Level, Rule: i, OmitManagedFields: p.OmitManagedFields}
		d.OmitStages = union(p.OmitStages, r.OmitStages)
		if r.OmitManagedFields != nil {
			d.OmitManagedFields = *r.OmitManagedFields
		}
		return d
	}
	return Decision{Level: LevelNone, Rule: -1, OmitStages: p.OmitStages, OmitManagedFields: p.OmitManagedFields}
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (r *Rule) matches(a *Attributes) bool {
	if len(r.Users) > 0 && (!a.HasUser || !slices.Contains(r.Users, a.User)) {
		return false
	}
	if len(r.UserGroups) > 0 {
		if !a.HasUser || !slices.ContainsFunc(a.Groups, func(g string) bool { return slices.Contains(r.UserGroups, g) }) {
			return false
		}
	}
	if len(r.Verbs) > 0 && !slices.Contains(r.Verbs, a.Verb) {
		return false
	}
	if len(r.Namespaces) > 0 || len(r.Resources) > 0 {
		return r.matchesResource(a)
	}
	if len(r.NonResourceURLs) > 0 {
		return !a.Resource && slices.ContainsFunc(r.NonResourceURLs, func(spec string) bool { return pathMatches(a.Path, spec) })
	}
	return true
}

func (r *Rule) matchesResource(a *Attributes) bool {
	if !a.Resource {
		return false
	}
	if len(r.Namespaces) > 0 && !slices.Contains(r.Namespaces, a.Namespace) {
		return false
	}
	if len(r.Resources) == 0 {
		return true
	}
	combined := a.Kind
	if a.Subresource != "" {
		combined += "/" + a.Subresource
	}
	for _, gr := range r.Resources {
		if gr.Group != a.Group && gr.Group != "*" {
			continue
		}
		if len(gr.Resources) == 0 {
			return true
		}
		if len(gr.ResourceNames) > 0 && !slices.Contains(gr.ResourceNames, a.Name) {
			continue
		}
		for _, res := range gr.Resources {
			switch {
			case res == "*" || res == combined:
				return true
			case strings.HasPrefix(res, "*/") && strings.HasSuffix(combined, res[1:]) && a.Subresource != "":
				return true
			case strings.HasSuffix(res, "/*") && a.Kind == strings.TrimSuffix(res, "/*"):
				return true
			}
		}
	}
	return false
}

// pathMatches matches a non-resource path against a nonResourceURLs
// entry: *, an exact path, or a prefix ending in *.
func pathMatches(path, spec string) bool {
	switch {
	case spec == "*", spec == path:
		return true
	case strings.HasSuffix(spec, "*"):
		return strings.HasPrefix(path, strings.TrimSuffix(spec, "*"))
	}
	return false
}

// Reduce returns the size of an event's compact JSON once logged as d
// says, and whether the log held less than d asks (its level was lower,
// so nothing can be added). ev is changed. It is 0 when d drops the
// event.
func Reduce(ev *fastjson.Value, d Decision) (size int, short bool) {
	if !d.Logs(string(ev.GetStringBytes("stage"))) {
		return 0, false
	}
	was := Level(ev.GetStringBytes("level"))
	short = was != "" && was.Less(d.Level)
	if d.Level.Less(LevelRequestResponse) {
		ev.Del("responseObject")
	}
	if d.Level.Less(LevelRequest) {
		ev.Del("requestObject")
	}
	if d.OmitManagedFields {
		for _, k := range []string{"requestObject", "responseObject"} {
			if m := ev.Get(k, "metadata"); m != nil {
				m.Del("managedFields")
			}
		}
	}
	if !short && ev.Get("level") != nil {
		var ar fastjson.Arena
		ev.Set("level", ar.NewString(string(d.Level)))
	}
	return len(ev.MarshalTo(nil)), short
}
