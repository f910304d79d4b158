package rules

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"forensics/query/filter"
)

// This file reads, checks and merges rule exceptions (rules.md §6); how
// they become part of the condition is in compile.go (conditionText).

// exceptions reads a rule's `exceptions:`. full requires fields (a
// definition or a replace).
func (r *fileReader) exceptions(it *yitem, full bool) ([]*exceptionDef, error) {
	v, ok := it.val["exceptions"]
	if !ok || isNull(v) {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, r.errAt(v, it, CodeErrYAMLValidate, "Rule exceptions must be a sequence")
	}
	var out []*exceptionDef
	seen := map[string]bool{}
	for _, e := range v.Content {
		e, err := r.deref(e)
		if err != nil {
			return nil, err
		}
		if e.Kind != yaml.MappingNode {
			return nil, r.errAt(e, it, CodeErrYAMLValidate, "Rule exception must be a mapping")
		}
		x := &exceptionDef{pos: r.pos(e)}
		sub := &yitem{kind: "exception", pos: x.pos, val: map[string]*yaml.Node{}}
		for i := 0; i+1 < len(e.Content); i += 2 {
			n, err := r.deref(e.Content[i+1])
			if err != nil {
				return nil, err
			}
			sub.val[e.Content[i].Value] = n
		}
		if x.name, err = r.str(sub, "name", true); err != nil {
			return nil, err
		}
		sub.name = x.name
		if seen[x.name] {
			r.l.warn(Message{Pos: x.pos, ItemType: "exception", ItemName: x.name, Code: CodeExceptionName,
				Text: fmt.Sprintf("Multiple definitions of exception '%s' in the same rule", x.name)})
		}
		seen[x.name] = true
		if f, ok := sub.val["fields"]; ok {
			x.hasFields = true
			if x.fields, x.single, err = r.strOrSeq(sub, f, "fields"); err != nil {
				return nil, err
			}
		} else if full {
			return nil, r.errAt(e, sub, CodeErrYAMLValidate, "Item has no mapping for key 'fields'")
		}
		if c, ok := sub.val["comps"]; ok {
			x.hasComps = true
			var single bool
			if x.comps, single, err = r.strOrSeq(sub, c, "comps"); err != nil {
				return nil, err
			}
			if x.hasFields && single != x.single {
				if x.single {
					return nil, r.errAt(c, sub, CodeErrValidate, "Fields and comps must both be strings")
				}
				return nil, r.errAt(c, sub, CodeErrValidate, "Fields and comps lists must have equal length")
			}
			for i := range x.comps {
				x.comps[i] = strings.TrimSpace(x.comps[i])
			}
		}
		if vals, ok := sub.val["values"]; ok && !isNull(vals) {
			x.hasValues = true
			if vals.Kind != yaml.SequenceNode {
				return nil, r.errAt(vals, sub, CodeErrYAMLValidate, "Rule exception values must be a sequence")
			}
			for _, t := range vals.Content {
				t, err := r.deref(t)
				if err != nil {
					return nil, err
				}
				tuple, err := r.excTuple(sub, t)
				if err != nil {
					return nil, err
				}
				x.values = append(x.values, tuple)
			}
		}
		out = append(out, x)
	}
	return out, nil
}

// strOrSeq reads a scalar or a sequence of scalars.
func (r *fileReader) strOrSeq(it *yitem, n *yaml.Node, key string) ([]string, bool, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}, true, nil
	case yaml.SequenceNode:
		var out []string
		for _, e := range n.Content {
			e, err := r.deref(e)
			if err != nil {
				return nil, false, err
			}
			if e.Kind != yaml.ScalarNode {
				return nil, false, r.errAt(e, it, CodeErrYAMLValidate, "Value of '%s': sequence value is not scalar", key)
			}
			out = append(out, e.Value)
		}
		return out, false, nil
	}
	return nil, false, r.errAt(n, it, CodeErrYAMLValidate, "Value of '%s' must be a string or a sequence of strings", key)
}

