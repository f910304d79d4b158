package filter

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxWidth is the largest %Nfield width ParseFormat accepts.
const MaxWidth = 65535

// Format is a parsed output format string (`sysdig -p`, Falco `output:`).
type Format struct {
	// AllowMissing is set by a leading "*": missing values print as <NA>
	// instead of suppressing the whole line.
	AllowMissing bool
	Parts        []FormatPart
}

// FormatPart is literal text (Field == nil) or a field token.
type FormatPart struct {
	Text  string    // the literal text, when Field is nil
	Field *FieldRef // the field of a %field token
	Width int       // %Nfield: pad or truncate to N characters; 0 = as is
	Pos   int       // byte offset of the text, or of the token's "%"
}

// ParseFormat parses an output format string: text with %field tokens
// (%proc.name, %proc.aname[2], %20evt.type, %tolower(proc.name),
// %evt.arg.name), optionally starting with "*". The error, if any, is a
// *SyntaxError wrapping ErrSyntax.
func ParseFormat(src string) (Format, error) {
	var f Format
	if src == "" {
		return f, &SyntaxError{Pos: 0, kind: ErrEmpty, Msg: "empty format string"}
	}
	i := 0
	if src[0] == '*' {
		f.AllowMissing = true
		i = 1
	}
	text := i
	for i < len(src) {
		if src[i] != '%' {
			i++
			continue
		}
		if i > text {
			f.Parts = append(f.Parts, FormatPart{Text: src[text:i], Pos: text})
		}
		part, end, err := parseToken(src, i)
		if err != nil {
			return Format{}, err
		}
		f.Parts = append(f.Parts, part)
		i = end
		text = i
	}
	if i > text {
		f.Parts = append(f.Parts, FormatPart{Text: src[text:i], Pos: text})
	}
	return f, nil
}

// parseToken parses the %token whose "%" is at src[pct].
func parseToken(src string, pct int) (FormatPart, int, error) {
	part := FormatPart{Pos: pct}
	i := pct + 1
	if i == len(src) {
		return part, 0, &SyntaxError{Pos: pct,
			Msg: `a format cannot end with "%" (there is no escape for a literal "%")`}
	}
	if isDigit(src[i]) {
		j := i
		for j < len(src) && isDigit(src[j]) {
			j++
		}
		w, err := strconv.Atoi(src[i:j])
		if err != nil || w > MaxWidth {
			return part, 0, &SyntaxError{Pos: i, Msg: fmt.Sprintf("field width %s is larger than %d", clip(src[i:j]), MaxWidth)}
		}
		part.Width = w
		i = j
		if i == len(src) {
			return part, 0, &SyntaxError{Pos: i, Msg: fmt.Sprintf(`expected a field after "%%%d", found end of input`, w)}
		}
	}
	p := &parser{src: src, pos: i, refEnd: -1}
	if !isLetter(src[i]) {
		return part, 0, p.errf(i, `expected a field name after "%%", found %s (there is no escape for a literal "%%")`, p.found())
	}
	ref, err := p.parseFormatOperand()
	if err != nil {
		return part, 0, err
	}
	part.Field = &ref
	return part, p.pos, nil
}

// parseFormatOperand is parseOperand for format tokens: a token is at most
// what a field name can be, and a "[" that does not start a well-formed
// argument is left as text.
func (p *parser) parseFormatOperand() (FieldRef, error) {
	s := p.src
	var f FieldRef
	var opens []int
	for {
		end, dotted := scanFieldName(s, p.pos)
		if dotted || end == p.pos || end >= len(s) || s[end] != '(' {
			break
		}
		word := s[p.pos:end]
		if !isTransformer(word) {
			return f, p.badCall(word, p.pos, false)
		}
		if len(opens) >= MaxDepth {
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
			return f, p.errf(p.pos, "expected a field or a transformer inside \"%s(\", found %s",
				f.Transformers[len(f.Transformers)-1], p.found())
		}
		return f, p.errf(p.pos, `expected a field name after "%%", found %s (a field name has at least two dot-separated parts)`, p.found())
	}
	f.Name = s[p.pos:end]
	f.Pos = p.pos
	p.pos = end
	if arg, end, ok := scanFormatArg(s, p.pos); ok {
		f.Arg, f.HasArg = arg, true
		p.pos = end
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

// scanFormatArg reads a well-formed [arg] at s[i], if there is one.
func scanFormatArg(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '[' {
		return "", i, false
	}
	j := i + 1
	var arg string
	switch {
	case j < len(s) && (s[j] == '"' || s[j] == '\''):
		text, end, err := scanQuoted(s, j)
		if err != nil {
			return "", i, false
		}
		arg, j = text, end
	default:
		k := j
		for k < len(s) && isArgChar(s[k]) && s[k] != '%' {
			k++
		}
		if k == j {
			return "", i, false
		}
		arg, j = s[j:k], k
	}
	if j >= len(s) || s[j] != ']' {
		return "", i, false
	}
	return arg, j + 1, true
}

// String prints the format back: ParseFormat(f.String()) equals f
// (positions aside).
func (f Format) String() string {
	var b strings.Builder
	if f.AllowMissing {
		b.WriteByte('*')
	}
	for _, p := range f.Parts {
		if p.Field == nil {
			b.WriteString(p.Text)
			continue
		}
		b.WriteByte('%')
		if p.Width > 0 {
			b.WriteString(strconv.Itoa(p.Width))
		}
		b.WriteString(p.Field.format(true))
	}
	return b.String()
}

// Fields returns the field of every token, in order.
func (f Format) Fields() []FieldRef {
	var out []FieldRef
	for _, p := range f.Parts {
		if p.Field != nil {
			out = append(out, *p.Field)
		}
	}
	return out
}
