package table

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"forensics/capture"
	"forensics/event"
	"forensics/format"
	"forensics/query"
	"forensics/query/fields"
)

// The tables.
const (
	Events      = "events"
	Processes   = "processes"
	AuditEvents = "audit_events" // Kubernetes audit events (see ScanAudit)
)

// Options say what Scan reads and how it cuts batches.
type Options struct {
	// Query selects the events (filter, time range, state-only and
	// internal events) exactly as `forensics query` does.
	Query query.Options
	// Audit selects the events of an audit input (ScanAudit) exactly as
	// `forensics query` does on one.
	Audit query.AuditOptions
	// Columns are the events table's field columns (nil: the defaults).
	// proc_key is added at the end.
	Columns []Column
	// NoEvents or NoProcesses leave a table out.
	NoEvents, NoProcesses bool
	// BatchRows caps the rows of a batch (default 65536). Batches are also
	// cut where the capture file or the hour of the events changes.
	BatchRows int
	// Progress, when set, is told how many events were added after each
	// batch.
	Progress func(events int)
	// Mem allocates the Arrow buffers (default: the Go allocator).
	Mem memory.Allocator
}

// Batch is a record batch of one table. Every row of an events batch has
// the same host and UTC hour; a processes batch has the host only.
type Batch struct {
	Table string
	Host  string
	Hour  time.Time
	Rec   arrow.RecordBatch
}

// Tables are the schemas Scan or ScanAudit fills: events and processes
// for a capture of syscalls (NewTables), audit_events for an audit input
// (NewAuditTables). A nil schema is a table left out.
type Tables struct {
	EventColumns   []Column
	ProcessColumns []Column
	AuditColumns   []Column
	Events         *arrow.Schema
	Processes      *arrow.Schema
	Audit          *arrow.Schema
}

// Schema returns the schema of the named table, nil when t lacks it.
func (t *Tables) Schema(table string) *arrow.Schema {
	switch table {
	case Events:
		return t.Events
	case Processes:
		return t.Processes
	case AuditEvents:
		return t.Audit
	}
	return nil
}

// Names lists the tables t has.
func (t *Tables) Names() []string {
	var out []string
	for _, n := range []string{Events, Processes, AuditEvents} {
		if t.Schema(n) != nil {
			out = append(out, n)
		}
	}
	return out
}

// defaultTable is the table a one-table output holds unless told.
func (t *Tables) defaultTable() string {
	if t.Events == nil && t.Audit != nil {
		return AuditEvents
	}
	return Events
}

// NewTables returns the schemas for event columns cols (nil: the
// defaults) and the processes table.
func NewTables(cols []Column) (*Tables, error) {
	reg := fields.Syscall()
	if cols == nil {
		var err error
		if cols, err = fieldColumns(DefaultEventColumns, reg); err != nil {
			return nil, err
		}
	}
	ev := append(append([]Column(nil), cols...), procKeyColumn)
	pc, err := fieldColumns(ProcessColumns, reg)
	if err != nil {
		return nil, err
	}
	pc = append([]Column{procKeyColumn, parentKeyColumn, startColumn, exitColumn}, pc...)
	return &Tables{EventColumns: ev, ProcessColumns: pc, Events: Schema(Events, ev), Processes: Schema(Processes, pc)}, nil
}

// Scan reads the capture's selected events into record batches of the
// events table, then its process table into batches of the processes
// table, and hands each batch to emit, which owns it (and must release
// it). The events come from query.Run, the one filter engine, so a table
// holds exactly the events `forensics query` prints for the same options.
func Scan(ctx context.Context, c *capture.Capture, t *Tables, opts Options, emit func(*Batch) error) error {
	mem, maxRows := opts.alloc()
	if !opts.NoEvents {
		b := newBuilder(mem, t.Events, t.EventColumns)
		defer b.release()
		// Run goes file by file to know each batch's host; a limit
		// counts over all of them.
		q := opts.Query
		left := q.Limit
		for _, f := range c.Files {
			if q.Limit > 0 {
				if left <= 0 {
					break
				}
				q.Limit = left
			}
			hb := &hourBatches{b: b, table: Events, host: f.Header.Host.Hostname, maxRows: maxRows, emit: emit, progress: opts.Progress}
			one := &capture.Capture{Files: []*format.File{f}}
			err := query.Run(ctx, one, q, func(fc *fields.Ctx) error {
				left--
				return hb.add(fc)
			})
			if err == nil {
				err = hb.flush()
			}
			if err != nil {
				return err
			}
		}
	}
	if opts.NoProcesses {
		return nil
	}
	return scanProcesses(ctx, c, t, mem, maxRows, emit)
}

