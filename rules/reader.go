package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// This file reads the YAML of a rules file into items (rules.md §1, §2):
// the document shape, the kind of each item and the decoding of its keys.
// What the items mean is the collector's business (collect.go).

// MaxFileSize bounds a rules file: the official ones are below 100 KiB.
const MaxFileSize = 16 << 20

// maxAliasDepth bounds YAML alias chains.
const maxAliasDepth = 32

// yitem is one entry of a rules file: a mapping with its keys in order.
type yitem struct {
	kind string // list, macro, rule, required_engine_version, required_plugin_versions
	name string
	pos  Pos
	keys []string
	val  map[string]*yaml.Node
	kpos map[string]Pos
}

func (it *yitem) has(k string) bool { _, ok := it.val[k]; return ok }

// itemKinds in the order Falco tests them: the first present decides.
var itemKinds = []string{"required_engine_version", "required_plugin_versions", "list", "macro", "rule"}

// knownKeys lists each kind's keys; others are warned about.
var knownKeys = map[string][]string{
	"required_engine_version":  {"required_engine_version"},
	"required_plugin_versions": {"required_plugin_versions"},
	"list":                     {"list", "items", "append", "override"},
	"macro":                    {"macro", "condition", "append", "override"},
	"rule": {"rule", "condition", "output", "desc", "priority", "source", "enabled", "tags", "exceptions",
		"warn_evttypes", "skip-if-unknown-filter", "capture", "capture_duration", "append", "override"},
}

