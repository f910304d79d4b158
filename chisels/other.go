package chisels

import (
	"context"
	"fmt"

	"forensics/format"
	"forensics/query/fields"
)

func otherChisels() []*Chisel {
	return []*Chisel{
		{Name: "topprocs_cpu", Category: "CPU Usage", Short: "Top processes by CPU usage",
			Desc: "CPU % per process from the capture's procinfo events (sysdig synthesizes them during live captures; " +
				"a capture without them says so).", run: func(ctx context.Context, e *Env, _ []string) error {
				return runCPU(ctx, e, "topprocs_cpu", []string{"proc.name", "proc.pid"}, []string{"Process", "PID"})
			}},
		{Name: "topcontainers_cpu", Category: "CPU Usage", Short: "Top containers by CPU usage",
			Desc: "CPU % per container from the capture's procinfo events (a capture without them says so).",
			run: func(ctx context.Context, e *Env, _ []string) error {
				return runCPU(ctx, e, "topcontainers_cpu", []string{"container.name"}, []string{"container.name"})
			}},
		{Name: "around", Category: "Misc", Short: "Export to file the events around the time range where the given filter matches.",
			Desc: "Writes to a new capture (--write) every event within the given window (ms, default 1000) " +
				"before or after an event matching FILTER.",
			Args: []Arg{{Name: "dump_range_ms", Desc: "the window around each match, in ms", Optional: true}}, run: runAround},
	}
}

// runCPU sums the CPU ticks of the procinfo events per key. The capture
// holds them only when the recorder synthesized them.
func runCPU(ctx context.Context, e *Env, name string, keyNames, descs []string) error {
	keys, err := e.fieldsOf(keyNames...)
	if err != nil {
		return err
	}
	a := newTopAgg()
	last := map[int64]uint64{}
	n := 0
	err = e.passProcinfo(ctx, "evt.type=procinfo", func(c *fields.Ctx) error {
		n++
		if len(c.Ev.Params) < 2 {
			return nil
		}
		// sysdig ignores the samples of threads it does not know.
		if p := c.Proc(); p == nil || p.Comm == "" {
			return nil
		}
		ticks := le64(c.Ev.Params[0]) + le64(c.Ev.Params[1])
		prev, ok := last[c.Ev.Tid]
		last[c.Ev.Tid] = ticks
		// thread.cpu: the ticks since the thread's previous sample (0 for
		// the first), at most 100.
		var d uint64
		if ok && ticks > prev {
			d = min(ticks-prev, 100)
		}
		if a.keyOf(keys, c) {
			a.add(int64(d) * 10_000_000)
		}
		return nil
	})
	if err != nil {
		return err
	}
	first, lastTs := e.span()
	t := a.table(e, name, topSpec{keys: keyNames, keyDescs: descs, value: "thread.cpu", valueDesc: "CPU%", units: "timepct", top: 10},
		int64(lastTs-first))
	if n == 0 {
		t.Notes = append(t.Notes, "the capture has no procinfo events (CPU samples), so CPU usage cannot be known")
	}
	return t.write(e)
}

func le64(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0 && i < 8; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// runAround writes the events within the window around each match.
func runAround(ctx context.Context, e *Env, args []string) error {
	if e.AroundOut == "" {
		return fmt.Errorf("%w: around needs --write FILE", ErrArgs)
	}
	if e.Filter == "" {
		return fmt.Errorf("%w: around needs a FILTER", ErrArgs)
	}
	window := uint64(1000)
	if len(args) > 0 {
		if _, err := fmt.Sscan(args[0], &window); err != nil {
			return fmt.Errorf("%w: dump_range_ms %q: %v", ErrArgs, args[0], err)
		}
	}
	window *= 1_000_000
	// First pass: the matching times, merged into ranges.
	type span struct{ a, b uint64 }
	var spans []span
	if err := e.pass(ctx, "", func(c *fields.Ctx) error {
		a, b := c.Ev.Ts-min(window, c.Ev.Ts), c.Ev.Ts+window
		if n := len(spans); n > 0 && a <= spans[n-1].b {
			spans[n-1].b = max(spans[n-1].b, b)
		} else {
			spans = append(spans, span{a, b})
		}
		return nil
	}); err != nil {
		return err
	}
	if len(e.Capture.Files) == 0 {
		return nil
	}
	src := e.Capture.Files[0]
	w, err := format.Create(e.AroundOut, *src.Header, src.Snapshot, nil)
	if err != nil {
		return err
	}
	written := 0
	// Second pass: every event (state-only ones too) in a range.
	opts := e.options(nil)
	opts.HideInternal, opts.StateOnly = false, true
	k := 0
	err = queryRun(ctx, e, opts, func(c *fields.Ctx) error {
		ts := c.Ev.Ts
		for k < len(spans) && spans[k].b < ts {
			k++
		}
		if k < len(spans) && spans[k].a <= ts {
			written++
			return w.Write(c.Ev)
		}
		return nil
	})
	if err == nil {
		for _, f := range e.Capture.Files {
			ps := f.Processes()
			for i := range ps {
				if err = w.PutProcess(&ps[i]); err != nil {
					break
				}
			}
		}
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if e.JSON {
		return e.writeJSON(map[string]any{"chisel": "around", "file": e.AroundOut, "events": written, "ranges": len(spans)})
	}
	_, err = fmt.Fprintf(e.Out, "wrote %d events in %d ranges to %s\n", written, len(spans), e.AroundOut)
	return err
}
