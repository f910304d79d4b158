package filter

import "strings"

// MaxDepth is the deepest nesting of parentheses, not(...) and transformer
// calls that Parse and ParseFormat accept (libsinsp's default limit).
const MaxDepth = 100

// Expr is a node of a parsed filter: *And, *Or, *Not, *Check or *Ref.
type Expr interface {
	// Pos is the 0-based byte offset in the source where the node starts.
	Pos() int
	// String prints the node in canonical form; Parse(x.String()) gives a
	// tree equal to x (positions aside).
	String() string
	exprNode()
}

// And is true when every term is (n-ary, terms in source order).
type And struct {
	Terms  []Expr
	Offset int
}

// Or is true when any term is (n-ary, terms in source order).
type Or struct {
	Terms  []Expr
	Offset int
}

// Not negates X. `not not x` is parsed as x.
type Not struct {
	X      Expr
	Offset int // of the first "not"
}

// Check compares a field with a value: `proc.name = cat`,
// `proc.cmdline contains anyof (curl, wget)`, `fd.name exists`.
type Check struct {
	Field    FieldRef
	Op       Op
	Modifier Modifier // ModNone unless the value is `oneof|anyof|allof list`
	Value    Value    // nil for OpExists
	Offset   int      // start of the left-hand side (its outermost transformer)
}

// Ref is a bare identifier in boolean position: in Falco, a macro reference.
type Ref struct {
	Name   string
	Offset int
}

func (n *And) Pos() int   { return n.Offset }
func (n *Or) Pos() int    { return n.Offset }
func (n *Not) Pos() int   { return n.Offset }
func (n *Check) Pos() int { return n.Offset }
func (n *Ref) Pos() int   { return n.Offset }

func (*And) exprNode()   {}
func (*Or) exprNode()    {}
func (*Not) exprNode()   {}
func (*Check) exprNode() {}
func (*Ref) exprNode()   {}

// FieldRef is a field operand: a field name with an optional argument,
// wrapped in zero or more transformers.
type FieldRef struct {
	// Name is the whole dotted token (at least two segments): "proc.name",
	// "evt.arg.fd", "thread.cgroup.cpuacct". The registry splits off any
	// trailing ".name" argument.
	Name string
	// Arg is the bracketed argument, escapes decoded ("2" for
	// proc.aname[2], "my key" for proc.env["my key"]); HasArg tells an
	// empty argument ([""]) from none.
	Arg    string
	HasArg bool
	// Transformers applied to the field, outermost first:
	// toupper(basename(f)) is ["toupper", "basename"].
	Transformers []string
	// Pos is the byte offset of the field name itself (inside any
	// transformers).
	Pos int
}

// Value is the right-hand side of a Check: *Literal, *List, *ListRef or
// *FieldValue.
type Value interface {
	Pos() int
	String() string
	valueNode()
}

// Literal is a single value: a number for the ordering operators, a string
// otherwise. Text has its escapes decoded; Quoted tells whether it was
// written in quotes (an unquoted literal may name a Falco list, which Falco
// substitutes textually anywhere in a condition).
type Literal struct {
	Text   string
	Quoted bool
	Offset int
}

// List is a parenthesised list of values: `(a, b, "c d")`, possibly empty.
type List struct {
	Items  []ListItem
	Offset int // of the "("
}

// ListItem is one element of a List. Bare reports an unquoted item: in
// Falco rules a bare item may name a list to be expanded in place.
type ListItem struct {
	Text string
	Bare bool
	Pos  int
}

// ListRef is an identifier as the whole right-hand side of a list operator
// or a modifier (`proc.name in shell_binaries`): in Falco, a list name.
// Without a list of that name libsinsp treats it as the one-item list
// (name).
type ListRef struct {
	Name   string
	Offset int
}

// FieldValue compares with another field's value: `val(proc.pname)` (no
// transformers) or `tolower(proc.pname)` (transformers on the right).
type FieldValue struct {
	Field  FieldRef
	Offset int
}

