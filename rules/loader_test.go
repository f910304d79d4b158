package rules

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"forensics/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestLoadErrors checks that bad rules files fail with Falco's code, the
// item and the line.
func TestLoadErrors(t *testing.T) {
	const rule = "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: \"o %proc.name\"\n  priority: WARNING\n"
	for _, tc := range []struct {
		name, yaml string
		code, text string
		line       int
	}{
		{"mapping document", "rule: x\n", CodeErrYAMLValidate, "not yaml array of objects", 1},
		{"scalar document", "hello\n", CodeErrYAMLValidate, "Rules content is not yaml", 1},
		{"not a mapping", "- 42\n", CodeErrYAMLValidate, "Unexpected element type", 1},
		{"yaml syntax", "- rule: [\n", CodeErrYAMLParse, "yaml", 0},
		{"missing condition", "- rule: r\n  desc: d\n  output: o\n  priority: INFO\n", CodeErrYAMLValidate, "no mapping for key 'condition'", 1},
		{"empty output", "- rule: r\n  desc: d\n  condition: evt.type=open\n  output:\n  priority: INFO\n", CodeErrYAMLValidate, "'output' is empty", 4},
		{"bad priority", "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: WARN\n", CodeErrYAMLValidate, "Invalid priority 'WARN'", 5},
		{"bad enabled", rule + "  enabled: maybe\n", CodeErrYAMLValidate, "not a boolean", 6},
		{"bad condition", "- rule: r\n  desc: d\n  condition: evt.type=open and\n  output: o\n  priority: INFO\n", CodeErrCompileCondition, "col 18", 1},
		{"undefined macro", "- rule: r\n  desc: d\n  condition: nosuchmacro\n  output: o\n  priority: INFO\n", CodeErrValidate, "Undefined macro 'nosuchmacro'", 1},
		{"macro loop", "- macro: a\n  condition: b\n- macro: b\n  condition: a\n", CodeErrValidate, "reference loop", 1},
		{"bad output", "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: 100%\n  priority: INFO\n", CodeErrCompileOutput, "cannot end", 1},
		{"bad operator for type", "- rule: r\n  desc: d\n  condition: evt.num contains 3\n  output: o\n  priority: INFO\n", CodeErrCompileCondition, "does not apply", 1},
		{"append to nothing", "- list: l\n  items: [a]\n  override: {items: append}\n", CodeErrValidate, "no list by that name", 1},
		{"macro append to nothing", "- macro: m\n  condition: and x\n  append: true\n", CodeErrValidate, "no macro by that name", 1},
		{"replace missing rule", "- rule: r\n  priority: INFO\n  override: {priority: replace}\n", CodeErrValidate, "no rule by that name", 1},
		{"override op", rule + "- rule: r\n  priority: INFO\n  override: {priority: merge}\n", CodeErrYAMLValidate, "Invalid override operation", 8},
		{"override not appendable", rule + "- rule: r\n  priority: INFO\n  override: {priority: append}\n", CodeErrYAMLValidate, "cannot be appended", 8},
		{"override key missing", rule + "- rule: r\n  override: {condition: append}\n", CodeErrYAMLValidate, "'condition' is not defined", 6},
		{"override key unlisted", rule + "- rule: r\n  condition: and proc.name=x\n  output: x\n  override: {condition: append}\n", CodeErrYAMLValidate, "Unexpected key 'output'", 8},
		{"override with append", rule + "- rule: r\n  condition: and x\n  append: true\n  override: {condition: append}\n", CodeErrYAMLValidate, "cannot be used together", 6},
		{"enable missing rule", "- rule: r\n  enabled: false\n", CodeErrValidate, "no rule by that name", 1},
		{"different source", rule + "- rule: r\n  source: k8s_audit\n  desc: d\n  condition: x\n  output: o\n  priority: INFO\n", CodeErrValidate, "different source", 6},
		{"engine version", "- required_engine_version: 1.0.0\n", CodeErrValidate, "Rules require engine version 1.0.0", 1},
		{"engine version too new", "- required_engine_version: 99\n", CodeErrValidate, "0.99.0", 1},
		{"engine version syntax", "- required_engine_version: 0.x\n", CodeErrYAMLValidate, "semver", 1},
		{"plugin versions shape", "- required_plugin_versions: 3\n", CodeErrYAMLValidate, "must be a sequence", 1},
		{"plugin version", "- required_plugin_versions:\n  - name: container\n    version: latest\n", CodeErrValidate, "Invalid required version", 2},
		{"exception comps length", rule + "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=]\n", CodeErrValidate, "equal length", 1},
		{"exception bad comp", rule + "  exceptions:\n    - name: e\n      fields: [proc.name]\n      comps: [like]\n", CodeErrValidate, "'like' is not a supported comparison operator", 1},
		{"exception single comp", rule + "  exceptions:\n    - name: e\n      fields: proc.name\n      comps: =\n", CodeErrValidate, "comps must be one of", 1},
		{"exception mixed forms", rule + "  exceptions:\n    - name: e\n      fields: proc.name\n      comps: [in]\n", CodeErrValidate, "must both be strings", 9},
		{"exception append fields", rule + "  exceptions:\n    - name: e\n      fields: [proc.name]\n      values: [[a]]\n" +
			"- rule: r\n  exceptions:\n    - name: e\n      fields: [fd.name]\n      values: [[b]]\n  override: {exceptions: append}\n", CodeErrValidate, "only values", 10},
		{"exceptions not a sequence", rule + "  exceptions: {name: e}\n", CodeErrYAMLValidate, "must be a sequence", 6},
		{"macro bomb", macroBomb(30), CodeErrCompileCondition, "expands to more than", 0},
		{"alias", "- list: &a l\n  items: [*a]\n- list: *a\n  items: [x]\n  override: {items: merge}\n", CodeErrYAMLValidate, "Invalid override operation", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLoader(Options{})
			err := l.LoadData("t.yaml", []byte(tc.yaml))
			if err == nil {
				_, err = l.Compile()
			}
			var le *LoadError
			if !errors.As(err, &le) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want a *LoadError", err)
			}
			if le.Code != tc.code || !strings.Contains(le.Text, tc.text) {
				t.Errorf("got %s, want %s containing %q", le, tc.code, tc.text)
			}
			if tc.line != 0 && le.Pos.Line != tc.line {
				t.Errorf("got line %d (%s), want %d", le.Pos.Line, le, tc.line)
			}
			if le.Pos.File != "t.yaml" || !strings.HasPrefix(le.Error(), "t.yaml:") {
				t.Errorf("error does not name the file: %s", le)
			}
		})
	}
}

