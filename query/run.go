package query

import (
	"context"
	"runtime"
	"sync"

	"forensics/capture"
	"forensics/event"
	"forensics/format"
	"forensics/index"
	"forensics/query/fields"
	"forensics/render"
)

// Options select what Run reads.
type Options struct {
	Filter *Filter // nil: every event
	Since  uint64  // ns; 0 = from the start
	Until  uint64  // ns; 0 = to the end
	Limit  int     // stop after this many matches; 0 = no limit
	// StateOnly includes events kept only for state (sysdig hides them).
	StateOnly bool
	// HideInternal leaves out the internal meta events sysdig never
	// prints (procinfo, drop, ...).
	HideInternal bool
	// Workers decode and filter blocks in parallel (default: the number
	// of CPUs). fn still sees the events one at a time, in order.
	Workers int
}

// Run calls fn with every selected event of the capture, in order, until
// fn returns an error (which Run returns) or the capture ends. The index
// skips the blocks whose time span or event types cannot match; the
// others are decoded and filtered by several workers at once. The Ctx
// and its event are reused between calls.
func Run(ctx context.Context, c *capture.Capture, opts Options, fn func(*fields.Ctx) error) error {
	sel := index.Selection{Since: opts.Since, Until: opts.Until}
	if opts.Filter != nil {
		sel.Types = opts.Filter.Types
		sel.Comms = opts.Filter.Comms
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	n := 0
	for _, f := range c.Files {
		done, err := runFile(ctx, f, sel, opts, workers, &n, fn)
		if err != nil || done {
			return err
		}
	}
	return nil
}

// batch is one block's work: the decoded block and the rows that matched.
type batch struct {
	idx   int
	blk   *format.Block
	rows  []int
	err   error
	ready chan struct{}
}

// runFile runs one file. done is true when the limit was reached.
func runFile(ctx context.Context, f *format.File, sel index.Selection, opts Options, workers int, n *int,
	fn func(*fields.Ctx) error) (done bool, err error) {
	blocks := f.Select(sel)
	if len(blocks) == 0 {
		return false, nil
	}
	tables := fields.NewTables(f)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// In flight at most 2 blocks per worker; their Blocks are recycled.
	inflight := 2 * workers
	pool := make(chan *format.Block, inflight)
	for range inflight {
		pool <- &format.Block{}
	}
	jobs := make(chan *batch)
	order := make(chan *batch, inflight)
	var wg sync.WaitGroup
	for range workers {
		br, err := f.NewBlockReader()
		if err != nil {
			return false, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer br.Close()
			var ev event.Event
			fc := &fields.Ctx{Ev: &ev, Tables: tables}
			for b := range jobs {
				b.err = filterBlock(br, b, fc, sel, opts)
				close(b.ready)
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		for _, idx := range blocks {
			var blk *format.Block
			select {
			case blk = <-pool:
			case <-ctx.Done():
				return
			}
			b := &batch{idx: idx, blk: blk, ready: make(chan struct{})}
			select {
			case order <- b:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				close(b.ready)
				return
			}
		}
	}()
	defer func() {
		cancel()
		for b := range order { // drain so the producer ends
			<-b.ready
		}
		wg.Wait()
	}()

	var ev event.Event
	fc := &fields.Ctx{Ev: &ev, Tables: tables}
	for b := range order {
		<-b.ready
		if b.err != nil {
			return false, b.err
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
		for _, i := range b.rows {
			if err := b.blk.Event(i, &ev); err != nil {
				return false, err
			}
			if err := fn(fc); err != nil {
				return false, err
			}
			if *n++; opts.Limit > 0 && *n >= opts.Limit {
				return true, nil
			}
		}
		pool <- b.blk
	}
	// The producer stops early only when the context ends.
	return false, ctx.Err()
}

// filterBlock decodes one block and records the rows that pass the time
// range, the state-only rule and the filter.
func filterBlock(br *format.BlockReader, b *batch, fc *fields.Ctx, sel index.Selection, opts Options) error {
	if err := br.Read(b.idx, b.blk); err != nil {
		return err
	}
	ev := fc.Ev
	for i := 0; i < b.blk.Len(); i++ {
		if err := b.blk.Event(i, ev); err != nil {
			return err
		}
		if !sel.Contains(ev.Ts, uint16(ev.Type)) {
			continue
		}
		if ev.Flags&event.FlagStateOnly != 0 && !opts.StateOnly {
			continue
		}
		if opts.HideInternal && render.Internal(ev) {
			continue
		}
		if opts.Filter != nil && !opts.Filter.Match(fc) {
			continue
		}
		b.rows = append(b.rows, i)
	}
	return nil
}
