package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"forensics/query/filter"
)

// This file is the collector: it turns the items of the files, in order,
// into the current definitions of lists, macros and rules, applying
// redefinitions, appends and overrides (rules.md §2, §6, §7).

type listDef struct {
	name  string
	items []string
	pos   Pos
	order int
	used  bool
}

type macroDef struct {
	name  string
	cond  string
	pos   Pos
	order int
	used  bool
	expr  filter.Expr
}

// excValue is one element of an exception tuple: a scalar or a list.
type excValue struct {
	text   string
	list   []string
	isList bool
}

type exceptionDef struct {
	name      string
	fields    []string
	single    bool // fields was written as one string
	comps     []string
	hasFields bool
	hasComps  bool
	values    [][]excValue // tuples; one element each in the single form
	hasValues bool
	pos       Pos
}

type ruleDef struct {
	name, cond, output, desc, source string
	priority                         Priority
	enabled, warnEvttypes            bool
	skipUnknown, capture             bool
	captureDuration                  uint32
	tags                             []string
	exceptions                       []*exceptionDef
	pos                              Pos
	order                            int
}

// Keys of a rule that override may append or replace (rules.md §7.1).
var (
	ruleAppendable  = []string{"condition", "output", "desc", "tags", "exceptions"}
	ruleReplaceable = []string{"condition", "output", "desc", "priority", "tags", "exceptions", "enabled",
		"warn_evttypes", "skip-if-unknown-filter", "capture", "capture_duration"}
)

// collect applies one item.
func (l *Loader) collect(r *fileReader, it *yitem) error {
	switch it.kind {
	case "required_engine_version":
		return l.engineVersion(r, it)
	case "required_plugin_versions":
		return l.pluginVersions(r, it)
	case "list":
		return l.collectList(r, it)
	case "macro":
		return l.collectMacro(r, it)
	}
	return l.collectRule(r, it)
}

func (l *Loader) nextOrder() int { l.counter++; return l.counter }

// ---- versions ----