var (
	listNameRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[^()"'[:space:]=,]+$`) })
	macroNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z]+[a-zA-Z0-9_]*$`) })
)

// fileReader reads one file's items.
type fileReader struct {
	file string
	l    *Loader
}

func (r *fileReader) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: r.file}
	}
	return Pos{File: r.file, Line: n.Line, Col: n.Column}
}

// errAt makes a load error.
func (r *fileReader) errAt(n *yaml.Node, it *yitem, code, format string, args ...any) error {
	m := Message{Pos: r.pos(n), ItemType: "rules content", Code: code, Text: fmt.Sprintf(format, args...)}
	if it != nil {
		m.ItemType, m.ItemName = it.kind, it.name
		if n == nil {
			m.Pos = it.pos
		}
	}
	return &LoadError{m}
}

// read reads the documents of data and hands each item to the collector.
// The first error stops the file, as in Falco.
func (r *fileReader) read(data []byte) error {
	if len(data) > MaxFileSize {
		return &LoadError{Message{Pos: Pos{File: r.file}, ItemType: "rules content", Code: CodeErrFileRead,
			Text: fmt.Sprintf("file is %d bytes, more than the %d a rules file may have", len(data), MaxFileSize)}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &LoadError{Message{Pos: Pos{File: r.file, Line: yamlErrLine(err)}, ItemType: "rules content",
				Code: CodeErrYAMLParse, Text: err.Error()}}
		}
		root := &doc
		if root.Kind == yaml.DocumentNode {
			if len(root.Content) == 0 {
				continue
			}
			root = root.Content[0]
		}
		root, err = r.deref(root)
		if err != nil {
			return err
		}
		switch {
		case isNull(root):
			continue
		case root.Kind == yaml.MappingNode:
			return r.errAt(root, nil, CodeErrYAMLValidate, "Rules content is not yaml array of objects")
		case root.Kind != yaml.SequenceNode:
			return r.errAt(root, nil, CodeErrYAMLValidate, "Rules content is not yaml")
		}
		for _, n := range root.Content {
			n, err := r.deref(n)
			if err != nil {
				return err
			}
			if isNull(n) {
				continue
			}
			if n.Kind != yaml.MappingNode {
				return r.errAt(n, nil, CodeErrYAMLValidate,
					"Unexpected element type. Each element should be a yaml associative array.")
			}
			it, err := r.item(n)
			if err != nil {
				return err
			}
			if it == nil {
				continue
			}
			if err := r.l.collect(r, it); err != nil {
				return err
			}
		}
	}
}

// yamlErrLine digs the line out of a yaml.v3 error ("yaml: line 12: ...").
func yamlErrLine(err error) int {
	var line int
	s := err.Error()
	if i := strings.Index(s, "line "); i >= 0 {
		fmt.Sscanf(s[i+5:], "%d", &line)
	}
	return line
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// deref follows aliases.
func (r *fileReader) deref(n *yaml.Node) (*yaml.Node, error) {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i == maxAliasDepth {
			return nil, r.errAt(n, nil, CodeErrYAMLParse, "YAML aliases nest deeper than %d", maxAliasDepth)
		}
		n = n.Alias
	}
	return n, nil
}

// item reads a mapping into an item, or nil for an unknown one (warned).
func (r *fileReader) item(n *yaml.Node) (*yitem, error) {
	it := &yitem{pos: r.pos(n), val: map[string]*yaml.Node{}, kpos: map[string]Pos{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, err := r.deref(n.Content[i])
		if err != nil {
			return nil, err
		}
		v, err := r.deref(n.Content[i+1])
		if err != nil {
			return nil, err
		}
		if k.Kind != yaml.ScalarNode {
			return nil, r.errAt(k, nil, CodeErrYAMLValidate, "Item key is not a scalar value")
		}
		if _, dup := it.val[k.Value]; !dup {
			it.keys = append(it.keys, k.Value)
		}
		it.val[k.Value] = v
		it.kpos[k.Value] = r.pos(k)
	}
	for _, kind := range itemKinds {
		if it.has(kind) {
			it.kind = kind
			break
		}
	}
	if it.kind == "" {
		r.l.warn(Message{Pos: it.pos, ItemType: "rules content", Code: CodeUnknownItem,
			Text: "Unknown top level item. The item will be ignored."})
		return nil, nil
	}
	if it.kind == "list" || it.kind == "macro" || it.kind == "rule" {
		name, err := r.str(it, it.kind, true)
		if err != nil {
			return nil, err
		}
		it.name = name
	}
	for _, k := range it.keys {
		if !slices.Contains(knownKeys[it.kind], k) {
			r.l.warn(Message{Pos: it.kpos[k], ItemType: it.kind, ItemName: it.name, Code: CodeUnknownKey,
				Text: fmt.Sprintf("Unknown key '%s'. The key will be ignored.", k)})
		}
	}
	return it, nil
}

// scalar returns the scalar node of key k, checking Falco's rules: absent
// (when required), null, not a scalar, empty.
func (r *fileReader) scalar(it *yitem, k string, required bool) (*yaml.Node, error) {
	v, ok := it.val[k]
	if !ok {
		if required {
			return nil, r.errAt(nil, it, CodeErrYAMLValidate, "Item has no mapping for key '%s'", k)
		}
		return nil, nil
	}
	if isNull(v) {
		return nil, r.errAt(v, it, CodeErrYAMLValidate, "Mapping for key '%s' is empty", k)
	}
	if v.Kind != yaml.ScalarNode {
		return nil, r.errAt(v, it, CodeErrYAMLValidate, "Value of '%s' is not a scalar value", k)
	}
	if v.Value == "" {
		return nil, r.errAt(v, it, CodeErrYAMLValidate, "Value of '%s' must be non-empty", k)
	}
	return v, nil
}

// str decodes a string key ("" when absent and not required).
func (r *fileReader) str(it *yitem, k string, required bool) (string, error) {
	v, err := r.scalar(it, k, required)
	if v == nil || err != nil {
		return "", err
	}
	return v.Value, nil
}

// boolean decodes a boolean key as yaml-cpp does (true/false, yes/no,
// on/off, y/n, in lower, upper or capitalised form). ok is false when
// the key is absent.
func (r *fileReader) boolean(it *yitem, k string) (b, ok bool, err error) {
	v, err := r.scalar(it, k, false)
	if v == nil || err != nil {
		return false, false, err
	}
	if b, ok := parseBool(v.Value); ok {
		return b, true, nil
	}
	return false, false, r.errAt(v, it, CodeErrYAMLValidate, "Can't decode YAML scalar value of '%s': %q is not a boolean", k, v.Value)
}

func parseBool(s string) (bool, bool) {
	switch s {
	case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
		return true, true
	case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N":
		return false, true
	}
	return false, false
}

// seq decodes a sequence of scalars (items, tags). ok is false when the
// key is absent.
func (r *fileReader) seq(it *yitem, k string) (out []string, ok bool, err error) {
	v, ok := it.val[k]
	if !ok {
		return nil, false, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, false, r.errAt(v, it, CodeErrYAMLValidate, "Value of '%s' is not a sequence", k)
	}
	out = []string{}
	for _, e := range v.Content {
		e, err := r.deref(e)
		if err != nil {
			return nil, false, err
		}
		if e.Kind != yaml.ScalarNode {
			return nil, false, r.errAt(e, it, CodeErrYAMLValidate, "Value of '%s': sequence value is not scalar", k)
		}
		out = append(out, e.Value)
	}
	return out, true, nil
}

// overrides decodes an `override:` mapping of key -> append|replace,
// checking the keys a kind lets append or replace.
func (r *fileReader) overrides(it *yitem, appendable, replaceable []string) (map[string]string, error) {
	v, ok := it.val["override"]
	if !ok {
		return nil, nil
	}
	if v.Kind != yaml.MappingNode {
		return nil, r.errAt(v, it, CodeErrYAMLValidate, "Value of 'override' must be a mapping")
	}
	out := map[string]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, op := v.Content[i], v.Content[i+1]
		if k.Kind != yaml.ScalarNode || op.Kind != yaml.ScalarNode {
			return nil, r.errAt(k, it, CodeErrYAMLValidate, "Override entries must be key: append|replace")
		}
		switch op.Value {
		case "append":
			if !slices.Contains(appendable, k.Value) {
				return nil, r.errAt(op, it, CodeErrYAMLValidate, "Key '%s' cannot be appended to, use 'replace' instead", k.Value)
			}
		case "replace":
			if !slices.Contains(replaceable, k.Value) {
				return nil, r.errAt(op, it, CodeErrYAMLValidate, "Key '%s' cannot be replaced", k.Value)
			}
		default:
			return nil, r.errAt(op, it, CodeErrYAMLValidate,
				"Invalid override operation for key '%s': '%s'. Allowed values are: append, replace", k.Value, op.Value)
		}
		out[k.Value] = op.Value
	}
	return out, nil
}
