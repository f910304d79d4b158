package query

import (
	"encoding/json"
	"forensics/event"
	"strings"
	"unicode/utf8"

	"forensics/query/fields"
	"forensics/query/filter"
)

// DefaultFormat is sysdig's default event line (stdout not a terminal).
const DefaultFormat = "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info"

// ContainerFormat is sysdig's -pc line.
const ContainerFormat = "*%evt.num %evt.outputtime %evt.cpu %container.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info"

// Printer renders events with an output format string, as sysdig -p and
// Falco outputs do.
type Printer struct {
	allowMissing bool
	parts        []printPart
	reads        event.Parts // what the fields read (fields.Field.Reads)
}

// Reads returns the event.Parts the printer's fields read: a run that
// only prints may skip the others (Options.Skip).
func (p *Printer) Reads() event.Parts { return p.reads }

type printPart struct {
	text  string
	name  string // the field token as written, for JSON keys
	ext   fields.Extractor
	app   func(dst []byte, c *fields.Ctx) ([]byte, bool) // when no transformer or width
	trans []string
	width int
}

// NewPrinter compiles a format string against a registry.
func NewPrinter(format string, reg *fields.Source) (*Printer, error) {
	f, err := filter.ParseFormat(format)
	if err != nil {
		return nil, err
	}
	p := &Printer{allowMissing: f.AllowMissing}
	for _, fp := range f.Parts {
		if fp.Field == nil {
			p.parts = append(p.parts, printPart{text: fp.Text})
			continue
		}
		b, err := reg.Lookup(fp.Field.Name, fp.Field.Arg, fp.Field.HasArg)
		if err != nil {
			return nil, errAt(fp.Pos, "%v", err)
		}
		p.reads |= b.Field.Reads
		pp := printPart{name: tokenName(fp.Field), ext: b.Ext, trans: fp.Field.Transformers, width: fp.Width}
		if len(pp.trans) == 0 && pp.width == 0 {
			pp.app = b.App
		}
		p.parts = append(p.parts, pp)
	}
	return p, nil
}

func tokenName(f *filter.FieldRef) string {
	s := f.Name
	if f.HasArg {
		s += "[" + f.Arg + "]"
	}
	for i := len(f.Transformers) - 1; i >= 0; i-- {
		s = f.Transformers[i] + "(" + s + ")"
	}
	return s
}

// Append renders the event in c into dst. ok is false when a value is
// missing and the format does not start with "*": sysdig then prints
// nothing for the event.
func (p *Printer) Append(dst []byte, c *fields.Ctx) (out []byte, ok bool) {
	start := len(dst)
	for i := range p.parts {
		pp := &p.parts[i]
		if pp.ext == nil {
			dst = append(dst, pp.text...)
			continue
		}
		if pp.app != nil {
			var found bool
			if dst, found = pp.app(dst, c); !found {
				if !p.allowMissing {
					return dst[:start], false
				}
				dst = append(dst, "<NA>"...)
			}
			continue
		}
		var v fields.Value
		var found bool
		if len(pp.trans) == 0 {
			v, found = pp.ext(c) // no transformer: spare extract's copy of v
		} else {
			v, found = extract(pp.ext, pp.trans, c)
		}
		if !found && !p.allowMissing {
			return dst[:start], false
		}
		if found && pp.width == 0 {
			dst = v.AppendText(dst)
			continue
		}
		s := "<NA>"
		if found {
			s = v.String()
		}
		if pp.width > 0 {
			if len(s) > pp.width {
				s = s[:pp.width]
			} else {
				dst = append(dst, s...)
				s = strings.Repeat(" ", pp.width-len(s))
			}
		}
		dst = append(dst, s...)
	}
	return dst, true
}

// AppendJSON renders the event as one JSON object whose keys are the
// format's field tokens; missing values are null.
func (p *Printer) AppendJSON(dst []byte, c *fields.Ctx) []byte {
	dst = append(dst, '{')
	first := true
	for i := range p.parts {
		pp := &p.parts[i]
		if pp.ext == nil {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = AppendJSONString(dst, pp.name)
		dst = append(dst, ':')
		v, found := extract(pp.ext, pp.trans, c)
		switch {
		case !found:
			dst = append(dst, "null"...)
		case v.Kind == fields.TInt || v.Kind == fields.TUint || v.Kind == fields.TPort ||
			v.Kind == fields.TAbsTime || v.Kind == fields.TRelTime || v.Kind == fields.TBool:
			dst = append(dst, v.String()...)
		case v.Kind == fields.TStrings:
			b, _ := json.Marshal(v.List)
			dst = append(dst, b...)
		default:
			dst = AppendJSONString(dst, v.String())
		}
	}
	return append(dst, '}')
}

// AppendJSONString appends s as a JSON string, without the HTML escaping
// of encoding/json: "<NA>" and "<f>/etc" stay readable. Every machine
// output that prints field values as JSON uses it.
func AppendJSONString(dst []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexd[r>>4], hexd[r&15])
		default:
			dst = utf8.AppendRune(dst, r) // invalid bytes become U+FFFD
		}
	}
	return append(dst, '"')
}
