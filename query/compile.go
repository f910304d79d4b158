package query

import (
	"errors"
	"fmt"
	"forensics/event"
	"slices"

	"forensics/index"
	"forensics/query/fields"
	"forensics/query/filter"
)

// ErrCompile is wrapped by every error of Compile.
var ErrCompile = errors.New("bad filter")

// CompileError locates a compile error: the byte offset in the filter and
// what is wrong.
type CompileError struct {
	Pos int
	Msg string
}

func (e *CompileError) Error() string { return fmt.Sprintf("col %d: %s", e.Pos+1, e.Msg) }
func (e *CompileError) Unwrap() error { return ErrCompile }

// Env resolves what a filter may name besides fields: Falco macros and
// lists. A nil Env knows none.
type Env struct {
	Macros map[string]filter.Expr
	Lists  map[string][]string
}

// Filter is a compiled filter.
type Filter struct {
	Source string
	root   node
	leaves int // comparisons in root
	// Types are the event types the filter can match, nil for any: the
	// index skips blocks without them.
	Types *index.TypeSet
	// Comms, when not nil, are the only process names (as the process
	// table stores them) whose events the filter can match: the index
	// skips blocks without them.
	Comms []string
	// Reads are the event.Parts the comparisons' fields may read.
	Reads event.Parts

	// byType are the comparisons of root's top-level and that depend on
	// the event type alone (fields.DepTypeOnly): a block's rows are
	// sorted out by them with the selection, once per event type (see
	// filterBlock), and rest, the rest of root, decides the others (nil:
	// nothing is left to decide).
	byType []*checkNode
	rest   node
}

// Match reports whether the event in c passes the filter.
func (f *Filter) Match(c *fields.Ctx) bool { return f.root.eval(c) }

// Compile parses and compiles a filter against a field registry.
func Compile(src string, reg *fields.Source, env *Env) (*Filter, error) {
	expr, err := filter.Parse(src)
	if err != nil {
		return nil, err
	}
	return CompileExpr(src, expr, reg, env)
}

// CompileExpr compiles a parsed filter.
func CompileExpr(src string, expr filter.Expr, reg *fields.Source, env *Env) (*Filter, error) {
	c := &compiler{reg: reg, env: env}
	root, err := c.expr(expr, 0)
	if err != nil {
		return nil, err
	}
	f := &Filter{Source: src, root: root, Reads: c.reads}
	prepareLeaves(root, &f.leaves)
	f.byType, f.rest = splitByType(root)
	if ts, ok := c.types(expr); ok {
		f.Types = ts
	}
	if cs, ok := c.comms(expr); ok {
		f.Comms = cs.names()
	}
	return f, nil
}

type compiler struct {
	reg   *fields.Source
	env   *Env
	reads event.Parts // what the fields compared read
}

