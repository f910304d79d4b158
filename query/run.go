package query

import (
	"context"
	"io"
	"runtime"
	"sync"

	"forensics/capture"
	"forensics/event"
	"forensics/format"
	"forensics/index"
	"forensics/internal/hugeheap"
	"forensics/query/fields"
	"forensics/render"
)

// Options select what Run reads.
type Options struct {
	Filter *Filter // nil: every event
	Since  uint64  // ns; 0 = from the start
	Until  uint64  // ns; 0 = to the end
	// Limit stops the run after this many events (Run) or lines
	// (WriteLines); 0 = no limit.
	Limit int
	// StateOnly includes events kept only for state (sysdig hides them).
	StateOnly bool
	// HideInternal leaves out the internal meta events sysdig never
	// prints (procinfo, drop, ...).
	HideInternal bool
	// Workers decode and filter blocks in parallel (default: the number
	// of CPUs). fn still sees the events one at a time, in order.
	Workers int
	// Skip are the event.Parts the caller reads neither itself nor
	// through a field (see fields.Field.Reads): Event leaves them zero,
	// unless the filter reads them, which spares reading their columns
	// (the timestamps are the one column whose rows cannot be found
	// without summing those before them). Since and Until are applied
	// from the timestamps regardless.
	Skip event.Parts
}

// Run calls fn with every selected event of the capture, in order, until
// fn returns an error (which Run returns) or the capture ends. The index
// skips the blocks whose time span, event types or process names cannot
// match; the others are decoded and filtered a block at a time (see
// vector.go) by several workers at once. The Ctx and its event are reused
// between calls.
func Run(ctx context.Context, c *capture.Capture, opts Options, fn func(*fields.Ctx) error) error {
	n := 0
	var ev event.Event
	consume := func(b *batch, tables *fields.Tables) (bool, error) {
		fc := &fields.Ctx{Ev: &ev, Tables: tables}
		for _, r := range b.rows {
			if err := b.blk.Event(int(r), &ev); err != nil {
				return false, err
			}
			if err := fn(fc); err != nil {
				return false, err
			}
			if n++; opts.Limit > 0 && n >= opts.Limit {
				return true, nil
			}
		}
		return false, nil
	}
	return run(ctx, c, opts, nil, consume)
}

