package filter

import "fmt"

// Parse parses a sysdig/Falco filter expression. The error, if any, is a
// *SyntaxError wrapping ErrSyntax.
func Parse(src string) (Expr, error) {
	p := &parser{src: src, refEnd: -1}
	p.skipBlank()
	if p.pos == len(src) {
		return nil, &SyntaxError{Pos: p.pos, kind: ErrEmpty,
			Msg: `empty filter: expected a field check, a macro name, "not" or "("`}
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipBlank()
	if p.pos < len(src) {
		return nil, p.errf(p.pos, "unexpected %s: expected \"and\", \"or\" or end of input%s",
			p.found(), p.refHint())
	}
	return e, nil
}

// parser is a recursive-descent parser working directly on the source: the
// grammar's tokens depend on context (a bare string after "=", a number
// after "<", an identifier after "in"), so lexing is done on demand by the
// scanners of lexer.go.
type parser struct {
	src    string
	pos    int
	depth  int
	refEnd int // end offset of the last Ref parsed, for error hints
}

func (p *parser) errf(pos int, format string, args ...any) error {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) found() string { return describe(p.src, p.pos) }

func (p *parser) atEnd() bool { return p.pos >= len(p.src) }

func (p *parser) skipBlank() { p.pos = skipBlanks(p.src, p.pos) }

func col(pos int) int { return pos + 1 }

// refHint explains an unexpected token right after a macro reference: the
// usual cause is a field name without a dot.
func (p *parser) refHint() string {
	if p.refEnd < 0 || skipBlanks(p.src, p.refEnd) != p.pos {
		return ""
	}
	c := p.src[p.pos]
	_, isOp := LookupOp(p.src[p.pos:scanIdent(p.src, p.pos)])
	if c == '=' || c == '<' || c == '>' || c == '!' || c == '[' || isOp {
		return " (a field name has at least two dot-separated parts; a single identifier is a macro reference)"
	}
	return ""
}

// keyword consumes the keyword kw ("and", "or") when it is at the cursor
// and followed by a blank or "(" (blanks after it are skipped). It reports
// false, consuming nothing, when the cursor is at another word.
func (p *parser) keyword(kw string) (bool, error) {
	s := p.src
	if len(s)-p.pos < len(kw) || s[p.pos:p.pos+len(kw)] != kw {
		return false, nil
	}
	after := p.pos + len(kw)
	if after == len(s) {
		return false, p.errf(after, "expected an expression after %q, found end of input", kw)
	}
	c := s[after]
	switch {
	case isBlank(c):
		p.pos = skipBlanks(s, after)
	case c == '(':
		p.pos = after
	case isIdentChar(c) || c == '.':
		return false, nil // a longer word: "order", "android.x"
	default:
		return false, p.errf(after, "expected a blank or \"(\" after %q, found %s", kw, describe(s, after))
	}
	return true, nil
}

func (p *parser) parseOr() (Expr, error) {
	start := p.pos
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for {
		p.skipBlank()
		ok, err := p.keyword("or")
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		t, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &Or{Terms: terms, Offset: start}, nil
}

func (p *parser) parseAnd() (Expr, error) {
	start := p.pos
	first, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for {
		p.skipBlank()
		ok, err := p.keyword("and")
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		t, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &And{Terms: terms, Offset: start}, nil
}

func (p *parser) parseNot() (Expr, error) {
	s := p.src
	start := p.pos
	neg := false
	for len(s)-p.pos >= 3 && s[p.pos:p.pos+3] == "not" {
		after := p.pos + 3
		if after == len(s) {
			return nil, p.errf(after, `expected an expression after "not", found end of input`)
		}
		c := s[after]
		if isBlank(c) {
			neg = !neg
			p.pos = skipBlanks(s, after)
			continue
		}
		if c == '(' {
			neg = !neg
			p.pos = after
			break
		}
		if isIdentChar(c) || c == '.' {
			break // "nothing", "not.a.field"
		}
		return nil, p.errf(after, `expected a blank or "(" after "not", found %s`, describe(s, after))
	}
	x, err := p.parseCheck()
	if err != nil {
		return nil, err
	}
	if neg {
		return &Not{X: x, Offset: start}, nil
	}
	return x, nil
}

const expectedCheck = `a field check, a macro name, "not" or "("`

func (p *parser) parseCheck() (Expr, error) {
	s := p.src
	p.skipBlank()
	start := p.pos
	if p.atEnd() {
		return nil, p.errf(start, "expected %s, found end of input", expectedCheck)
	}
	c := s[start]
	if c == '(' {
		return p.parseGroup()
	}
	if !isLetter(c) {
		return nil, p.errf(start, "expected %s, found %s", expectedCheck, p.found())
	}
	end, dotted := scanFieldName(s, start)
	word := s[start:end]
	if !dotted {
		if word == "and" || word == "or" {
			return nil, p.errf(start, "expected %s, found keyword %q", expectedCheck, word)
		}
		if end < len(s) && s[end] == '(' && !isTransformer(word) {
			return nil, p.badCall(word, start, true)
		}
		if end >= len(s) || s[end] != '(' {
			p.pos = end
			p.refEnd = end
			return &Ref{Name: word, Offset: start}, nil
		}
	}
	field, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	return p.parseCondition(field, start)
}

// parseGroup parses "(" expr ")" with the cursor on the "(".
func (p *parser) parseGroup() (Expr, error) {
	open := p.pos
	if p.depth >= MaxDepth {
		return nil, &SyntaxError{Pos: open, kind: ErrTooDeep,
			Msg: fmt.Sprintf("expressions nested deeper than %d levels", MaxDepth)}
	}
	p.depth++
	p.pos++
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipBlank()
	if p.atEnd() {
		return nil, p.errf(p.pos, `expected ")" to close "(" at col %d, found end of input`, col(open))
	}
	if p.src[p.pos] != ')' {
		return nil, p.errf(p.pos, `expected "and", "or" or ")" to close "(" at col %d, found %s%s`,
			col(open), p.found(), p.refHint())
	}
	p.pos++
	p.depth--
	return e, nil
}

// badCall reports word( where word is not a usable transformer.
func (p *parser) badCall(word string, pos int, lhs bool) error {
	switch word {
	case "val":
		if lhs {
			return p.errf(pos, `val() can only be used on the right-hand side of a comparison`)
		}
		return p.errf(pos, `val() is not allowed here`)
	case "join", "concat", "getopt":
		return &SyntaxError{Pos: pos, kind: ErrUnsupported,
			Msg: fmt.Sprintf("the multi-argument transformer %q is not supported", word)}
	case "and", "or", "not":
		return p.errf(pos, "unexpected keyword %q", word)
	}
	return p.errf(pos, "unknown transformer %q (known: tolower, toupper, b64, basename, len)", word)
}

// parseOperand parses a field operand at the cursor: transformers around a
// field name with an optional argument.
func (p *parser) parseOperand() (FieldRef, error) {
	s := p.src
	var f FieldRef
	var opens []int // offsets of the transformers' names
	for {
		end, dotted := scanFieldName(s, p.pos)
		if end == p.pos {
			break
		}
		word := s[p.pos:end]
		if dotted || end >= len(s) || s[end] != '(' {
			break
		}
		if !isTransformer(word) {
			return f, p.badCall(word, p.pos, true)
		}
		if p.depth+len(opens) >= MaxDepth {
			return f, &SyntaxError{Pos: p.pos, kind: ErrTooDeep,
				Msg: fmt.Sprintf("transformers nested deeper than %d levels", MaxDepth)}
		}
		opens = append(opens, p.pos)
		f.Transformers = append(f.Transformers, word)
		p.pos = skipBlanks(s, end+1)
	}
	end, dotted := scanFieldName(s, p.pos)
	if !dotted {
		if len(opens) > 0 {
			last := f.Transformers[len(f.Transformers)-1]
			return f, p.errf(p.pos, "expected a field or a transformer inside \"%s(\", found %s", last, p.found())
		}
		return f, p.errf(p.pos, "expected a field name, found %s", p.found())
	}
	f.Name = s[p.pos:end]
	f.Pos = p.pos
	p.pos = end
	if err := p.parseArg(&f); err != nil {
		return f, err
	}
	for k := len(opens) - 1; k >= 0; k-- {
		p.skipBlank()
		if p.atEnd() || s[p.pos] != ')' {
			return f, p.errf(p.pos, `expected ")" to close "%s(" at col %d, found %s`,
				f.Transformers[k], col(opens[k]), p.found())
		}
		p.pos++
	}
	return f, nil
}

// parseArg parses an optional [arg] right after a field name.
func (p *parser) parseArg(f *FieldRef) error {
	s := p.src
	if p.atEnd() || s[p.pos] != '[' {
		return nil
	}
	open := p.pos
	p.pos++
	switch {
	case p.atEnd():
		return p.errf(p.pos, `expected an argument after "%s[", found end of input`, f.Name)
	case s[p.pos] == '"' || s[p.pos] == '\'':
		text, end, err := scanQuoted(s, p.pos)
		if err != nil {
			return err
		}
		f.Arg = text
		p.pos = end
	case isArgChar(s[p.pos]):
		end := p.pos
		for end < len(s) && isArgChar(s[end]) {
			end++
		}
		f.Arg = s[p.pos:end]
		p.pos = end
	default:
		return p.errf(p.pos, `expected an argument (a quoted or bare string) after "%s[", found %s`, f.Name, p.found())
	}
	if p.atEnd() || s[p.pos] != ']' {
		return p.errf(p.pos, `expected "]" to close "[" at col %d, found %s`, col(open), p.found())
	}
	p.pos++
	f.HasArg = true
	return nil
}

// opClass groups operators by what their right-hand side is.
type opClass uint8

const (
	classUnary opClass = iota
	classNum
	classStr
	classList
)

func classOf(o Op) opClass {
	switch {
	case o == OpExists:
		return classUnary
	case o.IsOrdering():
		return classNum
	case o.IsList():
		return classList
	}
	return classStr
}

// lexOp reads the operator at the cursor.
func (p *parser) lexOp(lhs FieldRef) (Op, error) {
	s := p.src
	if p.atEnd() {
		return OpInvalid, p.errf(p.pos, "expected an operator after %q, found end of input", lhs.String())
	}
	// Symbolic operators, longest first; they need no blank around them.
	for _, sym := range [...]struct {
		text string
		op   Op
	}{{"<=", OpLe}, {"<", OpLt}, {">=", OpGe}, {">", OpGt}, {"==", OpEqEq}, {"=", OpEq}, {"!=", OpNe}} {
		if len(s)-p.pos >= len(sym.text) && s[p.pos:p.pos+len(sym.text)] == sym.text {
			p.pos += len(sym.text)
			return sym.op, nil
		}
	}
	end := scanIdent(s, p.pos)
	word := s[p.pos:end]
	op, ok := LookupOp(word)
	if !ok || end < len(s) && (isIdentChar(s[end]) || s[end] == '.') {
		return OpInvalid, p.errf(p.pos, "expected an operator (=, !=, <, contains, in, exists, ...) after %q, found %s",
			lhs.String(), p.found())
	}
	switch classOf(op) {
	case classUnary:
	case classStr:
		if end == len(s) {
			return OpInvalid, p.errf(end, "expected a value after %q, found end of input", word)
		}
		if !isBlank(s[end]) {
			return OpInvalid, p.errf(end, "expected a blank after %q, found %s", word, describe(s, end))
		}
	case classList:
		if end == len(s) {
			return OpInvalid, p.errf(end, "expected a list after %q, found end of input", word)
		}
		if !isBlank(s[end]) && s[end] != '(' {
			return OpInvalid, p.errf(end, `expected a blank or "(" after %q, found %s`, word, describe(s, end))
		}
	}
	p.pos = end
	return op, nil
}

func (p *parser) parseCondition(lhs FieldRef, start int) (Expr, error) {
	p.skipBlank()
	op, err := p.lexOp(lhs)
	if err != nil {
		return nil, err
	}
	c := &Check{Field: lhs, Op: op, Offset: start}
	switch classOf(op) {
	case classUnary:
		return c, nil
	case classNum:
		c.Value, err = p.parseNumValue(op)
	case classStr:
		c.Modifier, c.Value, err = p.parseStrValue(op)
	case classList:
		c.Value, err = p.parseListValue(op)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// callAt reports an identifier directly followed by "(" at the cursor.
func (p *parser) callAt() (string, bool) {
	end := scanIdent(p.src, p.pos)
	if end == p.pos || end >= len(p.src) || p.src[end] != '(' {
		return "", false
	}
	return p.src[p.pos:end], true
}

// tryFieldValue parses val(field) or transformer(...) on the right-hand
// side when the cursor is at an identifier followed by "(".
func (p *parser) tryFieldValue() (Value, bool, error) {
	word, ok := p.callAt()
	if !ok {
		return nil, false, nil
	}
	start := p.pos
	if isTransformer(word) {
		f, err := p.parseOperand()
		if err != nil {
			return nil, true, err
		}
		return &FieldValue{Field: f, Offset: start}, true, nil
	}
	if word != "val" {
		return nil, true, p.badCall(word, start, false)
	}
	if p.depth >= MaxDepth {
		return nil, true, &SyntaxError{Pos: start, kind: ErrTooDeep,
			Msg: fmt.Sprintf("transformers nested deeper than %d levels", MaxDepth)}
	}
	p.pos = skipBlanks(p.src, start+len("val("))
	end, dotted := scanFieldName(p.src, p.pos)
	if !dotted {
		return nil, true, p.errf(p.pos, `expected a field inside "val(", found %s`, p.found())
	}
	f := FieldRef{Name: p.src[p.pos:end], Pos: p.pos}
	p.pos = end
	if err := p.parseArg(&f); err != nil {
		return nil, true, err
	}
	p.skipBlank()
	if p.atEnd() || p.src[p.pos] != ')' {
		return nil, true, p.errf(p.pos, `expected ")" to close "val(" at col %d, found %s`, col(start), p.found())
	}
	p.pos++
	return &FieldValue{Field: f, Offset: start}, true, nil
}

func (p *parser) parseNumValue(op Op) (Value, error) {
	p.skipBlank()
	if v, ok, err := p.tryFieldValue(); ok || err != nil {
		return v, err
	}
	start := p.pos
	end := scanNumber(p.src, start)
	if end == start || end < len(p.src) && (isIdentChar(p.src[end]) || p.src[end] == '.') {
		return nil, p.errf(start, "expected a number or a field value (val(...), a transformer) after %q, found %s",
			op.String(), p.found())
	}
	p.pos = end
	return &Literal{Text: p.src[start:end], Offset: start}, nil
}

// tryModifier reads oneof/anyof/allof when it is followed by a list: "(" or
// blanks and a list name. Otherwise the word is an ordinary bare value.
func (p *parser) tryModifier() Modifier {
	s := p.src
	end := scanIdent(s, p.pos)
	m := lookupModifier(s[p.pos:end])
	if m == ModNone {
		return ModNone
	}
	k := skipBlanks(s, end)
	if k < len(s) && s[k] == '(' {
		p.pos = k
		return m
	}
	if k > end && k < len(s) && isLetter(s[k]) {
		idEnd := scanIdent(s, k)
		if w := s[k:idEnd]; w != "and" && w != "or" {
			p.pos = k
			return m
		}
	}
	return ModNone
}

func (p *parser) parseStrValue(op Op) (Modifier, Value, error) {
	s := p.src
	p.skipBlank()
	start := p.pos
	if p.atEnd() {
		return ModNone, nil, p.errf(start, "expected a value after %q, found end of input", op.String())
	}
	if m := p.tryModifier(); m != ModNone {
		v, err := p.parseListOrName(m.String())
		return m, v, err
	}
	if v, ok, err := p.tryFieldValue(); ok || err != nil {
		return ModNone, v, err
	}
	c := s[start]
	if c == '"' || c == '\'' {
		text, end, err := scanQuoted(s, start)
		if err != nil {
			return ModNone, nil, err
		}
		p.pos = end
		return ModNone, &Literal{Text: text, Quoted: true, Offset: start}, nil
	}
	if !isBareChar(c) {
		return ModNone, nil, p.errf(start, "expected a value after %q, found %s", op.String(), p.found())
	}
	end := start
	for end < len(s) && isBareChar(s[end]) {
		end++
	}
	p.pos = end
	return ModNone, &Literal{Text: s[start:end], Offset: start}, nil
}

func (p *parser) parseListValue(op Op) (Value, error) {
	p.skipBlank()
	if v, ok, err := p.tryFieldValue(); ok || err != nil {
		return v, err
	}
	return p.parseListOrName(op.String())
}

// parseListOrName parses "(" items ")" or a list name at the cursor; after
// names the operator or modifier for messages.
func (p *parser) parseListOrName(after string) (Value, error) {
	s := p.src
	start := p.pos
	if p.atEnd() {
		return nil, p.errf(start, "expected a list after %q, found end of input", after)
	}
	if s[start] == '(' {
		return p.parseList()
	}
	if end := scanIdent(s, start); end > start {
		p.pos = end
		return &ListRef{Name: s[start:end], Offset: start}, nil
	}
	return nil, p.errf(start, `expected a list "(...)" or a list name after %q, found %s`, after, p.found())
}

// parseList parses "(" [item ("," item)*] ")" with the cursor on the "(".
func (p *parser) parseList() (Value, error) {
	s := p.src
	open := p.pos
	l := &List{Offset: open}
	p.pos = skipBlanks(s, open+1)
	if !p.atEnd() && s[p.pos] == ')' {
		p.pos++
		return l, nil
	}
	for {
		if p.atEnd() {
			return nil, p.errf(p.pos, `expected a list item or ")" to close "(" at col %d, found end of input`, col(open))
		}
		start := p.pos
		c := s[start]
		switch {
		case c == '"' || c == '\'':
			text, end, err := scanQuoted(s, start)
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, ListItem{Text: text, Pos: start})
			p.pos = end
		case isBareChar(c):
			end := start
			for end < len(s) && isBareChar(s[end]) {
				end++
			}
			l.Items = append(l.Items, ListItem{Text: s[start:end], Bare: true, Pos: start})
			p.pos = end
		default:
			what := `a list item or ")"`
			if len(l.Items) > 0 {
				what = `a list item after ","`
			}
			return nil, p.errf(start, "expected %s, found %s", what, p.found())
		}
		p.skipBlank()
		if p.atEnd() {
			return nil, p.errf(p.pos, `expected "," or ")" to close "(" at col %d, found end of input`, col(open))
		}
		switch s[p.pos] {
		case ',':
			p.pos = skipBlanks(s, p.pos+1)
		case ')':
			p.pos++
			return l, nil
		default:
			return nil, p.errf(p.pos, `expected "," or ")" in the list opened at col %d, found %s`, col(open), p.found())
		}
	}
}
