package query

import (
	"context"

	"forensics/capture"
	"forensics/event"
	"forensics/index"
	"forensics/query/fields"
)

// Options select what Run reads.
type Options struct {
	Filter *Filter // nil: every event
	Since  uint64  // ns; 0 = from the start
	Until  uint64  // ns; 0 = to the end
	Limit  int     // stop after this many matches; 0 = no limit
	// StateOnly includes events kept only for state (sysdig hides them).
	StateOnly bool
}

// Run calls fn with every selected event of the capture, in order, until
// fn returns an error (which Run returns) or the capture ends. The index
// skips the blocks whose time span or event types cannot match. The Ctx
// and its event are reused between calls.
func Run(ctx context.Context, c *capture.Capture, opts Options, fn func(*fields.Ctx) error) error {
	sel := index.Selection{Since: opts.Since, Until: opts.Until}
	if opts.Filter != nil {
		sel.Types = opts.Filter.Types
	}
	var ev event.Event
	fc := &fields.Ctx{Ev: &ev}
	n := 0
	for _, f := range c.Files {
		fc.Tables = fields.NewTables(f)
		it, err := f.Iter(sel)
		if err != nil {
			return err
		}
		k := 0
		for it.Next(&ev) {
			if k++; k&4095 == 0 {
				if err := ctx.Err(); err != nil {
					it.Close()
					return err
				}
			}
			if ev.Flags&event.FlagStateOnly != 0 && !opts.StateOnly {
				continue
			}
			if opts.Filter != nil && !opts.Filter.Match(fc) {
				continue
			}
			if err := fn(fc); err != nil {
				it.Close()
				return err
			}
			if n++; opts.Limit > 0 && n >= opts.Limit {
				it.Close()
				return nil
			}
		}
		err = it.Err()
		it.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