func (v *Literal) Pos() int    { return v.Offset }
func (v *List) Pos() int       { return v.Offset }
func (v *ListRef) Pos() int    { return v.Offset }
func (v *FieldValue) Pos() int { return v.Offset }

func (*Literal) valueNode()    {}
func (*List) valueNode()       {}
func (*ListRef) valueNode()    {}
func (*FieldValue) valueNode() {}

// Op is a comparison operator.
type Op uint8

// The operators. OpEq and OpEqEq mean the same; both are kept so that
// printing gives back what was written.
const (
	OpInvalid     Op = iota
	OpEq             // =
	OpEqEq           // ==
	OpNe             // !=
	OpLt             // <
	OpLe             // <=
	OpGt             // >
	OpGe             // >=
	OpContains       // contains
	OpIContains      // icontains
	OpBContains      // bcontains
	OpStartsWith     // startswith
	OpBStartsWith    // bstartswith
	OpEndsWith       // endswith
	OpGlob           // glob
	OpIGlob          // iglob
	OpRegex          // regex
	OpIn             // in
	OpIntersects     // intersects
	OpPmatch         // pmatch
	OpExists         // exists (unary)
	opCount
)

// String returns the operator as written in a filter.
func (o Op) String() string {
	switch o {
	case OpEq:
		return "="
	case OpEqEq:
		return "=="
	case OpNe:
		return "!="
	case OpLt:
		return "<"
	case OpLe:
		return "<="
	case OpGt:
		return ">"
	case OpGe:
		return ">="
	case OpContains:
		return "contains"
	case OpIContains:
		return "icontains"
	case OpBContains:
		return "bcontains"
	case OpStartsWith:
		return "startswith"
	case OpBStartsWith:
		return "bstartswith"
	case OpEndsWith:
		return "endswith"
	case OpGlob:
		return "glob"
	case OpIGlob:
		return "iglob"
	case OpRegex:
		return "regex"
	case OpIn:
		return "in"
	case OpIntersects:
		return "intersects"
	case OpPmatch:
		return "pmatch"
	case OpExists:
		return "exists"
	}
	return "<invalid op>"
}

// LookupOp returns the operator spelled s ("=", "contains", "in", ...).
func LookupOp(s string) (Op, bool) {
	for o := OpEq; o < opCount; o++ {
		if o.String() == s {
			return o, true
		}
	}
	return OpInvalid, false
}

// IsOrdering reports the numeric operators < <= > >=, whose right-hand
// side is a number (or a field value).
func (o Op) IsOrdering() bool { return o >= OpLt && o <= OpGe }

// IsList reports the list operators in, intersects and pmatch.
func (o Op) IsList() bool { return o >= OpIn && o <= OpPmatch }

// TakesModifier reports the string operators, which accept
// oneof/anyof/allof.
func (o Op) TakesModifier() bool {
	return o == OpEq || o == OpEqEq || o == OpNe || (o >= OpContains && o <= OpRegex)
}

// Modifier is the oneof/anyof/allof modifier of a string operator.
type Modifier uint8

// The modifiers.
const (
	ModNone  Modifier = iota
	ModOneOf          // oneof: the operator matches exactly one value
	ModAnyOf          // anyof: the operator matches at least one value
	ModAllOf          // allof: the operator matches every value
)

// String returns the modifier keyword ("" for ModNone).
func (m Modifier) String() string {
	switch m {
	case ModOneOf:
		return "oneof"
	case ModAnyOf:
		return "anyof"
	case ModAllOf:
		return "allof"
	}
	return ""
}

func lookupModifier(s string) Modifier {
	switch s {
	case "oneof":
		return ModOneOf
	case "anyof":
		return ModAnyOf
	case "allof":
		return ModAllOf
	}
	return ModNone
}

// isTransformer reports the single-argument field transformers.
func isTransformer(s string) bool {
	switch s {
	case "tolower", "toupper", "b64", "basename", "len":
		return true
	}
	return false
}

// Walk visits e and its descendants depth-first in source order, calling fn
// on each Expr; when fn returns false the node's children are skipped.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch n := e.(type) {
	case *And:
		for _, t := range n.Terms {
			Walk(t, fn)
		}
	case *Or:
		for _, t := range n.Terms {
			Walk(t, fn)
		}
	case *Not:
		Walk(n.X, fn)
	}
}

