package query

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"forensics/query/fields"
	"forensics/query/filter"
)

// operand is a compiled right-hand side: the literal(s) parsed for the
// field's type.
type operand struct {
	strs  []string
	set   map[string]bool
	ints  []int64
	uints []uint64
	iset  map[uint64]bool
	bools []bool
	nets  []netip.Prefix
	bufs  [][]byte
	re    *regexp.Regexp
}

// parseOperand parses the literal values of a check for the field's type.
func parseOperand(typ fields.Type, op filter.Op, vals []string) (*operand, error) {
	o := &operand{strs: vals}
	switch op {
	case filter.OpRegex:
		if len(vals) != 1 {
			return nil, fmt.Errorf("regex takes one pattern")
		}
		re, err := regexp.Compile("^(?:" + vals[0] + ")$")
		if err != nil {
			return nil, fmt.Errorf("bad regex: %v", err)
		}
		o.re = re
		return o, nil
	case filter.OpBContains, filter.OpBStartsWith:
		for _, v := range vals {
			b, err := hex.DecodeString(v)
			if err != nil {
				return nil, fmt.Errorf("%s takes a hex string: %q", op, v)
			}
			o.bufs = append(o.bufs, b)
		}
		return o, nil
	}
	switch typ {
	case fields.TInt, fields.TRelTime:
		for _, v := range vals {
			n, err := strconv.ParseInt(v, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not a number", v)
			}
			o.ints = append(o.ints, n)
		}
	case fields.TUint, fields.TPort, fields.TAbsTime:
		o.iset = map[uint64]bool{}
		for _, v := range vals {
			n, err := strconv.ParseUint(v, 0, 64)
			if err != nil {
				if i, err2 := strconv.ParseInt(v, 0, 64); err2 == nil && i < 0 {
					n = uint64(i)
				} else {
					return nil, fmt.Errorf("%q is not a number", v)
				}
			}
			o.uints = append(o.uints, n)
			o.iset[n] = true
		}
	case fields.TBool:
		for _, v := range vals {
			switch v {
			case "true":
				o.bools = append(o.bools, true)
			case "false":
				o.bools = append(o.bools, false)
			default:
				return nil, fmt.Errorf("%q is not true or false", v)
			}
		}
	case fields.TIP:
		for _, v := range vals {
			if p, err := netip.ParsePrefix(v); err == nil {
				o.nets = append(o.nets, p.Masked())
				continue
			}
			a, err := netip.ParseAddr(v)
			if err != nil {
				return nil, fmt.Errorf("%q is not an IP address or network", v)
			}
			o.nets = append(o.nets, netip.PrefixFrom(a, a.BitLen()))
		}
	case fields.TBytes:
		for _, v := range vals {
			o.bufs = append(o.bufs, []byte(v))
		}
	}
	if op == filter.OpIn || op == filter.OpIntersects || op == filter.OpPmatch {
		o.set = make(map[string]bool, len(vals))
		for _, v := range vals {
			o.set[v] = true
		}
	}
	return o, nil
}

// The typed views of operand value k. A field whose type is only known per
// event (evt.rawarg takes its parameter's) can meet an operand parsed for
// another type: the value is then parsed from its text on the spot.

func (o *operand) intAt(k int) (int64, bool) {
	if k < len(o.ints) {
		return o.ints[k], true
	}
	v, err := strconv.ParseInt(o.strs[k], 0, 64)
	return v, err == nil
}

func (o *operand) uintAt(k int) (uint64, bool) {
	if k < len(o.uints) {
		return o.uints[k], true
	}
	if v, err := strconv.ParseUint(o.strs[k], 0, 64); err == nil {
		return v, true
	}
	v, err := strconv.ParseInt(o.strs[k], 0, 64)
	return uint64(v), err == nil
}