// alloc returns the allocator and the rows per batch of opts.
func (opts *Options) alloc() (memory.Allocator, int) {
	mem := opts.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	maxRows := opts.BatchRows
	if maxRows <= 0 {
		maxRows = 1 << 16
	}
	return mem, maxRows
}

// hourBatches cuts the rows of a builder into batches of one table, host
// and UTC hour, at most maxRows each, and hands them to emit.
type hourBatches struct {
	b           *builder
	table, host string
	hour        int64
	maxRows     int
	emit        func(*Batch) error
	progress    func(int)
	started     bool
}

// add appends the row of fc, first emitting the batch it does not
// belong to.
func (h *hourBatches) add(fc *fields.Ctx) error {
	if hr := int64(fc.Ev.Ts / uint64(time.Hour)); !h.started || hr != h.hour || h.b.n >= h.maxRows {
		if err := h.flush(); err != nil {
			return err
		}
		h.hour, h.started = hr, true
	}
	h.b.append(fc, nil)
	return nil
}

// flush emits the rows added since the last batch.
func (h *hourBatches) flush() error {
	n := h.b.n
	rec := h.b.finish()
	if rec == nil {
		return nil
	}
	if err := h.emit(&Batch{Table: h.table, Host: h.host, Hour: time.Unix(h.hour*3600, 0).UTC(), Rec: rec}); err != nil {
		return err
	}
	if h.progress != nil {
		h.progress(n)
	}
	return nil
}

// scanProcesses emits the process tables of the capture's files. A
// process that several files carry appears once, from the last file (whose
// record knows the most, such as its exit).
func scanProcesses(ctx context.Context, c *capture.Capture, t *Tables, mem memory.Allocator, maxRows int, emit func(*Batch) error) error {
	b := newBuilder(mem, t.Processes, t.ProcessColumns)
	defer b.release()
	seen := map[event.ProcKey]bool{}
	exit := probeType()
	for i := len(c.Files) - 1; i >= 0; i-- {
		f := c.Files[i]
		tables := fields.NewTables(f)
		var ev event.Event
		fc := &fields.Ctx{Ev: &ev, Tables: tables}
		ps := f.Processes()
		for k := range ps {
			p := &ps[k]
			if seen[p.Key] {
				continue
			}
			seen[p.Key] = true
			// The fields see an event of the incarnation at its start.
			ts := p.StartTs
			if ts == 0 {
				ts = tables.Start
			}
			ev = event.Event{Type: exit, Tid: p.Tid, Ts: ts, Proc: p.Key, FD: event.FD{Num: event.NoFD}}
			b.append(fc, p)
			if b.n >= maxRows {
				if err := emit(&Batch{Table: Processes, Host: f.Header.Host.Hostname, Rec: b.finish()}); err != nil {
					return err
				}
			}
		}
		if rec := b.finish(); rec != nil {
			if err := emit(&Batch{Table: Processes, Host: f.Header.Host.Hostname, Rec: rec}); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// probeType is the event type of the event the processes table's fields
// are extracted for: the exit of execve, an ordinary event of a thread.
func probeType() event.Type {
	for _, in := range event.ByName("execve") {
		if in.Dir() == event.DirExit {
			return in.Type
		}
	}
	return 1
}

// scanFunc scans an input into the batches of t (Scan for a capture,
// ScanAudit for an audit input).
type scanFunc func(ctx context.Context, t *Tables, opts Options, emit func(*Batch) error) error

// captureScan is Scan of capture c.
func captureScan(c *capture.Capture) scanFunc {
	return func(ctx context.Context, t *Tables, opts Options, emit func(*Batch) error) error {
		return Scan(ctx, c, t, opts, emit)
	}
}

// scanTo runs scan with write in a goroutine of its own, so that the next
// batch is built while the last one is encoded. It releases each batch
// after write. The first error of either side ends both and is returned.
func scanTo(ctx context.Context, scan scanFunc, t *Tables, opts Options, write func(*Batch) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *Batch, 2)
	werr := make(chan error, 1)
	go func() {
		var err error
		for b := range batches {
			if err == nil {
				if err = write(b); err != nil {
					cancel()
				}
			}
			b.Rec.Release()
		}
		werr <- err
	}()
	err := scan(ctx, t, opts, func(b *Batch) error {
		select {
		case batches <- b:
			return nil
		case <-ctx.Done():
			b.Rec.Release()
			return ctx.Err()
		}
	})
	close(batches)
	if e := <-werr; e != nil {
		return e
	}
	return err
}
