package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"forensics/query/fields"
)

// EngineVersion is the Falco rules engine version forensics loads rules
// for: required_engine_version up to it (same major) is accepted.
const EngineVersion = "0.63.0"

// nativePlugins names the Falco plugins whose fields forensics provides
// itself, with what it provides: a plugin requirement on them is a
// warning, not an error.
var nativePlugins = map[string]string{
	"container": "container.id and container.name from the process's cgroups; image and Kubernetes fields are unknown in a capture",
	"k8saudit":  "the k8s_audit source and its ka.* fields, over audit logs and captured audit events",
	"json":      "the json.* and jevt.* fields of k8s_audit events",
}

// Options configure a Loader.
type Options struct {
	// Sources are the event sources rules may name, by name; nil means
	// {"syscall": fields.Syscall(), "k8s_audit": fields.K8sAudit()}. A
	// rule of another source is skipped with a warning.
	Sources map[string]*fields.Source
	// AppendOutput are falco.yaml's append_output entries: text added to
	// the outputs of the rules they match.
	AppendOutput []AppendOutput
}

// AppendOutput adds text to the outputs of matching rules (falco.yaml
// append_output). Empty match fields match every rule; all Tags must be
// present.
type AppendOutput struct {
	Source, Rule string
	Tags         []string
	ExtraOutput  string
	// Suggested appends name=%field for the fields Falco's container
	// plugin suggests (container_id=%container.id ...) that the source
	// has.
	Suggested bool
}

// Loader accumulates rules files in order, as Falco's collector does,
// then compiles them into a Ruleset. A Loader is not safe for
// concurrent use.
type Loader struct {
	opts     Options
	lists    []*listDef
	listIdx  map[string]*listDef
	macros   []*macroDef
	macroIdx map[string]*macroDef
	rules    []*ruleDef
	ruleIdx  map[string]*ruleDef
	counter  int
	warnings []LoadWarning
	files    []string
}

// NewLoader returns an empty Loader.
func NewLoader(opts Options) *Loader {
	if opts.Sources == nil {
		opts.Sources = map[string]*fields.Source{"syscall": fields.Syscall(), "k8s_audit": fields.K8sAudit()}
	}
	return &Loader{opts: opts, listIdx: map[string]*listDef{}, macroIdx: map[string]*macroDef{},
		ruleIdx: map[string]*ruleDef{}}
}

func (l *Loader) warn(m Message) { l.warnings = append(l.warnings, LoadWarning{m}) }

// Warnings returns the warnings so far, in the order they were found.
func (l *Loader) Warnings() []LoadWarning { return l.warnings }

// Files returns the files loaded so far.
func (l *Loader) Files() []string { return l.files }

// LoadData reads one rules file's content; name is used in messages. The
// first error stops the file (the items before it stay loaded).
func (l *Loader) LoadData(name string, data []byte) error {
	l.files = append(l.files, name)
	r := &fileReader{file: name, l: l}
	return r.read(data)
}

// LoadPath reads a rules file, or every *.yaml and *.yml regular file of
// a directory in name order.
func (l *Loader) LoadPath(path string) error {
	files, err := ExpandPaths([]string{path})
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrRead, err)
		}
		if err := l.LoadData(f, data); err != nil {
			return err
		}
	}
	return nil
}

// ExpandPaths turns rules paths into files: a directory gives its *.yaml
// and *.yml regular files sorted by name; a file gives itself.
func ExpandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrRead, err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrRead, err)
		}
		var names []string
		for _, e := range ents {
			n := e.Name()
			if e.Type().IsRegular() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		for _, n := range names {
			out = append(out, filepath.Join(p, n))
		}
	}
	return out, nil
}

// Load reads rules paths in order and compiles them. The warnings are
// returned even with an error.
func Load(opts Options, paths ...string) (*Ruleset, []LoadWarning, error) {
	l := NewLoader(opts)
	for _, p := range paths {
		if err := l.LoadPath(p); err != nil {
			return nil, l.Warnings(), err
		}
	}
	rs, err := l.Compile()
	return rs, l.Warnings(), err
}
