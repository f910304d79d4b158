package filter

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dump renders a tree with every detail but positions, as an S-expression:
//
//	(and (not ref:a) [proc.name = b"cat"] [fd.name in (b"x" q"y z")])
//
// b"..." is a bare literal or list item, q"..." a quoted one.
func dump(e Expr) string {
	var b strings.Builder
	dumpExpr(&b, e)
	return b.String()
}

func dumpExpr(b *strings.Builder, e Expr) {
	switch n := e.(type) {
	case *And:
		dumpTerms(b, "and", n.Terms)
	case *Or:
		dumpTerms(b, "or", n.Terms)
	case *Not:
		b.WriteString("(not ")
		dumpExpr(b, n.X)
		b.WriteByte(')')
	case *Ref:
		b.WriteString("ref:" + n.Name)
	case *Check:
		b.WriteByte('[')
		b.WriteString(dumpField(n.Field))
		b.WriteString(" " + n.Op.String())
		if n.Modifier != ModNone {
			b.WriteString(" " + n.Modifier.String())
		}
		if n.Value != nil {
			b.WriteString(" " + dumpValue(n.Value))
		}
		b.WriteByte(']')
	case nil:
		b.WriteString("<nil>")
	default:
		fmt.Fprintf(b, "<%T>", e)
	}
}

func dumpTerms(b *strings.Builder, op string, terms []Expr) {
	b.WriteString("(" + op)
	for _, t := range terms {
		b.WriteByte(' ')
		dumpExpr(b, t)
	}
	b.WriteByte(')')
}

func dumpField(f FieldRef) string {
	s := f.Name
	if f.HasArg {
		s += fmt.Sprintf("[%q]", f.Arg)
	}
	for i := len(f.Transformers) - 1; i >= 0; i-- {
		s = f.Transformers[i] + "(" + s + ")"
	}
	return s
}

func dumpValue(v Value) string {
	switch v := v.(type) {
	case *Literal:
		return lit(v.Text, !v.Quoted)
	case *List:
		parts := make([]string, len(v.Items))
		for i, it := range v.Items {
			parts[i] = lit(it.Text, it.Bare)
		}
		return "(" + strings.Join(parts, " ") + ")"
	case *ListRef:
		return "listref:" + v.Name
	case *FieldValue:
		return "val:" + dumpField(v.Field)
	}
	return fmt.Sprintf("<%T>", v)
}

func lit(text string, bare bool) string {
	if bare {
		return fmt.Sprintf("b%q", text)
	}
	return fmt.Sprintf("q%q", text)
}

func dumpFormat(f Format) string {
	var b strings.Builder
	if f.AllowMissing {
		b.WriteString("*")
	}
	for _, p := range f.Parts {
		if p.Field == nil {
			fmt.Fprintf(&b, "|%q", p.Text)
			continue
		}
		b.WriteString("|%")
		if p.Width > 0 {
			fmt.Fprintf(&b, "%d", p.Width)
		}
		b.WriteString(dumpField(*p.Field))
	}
	return b.String()
}

// checkSyntaxError asserts the shape every parse error must have.
func checkSyntaxError(t testing.TB, src string, err error) *SyntaxError {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("%q: error %v (%T) is not a *SyntaxError", src, err, err)
	}
	if !errors.Is(err, ErrSyntax) {
		t.Fatalf("%q: error %v does not wrap ErrSyntax", src, err)
	}
	if se.Pos < 0 || se.Pos > len(src) {
		t.Fatalf("%q: error position %d outside the source (len %d)", src, se.Pos, len(src))
	}
	return se
}

// roundTrip checks that printing e and parsing the print gives the same
// tree, and that the print is a fixed point.
func roundTrip(t testing.TB, src string, e Expr) {
	t.Helper()
	printed := e.String()
	back, err := Parse(printed)
	if err != nil {
		t.Fatalf("%q printed as %q, which does not parse: %v", src, printed, err)
	}
	if got, want := dump(back), dump(e); got != want {
		t.Fatalf("%q printed as %q, which parses differently:\n got %s\nwant %s", src, printed, got, want)
	}
	if again := back.String(); again != printed {
		t.Fatalf("%q: print is not a fixed point: %q then %q", src, printed, again)
	}
}

func roundTripFormat(t testing.TB, src string, f Format) {
	t.Helper()
	printed := f.String()
	back, err := ParseFormat(printed)
	if err != nil {
		t.Fatalf("%q printed as %q, which does not parse: %v", src, printed, err)
	}
	if got, want := dumpFormat(back), dumpFormat(f); got != want {
		t.Fatalf("%q printed as %q, which parses differently:\n got %s\nwant %s", src, printed, got, want)
	}
	if again := back.String(); again != printed {
		t.Fatalf("%q: print is not a fixed point: %q then %q", src, printed, again)
	}
}