// TestLoadWarnings checks the warnings and that the rules still load.
func TestLoadWarnings(t *testing.T) {
	const rule = "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: \"o %proc.name\"\n  priority: WARNING\n"
	for _, tc := range []struct {
		name, yaml, code, text string
	}{
		{"unknown item", "- foo: bar\n", CodeUnknownItem, "Unknown top level item"},
		{"unknown key", rule + "  colour: blue\n", CodeUnknownKey, "Unknown key 'colour'"},
		{"unused list", "- list: l\n  items: [a]\n", CodeUnusedList, "List not referred"},
		{"unused macro", "- macro: m\n  condition: proc.name=x\n", CodeUnusedMacro, "Macro not referred"},
		{"invalid macro name", "- macro: bad-name\n  condition: proc.name=x\n", CodeInvalidMacro, "invalid name"},
		{"invalid list name", "- list: 'bad list'\n  items: []\n", CodeInvalidList, "invalid name"},
		{"deprecated append", rule + "- rule: r\n  condition: and proc.name=x\n  append: true\n", CodeDeprecatedItem, "'append' key is deprecated"},
		{"deprecated field", "- macro: m\n  condition: evt.dir=<\n- rule: r\n  desc: d\n  condition: evt.type=open and m\n  output: o\n  priority: INFO\n", CodeDeprecatedItem, "evt.dir is deprecated"},
		{"enable toggle", rule + "- rule: r\n  enabled: false\n", CodeDeprecatedItem, "only 'enabled'"},
		{"unknown field", "- rule: r\n  desc: d\n  condition: proc.nosuch=x\n  output: o\n  priority: INFO\n", CodeUnknownFilter, "proc.nosuch"},
		{"unknown output field", "- rule: r\n  desc: d\n  condition: proc.name=x\n  output: \"%proc.nosuch\"\n  priority: INFO\n", CodeUnknownFilter, "output names proc.nosuch, which forensics does not have: printed as <NA>"},
		{"unknown source", "- rule: r\n  desc: d\n  condition: ct.name=get\n  output: o\n  priority: INFO\n  source: aws_cloudtrail\n", CodeUnknownSource, "Unknown source aws_cloudtrail"},
		{"no evttype", "- rule: r\n  desc: d\n  condition: proc.name=x\n  output: o\n  priority: INFO\n", CodeNoEvttype, "too many evt.type"},
		{"duplicate exception", rule + "  exceptions:\n    - name: e\n      fields: proc.name\n    - name: e\n      fields: fd.name\n", CodeExceptionName, "Multiple definitions"},
		{"append no values", rule + "  exceptions:\n    - name: e\n      fields: [proc.name]\n      values: [[a]]\n" +
			"- rule: r\n  exceptions:\n    - name: e\n  override: {exceptions: append}\n", CodeAppendNoValues, "no values"},
		{"plugin natively", "- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n", CodePluginVersion, "natively"},
		{"plugin missing", "- required_plugin_versions:\n  - name: cloudtrail\n    version: 0.1.0\n    alternatives:\n      - name: cloudtrail-x\n        version: 0.1.0\n", CodePluginVersion, "not satisfied"},
		{"unsafe NA check", "- macro: m\n  condition: ka.target.namespace=\"<NA>\"\n- rule: r\n  desc: d\n  condition: ka.verb=get and not m\n  output: o\n  priority: INFO\n  source: k8s_audit\n", CodeUnsafeNACheck, "ka.target.namespace is compared with <NA>"},
		{"k8saudit natively", "- required_plugin_versions:\n  - name: k8saudit\n    version: 0.18.0\n", CodePluginVersion, "natively"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLoader(Options{})
			if err := l.LoadData("w.yaml", []byte(tc.yaml)); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Compile(); err != nil {
				t.Fatal(err)
			}
			for _, w := range l.Warnings() {
				if w.Code == tc.code && strings.Contains(w.Text, tc.text) {
					if w.Pos.File != "w.yaml" || w.Pos.Line == 0 {
						t.Errorf("warning does not locate itself: %s", w)
					}
					return
				}
			}
			t.Errorf("no %s warning containing %q in %v", tc.code, tc.text, l.Warnings())
		})
	}
}