// Workers returns the number of workers a run with opts uses.
func Workers(opts Options) int {
	if opts.Workers > 0 {
		return opts.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// RunParallel calls fn with every selected event of the capture, like
// Run, but from the workers that filter the blocks, so that each matched
// event is decoded once and the work uses every core: worker (in [0,
// Workers(opts))) tells which one calls, and no two calls with the same
// worker overlap. Events come in no particular order; opts.Limit is
// ignored. It suits aggregations that keep one partial result per worker
// and merge them at the end. The first error fn returns ends the run.
func RunParallel(ctx context.Context, c *capture.Capture, opts Options, fn func(worker int, c *fields.Ctx) error) error {
	opts.Limit = 0
	consume := func(*batch, *fields.Tables) (bool, error) { return false, nil }
	return runWith(ctx, c, opts, nil, nil, fn, consume)
}

// LineFunc renders the event in c as one line (without the newline),
// appending it to dst; ok false prints nothing for the event. It is called
// from several goroutines at once.
type LineFunc func(dst []byte, c *fields.Ctx) (out []byte, ok bool)

// WriteLines writes line's rendering of every selected event of the
// capture to w, each followed by a newline, in order, and returns the
// number of lines written. The workers that filter the blocks also render
// their events, so formatting uses every core too. opts.Limit counts
// lines.
func WriteLines(ctx context.Context, c *capture.Capture, opts Options, line LineFunc, w io.Writer) (int, error) {
	n := 0
	consume := func(b *batch, _ *fields.Tables) (bool, error) {
		if opts.Limit > 0 && n+len(b.ends) >= opts.Limit {
			k := opts.Limit - n
			end := 0
			if k > 0 {
				end = b.ends[k-1]
			}
			n += k
			_, err := w.Write(b.out[:end])
			return true, err
		}
		n += len(b.ends)
		_, err := w.Write(b.out)
		return false, err
	}
	err := run(ctx, c, opts, line, consume)
	return n, err
}

// batch is one block's work: the decoded block, the rows that matched
// and, when rendering, their lines.
type batch struct {
	idx  int
	blk  *format.Block
	rows []int32
	out  []byte // rendered lines
	ends []int  // end offset in out of each line
	// RunMulti: the rows the options selected, and per kept row the
	// filters that match it (which[whichEnd[k-1]:whichEnd[k]]).
	examined int
	which    []int32
	whichEnd []int32
	rowPos   []int32
	err      error
	ready    chan struct{}
}

// run drives the workers over every file; consume takes each block's
// results in order and reports when the run is done.
func run(ctx context.Context, c *capture.Capture, opts Options, line LineFunc,
	consume func(*batch, *fields.Tables) (bool, error)) error {
	return runWith(ctx, c, opts, line, nil, nil, consume)
}

// runWith is run with, optionally, several filters decided per block
// (RunMulti) or every matched event handed to visit by the worker that
// filtered it (RunParallel).
func runWith(ctx context.Context, c *capture.Capture, opts Options, line LineFunc, multi []*Filter,
	visit func(int, *fields.Ctx) error, consume func(*batch, *fields.Tables) (bool, error)) error {
	sel := index.Selection{Since: opts.Since, Until: opts.Until}
	if opts.Filter != nil {
		sel.Types = opts.Filter.Types
		sel.Comms = opts.Filter.Comms
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	for _, f := range c.Files {
		done, err := runFile(ctx, f, sel, opts, workers, line, multi, visit, consume)
		if err != nil || done {
			return err
		}
	}
	return nil
}

// From hugeBlocks blocks (about 500,000 events) on, a run asks for huge
// pages on a heap of hugeReserve bytes (see internal/hugeheap): the fixed
// cost, about 7 ms, is then a few percent of the run, and the faults it
// spares are a seventh of it. hugeReserve is more than a query or chisel
// keeps live at once.
const (
	hugeBlocks  = 8
	hugeReserve = 64 << 20
)

// runFile runs one file. done is true when consume said so.
func runFile(ctx context.Context, f *format.File, sel index.Selection, opts Options, workers int, line LineFunc,
	multi []*Filter, visit func(int, *fields.Ctx) error, consume func(*batch, *fields.Tables) (bool, error)) (done bool, err error) {
	blocks := f.Select(sel)
	if len(blocks) == 0 {
		return false, nil
	}
	if len(blocks) >= hugeBlocks {
		// Long work: huge pages spare most of its page faults. A failure
		// (no THP here) changes nothing.
		_ = hugeheap.Reserve(hugeReserve)
	}
	// The workers share the tables; the process table in them is decoded
	// as the fields ask for incarnations.
	tables := fields.NewTables(f)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// One block in flight per worker; their Blocks are recycled. A spare
	// one, for a worker done before the block ahead of its own is
	// written, cost more in memory first touched (page faults) than it
	// saved in waiting: blocks take about as long as each other.
	inflight := workers
	pool := make(chan *batch, inflight)
	skip := opts.Skip
	if opts.Filter != nil {
		skip &^= opts.Filter.Reads
	}
	for range inflight {
		// Deciding many filters, each its own pass over a block's rows,
		// reads columns best decoded whole.
		pool <- &batch{blk: &format.Block{Whole: multi != nil, Skip: skip}}
	}
	jobs := make(chan *batch)
	order := make(chan *batch, inflight)
	var wg sync.WaitGroup
	// Unordered (RunParallel): nothing is consumed in block order, so a
	// worker hands its batch back as soon as it is done with it and takes
	// the next block at once, rather than wait for the block ahead of its
	// own; the first error ends the run.
	unordered := visit != nil && line == nil && multi == nil
	var errOnce sync.Once
	var firstErr error
	leaves := 0
	if opts.Filter != nil {
		leaves = opts.Filter.leaves
	}
	for w := range workers {
		br, err := f.NewBlockReader()
		if err != nil {
			return false, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer br.Close()
			fc := &fields.Ctx{Ev: &event.Event{}, Tables: tables}
			bc := newBlockCtx(fc, leaves)
			// Deciding many filters (the rules of a replay), each its own
			// pass over a block's rows, the passes share the events they
			// decode through rc. One filter's pass and the printer's or
			// visitor's after it gain less from keeping its events than
			// the memory costs.
			var rc *rowCache
			if multi != nil {
				rc = &rowCache{}
				bc.rc = rc
			}
			mbs := make([]*blockCtx, len(multi))
			for i, m := range multi {
				mbs[i] = newBlockCtx(fc, m.leaves)
				mbs[i].rc = rc
			}
			for b := range jobs {
				if unordered && ctx.Err() != nil {
					pool <- b // the run has ended: drain
					continue
				}
				b.err = br.Read(b.idx, b.blk)
				if b.err == nil && rc != nil {
					rc.reset(b.blk)
				}
				if b.err == nil {
					b.err = filterBlock(b, bc, sel, opts)
				}
				if b.err == nil && multi != nil {
					b.err = multiBlock(b, mbs, multi)
				}
				if b.err == nil && line != nil {
					b.err = renderBlock(b, bc, line, opts.Limit)
				}
				if b.err == nil && visit != nil {
					b.err = visitBlock(b, bc, w, visit)
				}
				if unordered {
					if b.err != nil {
						errOnce.Do(func() { firstErr = b.err })
						cancel()
					}
					pool <- b
					continue
				}
				close(b.ready)
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		for _, idx := range blocks {
			var b *batch
			select {
			case b = <-pool:
			case <-ctx.Done():
				return
			}
			b.idx = idx
			if !unordered {
				b.ready = make(chan struct{})
				select {
				case order <- b:
				case <-ctx.Done():
					return
				}
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				if !unordered {
					close(b.ready)
				}
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

	if unordered {
		wg.Wait()
		if firstErr != nil {
			return false, firstErr
		}
		return false, ctx.Err()
	}
	for b := range order {
		<-b.ready
		if b.err != nil {
			return false, b.err
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if done, err := consume(b, tables); err != nil || done {
			return done, err
		}
		pool <- b
	}
	// The producer stops early only when the context ends.
	return false, ctx.Err()
}

// filterBlock records the rows of a decoded block that pass the time
// range, the state-only rule and the filter.
func filterBlock(b *batch, bc *blockCtx, sel index.Selection, opts Options) error {
	bc.reset(b.blk)
	rows := b.rows[:0]
	n := b.blk.Len()
	types, err := b.blk.Types()
	if err != nil {
		return err
	}
	var ts, flags []int64
	if sel.Since != 0 || sel.Until != 0 {
		if ts, err = b.blk.Timestamps(); err != nil {
			return err
		}
	}
	skipState := !opts.StateOnly
	if f, ok := b.blk.ConstFlags(); skipState && ok {
		if f&event.FlagStateOnly != 0 {
			b.rows = rows
			return nil // only state-only events
		}
		skipState = false
	}
	if skipState {
		if flags, err = b.blk.Flags(); err != nil {
			return err
		}
	}
	// Whether a type passes the selection, the internal rule and the
	// filter's comparisons of the type alone is decided once per run
	// (bc.typeKeep: 0 unknown, 1 no, 2 yes).
	keep := bc.typeKeep
	if keep == nil {
		keep = make([]uint8, 1<<16)
		bc.typeKeep = keep
	}
	for i, v := range types[:n] {
		t := uint16(v)
		k := keep[t]
		if k == 0 {
			k = 1
			if (sel.Types == nil || sel.Types.Has(t)) && !(opts.HideInternal && render.InternalType(event.Type(t))) &&
				(opts.Filter == nil || bc.passByType(opts.Filter, event.Type(t))) {
				k = 2
			}
			keep[t] = k
		}
		if k == 1 {
			continue
		}
		if ts != nil && !sel.Contains(uint64(ts[i]), t) {
			continue
		}
		if flags != nil && event.Flags(flags[i])&event.FlagStateOnly != 0 {
			continue
		}
		rows = append(rows, int32(i))
	}
	if opts.Filter != nil && opts.Filter.rest != nil && len(rows) > 0 {
		rows = opts.Filter.rest.filter(bc, rows)
	}
	b.rows = rows
	return bc.err
}

// visitBlock hands the matched rows of a block to visit. The filter may
// have decoded the rows already (bc.load keeps the last).
func visitBlock(b *batch, bc *blockCtx, worker int, visit func(int, *fields.Ctx) error) error {
	bc.cur = -1 // the rules' passes may have loaded other rows into the shared event
	for _, r := range b.rows {
		if !bc.loadLast(r) {
			return bc.err
		}
		if err := visit(worker, bc.fc); err != nil {
			return err
		}
	}
	return nil
}

// renderBlock renders the matched rows of a block.
func renderBlock(b *batch, bc *blockCtx, line LineFunc, limit int) error {
	b.out, b.ends = b.out[:0], b.ends[:0]
	fc := bc.fc
	bc.cur = -1
	for _, r := range b.rows {
		if limit > 0 && len(b.ends) == limit {
			break // no more can be printed
		}
		if !bc.loadLast(r) {
			return bc.err
		}
		var ok bool
		start := len(b.out)
		if b.out, ok = line(b.out, fc); !ok {
			b.out = b.out[:start]
			continue
		}
		b.out = append(b.out, '\n')
		b.ends = append(b.ends, len(b.out))
	}
	return nil
}