// excTuple reads one entry of values: a scalar, or a sequence whose
// elements are scalars or sequences of scalars.
func (r *fileReader) excTuple(it *yitem, t *yaml.Node) ([]excValue, error) {
	switch t.Kind {
	case yaml.ScalarNode:
		return []excValue{{text: t.Value}}, nil
	case yaml.SequenceNode:
		var tuple []excValue
		for _, e := range t.Content {
			e, err := r.deref(e)
			if err != nil {
				return nil, err
			}
			switch e.Kind {
			case yaml.ScalarNode:
				tuple = append(tuple, excValue{text: e.Value})
			case yaml.SequenceNode:
				var l []string
				for _, x := range e.Content {
					x, err := r.deref(x)
					if err != nil {
						return nil, err
					}
					if x.Kind != yaml.ScalarNode {
						return nil, r.errAt(x, it, CodeErrYAMLValidate, "Exception values must be strings or lists of strings")
					}
					l = append(l, x.Value)
				}
				tuple = append(tuple, excValue{list: l, isList: true})
			default:
				return nil, r.errAt(e, it, CodeErrYAMLValidate, "Exception values must be strings or lists of strings")
			}
		}
		return tuple, nil
	}
	return nil, r.errAt(t, it, CodeErrYAMLValidate, "Exception values must be strings or lists")
}

// validOp reports whether a comp is a filter operator, possibly with a
// modifier ("startswith oneof").
func validOp(c string) (filter.Op, bool, bool) {
	words := strings.Fields(c)
	if len(words) == 0 || len(words) > 2 {
		return 0, false, false
	}
	op, ok := filter.LookupOp(words[0])
	if !ok {
		return 0, false, false
	}
	if len(words) == 2 {
		switch words[1] {
		case "oneof", "anyof", "allof":
			return op, true, op.TakesModifier()
		}
		return 0, false, false
	}
	return op, false, true
}

// validateExceptions checks complete exceptions and fills default comps.
func (l *Loader) validateExceptions(r *fileReader, it *yitem, excs []*exceptionDef) error {
	for _, x := range excs {
		if !x.hasFields {
			return r.errAt(nil, it, CodeErrValidate, "Rule exception item must have fields property with a list of fields")
		}
		if err := checkComps(r, it, x); err != nil {
			return err
		}
	}
	return nil
}

func checkComps(r *fileReader, it *yitem, x *exceptionDef) error {
	if x.single {
		if !x.hasComps {
			x.comps = []string{"in"}
		}
		op, mod, ok := validOp(x.comps[0])
		if !ok || !(mod || op == filter.OpIn || op == filter.OpPmatch || op == filter.OpIntersects) {
			return r.errAt(nil, it, CodeErrValidate,
				"Exception '%s': When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)", x.name)
		}
		return nil
	}
	if !x.hasComps {
		x.comps = make([]string, len(x.fields))
		for i := range x.comps {
			x.comps[i] = "="
		}
	}
	if len(x.comps) != len(x.fields) {
		return r.errAt(nil, it, CodeErrValidate, "Exception '%s': Fields and comps lists must have equal length", x.name)
	}
	for _, c := range x.comps {
		if _, _, ok := validOp(c); !ok {
			return r.errAt(nil, it, CodeErrValidate, "Exception '%s': '%s' is not a supported comparison operator", x.name, c)
		}
	}
	return nil
}

// appendExceptions merges appended exceptions: values of a same-named one
// are appended, others are added whole.
func (l *Loader) appendExceptions(r *fileReader, it *yitem, prev *ruleDef, excs []*exceptionDef) error {
	for _, x := range excs {
		if !x.hasValues {
			l.warn(Message{Pos: x.pos, ItemType: "exception", ItemName: x.name, Code: CodeAppendNoValues,
				Text: "Overriding/appending exception with no values"})
		}
		i := slices.IndexFunc(prev.exceptions, func(e *exceptionDef) bool { return e.name == x.name })
		if i >= 0 {
			if x.hasFields {
				return r.errAt(nil, it, CodeErrValidate, "Can not append exception fields to existing exception, only values")
			}
			if x.hasComps {
				return r.errAt(nil, it, CodeErrValidate, "Can not append exception comps to existing exception, only values")
			}
			prev.exceptions[i].values = append(prev.exceptions[i].values, x.values...)
			continue
		}
		if !x.hasFields {
			return r.errAt(nil, it, CodeErrValidate, "Rule exception must have fields property with a list of fields")
		}
		if !x.hasValues {
			return r.errAt(nil, it, CodeErrValidate, "Rule exception must have values property with a list of values")
		}
		if err := checkComps(r, it, x); err != nil {
			return err
		}
		prev.exceptions = append(prev.exceptions, x)
	}
	return nil
}
