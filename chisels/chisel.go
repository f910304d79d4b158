package chisels

import (
	"context"
	"encoding/json"
	"fmt"
	"forensics/event"
	"forensics/render"
	"io"
	"slices"
	"sort"
	"strings"

	"forensics/capture"
	"forensics/query"
	"forensics/query/fields"
)

// Arg is an argument a chisel takes, in order.
type Arg struct {
	Name     string `json:"name"`
	Desc     string `json:"description"`
	Optional bool   `json:"optional"`
}

// Chisel is one canned investigation.
type Chisel struct {
	Name     string `json:"name"`
	Category string `json:"category"`
	Short    string `json:"short_description"`
	Desc     string `json:"description"`
	Args     []Arg  `json:"arguments"`
	run      func(ctx context.Context, e *Env, args []string) error
}

// Required is the number of arguments the chisel cannot do without.
func (c *Chisel) Required() int {
	n := 0
	for _, a := range c.Args {
		if !a.Optional {
			n++
		}
	}
	return n
}

// Env is what a chisel runs on and writes to.
type Env struct {
	Capture *capture.Capture
	// Filter is the user's filter, ANDed with the chisel's ("" = none).
	Filter string
	// Since and Until bound the events read (ns; 0 = open).
	Since, Until uint64
	// Top overrides the chisel's number of rows when > 0; -1 keeps
	// every row; 0 keeps the chisel's default.
	Top int
	// JSON asks for JSON output instead of sysdig's text.
	JSON bool
	Out  io.Writer
	// AroundOut is the capture file `around` writes.
	AroundOut string

	reg *fields.Source
}

// Run runs the chisel with its arguments.
func (c *Chisel) Run(ctx context.Context, e *Env, args []string) error {
	if len(args) < c.Required() || len(args) > len(c.Args) {
		return fmt.Errorf("%w: %s takes %s", ErrArgs, c.Name, c.usage())
	}
	if e.reg == nil {
		e.reg = fields.Syscall()
	}
	return c.run(ctx, e, args)
}

func (c *Chisel) usage() string {
	if len(c.Args) == 0 {
		return "no arguments"
	}
	var parts []string
	for _, a := range c.Args {
		if a.Optional {
			parts = append(parts, "["+a.Name+"]")
		} else {
			parts = append(parts, a.Name)
		}
	}
	return strings.Join(parts, " ")
}

// List returns every chisel, sorted by category and name.
func List() []*Chisel {
	var all []*Chisel
	all = append(all, tableChisels()...)
	all = append(all, stateChisels()...)
	all = append(all, printerChisels()...)
	all = append(all, latencyChisels()...)
	all = append(all, otherChisels()...)
	all = append(all, activityChisels()...)
	sort.Slice(all, func(i, j int) bool {
		if all[i].Category != all[j].Category {
			return all[i].Category < all[j].Category
		}
		return all[i].Name < all[j].Name
	})
	return all
}

// Find returns the chisel called name.
func Find(name string) (*Chisel, error) {
	for _, c := range List() {
		if c.Name == name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: %q (forensics chisel list shows them)", ErrUnknownChisel, name)
}

// compile compiles the chisel's filter ANDed with the user's.
func (e *Env) compile(chisel string) (*query.Filter, error) {
	var parts []string
	if strings.TrimSpace(chisel) != "" {
		parts = append(parts, "("+chisel+")")
	}
	if strings.TrimSpace(e.Filter) != "" {
		if _, err := query.Compile(e.Filter, e.reg, nil); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFilter, err)
		}
		parts = append(parts, "("+e.Filter+")")
	}
	if len(parts) == 0 {
		return nil, nil
	}
	f, err := query.Compile(strings.Join(parts, " and "), e.reg, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFilter, err)
	}
	return f, nil
}

// pass runs fn on every event of the capture matching the chisel's
// filter and the user's.
func (e *Env) pass(ctx context.Context, chisel string, fn func(*fields.Ctx) error) error {
	f, err := e.compile(chisel)
	if err != nil {
		return err
	}
	return query.Run(ctx, e.Capture, e.options(f), fn)
}