func parseSemver(s string) ([3]uint64, bool) {
	var v [3]uint64
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

// compatible reports whether version have satisfies want: same major and
// not older.
func compatible(have, want [3]uint64) bool {
	return have[0] == want[0] && (have[1] > want[1] || have[1] == want[1] && have[2] >= want[2])
}

func (l *Loader) engineVersion(r *fileReader, it *yitem) error {
	v, err := r.scalar(it, "required_engine_version", true)
	if err != nil {
		return err
	}
	eng, _ := parseSemver(EngineVersion)
	want, ok := parseSemver(v.Value)
	if !ok {
		n, err := strconv.ParseUint(v.Value, 10, 32)
		if err != nil {
			return r.errAt(v, it, CodeErrYAMLValidate,
				"Unable to parse engine version '%s' as a semver string. Expected \"x.y.z\" semver format.", v.Value)
		}
		want = [3]uint64{0, n, 0}
	}
	if !compatible(eng, want) {
		return r.errAt(v, it, CodeErrValidate, "Rules require engine version %d.%d.%d, but engine version is %s",
			want[0], want[1], want[2], EngineVersion)
	}
	return nil
}

func (l *Loader) pluginVersions(r *fileReader, it *yitem) error {
	v := it.val["required_plugin_versions"]
	if v.Kind != yaml.SequenceNode {
		return r.errAt(v, it, CodeErrYAMLValidate, "Value of required_plugin_versions must be a sequence")
	}
	type req struct{ name, version string }
	decode := func(n *yaml.Node, what string) (req, *yaml.Node, error) {
		n, err := r.deref(n)
		if err != nil {
			return req{}, nil, err
		}
		if n.Kind != yaml.MappingNode {
			return req{}, nil, r.errAt(n, it, CodeErrYAMLValidate, "%s must be a mapping", what)
		}
		sub := &yitem{kind: it.kind, pos: r.pos(n), val: map[string]*yaml.Node{}}
		for i := 0; i+1 < len(n.Content); i += 2 {
			sub.val[n.Content[i].Value] = n.Content[i+1]
		}
		name, err := r.str(sub, "name", true)
		if err != nil {
			return req{}, nil, err
		}
		ver, err := r.str(sub, "version", true)
		if err != nil {
			return req{}, nil, err
		}
		if _, ok := parseSemver(ver); !ok {
			return req{}, nil, r.errAt(n, it, CodeErrValidate, "Invalid required version '%s' for plugin '%s'", ver, name)
		}
		return req{name, ver}, sub.val["alternatives"], nil
	}
	for _, e := range v.Content {
		main, alts, err := decode(e, "Plugin version")
		if err != nil {
			return err
		}
		all := []req{main}
		if alts != nil {
			if alts.Kind != yaml.SequenceNode {
				return r.errAt(alts, it, CodeErrYAMLValidate, "Value of plugin version alternatives must be a sequence")
			}
			for _, a := range alts.Content {
				alt, _, err := decode(a, "Plugin version alternative")
				if err != nil {
					return err
				}
				all = append(all, alt)
			}
		}
		// Falco checks these against the loaded plugins; forensics has
		// no plugins: it provides some plugins' fields natively.
		var names []string
		native := ""
		for _, q := range all {
			names = append(names, fmt.Sprintf("%s (>= %s)", q.name, q.version))
			if nativePlugins[q.name] != "" && native == "" {
				native = q.name
			}
		}
		text := ""
		if native != "" {
			text = fmt.Sprintf("Plugin requirement %s: forensics has no plugins; it provides the fields of '%s' natively (%s)",
				strings.Join(names, ", "), native, nativePlugins[native])
		} else {
			text = fmt.Sprintf("Plugin requirement %s not satisfied: forensics has no plugins and does not provide these fields; rules that need them are skipped",
				strings.Join(names, ", "))
		}
		l.warn(Message{Pos: r.pos(e), ItemType: "required_plugin_versions", Code: CodePluginVersion, Text: text})
	}
	return nil
}

// ---- lists ----

func (l *Loader) collectList(r *fileReader, it *yitem) error {
	if !listNameRe().MatchString(it.name) {
		l.warn(Message{Pos: it.pos, ItemType: "list", ItemName: it.name, Code: CodeInvalidList,
			Text: "List has an invalid name. List names should match a regular expression: ^[^()\"'[:space:]=,]+$"})
	}
	ov, err := r.overrides(it, []string{"items"}, []string{"items"})
	if err != nil {
		return err
	}
	app, err := r.appendFlag(it, ov)
	if err != nil {
		return err
	}
	items, ok, err := r.seq(it, "items")
	if err != nil {
		return err
	}
	if !ok {
		return r.errAt(nil, it, CodeErrYAMLValidate, "Item has no mapping for key 'items'")
	}
	if ov["items"] == "append" {
		app = true
	}
	prev := l.listIdx[it.name]
	if app {
		if prev == nil {
			return r.errAt(nil, it, CodeErrValidate,
				"List uses 'append' or 'override.items: append' but no list by that name already exists")
		}
		prev.items = append(prev.items, items...)
		l.nextOrder()
		return nil
	}
	if prev != nil { // a redefinition keeps the first position
		prev.items, prev.pos = items, it.pos
		l.nextOrder()
		return nil
	}
	d := &listDef{name: it.name, items: items, pos: it.pos, order: l.nextOrder()}
	l.lists = append(l.lists, d)
	l.listIdx[it.name] = d
	return nil
}

// appendFlag reads the deprecated `append:` key, which cannot be mixed
// with override.
func (r *fileReader) appendFlag(it *yitem, ov map[string]string) (bool, error) {
	app, ok, err := r.boolean(it, "append")
	if err != nil || !ok {
		return false, err
	}
	if app && ov != nil {
		return false, r.errAt(nil, it, CodeErrYAMLValidate,
			"Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.")
	}
	if app {
		r.l.warn(Message{Pos: it.kpos["append"], ItemType: it.kind, ItemName: it.name, Code: CodeDeprecatedItem,
			Text: "The 'append' key is deprecated; use 'override' with an 'append' entry instead."})
	}
	return app, nil
}

// ---- macros ----

func (l *Loader) collectMacro(r *fileReader, it *yitem) error {
	if !macroNameRe().MatchString(it.name) {
		l.warn(Message{Pos: it.pos, ItemType: "macro", ItemName: it.name, Code: CodeInvalidMacro,
			Text: "Macro has an invalid name. Macro names should match a regular expression: ^[a-zA-Z]+[a-zA-Z0-9_]*$"})
	}
	ov, err := r.overrides(it, []string{"condition"}, []string{"condition"})
	if err != nil {
		return err
	}
	app, err := r.appendFlag(it, ov)
	if err != nil {
		return err
	}
	cond, err := r.str(it, "condition", true)
	if err != nil {
		return err
	}
	if ov["condition"] == "append" {
		app = true
	}
	prev := l.macroIdx[it.name]
	if app {
		if prev == nil {
			return r.errAt(nil, it, CodeErrValidate,
				"Macro uses 'append' or 'override.condition: append' but no macro by that name already exists")
		}
		prev.cond += " " + cond
		l.nextOrder()
		return nil
	}
	if prev != nil {
		prev.cond, prev.pos = cond, it.pos
		l.nextOrder()
		return nil
	}
	d := &macroDef{name: it.name, cond: cond, pos: it.pos, order: l.nextOrder()}
	l.macros = append(l.macros, d)
	l.macroIdx[it.name] = d
	return nil
}

// ---- rules ----

func (l *Loader) collectRule(r *fileReader, it *yitem) error {
	ov, err := r.overrides(it, ruleAppendable, ruleReplaceable)
	if err != nil {
		return err
	}
	app, err := r.appendFlag(it, ov)
	if err != nil {
		return err
	}
	source, err := r.str(it, "source", false)
	if err != nil {
		return err
	}
	prev := l.ruleIdx[it.name]
	if prev != nil && source != "" && prev.source != source {
		return r.errAt(nil, it, CodeErrValidate, "Rule has been re-defined with a different source")
	}
	switch {
	case len(ov) > 0:
		return l.overrideRule(r, it, ov, prev)
	case app:
		return l.appendRule(r, it, prev)
	case !it.has("condition") && !it.has("output") && !it.has("desc") && !it.has("priority"):
		// The legacy enable toggle.
		en, ok, err := r.boolean(it, "enabled")
		if err != nil {
			return err
		}
		if !ok {
			return r.errAt(nil, it, CodeErrYAMLValidate, "Item has no mapping for key 'enabled'")
		}
		if prev == nil {
			return r.errAt(nil, it, CodeErrValidate, "Rule has 'enabled' key but no rule by that name already exists")
		}
		l.warn(Message{Pos: it.pos, ItemType: "rule", ItemName: it.name, Code: CodeDeprecatedItem,
			Text: "A rule with only 'enabled' is deprecated; use 'override: {enabled: replace}' instead."})
		prev.enabled = en
		l.nextOrder()
		return nil
	}
	d := &ruleDef{name: it.name, source: source, enabled: true, warnEvttypes: true, pos: it.pos}
	if d.source == "" {
		d.source = "syscall"
	}
	for _, k := range []struct {
		key string
		dst *string
	}{{"condition", &d.cond}, {"output", &d.output}, {"desc", &d.desc}} {
		if *k.dst, err = r.str(it, k.key, true); err != nil {
			return err
		}
	}
	d.output = strings.TrimSpace(d.output)
	if err := l.ruleScalars(r, it, d, nil); err != nil {
		return err
	}
	if _, err := r.str(it, "priority", true); err != nil {
		return err
	}
	if d.exceptions, err = r.exceptions(it, true); err != nil {
		return err
	}
	if err := l.validateExceptions(r, it, d.exceptions); err != nil {
		return err
	}
	if prev != nil { // a redefinition keeps the first position
		d.order = prev.order
		*prev = *d
		l.nextOrder()
		return nil
	}
	d.order = l.nextOrder()
	l.rules = append(l.rules, d)
	l.ruleIdx[it.name] = d
	return nil
}

// ruleScalars reads priority, enabled, tags, warn_evttypes,
// skip-if-unknown-filter, capture and capture_duration into d; only keys
// is non-nil restricts to the keys in it.
func (l *Loader) ruleScalars(r *fileReader, it *yitem, d *ruleDef, only map[string]bool) error {
	want := func(k string) bool { return it.has(k) && (only == nil || only[k]) }
	if want("priority") {
		v, err := r.scalar(it, "priority", true)
		if err != nil {
			return err
		}
		p, err := ParsePriority(v.Value)
		if err != nil {
			return r.errAt(v, it, CodeErrYAMLValidate, "Invalid priority '%s'", v.Value)
		}
		d.priority = p
	}
	for _, b := range []struct {
		key string
		dst *bool
	}{{"enabled", &d.enabled}, {"warn_evttypes", &d.warnEvttypes}, {"skip-if-unknown-filter", &d.skipUnknown}, {"capture", &d.capture}} {
		if !want(b.key) {
			continue
		}
		v, _, err := r.boolean(it, b.key)
		if err != nil {
			return err
		}
		*b.dst = v
	}
	if want("capture_duration") {
		v, err := r.scalar(it, "capture_duration", true)
		if err != nil {
			return err
		}
		n, err := strconv.ParseUint(v.Value, 10, 32)
		if err != nil {
			return r.errAt(v, it, CodeErrYAMLValidate, "Can't decode YAML scalar value of 'capture_duration': %q", v.Value)
		}
		d.captureDuration = uint32(n)
	}
	if want("tags") {
		tags, _, err := r.seq(it, "tags")
		if err != nil {
			return err
		}
		d.tags = tagSet(tags)
	}
	return nil
}

// tagSet sorts tags and removes duplicates.
func tagSet(tags []string) []string {
	out := slices.Clone(tags)
	slices.Sort(out)
	return slices.Compact(out)
}

// appendRule is the legacy `append: true`: condition and exceptions only.
func (l *Loader) appendRule(r *fileReader, it *yitem, prev *ruleDef) error {
	if prev == nil {
		return r.errAt(nil, it, CodeErrValidate,
			"Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists")
	}
	if !it.has("condition") && !it.has("exceptions") {
		return r.errAt(nil, it, CodeErrValidate, "Appended rule must have exceptions or condition property")
	}
	if it.has("condition") {
		c, err := r.str(it, "condition", true)
		if err != nil {
			return err
		}
		prev.cond += " " + c
	}
	if it.has("exceptions") {
		excs, err := r.exceptions(it, false)
		if err != nil {
			return err
		}
		if err := l.appendExceptions(r, it, prev, excs); err != nil {
			return err
		}
	}
	l.nextOrder()
	return nil
}

// overrideRule applies `override:` (appends first, then replaces).
func (l *Loader) overrideRule(r *fileReader, it *yitem, ov map[string]string, prev *ruleDef) error {
	for k, op := range ov {
		if !it.has(k) {
			return r.errAt(nil, it, CodeErrYAMLValidate, "An %s override for '%s' was specified but '%s' is not defined", op, k, k)
		}
	}
	for _, k := range ruleReplaceable {
		if it.has(k) && ov[k] == "" {
			return r.errAt(it.val[k], it, CodeErrYAMLValidate, "Unexpected key '%s': no corresponding entry under 'override' is defined.", k)
		}
	}
	if prev == nil {
		for _, k := range ruleReplaceable {
			if ov[k] == "append" {
				return r.errAt(nil, it, CodeErrValidate,
					"Rule uses 'append' or 'override.%s: append' but no rule by that name already exists", k)
			}
		}
		for _, k := range ruleReplaceable {
			if ov[k] == "replace" {
				return r.errAt(nil, it, CodeErrValidate,
					"An 'override.%s: replace' to a rule was requested but no rule by that name already exists", k)
			}
		}
	}
	// Appends.
	for _, k := range []string{"condition", "output", "desc"} {
		if ov[k] != "append" {
			continue
		}
		s, err := r.str(it, k, true)
		if err != nil {
			return err
		}
		switch k {
		case "condition":
			prev.cond += " " + s
		case "output":
			prev.output = strings.TrimSpace(prev.output + " " + s)
		case "desc":
			prev.desc += " " + s
		}
	}
	if ov["tags"] == "append" {
		tags, _, err := r.seq(it, "tags")
		if err != nil {
			return err
		}
		prev.tags = tagSet(append(prev.tags, tags...))
	}
	if ov["exceptions"] == "append" {
		excs, err := r.exceptions(it, false)
		if err != nil {
			return err
		}
		if err := l.appendExceptions(r, it, prev, excs); err != nil {
			return err
		}
	}
	// Replaces.
	only := map[string]bool{}
	for k, op := range ov {
		if op == "replace" {
			only[k] = true
		}
	}
	for _, k := range []string{"condition", "output", "desc"} {
		if !only[k] {
			continue
		}
		s, err := r.str(it, k, true)
		if err != nil {
			return err
		}
		switch k {
		case "condition":
			prev.cond = s
		case "output":
			prev.output = strings.TrimSpace(s)
		case "desc":
			prev.desc = s
		}
	}
	if err := l.ruleScalars(r, it, prev, only); err != nil {
		return err
	}
	if only["exceptions"] {
		excs, err := r.exceptions(it, true)
		if err != nil {
			return err
		}
		if err := l.validateExceptions(r, it, excs); err != nil {
			return err
		}
		prev.exceptions = excs
	}
	l.nextOrder()
	return nil
}
