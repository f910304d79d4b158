package rules

import (
	"slices"
	"strings"

	"forensics/event"

	"forensics/index"
	"forensics/query"
	"forensics/query/fields"
)

// Rule is a compiled rule.
type Rule struct {
	Name      string
	Desc      string
	Condition string // the condition with its exceptions, as compiled
	Output    string // the output format, with append_output applied
	Source    string
	Priority  Priority
	Tags      []string // sorted, no duplicates
	Enabled   bool     // as the files leave it; Select decides what runs
	Pos       Pos      // where the rule was (last) defined
	Filter    *query.Filter
	printer   *query.Printer
}

// AppendOutput renders the rule's output for the event in c (missing
// values print <NA>).
func (r *Rule) AppendOutput(dst []byte, c *fields.Ctx) []byte {
	dst, _ = r.printer.Append(dst, c)
	return dst
}

// AppendOutputFields renders the output's fields as a JSON object keyed
// by the tokens as written (missing values are null).
func (r *Rule) AppendOutputFields(dst []byte, c *fields.Ctx) []byte {
	return r.printer.AppendJSON(dst, c)
}

// Ruleset is the compiled rules of a Loader, in the order of their first
// definition.
type Ruleset struct {
	Rules []*Rule
}

// Matching is falco.yaml's rule_matching.
type Matching uint8

const (
	// MatchFirst stops at the first matching rule: one alert per event
	// at most (Falco's default).
	MatchFirst Matching = iota
	// MatchAll reports every matching rule.
	MatchAll
)

// Selection picks the rules that run.
type Selection struct {
	// MinPriority leaves out rules less severe (falco.yaml priority);
	// Debug keeps all.
	MinPriority Priority
	// Steps enable or disable rules after the files' enabled flags, in
	// order (falco.yaml rules: entries).
	Steps    []Step
	Matching Matching
	// Source is the event source whose rules run; "" is syscall. Rules of
	// other sources are left out.
	Source string
}

// Step enables or disables the rules whose name matches Rule (a pattern
// where * matches any text) or that carry Tag. Empty fields match
// nothing.
type Step struct {
	Enable bool
	Rule   string
	Tag    string
}

// Engine runs the selected rules of a Ruleset over events. Each event
// meets only the rules whose conditions can match its type.
type Engine struct {
	Rules    []*Rule // the rules that run, in order
	buckets  [index.TypeSetBits][]*Rule
	overflow []*Rule // for event types at or above TypeSetBits
	types    *index.TypeSet
	matching Matching
}

// Engine returns an engine running the rules sel picks.
func (rs *Ruleset) Engine(sel Selection) *Engine {
	e := &Engine{matching: sel.Matching}
	on := make([]bool, len(rs.Rules))
	for i, r := range rs.Rules {
		on[i] = r.Enabled
	}
	for _, st := range sel.Steps {
		for i, r := range rs.Rules {
			if st.Rule != "" && MatchWildcard(st.Rule, r.Name) || st.Tag != "" && containsStr(r.Tags, st.Tag) {
				on[i] = st.Enable
			}
		}
	}
	all := false
	e.types = &index.TypeSet{}
	source := sel.Source
	if source == "" {
		source = "syscall"
	}
	for i, r := range rs.Rules {
		if !on[i] || r.Priority > sel.MinPriority || r.Source != source {
			continue
		}
		e.Rules = append(e.Rules, r)
		ts := r.Filter.Types
		if ts == nil {
			all = true
		} else {
			e.types.Union(ts)
		}
		for t := range index.TypeSetBits {
			if ts == nil || ts.Has(uint16(t)) {
				e.buckets[t] = append(e.buckets[t], r)
			}
		}
		if ts == nil || ts.Overflow() {
			e.overflow = append(e.overflow, r)
		}
	}
	if all {
		e.types = nil
	}
	return e
}

// Types returns the event types any running rule can match, nil for any:
// a reader may skip the rest.
func (e *Engine) Types() *index.TypeSet { return e.types }

// Filter returns a filter that passes the events of the types any running
// rule can match (nil when a rule may match any type), for query.Run: the
// index skips blocks without them and the rules meet only those events.
func (e *Engine) Filter() (*query.Filter, error) {
	if e.types == nil {
		return nil, nil
	}
	var names []string
	for _, t := range e.types.Types() {
		if info := event.Lookup(event.Type(t)); info != nil && !slices.Contains(names, info.Name) {
			names = append(names, info.Name)
		}
	}
	if len(names) == 0 {
		names = append(names, "none") // no type: the filter passes nothing
	}
	return query.Compile("evt.type in ("+strings.Join(names, ", ")+")", fields.Syscall(), nil)
}

// Candidates returns the rules that may match an event of type t.
func (e *Engine) Candidates(t uint16) []*Rule {
	if int(t) < index.TypeSetBits {
		return e.buckets[t]
	}
	return e.overflow
}

// Match calls fn with each rule that matches the event in c, in rule
// order; with MatchFirst only the first. It returns the number of
// matches.
func (e *Engine) Match(c *fields.Ctx, fn func(*Rule)) int {
	n := 0
	for _, r := range e.Candidates(uint16(c.Ev.Type)) {
		if r.Filter.Match(c) {
			fn(r)
			n++
			if e.matching == MatchFirst {
				break
			}
		}
	}
	return n
}

// Filters returns the conditions of the engine's rules, in rule order:
// query.RunMulti decides them a block at a time, and Matched turns its
// answer into rules.
func (e *Engine) Filters() []*query.Filter {
	out := make([]*query.Filter, len(e.Rules))
	for i, r := range e.Rules {
		out[i] = r.Filter
	}
	return out
}

// Matched calls fn with the rules at the positions which (ascending, as
// query.RunMulti reports the filters of Filters that match an event); with
// MatchFirst only the first. It returns the number of calls.
func (e *Engine) Matched(which []int, fn func(*Rule)) int {
	n := 0
	for _, i := range which {
		fn(e.Rules[i])
		n++
		if e.matching == MatchFirst {
			break
		}
	}
	return n
}

// MatchWildcard matches name against a pattern where * stands for any
// text, as Falco's rules selection does (no backtracking: after a * the
// first occurrence of the next literal part is taken).
func MatchWildcard(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	rest := name[len(parts[0]):]
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		if last {
			return strings.HasSuffix(rest, p)
		}
		j := strings.Index(rest, p)
		if j < 0 {
			return false
		}
		rest = rest[j+len(p):]
	}
	return true
}