func (e *Env) options(f *query.Filter) query.Options {
	return query.Options{Filter: f, Since: e.Since, Until: e.Until, HideInternal: true}
}

// passParallel is pass run by the query workers: fn(worker, ...) keeps
// one partial result per worker (workers of them), merged by the caller.
// used are the fields fn reads, and fn reads no event.Parts itself: the
// events come without the parts none of them reads (query.Options.Skip).
func (e *Env) passParallel(ctx context.Context, chisel string, used []*fields.Bound, fn func(int, *fields.Ctx) error) (workers int, err error) {
	f, err := e.compile(chisel)
	if err != nil {
		return 0, err
	}
	opts := e.options(f)
	opts.Skip = event.AllParts
	for _, b := range used {
		opts.Skip &^= b.Field.Reads
	}
	return query.Workers(opts), query.RunParallel(ctx, e.Capture, opts, fn)
}

// passProcinfo is pass that also sees the procinfo events (sysdig hands
// them to chisels; the other internal events it keeps to itself).
func (e *Env) passProcinfo(ctx context.Context, chisel string, fn func(*fields.Ctx) error) error {
	f, err := e.compile(chisel)
	if err != nil {
		return err
	}
	opts := e.options(f)
	opts.HideInternal = false
	seen := append(fields.TypesNamed("procinfo"), fields.TypesNamed("sysdigevent")...)
	var hidden []event.Type
	for _, n := range []string{"container", "useradded", "userdeleted", "groupadded", "groupdeleted"} {
		hidden = append(hidden, fields.TypesNamed(n)...)
	}
	return query.Run(ctx, e.Capture, opts, func(c *fields.Ctx) error {
		t := c.Ev.Type
		if slices.Contains(hidden, t) || (render.InternalType(t) && !slices.Contains(seen, t)) {
			return nil
		}
		return fn(c)
	})
}

// field binds a field token ("fd.name", "proc.aname[1]", "evt.arg.data").
func (e *Env) field(token string) (*fields.Bound, error) {
	name, arg, hasArg := token, "", false
	if i := strings.IndexByte(token, '['); i > 0 && strings.HasSuffix(token, "]") {
		name, arg, hasArg = token[:i], token[i+1:len(token)-1], true
	}
	b, err := e.reg.Lookup(name, arg, hasArg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrArgs, err)
	}
	return b, nil
}

// fieldsOf binds several field tokens.
func (e *Env) fieldsOf(tokens ...string) ([]*fields.Bound, error) {
	out := make([]*fields.Bound, len(tokens))
	for i, t := range tokens {
		b, err := e.field(t)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// span returns the first and last event timestamps of the capture.
func (e *Env) span() (first, last uint64) {
	for i, f := range e.Capture.Files {
		a, b := f.Index.Span()
		if i == 0 || a < first {
			first = a
		}
		if b > last {
			last = b
		}
	}
	return first, last
}

// top is the number of rows to keep given the chisel's default.
func (e *Env) top(def int) int {
	switch {
	case e.Top > 0:
		return e.Top
	case e.Top < 0:
		return 0
	}
	return def
}

// writeJSON writes v as one indented JSON document.
func (e *Env) writeJSON(v any) error {
	enc := json.NewEncoder(e.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// jsonLine writes v as one line of JSON (the printers' JSON lines).
func (e *Env) jsonLine(v any) error {
	enc := json.NewEncoder(e.Out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// num returns a value as a signed number (false for non-numbers).
func num(v fields.Value) (int64, bool) {
	switch v.Kind {
	case fields.TInt, fields.TRelTime:
		return v.I, true
	case fields.TUint, fields.TPort, fields.TAbsTime:
		return int64(v.U), true
	case fields.TBool:
		if v.B {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// jsonLineTo writes v as one line of JSON to w.
func (e *Env) jsonLineTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// queryRun runs the query engine with opts.
func queryRun(ctx context.Context, e *Env, opts query.Options, fn func(*fields.Ctx) error) error {
	return query.Run(ctx, e.Capture, opts, fn)
}
