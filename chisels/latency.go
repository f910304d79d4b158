package chisels

import (
	"bufio"
	"context"
	"fmt"
	"sort"

	"forensics/event"
	"forensics/query/fields"
)

// latencies computes evt.latency as sysdig 0.29.3 does, from the events
// of each thread in order: an enter event starts a call (and clears the
// thread's latency); the exit event of the same call gets the time since
// its enter event; any other exit gets 0; a switch event shows its
// thread's last latency.
type latencies struct {
	threads map[int64]*callState
	enters  int // enter events of system calls seen
}

type callState struct {
	enterTs  uint64
	enter    event.Type
	latency  int64
	hasEnter bool
}

// seen updates the state with ev and returns its latency.
func (l *latencies) seen(ev *event.Event, isSwitch bool) int64 {
	s := l.threads[ev.Tid]
	if s == nil {
		s = &callState{}
		l.threads[ev.Tid] = s
	}
	switch {
	case isSwitch:
		return s.latency
	case ev.Dir() == event.DirEnter:
		if x := event.Lookup(ev.Type + 1); x != nil && x.Dir() == event.DirExit {
			if in := event.Lookup(ev.Type); in != nil && in.Name == x.Name {
				l.enters++ // a system call's enter event (not procexit, ...)
			}
		}
		s.enterTs, s.enter, s.hasEnter, s.latency = ev.Ts, ev.Type, true, 0
		return 0
	}
	if s.hasEnter && ev.Type == s.enter+1 && ev.Ts >= s.enterTs {
		s.latency = int64(ev.Ts - s.enterTs)
	} else {
		s.latency = 0
	}
	s.hasEnter = false
	return s.latency
}

// noEnters is the note of a latency chisel on a capture without enter
// events.
const noEnters = "the capture has no enter events, so no system call latency can be known"

// latencyPass calls fn with every event matching the chisel's and the
// user's filter and its latency. It reads every event, since latency
// needs each thread's enter events whatever the filter.
func latencyPass(ctx context.Context, e *Env, filter string, fn func(c *fields.Ctx, lat int64) error) (enters int, err error) {
	f, err := e.compile(filter)
	if err != nil {
		return 0, err
	}
	l := &latencies{threads: map[int64]*callState{}}
	switchT := fields.TypesNamed("switch")
	err = queryRun(ctx, e, e.options(nil), func(c *fields.Ctx) error {
		isSwitch := false
		for _, t := range switchT {
			if c.Ev.Type == t {
				isSwitch = true
			}
		}
		lat := l.seen(c.Ev, isSwitch)
		if f != nil && !f.Match(c) {
			return nil
		}
		return fn(c, lat)
	})
	return l.enters, err
}

// runTopLatency is a table_generator chisel whose value is evt.latency.
func runTopLatency(ctx context.Context, e *Env, name string, s topSpec) error {
	keys, err := e.fieldsOf(s.keys...)
	if err != nil {
		return err
	}
	a := newTopAgg()
	enters, err := latencyPass(ctx, e, s.filter, func(c *fields.Ctx, lat int64) error {
		if a.keyOf(keys, c) && lat > 0 {
			a.add(lat)
		}
		return nil
	})
	if err != nil {
		return err
	}
	t := a.table(e, name, s, 0)
	if enters == 0 {
		t.Notes = append(t.Notes, noEnters)
	}
	return t.write(e)
}

func latencyChisels() []*Chisel {
	return []*Chisel{
		{Name: "topfiles_time", Category: "I/O", Short: "Top files by time",
			Desc: "The time spent in file I/O per file (evt.latency, computed from enter events), largest first.",
			run: func(ctx context.Context, e *Env, _ []string) error {
				return runTopLatency(ctx, e, "topfiles_time", topSpec{keys: []string{"fd.name"}, keyDescs: []string{"Filename"},
					value: "evt.latency", valueDesc: "Time", units: "time", filter: "fd.type=file and evt.is_io=true", top: 10})
			}},
		{Name: "topscalls_time", Category: "Performance", Short: "Top system calls by time",
			Desc: "The time spent per system call (evt.latency, computed from enter events), largest first.",
			run: func(ctx context.Context, e *Env, _ []string) error {
				return runTopLatency(ctx, e, "topscalls_time", topSpec{keys: []string{"evt.type"}, keyDescs: []string{"Syscall"},
					value: "evt.latency", valueDesc: "Time", units: "time", top: 30})
			}},
		{Name: "bottlenecks", Category: "Performance", Short: "Slowest system calls",
			Desc: "The 10 slowest system calls (latency computed from enter events), each as its enter and exit " +
				"event lines, slowest first.", run: runBottlenecks},
		{Name: "fdtime_by", Category: "I/O", Short: "FD time group by",
			Desc: "The time spent in I/O (evt.latency, computed from enter events) per value of the given field.",
			Args: []Arg{{Name: "key", Desc: "the filter field to group by"}},
			run: func(ctx context.Context, e *Env, args []string) error {
				return runTopLatency(ctx, e, "fdtime_by", topSpec{keys: []string{args[0]}, keyDescs: []string{args[0]},
					value: "evt.latency", valueDesc: "Time", units: "time", filter: "evt.is_io=true", top: 10})
			}},
	}
}

// runBottlenecks prints the 10 slowest system calls, each as its enter
// and exit lines, slowest first (bottlenecks.lua).
func runBottlenecks(ctx context.Context, e *Env, _ []string) error {
	g, err := e.getter("evt.num", "proc.name", "thread.tid", "evt.type", "evt.args")
	if err != nil {
		return err
	}
	type call struct {
		lat         int64
		enter, exit string
	}
	line := func(c *fields.Ctx, dir string, lat int64) string {
		return fmt.Sprintf("%s) %d.%09d %s (%s) %s %s %s", g.str("evt.num", c, ""), lat/1e9, lat%1e9,
			g.str("proc.name", c, "<NA>"), g.str("thread.tid", c, ""), dir, g.str("evt.type", c, ""), g.str("evt.args", c, ""))
	}
	enters := map[int64]string{}
	var top []call
	n, err := latencyPass(ctx, e, "", func(c *fields.Ctx, lat int64) error {
		if fields.TypeName(c.Ev.Type) == "switch" {
			return nil
		}
		if c.Ev.Dir() == event.DirEnter {
			enters[c.Ev.Tid] = line(c, ">", 0)
			return nil
		}
		in, ok := enters[c.Ev.Tid]
		delete(enters, c.Ev.Tid)
		if lat <= 0 || !ok || (len(top) == 10 && lat <= top[9].lat) {
			return nil
		}
		top = append(top, call{lat, in, line(c, "<", lat)})
		sort.SliceStable(top, func(i, j int) bool { return top[i].lat > top[j].lat })
		if len(top) > 10 {
			top = top[:10]
		}
		return nil
	})
	if err != nil {
		return err
	}
	if e.JSON {
		rows := make([]map[string]any, len(top))
		for i, t := range top {
			rows[i] = map[string]any{"latency_ns": t.lat, "enter": t.enter, "exit": t.exit}
		}
		out := map[string]any{"chisel": "bottlenecks", "calls": rows}
		if n == 0 {
			out["notes"] = []string{noEnters}
		}
		return e.writeJSON(out)
	}
	w := bufio.NewWriter(e.Out)
	if n == 0 {
		fmt.Fprintf(w, "Note: %s\n", noEnters)
	}
	for _, t := range top {
		fmt.Fprintf(w, "%s\n%s\n", t.enter, t.exit)
	}
	return w.Flush()
}