func (o *operand) boolAt(k int) (bool, bool) {
	if k < len(o.bools) {
		return o.bools[k], true
	}
	switch o.strs[k] {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func (o *operand) netAt(k int) (netip.Prefix, bool) {
	if k < len(o.nets) {
		return o.nets[k], true
	}
	if p, err := netip.ParsePrefix(o.strs[k]); err == nil {
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(o.strs[k])
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

func (o *operand) bufAt(k int) []byte {
	if k < len(o.bufs) {
		return o.bufs[k]
	}
	return []byte(o.strs[k])
}

// compareOne applies op to one extracted value and operand value k. With
// several operand values (a list or a modifier), the caller combines.
func compareOne(v fields.Value, op filter.Op, o *operand, k int) bool {
	if k >= len(o.strs) && o.re == nil && k >= len(o.bufs) {
		return false
	}
	switch v.Kind {
	case fields.TString, fields.TStrings:
		return compareString(v.S, op, o, k)
	case fields.TBytes:
		return compareBytes(v.Buf, op, o, k)
	case fields.TInt, fields.TRelTime:
		b, ok := o.intAt(k)
		return ok && compareOrdered(v.I, op, b)
	case fields.TUint, fields.TPort, fields.TAbsTime:
		b, ok := o.uintAt(k)
		return ok && compareOrdered(v.U, op, b)
	case fields.TBool:
		b, ok := o.boolAt(k)
		switch {
		case !ok:
			return false
		case op == filter.OpEq || op == filter.OpEqEq:
			return v.B == b
		case op == filter.OpNe:
			return v.B != b
		}
	case fields.TIP:
		n, ok := o.netAt(k)
		if !ok {
			return false
		}
		in := n.Contains(v.IP.Unmap())
		switch op {
		case filter.OpEq, filter.OpEqEq, filter.OpIn, filter.OpIntersects:
			return in
		case filter.OpNe:
			return !in
		}
	}
	return false
}

// compareOrdered applies an equality or ordering operator to two numbers.
func compareOrdered[T cmp.Ordered](a T, op filter.Op, b T) bool {
	switch op {
	case filter.OpEq, filter.OpEqEq, filter.OpIn, filter.OpIntersects:
		return a == b
	case filter.OpNe:
		return a != b
	case filter.OpLt:
		return a < b
	case filter.OpLe:
		return a <= b
	case filter.OpGt:
		return a > b
	case filter.OpGe:
		return a >= b
	}
	return false
}

func compareString(s string, op filter.Op, o *operand, k int) bool {
	switch op {
	case filter.OpEq, filter.OpEqEq:
		return s == o.strs[k]
	case filter.OpNe:
		return s != o.strs[k]
	case filter.OpLt:
		return s < o.strs[k]
	case filter.OpLe:
		return s <= o.strs[k]
	case filter.OpGt:
		return s > o.strs[k]
	case filter.OpGe:
		return s >= o.strs[k]
	case filter.OpContains:
		return strings.Contains(s, o.strs[k])
	case filter.OpIContains:
		return strings.Contains(strings.ToLower(s), strings.ToLower(o.strs[k]))
	case filter.OpStartsWith:
		return strings.HasPrefix(s, o.strs[k])
	case filter.OpEndsWith:
		return strings.HasSuffix(s, o.strs[k])
	case filter.OpBContains:
		return bytes.Contains([]byte(s), o.bufAt(k))
	case filter.OpBStartsWith:
		return bytes.HasPrefix([]byte(s), o.bufAt(k))
	case filter.OpGlob:
		return globMatch(o.strs[k], s, false)
	case filter.OpIGlob:
		return globMatch(o.strs[k], s, true)
	case filter.OpRegex:
		return o.re.MatchString(s)
	case filter.OpIn, filter.OpIntersects:
		return o.set[s]
	case filter.OpPmatch:
		return pathMatch(s, o.strs)
	}
	return false
}

func compareBytes(b []byte, op filter.Op, o *operand, k int) bool {
	switch op {
	case filter.OpEq, filter.OpEqEq:
		return bytes.Equal(b, o.bufAt(k))
	case filter.OpNe:
		return !bytes.Equal(b, o.bufAt(k))
	case filter.OpContains, filter.OpBContains:
		return bytes.Contains(b, o.bufAt(k))
	case filter.OpStartsWith, filter.OpBStartsWith:
		return bytes.HasPrefix(b, o.bufAt(k))
	case filter.OpEndsWith:
		return bytes.HasSuffix(b, o.bufAt(k))
	case filter.OpIn, filter.OpIntersects:
		return o.set[string(b)]
	}
	return false
}

// pathMatch is pmatch: s equals an entry or lies below it, component by
// component; entries may hold glob characters per component.
func pathMatch(s string, entries []string) bool {
	for _, e := range entries {
		e = strings.TrimSuffix(e, "/")
		if e == "" {
			continue
		}
		sc := strings.Split(strings.Trim(s, "/"), "/")
		ec := strings.Split(strings.Trim(e, "/"), "/")
		if len(sc) < len(ec) {
			continue
		}
		ok := true
		for i := range ec {
			if !globMatch(ec[i], sc[i], false) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// globMatch is fnmatch without FNM_PATHNAME: * and ? also match '/'.
func globMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				nextPx, nextSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			case '[':
				if sx < len(s) {
					if n, ok := matchClass(pattern[px:], s[sx]); n > 0 && ok {
						px += n
						sx++
						continue
					} else if n == 0 && s[sx] == '[' {
						px++
						sx++
						continue
					}
				}
			case '\\':
				if px+1 < len(pattern) && sx < len(s) && pattern[px+1] == s[sx] {
					px += 2
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextSx > 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}

// matchClass matches a bracket expression at the start of p against c. It
// returns the expression's length (0 when p holds none) and the match.
func matchClass(p string, c byte) (int, bool) {
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	match := false
	first := true
	for i < len(p) && (p[i] != ']' || first) {
		first = false
		lo := p[i]
		hi := lo
		if i+2 < len(p) && p[i+1] == '-' && p[i+2] != ']' {
			hi = p[i+2]
			i += 2
		}
		if lo <= c && c <= hi {
			match = true
		}
		i++
	}
	if i >= len(p) {
		return 0, false
	}
	return i + 1, match != neg
}

// transform applies a transformer to a value.
func transform(name string, v fields.Value) (fields.Value, bool) {
	s := v.S
	if v.Kind == fields.TBytes {
		s = string(v.Buf)
	} else if v.Kind != fields.TString {
		s = v.String()
	}
	switch name {
	case "tolower":
		return fields.Str(strings.ToLower(s)), true
	case "toupper":
		return fields.Str(strings.ToUpper(s)), true
	case "basename":
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			s = s[i+1:]
		}
		return fields.Str(s), true
	case "b64":
		d, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			d, err = base64.RawStdEncoding.DecodeString(s)
		}
		if err != nil {
			return fields.Value{}, false
		}
		return fields.Str(string(d)), true
	case "len":
		if v.Kind == fields.TStrings {
			return fields.Uint(uint64(len(v.List))), true
		}
		if i := strings.IndexByte(s, 0); i >= 0 && v.Kind == fields.TString {
			s = s[:i]
		}
		return fields.Uint(uint64(len(s))), true
	}
	return fields.Value{}, false
}