// TestSkippedRuleLeavesOthers: a rule needing a field forensics lacks is
// skipped, the others run.
func TestSkippedRuleLeavesOthers(t *testing.T) {
	y := "- rule: a\n  desc: d\n  condition: evt.type=open and proc.nosuch=1\n  output: o\n  priority: INFO\n" +
		"- rule: b\n  desc: d\n  condition: evt.type=open\n  output: \"b %proc.name\"\n  priority: INFO\n"
	l := NewLoader(Options{})
	if err := l.LoadData("s.yaml", []byte(y)); err != nil {
		t.Fatal(err)
	}
	rs, err := l.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Rules) != 1 || rs.Rules[0].Name != "b" {
		t.Fatalf("rules %v, want only b", rs.Rules)
	}
}

// TestConditionText checks the exception expansion against Falco's
// documented equivalences (rules.md §6.3).
func TestConditionText(t *testing.T) {
	y := `
- list: apt_files
  items: [/bin/ls, "/bin/a b"]
- rule: r
  desc: d
  condition: evt.type=open
  output: "o %proc.name"
  priority: INFO
  exceptions:
    - name: one
      fields: proc.name
      comps: in
      values: [apt, "my prog"]
    - name: tuple
      fields: [proc.name, fd.name]
      comps: [=, in]
      values:
        - [apt, apt_files]
        - [dpkg, [/a, /b]]
    - name: contains
      fields: [proc.cmdline]
      comps: [contains]
      values: [[curl 127.0.0.1]]
    - name: modifier
      fields: [proc.name]
      comps: [startswith oneof]
      values: [[[sshd, sudo]]]
`
	rs, _, err := loadString(y)
	if err != nil {
		t.Fatal(err)
	}
	want := `(evt.type=open) and not (proc.name in (apt, "my prog")) and not ((proc.name = apt and fd.name in (apt_files)) or (proc.name = dpkg and fd.name in (/a, /b))) and not ((proc.cmdline contains "curl 127.0.0.1")) and not ((proc.name startswith oneof (sshd, sudo)))`
	if got := rs.Rules[0].Condition; got != want {
		t.Errorf("condition\n got %s\nwant %s", got, want)
	}
}

func loadString(y string) (*Ruleset, []LoadWarning, error) {
	l := NewLoader(Options{})
	if err := l.LoadData("x.yaml", []byte(y)); err != nil {
		return nil, l.Warnings(), err
	}
	rs, err := l.Compile()
	return rs, l.Warnings(), err
}

