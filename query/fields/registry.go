package fields

import (
	"forensics/event"

	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrUnknownField is returned for a name no field has.
var ErrUnknownField = errors.New("unknown field")

// ErrBadArgument is returned for a field argument the field does not take.
var ErrBadArgument = errors.New("bad field argument")

// ArgMode says what argument a field takes.
type ArgMode uint8

const (
	ArgNone     ArgMode = iota
	ArgIndex            // [N]: proc.aname[2]; optional unless ArgRequired
	ArgKey              // [key] or .key: proc.env[HOME], evt.arg.fd
	ArgRequired = 1 << 7
)

// Flags annotate a field.
type Flags uint8

const (
	// NoTransformer: the field cannot be wrapped in a transformer.
	NoTransformer Flags = 1 << iota
	// Hidden: not listed by `forensics fields`.
	Hidden
)

// Extractor extracts a field's value for the event in c. ok is false when
// the value cannot be known (it prints <NA>, and every comparison on it is
// false).
type Extractor func(c *Ctx) (v Value, ok bool)

// Field is one registered field.
type Field struct {
	Name  string
	Type  Type
	Desc  string
	Arg   ArgMode
	Flags Flags
	Dep   Dep // what the value depends on (DepEvent unless known narrower)
	// FDOnly says the value is missing on every event whose type refers
	// to no fd (FDRelatedType false): a filter rejects those events by
	// their type alone.
	FDOnly bool
	// Reads are the event.Parts the value may depend on (Ts: also the
	// tables at that time); a pass whose fields all leave a part out may
	// leave it unread (query.Options.Skip). AllParts unless known
	// narrower.
	Reads event.Parts
	// Append, when set, appends the field's text (Value.String of what
	// the extractor gives) to dst without making a Value: output formats
	// use it for long texts such as evt.info.
	Append func(dst []byte, c *Ctx) ([]byte, bool)
	// Bind returns the extractor for an argument ("" when none is given).
	// It checks the argument.
	Bind func(arg string, hasArg bool) (Extractor, error)
}

// Source is a registry of the fields of one event source.
type Source struct {
	Name   string
	fields map[string]*Field
	sorted []*Field
}

// NewSource returns a registry with fields.
func NewSource(name string, fs []*Field) *Source {
	s := &Source{Name: name, fields: make(map[string]*Field, len(fs))}
	for _, f := range fs {
		s.fields[f.Name] = f
	}
	s.sorted = append(s.sorted, fs...)
	sort.Slice(s.sorted, func(i, j int) bool { return s.sorted[i].Name < s.sorted[j].Name })
	return s
}

// All returns the fields sorted by name.
func (s *Source) All() []*Field { return s.sorted }

// Bound is a field with its argument, ready to extract.
type Bound struct {
	Field *Field
	Arg   string
	Ext   Extractor
	// App is Field.Append for a field without argument, else nil.
	App func(dst []byte, c *Ctx) ([]byte, bool)
}

// Lookup resolves a field token as libsinsp does: the longest registered
// name that is the token or a prefix of it followed by "." takes the rest
// as its argument; a bracketed argument (arg, hasArg) is the other form.
func (s *Source) Lookup(token, arg string, hasArg bool) (*Bound, error) {
	name := token
	for {
		if f, ok := s.fields[name]; ok {
			if name != token {
				if hasArg || f.Arg&^ArgRequired != ArgKey {
					return nil, fmt.Errorf("%w: %q", ErrUnknownField, token)
				}
				arg, hasArg = token[len(name)+1:], true
			}
			if hasArg && f.Arg == ArgNone {
				return nil, fmt.Errorf("%w: %s takes no argument", ErrBadArgument, f.Name)
			}
			if !hasArg && f.Arg&ArgRequired != 0 {
				return nil, fmt.Errorf("%w: %s needs an argument", ErrBadArgument, f.Name)
			}
			ext, err := f.Bind(arg, hasArg)
			if err != nil {
				return nil, fmt.Errorf("%w: %s[%s]: %v", ErrBadArgument, f.Name, arg, err)
			}
			b := &Bound{Field: f, Arg: arg, Ext: ext}
			if !hasArg {
				b.App = f.Append
			}
			return b, nil
		}
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			return nil, fmt.Errorf("%w: %q", ErrUnknownField, token)
		}
		name = name[:i]
	}
}

// simple binds a field without argument to one extractor.
func simple(e Extractor) func(string, bool) (Extractor, error) {
	return func(string, bool) (Extractor, error) { return e, nil }
}
