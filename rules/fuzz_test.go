package rules

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary rules files to the loader and compiler: they
// may fail, never panic, and an error is a *LoadError naming the file.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/lang/*.yaml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add(Default())
	for _, s := range []string{
		"- list: a\n  items: [b, a]\n- list: b\n  items: [a]\n- macro: m\n  condition: proc.name in (a)\n- rule: r\n  desc: d\n  condition: m and evt.type=open\n  output: \"%proc.name\"\n  priority: info\n",
		"- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=, in]\n      values: [[a, [b, c]]]\n",
		"- macro: a\n  condition: a\n- rule: r\n  desc: d\n  condition: a\n  output: o\n  priority: INFO\n",
		"---\n- required_engine_version: 0.1.0\n---\n- required_plugin_versions:\n  - name: x\n    version: 1.2.3\n",
		"- list: &x l\n  items: [*x]\n",
		"- rule: r\n  override: {condition: append}\n  condition: and x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := NewLoader(Options{})
		err := l.LoadData("fuzz.yaml", data)
		if err == nil {
			var rs *Ruleset
			rs, err = l.Compile()
			if err == nil {
				rs.Engine(Selection{MinPriority: Debug})
			}
		}
		if err != nil {
			le, ok := err.(*LoadError)
			if !ok || le.Pos.File != "fuzz.yaml" {
				t.Fatalf("error %T %v does not name the file", err, err)
			}
		}
	})
}
