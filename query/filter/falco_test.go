package filter

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"forensics/internal/testenv"
)

type corpusEntry struct {
	file, kind, name, text string
	fragment               bool // an appended condition ("and ..."), not a whole one
}

// falcoCorpus reads every condition (macros and rules) and output (rules)
// of the official Falco rules files in ../shared/corpus/rules.
func falcoCorpus(t testing.TB) (conds, outputs []corpusEntry) {
	t.Helper()
	dir := testenv.Shared(t, "corpus/rules")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		testenv.Missing(t, "no *.yaml in %s", dir)
	}
	sort.Strings(files)
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var items []map[string]yaml.Node
		if err := yaml.Unmarshal(data, &items); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		base := filepath.Base(path)
		for _, raw := range items {
			str := func(key string) string {
				n, ok := raw[key]
				if !ok || n.Kind != yaml.ScalarNode {
					return ""
				}
				return n.Value
			}
			macro, rule, list := str("macro"), str("rule"), str("list")
			cond, output := str("condition"), str("output")
			frag := str("append") == "true"
			if ov, ok := raw["override"]; ok && ov.Kind == yaml.MappingNode {
				for k := 0; k+1 < len(ov.Content); k += 2 {
					if ov.Content[k].Value == "condition" && ov.Content[k+1].Value == "append" {
						frag = true
					}
				}
			}
			// The kind is the first of list, macro, rule present (rules.md §1).
			switch {
			case list != "":
				continue
			case macro != "":
				if cond != "" {
					conds = append(conds, corpusEntry{base, "macro", macro, cond, frag})
				}
			case rule != "":
				if cond != "" {
					conds = append(conds, corpusEntry{base, "rule", rule, cond, frag})
				}
				if out := strings.TrimSpace(output); out != "" {
					outputs = append(outputs, corpusEntry{base, "rule", rule, out, false})
				}
			}
		}
	}
	return conds, outputs
}

// TestFalcoRulesConditionsParse parses every condition and output of the
// official Falco rules (read at test time, never copied into the repo).
func TestFalcoRulesConditionsParse(t *testing.T) {
	conds, outputs := falcoCorpus(t)
	if len(conds) == 0 || len(outputs) == 0 {
		t.Fatalf("corpus yielded %d conditions and %d outputs", len(conds), len(outputs))
	}
	nc, nf, no := 0, 0, 0
	for _, c := range conds {
		text := c.text
		if c.fragment {
			// An appended condition continues another one: "x" stands in
			// for the condition it is appended to.
			text = "x " + text
			nf++
		}
		e, err := Parse(text)
		if err != nil {
			t.Errorf("%s: %s %q: condition does not parse: %v\n%s", c.file, c.kind, c.name, err, c.text)
			continue
		}
		nc++
		// The canonical print must parse back to the same tree.
		back, err := Parse(e.String())
		if err != nil {
			t.Errorf("%s: %s %q: printed condition does not parse: %v\n%s", c.file, c.kind, c.name, err, e.String())
			continue
		}
		if back.String() != e.String() {
			t.Errorf("%s: %s %q: print/parse round trip differs:\n%s\n%s", c.file, c.kind, c.name, e.String(), back.String())
		}
	}
	for _, o := range outputs {
		f, err := ParseFormat(o.text)
		if err != nil {
			t.Errorf("%s: rule %q: output does not parse: %v\n%s", o.file, o.name, err, o.text)
			continue
		}
		no++
		if f.String() != o.text {
			t.Errorf("%s: rule %q: output prints back differently:\n%s\n%s", o.file, o.name, o.text, f.String())
		}
	}
	t.Logf("parsed %d/%d conditions (%d appended fragments) and %d/%d outputs", nc, len(conds), nf, no, len(outputs))
}