// TestDirectoryOrder: a directory loads its yaml files in name order, so
// a later file overrides an earlier one.
func TestDirectoryOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("10-base.yaml", "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: \"o %proc.name\"\n  priority: INFO\n")
	write("20-local.yml", "- rule: r\n  priority: CRITICAL\n  override: {priority: replace}\n")
	write("30-ignored.txt", "not yaml at all: [")
	rs, _, err := Load(Options{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Rules) != 1 || rs.Rules[0].Priority != Critical {
		t.Fatalf("rules %+v, want r at Critical", rs.Rules)
	}
	if _, _, err := Load(Options{}, filepath.Join(dir, "nosuch.yaml")); !errors.Is(err, ErrRead) {
		t.Errorf("missing file: %v, want ErrRead", err)
	}
}

// TestOfficialRules loads the official Falco rules files unchanged: no
// error; the warnings are those of testdata/official_warnings.golden.
func TestOfficialRules(t *testing.T) {
	dir := testenv.Shared(t, "corpus/rules")
	var report strings.Builder
	for _, set := range [][]string{
		{"falco_rules.yaml"},
		{"falco-incubating_rules.yaml"},
		{"falco-sandbox_rules.yaml"},
		{"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"},
	} {
		var paths []string
		for _, f := range set {
			paths = append(paths, filepath.Join(dir, f))
		}
		rs, ws, err := Load(Options{}, paths...)
		if err != nil {
			t.Fatalf("%v: %v", set, err)
		}
		report.WriteString("== " + strings.Join(set, " + ") + "\n")
		report.WriteString(strings.Repeat(" ", 3))
		report.WriteString(itoa(len(rs.Rules)) + " rules compiled\n")
		for _, w := range ws {
			switch w.Code {
			case CodePluginVersion, CodeUnknownFilter:
			default:
				t.Errorf("unexpected warning: %s", w)
			}
			m := w.Message
			m.Pos.File = filepath.Base(m.Pos.File)
			report.WriteString(m.String() + "\n")
		}
	}
	golden(t, "testdata/official_warnings.golden", report.String())
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n))
}

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// golden compares got with a golden file, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run with -update after checking):\n%s", path, got)
	}
}

// macroBomb is n macros each naming the previous one twice, and a rule
// using the last: 2^n nodes once expanded.
func macroBomb(n int) string {
	s := "- macro: m0\n  condition: proc.name=x\n"
	for i := 1; i <= n; i++ {
		s += "- macro: m" + fmtInt(i) + "\n  condition: m" + fmtInt(i-1) + " or m" + fmtInt(i-1) + "\n"
	}
	return s + "- rule: r\n  desc: d\n  condition: evt.type=open and m" + fmtInt(n) + "\n  output: o\n  priority: INFO\n"
}

// TestAppendOutput: falco.yaml's append_output, with the suggested
// fields of Falco's container plugin.
func TestAppendOutput(t *testing.T) {
	y := "- rule: a\n  desc: d\n  condition: evt.type=open\n  output: \"a %proc.name\"\n  priority: INFO\n  tags: [x, y]\n" +
		"- rule: b\n  desc: d\n  condition: evt.type=open\n  output: \"b %proc.name\"\n  priority: INFO\n  tags: [x]\n"
	l := NewLoader(Options{AppendOutput: []AppendOutput{
		{Suggested: true},
		{Tags: []string{"x", "y"}, ExtraOutput: "extra=%proc.pid"},
		{Rule: "b", Source: "syscall", ExtraOutput: "only_b=%user.name"},
		{Source: "k8s_audit", ExtraOutput: "never=%proc.pid"},
	}})
	if err := l.LoadData("x.yaml", []byte(y)); err != nil {
		t.Fatal(err)
	}
	rs, err := l.Compile()
	if err != nil {
		t.Fatal(err)
	}
	const sugg = " container_id=%container.id container_name=%container.name container_image_repository=%container.image.repository" +
		" container_image_tag=%container.image.tag k8s_pod_name=%k8s.pod.name k8s_ns_name=%k8s.ns.name"
	if got, want := rs.Rules[0].Output, "a %proc.name"+sugg+" extra=%proc.pid"; got != want {
		t.Errorf("a: %q, want %q", got, want)
	}
	if got, want := rs.Rules[1].Output, "b %proc.name"+sugg+" only_b=%user.name"; got != want {
		t.Errorf("b: %q, want %q", got, want)
	}
}
