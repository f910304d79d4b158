package query

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"forensics/audit"
	"forensics/capture"
	"forensics/event"
	"forensics/index"
	"forensics/query/fields"
)

// Audit inputs: the k8s_audit source runs on the same filters and rules
// as captures, one event at a time (an audit event is a JSON document, not
// a row of a columnar block): RunAudit parses each event, builds a Ctx
// whose Audit is the event and whose Ev is a stand-in with its number and
// time, and calls Filter.Match.

// IsAuditLog reports whether input is an audit log (JSON, plain or
// gzipped; see audit.IsLog) rather than a capture.
func IsAuditLog(input string) bool { return audit.IsLog(input) }

// IsAuditCapture reports whether a capture holds audit events and nothing
// else (the files audit serve writes).
func IsAuditCapture(c *capture.Capture) bool {
	n := 0
	for _, f := range c.Files {
		for i := range f.Index.Blocks {
			ts := f.Index.Blocks[i].Types
			if ts.Len() != 1 || !ts.Has(uint16(audit.PluginEventType)) {
				return false
			}
			n++
		}
	}
	return n > 0
}

// AuditOptions select what RunAudit reads.
type AuditOptions struct {
	Filter *Filter // nil: every event; compiled against fields.K8sAudit()
	Since  uint64  // ns; 0 = from the start
	Until  uint64  // ns; 0 = to the end
	Limit  int     // stop after this many events; 0 = no limit
	// Bad is called with each bad line (a *audit.LineError), which is
	// skipped; nil ignores them.
	Bad func(error)
}

// AuditStats count what RunAudit read.
type AuditStats struct {
	Events uint64 // audit events read
	Bad    int    // bad lines or stored events skipped
}

// errStop ends a run at the limit.
var errStop = errors.New("stop")

// RunAudit calls fn with every selected audit event of input, in order:
// input is an audit log (a file or a directory, see audit.LogFiles) or a
// capture holding audit events. The Ctx is reused between calls.
func RunAudit(ctx context.Context, input string, opts AuditOptions, fn func(*fields.Ctx) error) (AuditStats, error) {
	var st AuditStats
	var ev event.Event
	fc := &fields.Ctx{Ev: &ev}
	matched := 0
	visit := func(a *audit.Event) error {
		st.Events++
		if opts.Since != 0 && a.Time < opts.Since || opts.Until != 0 && a.Time > opts.Until {
			return nil
		}
		ev = event.Event{Num: st.Events, Ts: a.Time, Tid: -1, Type: audit.PluginEventType, FD: event.FD{Num: event.NoFD}}
		fc.Audit = a
		if opts.Filter != nil && !opts.Filter.Match(fc) {
			return nil
		}
		if err := fn(fc); err != nil {
			return err
		}
		if matched++; opts.Limit > 0 && matched >= opts.Limit {
			return errStop
		}
		return nil
	}
	bad := func(err error) {
		st.Bad++
		if opts.Bad != nil {
			opts.Bad(err)
		}
	}
	var err error
	if IsAuditLog(input) {
		err = runAuditLog(ctx, input, bad, visit)
	} else {
		err = runAuditCapture(ctx, input, bad, visit)
	}
	if errors.Is(err, errStop) {
		err = nil
	}
	return st, err
}

func runAuditLog(ctx context.Context, input string, bad func(error), visit func(*audit.Event) error) error {
	files, err := audit.LogFiles(input)
	if err != nil {
		return err
	}
	for _, name := range files {
		if err := runAuditFile(ctx, name, bad, visit); err != nil {
			return err
		}
	}
	return nil
}

func runAuditFile(ctx context.Context, name string, bad func(error), visit func(*audit.Event) error) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := audit.NewReader(f, name)
	if err != nil {
		return err
	}
	defer r.Close()
	for i := 0; ; i++ {
		if i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		a, err := r.Next()
		var le *audit.LineError
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.As(err, &le):
			bad(err)
			continue
		case err != nil:
			return err
		}
		if err := visit(a); err != nil {
			return err
		}
	}
}

func runAuditCapture(ctx context.Context, input string, bad func(error), visit func(*audit.Event) error) error {
	c, err := capture.Open(input)
	if err != nil {
		return err
	}
	defer c.Close()
	sel := index.Selection{Types: &index.TypeSet{}}
	sel.Types.Add(uint16(audit.PluginEventType))
	it := c.Iter(sel)
	defer it.Close()
	var ev event.Event
	var dec audit.Decoder
	for i := 0; it.Next(&ev); i++ {
		if i&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		raw, ok := audit.FromEvent(&ev)
		if !ok {
			continue
		}
		a, err := dec.Decode(raw, ev.Ts)
		if err != nil {
			bad(fmt.Errorf("%s: event %d: %w", it.File().Name, ev.Num, err))
			continue
		}
		a.File = it.File().Name
		if err := visit(a); err != nil {
			return err
		}
	}
	return it.Err()
}

// AuditFormat is the default line of `forensics query` for audit events:
// number, time, stage, user, verb, target, response code and URI.
const AuditFormat = "*%evt.num %evt.outputtime %ka.stage %ka.user.name %ka.verb %ka.target.resource %ka.target.namespace/%ka.target.name %ka.response.code %ka.uri"

// FirstAuditTime returns the time of the first audit event of input, 0
// when it has none.
func FirstAuditTime(ctx context.Context, input string) uint64 {
	var first uint64
	_, _ = RunAudit(ctx, input, AuditOptions{Limit: 1}, func(c *fields.Ctx) error {
		first = c.Audit.Time
		return nil
	})
	return first
}