// Fields returns every field reference in e in source order: each check's
// left-hand side, then its val()/transformer right-hand side if any.
func Fields(e Expr) []FieldRef {
	var out []FieldRef
	Walk(e, func(x Expr) bool {
		if c, ok := x.(*Check); ok {
			out = append(out, c.Field)
			if fv, ok := c.Value.(*FieldValue); ok {
				out = append(out, fv.Field)
			}
		}
		return true
	})
	return out
}

// ---- printing ----

func (n *And) String() string {
	var b strings.Builder
	writeJoined(&b, n.Terms, " and ", func(t Expr) bool {
		switch t.(type) {
		case *And, *Or:
			return true
		}
		return false
	})
	return b.String()
}

func (n *Or) String() string {
	var b strings.Builder
	writeJoined(&b, n.Terms, " or ", func(t Expr) bool {
		_, isOr := t.(*Or)
		return isOr
	})
	return b.String()
}

func writeJoined(b *strings.Builder, terms []Expr, sep string, paren func(Expr) bool) {
	for i, t := range terms {
		if i > 0 {
			b.WriteString(sep)
		}
		writeExpr(b, t, paren(t))
	}
}

func writeExpr(b *strings.Builder, e Expr, paren bool) {
	if e == nil {
		b.WriteString("<nil>")
		return
	}
	if paren {
		b.WriteByte('(')
		b.WriteString(e.String())
		b.WriteByte(')')
		return
	}
	b.WriteString(e.String())
}

func (n *Not) String() string {
	var b strings.Builder
	b.WriteString("not ")
	switch n.X.(type) {
	case *And, *Or, *Not:
		writeExpr(&b, n.X, true)
	default:
		writeExpr(&b, n.X, false)
	}
	return b.String()
}

func (n *Ref) String() string { return n.Name }

func (n *Check) String() string {
	var b strings.Builder
	b.WriteString(n.Field.String())
	b.WriteByte(' ')
	b.WriteString(n.Op.String())
	if n.Op == OpExists {
		return b.String()
	}
	b.WriteByte(' ')
	if n.Modifier != ModNone {
		b.WriteString(n.Modifier.String())
		b.WriteByte(' ')
	}
	if n.Value == nil {
		b.WriteString("<nil>")
	} else {
		b.WriteString(n.Value.String())
	}
	return b.String()
}

// String prints the operand: `toupper(basename(proc.exepath))`,
// `proc.env[HOME]`, `proc.env["my key"]`.
func (f FieldRef) String() string {
	return f.format(false)
}

// format prints f; inFormat quotes arguments containing "%" too.
func (f FieldRef) format(inFormat bool) string {
	var b strings.Builder
	for _, t := range f.Transformers {
		b.WriteString(t)
		b.WriteByte('(')
	}
	b.WriteString(f.Name)
	if f.HasArg {
		b.WriteByte('[')
		if isBareArg(f.Arg) && !(inFormat && strings.IndexByte(f.Arg, '%') >= 0) {
			b.WriteString(f.Arg)
		} else {
			b.WriteString(quote(f.Arg))
		}
		b.WriteByte(']')
	}
	for range f.Transformers {
		b.WriteByte(')')
	}
	return b.String()
}

func (v *Literal) String() string {
	if v.Quoted || !isBareString(v.Text) {
		return quote(v.Text)
	}
	return v.Text
}

func (v *List) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, it := range v.Items {
		if i > 0 {
			b.WriteString(", ")
		}
		if it.Bare && isBareString(it.Text) {
			b.WriteString(it.Text)
		} else {
			b.WriteString(quote(it.Text))
		}
	}
	b.WriteByte(')')
	return b.String()
}

func (v *ListRef) String() string { return v.Name }

func (v *FieldValue) String() string {
	if len(v.Field.Transformers) > 0 {
		return v.Field.String()
	}
	return "val(" + v.Field.String() + ")"
}
