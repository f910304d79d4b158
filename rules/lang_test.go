package rules

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"forensics/capture"
	"forensics/internal/testenv"
	"forensics/query"
	"forensics/query/fields"
	"forensics/samples"
)

// loadFiles loads rules files in order and compiles them.
func loadFiles(t testing.TB, files ...string) (*Ruleset, []LoadWarning) {
	t.Helper()
	rs, ws, err := Load(Options{}, files...)
	if err != nil {
		t.Fatalf("load %v: %v", files, err)
	}
	return rs, ws
}

// runRules replays a capture through an engine and returns, per rule, the
// numbers of the events it matched.
func runRules(t testing.TB, eng *Engine, path string) map[string][]uint64 {
	t.Helper()
	c, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := map[string][]uint64{}
	err = query.Run(context.Background(), c, query.Options{}, func(fc *fields.Ctx) error {
		eng.Match(fc, func(r *Rule) { got[r.Name] = append(got[r.Name], fc.Ev.Num) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// runFilter returns the numbers of the events a plain filter matches: the
// oracle the rules are checked against.
func runFilter(t testing.TB, path, filter string) []uint64 {
	t.Helper()
	c, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := query.Compile(filter, fields.Syscall(), nil)
	if err != nil {
		t.Fatalf("%s: %v", filter, err)
	}
	var out []uint64
	err = query.Run(context.Background(), c, query.Options{Filter: f}, func(fc *fields.Ctx) error {
		out = append(out, fc.Ev.Num)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func corpusScap(t testing.TB, name string) string {
	return testenv.Shared(t, filepath.Join("corpus/scap", name))
}

// TestLanguage loads base.yaml then override.yaml and checks each rule
// against the hand-expanded filter that means the same: nested lists,
// quoted and empty lists, exceptions of every form, appends and overrides
// of lists, macros and rules, the legacy append and enabled flags.
func TestLanguage(t *testing.T) {
	open := corpusScap(t, "open-multiple-files.scap")
	cat := corpusScap(t, "cat_write.scap")
	rs, ws := loadFiles(t, "testdata/lang/base.yaml", "testdata/lang/override.yaml")
	for _, w := range ws {
		t.Logf("warning: %s", w)
	}
	eng := rs.Engine(Selection{MinPriority: Debug, Matching: MatchAll})
	gotOpen := runRules(t, eng, open)
	gotCat := runRules(t, eng, cat)
	const opened = "evt.type in (open, openat) and evt.dir=< and proc.name = python and "
	for _, tc := range []struct {
		rule, capture, filter string
		want                  int
	}{
		{"Nested lists", open, opened + "fd.name in (/tmp/file-1, /tmp/file-2, /tmp/file-9, /tmp/file-3, /tmp/file-4)", 5},
		{"Quoted and empty lists", open, opened + "fd.name in (/tmp/file-5, /tmp/file-6)", 2},
		{"Empty list only", open, "", 0},
		{"Exceptions", open, opened + "fd.name in (/tmp/file-3, /tmp/file-6, /tmp/file-7, /tmp/file-8, /tmp/file-9)", 5},
		{"Disabled here", open, opened + "fd.name = /tmp/file-7", 1},
		{"Network tagged", open, opened + "fd.name = /tmp/file-8", 1},
		{"Cat exec", cat, "evt.type = execve and evt.dir=< and proc.name = cat and proc.pname = bash", 1},
	} {
		got := gotOpen[tc.rule]
		if tc.capture == cat {
			got = gotCat[tc.rule]
		}
		if len(got) != tc.want {
			t.Errorf("%s: %d matches %v, want %d", tc.rule, len(got), got, tc.want)
		}
		if tc.filter != "" {
			if want := runFilter(t, tc.capture, tc.filter); !slices.Equal(got, want) {
				t.Errorf("%s: matched %v, the filter %q matches %v", tc.rule, got, tc.filter, want)
			}
		}
	}
	r := ruleNamed(t, rs, "Nested lists")
	if r.Priority != Error || !slices.Equal(r.Tags, []string{"extra", "files", "nested"}) {
		t.Errorf("override: priority %v tags %v, want Error [extra files nested]", r.Priority, r.Tags)
	}
}

func ruleNamed(t testing.TB, rs *Ruleset, name string) *Rule {
	t.Helper()
	for _, r := range rs.Rules {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no rule %q", name)
	return nil
}

// TestSelection checks priorities, tags, rule names and first/all
// matching.
func TestSelection(t *testing.T) {
	open := corpusScap(t, "open-multiple-files.scap")
	rs, _ := loadFiles(t, "testdata/lang/base.yaml")
	names := func(e *Engine) []string {
		var out []string
		for _, r := range e.Rules {
			out = append(out, r.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		sel  Selection
		want []string
	}{
		{"default", Selection{MinPriority: Debug},
			[]string{"Nested lists", "Quoted and empty lists", "Empty list only", "Exceptions", "Network tagged", "Cat exec"}},
		{"min priority error", Selection{MinPriority: Error}, []string{"Network tagged", "Cat exec"}},
		{"min priority notice", Selection{MinPriority: Notice}, []string{"Nested lists", "Exceptions", "Network tagged", "Cat exec"}},
		{"enable tag only", Selection{MinPriority: Debug, Steps: []Step{{Rule: "*"}, {Enable: true, Tag: "network"}}},
			[]string{"Network tagged"}},
		{"enable disabled by tag", Selection{MinPriority: Debug, Steps: []Step{{Rule: "*"}, {Enable: true, Tag: "files"}}},
			[]string{"Nested lists", "Quoted and empty lists", "Exceptions", "Disabled here"}},
		{"disable tag", Selection{MinPriority: Debug, Steps: []Step{{Tag: "files"}}}, []string{"Empty list only", "Network tagged", "Cat exec"}},
		{"disable by wildcard", Selection{MinPriority: Debug, Steps: []Step{{Rule: "*list*"}}}, []string{"Exceptions", "Network tagged", "Cat exec"}},
		{"enable by name", Selection{MinPriority: Debug, Steps: []Step{{Rule: "*"}, {Enable: true, Rule: "Disabled here"}}}, []string{"Disabled here"}},
	} {
		if got := names(rs.Engine(tc.sel)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: rules %q, want %q", tc.name, got, tc.want)
		}
	}
	// /tmp/file-7 meets Exceptions and Disabled here: first match keeps
	// the earlier rule only.
	all := runRules(t, rs.Engine(Selection{MinPriority: Debug, Matching: MatchAll, Steps: []Step{{Enable: true, Rule: "Disabled here"}}}), open)
	first := runRules(t, rs.Engine(Selection{MinPriority: Debug, Steps: []Step{{Enable: true, Rule: "Disabled here"}}}), open)
	if len(all["Disabled here"]) != 1 || len(first["Disabled here"]) != 0 || !slices.Contains(first["Exceptions"], all["Disabled here"][0]) {
		t.Errorf("first vs all matching: all %v, first %v", all, first)
	}
}

func TestMatchWildcard(t *testing.T) {
	for _, tc := range []struct {
		pat, name string
		want      bool
	}{
		{"*", "anything", true}, {"*", "", true}, {"abc", "abc", true}, {"abc", "abcd", false},
		{"k8s_*", "k8s_audit", true}, {"k8s_*", "xk8s_", false}, {"*shell*", "Run shell untrusted", true},
		{"*ab", "abab", true}, {"a*c", "abc", true}, {"a*c", "abd", false},
	} {
		if got := MatchWildcard(tc.pat, tc.name); got != tc.want {
			t.Errorf("MatchWildcard(%q, %q) = %v, want %v", tc.pat, tc.name, got, tc.want)
		}
	}
}

// TestTypeIndex checks that rules land only in the buckets of the event
// types their conditions name.
func TestTypeIndex(t *testing.T) {
	rs, _ := loadFiles(t, "testdata/lang/base.yaml")
	eng := rs.Engine(Selection{MinPriority: Debug})
	if eng.Types() == nil {
		t.Fatal("every rule names its event types, yet the engine wants all")
	}
	for t2 := range uint16(400) {
		for _, r := range eng.Candidates(t2) {
			if r.Filter.Types != nil && !r.Filter.Types.Has(t2) {
				t.Errorf("rule %q in the bucket of type %d it cannot match", r.Name, t2)
			}
		}
	}
	var names []string
	for _, r := range eng.Candidates(uint16(eventType(t, "execve", true))) {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, []string{"Cat exec"}) {
		t.Errorf("execve exit bucket: %v, want [Cat exec]", names)
	}
}

// TestEngineFilter: replaying with the engine's filter (the rules' event
// types, evaluated by query.Run's workers a block at a time, with the
// index skipping blocks) gives the alerts of replaying every event, on the
// corpus traces and the sample, with the official rules, the built-in
// ones and the language test rules.
func TestEngineFilter(t *testing.T) {
	dir := testenv.Shared(t, "corpus/rules")
	official, _ := loadFiles(t, filepath.Join(dir, "falco_rules.yaml"), filepath.Join(dir, "falco-incubating_rules.yaml"),
		filepath.Join(dir, "falco-sandbox_rules.yaml"))
	l := NewLoader(Options{})
	if err := l.LoadData(DefaultName, Default()); err != nil {
		t.Fatal(err)
	}
	builtin, err := l.Compile()
	if err != nil {
		t.Fatal(err)
	}
	lang, _ := loadFiles(t, "testdata/lang/base.yaml", "testdata/lang/override.yaml")
	incident, err := samples.WriteIncident(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{incident}
	for _, n := range []string{"502Error.scap", "cat_write.scap", "connect_localhost.scap", "open-multiple-files.scap", "syscall.scap", "sample.scap"} {
		inputs = append(inputs, corpusScap(t, n))
	}
	for _, in := range inputs {
		c, err := capture.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, rs := range []*Ruleset{official, builtin, lang} {
			eng := rs.Engine(Selection{MinPriority: Debug, Matching: MatchAll})
			f, err := eng.Filter()
			if err != nil {
				t.Fatal(err)
			}
			collect := func(opts query.Options) []string {
				var out []string
				err := query.Run(context.Background(), c, opts, func(fc *fields.Ctx) error {
					eng.Match(fc, func(r *Rule) { out = append(out, fmt.Sprint(fc.Ev.Num, " ", r.Name)) })
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			all, filtered := collect(query.Options{}), collect(query.Options{Filter: f})
			t.Logf("%s: %d alerts", filepath.Base(in), len(all))
			if !slices.Equal(all, filtered) {
				t.Errorf("%s: %d alerts replaying every event, %d through the engine's filter", filepath.Base(in), len(all), len(filtered))
			}
		}
		c.Close()
	}
}
