package filter

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Character classes and token scanners shared by the filter and format
// parsers. Scanners take the source and a start offset and return the end
// offset of the token (start when there is none); they never read past the
// end of the source.

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isIdentChar(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }

// isBareChar: a character of an unquoted string value.
func isBareChar(c byte) bool {
	if isBlank(c) {
		return false
	}
	switch c {
	case '(', ')', ',', '=', '"', '\'':
		return false
	}
	return true
}

// isArgChar: a character of an unquoted field argument.
func isArgChar(c byte) bool {
	if isBlank(c) {
		return false
	}
	switch c {
	case '[', ']', '"', '\'':
		return false
	}
	return true
}

func isBareString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isBareChar(s[i]) {
			return false
		}
	}
	return true
}

func isBareArg(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isArgChar(s[i]) {
			return false
		}
	}
	return true
}

// skipBlanks returns the offset of the first non-blank at or after i.
func skipBlanks(s string, i int) int {
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return i
}

// scanIdent scans [a-zA-Z][a-zA-Z0-9_]*.
func scanIdent(s string, i int) int {
	if i >= len(s) || !isLetter(s[i]) {
		return i
	}
	i++
	for i < len(s) && isIdentChar(s[i]) {
		i++
	}
	return i
}

// scanFieldName scans identifier ("." identifier)*; dotted reports at least
// one dot, i.e. a field name rather than a plain identifier.
func scanFieldName(s string, i int) (end int, dotted bool) {
	end = scanIdent(s, i)
	if end == i {
		return i, false
	}
	for end+1 < len(s) && s[end] == '.' && isLetter(s[end+1]) {
		end = scanIdent(s, end+1)
		dotted = true
	}
	return end, dotted
}

// scanNumber scans a decimal or hex number; the caller checks what follows.
func scanNumber(s string, i int) int {
	if i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && isHexDigit(s[i+2]) {
		j := i + 2
		for j < len(s) && isHexDigit(s[j]) {
			j++
		}
		return j
	}
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	if j >= len(s) || !isDigit(s[j]) {
		return i
	}
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
		}
	}
	if j+2 < len(s) && (s[j] == 'e' || s[j] == 'E') && (s[j+1] == '+' || s[j+1] == '-') && isDigit(s[j+2]) {
		j += 2
		for j < len(s) && isDigit(s[j]) {
			j++
		}
	}
	return j
}

// scanQuoted decodes the quoted string whose opening quote is at s[i]. It
// returns the decoded text and the offset after the closing quote, or a
// *SyntaxError.
func scanQuoted(s string, i int) (string, int, error) {
	q := s[i]
	j := i + 1
	// Fast path: no escapes, the text is a substring of the source.
	k := j
	for k < len(s) && s[k] != q && s[k] != '\\' {
		k++
	}
	if k < len(s) && s[k] == q {
		return s[j:k], k + 1, nil
	}
	var b strings.Builder
	for {
		// Copy the run of plain characters in one go.
		k := j
		for k < len(s) && s[k] != q && s[k] != '\\' {
			k++
		}
		b.WriteString(s[j:k])
		j = k
		if j >= len(s) {
			return "", 0, unterminated(i, q)
		}
		if s[j] == q {
			return b.String(), j + 1, nil
		}
		// A backslash escape.
		if j+1 >= len(s) {
			return "", 0, unterminated(i, q)
		}
		c := s[j+1]
		switch c {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '\\', '/':
			b.WriteByte(c)
		case ' ':
			// Legacy "\ ", accepted by libsinsp for old rules and decoded
			// to a backslash.
			b.WriteByte('\\')
		case '"', '\'':
			if c != q {
				return "", 0, &SyntaxError{Pos: j, Msg: "invalid escape \\" + string(c) + " in a " + string(q) + "-quoted string"}
			}
			b.WriteByte(c)
		case 'x':
			if j+3 >= len(s) || !isHexDigit(s[j+2]) || !isHexDigit(s[j+3]) {
				return "", 0, &SyntaxError{Pos: j, Msg: "invalid escape " + showEscape(s, j) + " in quoted string: \\x needs two hex digits"}
			}
			v, _ := strconv.ParseUint(s[j+2:j+4], 16, 8)
			b.WriteByte(byte(v))
			j += 2
		default:
			return "", 0, &SyntaxError{Pos: j, Msg: "invalid escape " + showEscape(s, j) +
				` in quoted string (allowed: \b \f \n \r \t \\ \/ \xHH \" \' and "\ ")`}
		}
		j += 2
	}
}

func unterminated(open int, q byte) error {
	return &SyntaxError{Pos: open, Msg: "unterminated quoted string: no closing " + string(q) + " before the end of input"}
}

// showEscape shows the escape sequence at s[j] for a message: as written
// when printable, else Go-quoted.
func showEscape(s string, j int) string {
	e := escapeSnippet(s, j)
	for _, r := range e {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return strconv.Quote(e)
		}
	}
	return e
}

// escapeSnippet returns the escape sequence at s[j] ("\q", "\x4"), for
// messages.
func escapeSnippet(s string, j int) string {
	end := j + 2
	if end <= len(s) && s[j+1] == 'x' {
		end = j + 4
		for k := j + 2; k < end && k < len(s); k++ {
			if !isHexDigit(s[k]) {
				end = k + 1
				break
			}
		}
	}
	if end > len(s) {
		end = len(s)
	}
	// Don't cut a multi-byte character in half.
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end++
	}
	return s[j:end]
}

// quote returns s as a double-quoted string that scanQuoted decodes back to
// s: \ and " escaped, control bytes and invalid UTF-8 as escapes.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				writeHexEscape(&b, c)
				break
			}
			if c < utf8.RuneSelf {
				b.WriteByte(c)
				break
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				writeHexEscape(&b, c)
				break
			}
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		i++
	}
	b.WriteByte('"')
	return b.String()
}

func writeHexEscape(b *strings.Builder, c byte) {
	const hex = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

// describe names what is at s[i] for an error message: `end of input`, a
// quoted string, a keyword or word, or a single character.
func describe(s string, i int) string {
	if i >= len(s) {
		return "end of input"
	}
	c := s[i]
	switch {
	case c == '"' || c == '\'':
		return "a quoted string"
	case isLetter(c):
		end, _ := scanFieldName(s, i)
		return strconv.Quote(clip(s[i:end]))
	case isBareChar(c) && c != '[' && c != ']':
		end := i
		for end < len(s) && isBareChar(s[end]) {
			end++
		}
		return strconv.Quote(clip(s[i:end]))
	}
	return strconv.Quote(s[i : i+1])
}

// clip shortens long tokens in messages, on a character boundary.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	end := max
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + "..."
}