func errAt(pos int, format string, args ...any) error {
	return &CompileError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

const maxMacroDepth = 64

func (c *compiler) expr(e filter.Expr, depth int) (node, error) {
	if depth > maxMacroDepth {
		return nil, errAt(e.Pos(), "macros nest too deep (a macro refers to itself?)")
	}
	switch n := e.(type) {
	case *filter.And:
		kids, err := c.exprs(n.Terms, depth)
		return &andNode{kids}, err
	case *filter.Or:
		if in, ok := c.equalitiesAsIn(n); ok {
			return c.check(in)
		}
		kids, err := c.exprs(n.Terms, depth)
		return &orNode{kids}, err
	case *filter.Not:
		k, err := c.expr(n.X, depth)
		if err != nil {
			return nil, err
		}
		return &notNode{k}, nil
	case *filter.Ref:
		if c.env != nil {
			if m, ok := c.env.Macros[n.Name]; ok {
				return c.expr(m, depth+1)
			}
		}
		return nil, errAt(n.Offset, "unknown macro or field %q", n.Name)
	case *filter.Check:
		return c.check(n)
	}
	return nil, errAt(e.Pos(), "unexpected node %T", e)
}

// exprs compiles the terms of an and or an or.
func (c *compiler) exprs(terms []filter.Expr, depth int) ([]node, error) {
	out := make([]node, 0, len(terms))
	for _, t := range terms {
		k, err := c.expr(t, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// bind resolves a field reference.
// equalitiesAsIn rewrites `f = a or f = b ...` as `f in (a, b, ...)` when
// f is evt.type or fd.type, which the block evaluator decides per type:
// one pass over the rows instead of one per term (topprocs_net's
// `fd.type=ipv4 or fd.type=ipv6`). The two mean the same for these
// fields, and the list's items, like the literals, name no Falco list.
func (c *compiler) equalitiesAsIn(n *filter.Or) (*filter.Check, bool) {
	if len(n.Terms) < 2 {
		return nil, false
	}
	var first *filter.Check
	list := &filter.List{Offset: n.Offset}
	for _, t := range n.Terms {
		ck, ok := t.(*filter.Check)
		if !ok || ck.Op != filter.OpEq && ck.Op != filter.OpEqEq || ck.Modifier != filter.ModNone || len(ck.Field.Transformers) > 0 {
			return nil, false
		}
		lit, ok := ck.Value.(*filter.Literal)
		if !ok {
			return nil, false
		}
		if first == nil {
			first = ck
		} else if f := ck.Field; f.Name != first.Field.Name || f.Arg != first.Field.Arg || f.HasArg != first.Field.HasArg {
			return nil, false
		}
		list.Items = append(list.Items, filter.ListItem{Text: lit.Text, Pos: lit.Offset})
	}
	b, err := c.bind(first.Field)
	if err != nil || b.Field.Dep != fields.DepType && b.Field.Dep != fields.DepFDType {
		return nil, false
	}
	return &filter.Check{Field: first.Field, Op: filter.OpIn, Value: list, Offset: first.Offset}, true
}

func (c *compiler) bind(f filter.FieldRef) (*fields.Bound, error) {
	b, err := c.reg.Lookup(f.Name, f.Arg, f.HasArg)
	if err != nil {
		return nil, errAt(f.Pos, "%v", err)
	}
	if len(f.Transformers) > 0 && b.Field.Flags&fields.NoTransformer != 0 {
		return nil, errAt(f.Pos, "%s cannot take a transformer", b.Field.Name)
	}
	return b, nil
}

// values collects the literal values of a check's right-hand side,
// expanding Falco lists.
func (c *compiler) values(v filter.Value) ([]string, error) {
	switch r := v.(type) {
	case *filter.Literal:
		return []string{r.Text}, nil
	case *filter.List:
		var out []string
		for _, it := range r.Items {
			if it.Bare {
				if l, ok := c.list(it.Text); ok {
					out = append(out, l...)
					continue
				}
			}
			out = append(out, it.Text)
		}
		return out, nil
	case *filter.ListRef:
		if l, ok := c.list(r.Name); ok {
			return l, nil
		}
		return []string{r.Name}, nil
	}
	return nil, errAt(v.Pos(), "unexpected value %T", v)
}

func (c *compiler) list(name string) ([]string, bool) {
	if c.env == nil {
		return nil, false
	}
	l, ok := c.env.Lists[name]
	return l, ok
}

func (c *compiler) check(n *filter.Check) (node, error) {
	b, err := c.bind(n.Field)
	if err != nil {
		return nil, err
	}
	ck := &checkNode{ext: b.Ext, trans: n.Field.Transformers, op: n.Op, mod: n.Modifier, dep: b.Field.Dep, fdOnly: b.Field.FDOnly}
	c.reads |= b.Field.Reads
	typ := b.Field.Type
	if len(ck.trans) > 0 {
		typ = fields.TString
		if ck.trans[0] == "len" {
			typ = fields.TUint
		}
	}
	if n.Op == filter.OpExists {
		return ck, nil
	}
	if fv, ok := n.Value.(*filter.FieldValue); ok {
		rb, err := c.bind(fv.Field)
		if err != nil {
			return nil, err
		}
		ck.rhs = rb.Ext
		ck.rtrans = fv.Field.Transformers
		c.reads |= rb.Field.Reads
		return ck, nil
	}
	vals, err := c.values(n.Value)
	if err != nil {
		return nil, err
	}
	if !n.Op.IsList() && n.Modifier == filter.ModNone && len(vals) != 1 {
		return nil, errAt(n.Value.Pos(), "%s takes one value", n.Op)
	}
	if err := checkOp(typ, n.Op); err != nil {
		return nil, errAt(n.Offset, "%s: %v", b.Field.Name, err)
	}
	o, err := parseOperand(typ, n.Op, vals)
	if err != nil {
		return nil, errAt(n.Value.Pos(), "%s: %v", b.Field.Name, err)
	}
	ck.o = o
	return ck, nil
}

// checkOp refuses operators a type cannot take.
func checkOp(t fields.Type, op filter.Op) error {
	switch t {
	case fields.TInt, fields.TUint, fields.TPort, fields.TAbsTime, fields.TRelTime:
		switch op {
		case filter.OpEq, filter.OpEqEq, filter.OpNe, filter.OpLt, filter.OpLe, filter.OpGt, filter.OpGe,
			filter.OpIn, filter.OpIntersects, filter.OpExists:
			return nil
		}
	case fields.TBool, fields.TIP:
		switch op {
		case filter.OpEq, filter.OpEqEq, filter.OpNe, filter.OpIn, filter.OpIntersects, filter.OpExists:
			return nil
		}
	default:
		return nil
	}
	return fmt.Errorf("operator %s does not apply to a %s field", op, t)
}

// needs computes what every event a (sub)expression matches must have
// (ok false: nothing known): leaf says it for one check; the terms of an
// and narrow it (meet), those of an or widen it (join) when each of them
// knows; macros are followed. Compile derives the event types and the
// process names a filter needs with it, for the index to skip blocks.
func needs[T any](c *compiler, e filter.Expr, depth int, leaf func(*filter.Check) (T, bool), meet, join func(T, T) T) (T, bool) {
	var zero T
	if depth > maxMacroDepth {
		return zero, false
	}
	switch n := e.(type) {
	case *filter.And:
		var acc T
		known := false
		for _, t := range n.Terms {
			if v, ok := needs(c, t, depth, leaf, meet, join); ok {
				if known {
					acc = meet(acc, v)
				} else {
					acc, known = v, true
				}
			}
		}
		return acc, known
	case *filter.Or:
		var acc T
		for i, t := range n.Terms {
			v, ok := needs(c, t, depth, leaf, meet, join)
			if !ok {
				return zero, false
			}
			if i == 0 {
				acc = v
			} else {
				acc = join(acc, v)
			}
		}
		return acc, len(n.Terms) > 0
	case *filter.Ref:
		if c.env != nil {
			if m, ok := c.env.Macros[n.Name]; ok {
				return needs(c, m, depth+1, leaf, meet, join)
			}
		}
	case *filter.Check:
		return leaf(n)
	}
	return zero, false
}

// equalityValues returns the values of a check of field name by equality
// or a list, without transformer or modifier.
func (c *compiler) equalityValues(n *filter.Check, name string) ([]string, bool) {
	if n.Field.Name != name || n.Field.HasArg || len(n.Field.Transformers) > 0 || n.Modifier != filter.ModNone {
		return nil, false
	}
	if n.Op != filter.OpEq && n.Op != filter.OpEqEq && n.Op != filter.OpIn && n.Op != filter.OpIntersects {
		return nil, false
	}
	vals, err := c.values(n.Value)
	return vals, err == nil
}

// types computes the event types a filter can match: evt.type equalities
// and lists.
func (c *compiler) types(e filter.Expr) (*index.TypeSet, bool) {
	leaf := func(n *filter.Check) (*index.TypeSet, bool) {
		vals, ok := c.equalityValues(n, "evt.type")
		if !ok {
			return nil, false
		}
		ts := &index.TypeSet{}
		for _, name := range vals {
			for _, t := range fields.TypesNamed(name) {
				ts.Add(uint16(t))
			}
		}
		return ts, true
	}
	join := func(a, b *index.TypeSet) *index.TypeSet {
		out := &index.TypeSet{}
		out.Union(a)
		out.Union(b)
		return out
	}
	return needs(c, e, 0, leaf, intersect, join)
}

// nameSet is a set of process names.
type nameSet map[string]bool

func (s nameSet) names() []string {
	out := make([]string, 0, len(s))
	for n := range s {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// comms computes the process names a filter needs: proc.name equalities
// and lists. An event whose process sysdig would name "<NA>" (one the
// capture knew nothing of) has an empty name in the table.
func (c *compiler) comms(e filter.Expr) (nameSet, bool) {
	leaf := func(n *filter.Check) (nameSet, bool) {
		vals, ok := c.equalityValues(n, "proc.name")
		if !ok {
			return nil, false
		}
		cs := nameSet{}
		for _, v := range vals {
			cs[v] = true
			if v == fields.UnknownName {
				cs[""] = true
			}
		}
		return cs, true
	}
	meet := func(a, b nameSet) nameSet {
		out := nameSet{}
		for n := range a {
			if b[n] {
				out[n] = true
			}
		}
		return out
	}
	join := func(a, b nameSet) nameSet {
		out := nameSet{}
		for n := range a {
			out[n] = true
		}
		for n := range b {
			out[n] = true
		}
		return out
	}
	return needs(c, e, 0, leaf, meet, join)
}

func intersect(a, b *index.TypeSet) *index.TypeSet {
	out := &index.TypeSet{}
	for _, t := range a.Types() {
		if b.Has(t) {
			out.Add(t)
		}
	}
	return out
}
