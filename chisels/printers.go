package chisels

import (
	"bufio"
	"context"
	"fmt"
	"forensics/event"
	"forensics/query"
	"strconv"
	"strings"
	"time"

	"forensics/query/fields"
)

// ANSI colors the printers use, as sysdig's chisels do.
const (
	colorRed   = "\x1b[31m"
	colorGreen = "\x1b[32m"
	colorBlue  = "\x1b[34m"
	colorReset = "\x1b[0m"
)

// getter extracts fields of the current event by token.
type getter struct {
	e  *Env
	bs map[string]*fields.Bound
}

func (e *Env) getter(tokens ...string) (*getter, error) {
	g := &getter{e: e, bs: map[string]*fields.Bound{}}
	for _, t := range tokens {
		b, err := e.field(t)
		if err != nil {
			return nil, err
		}
		g.bs[t] = b
	}
	return g, nil
}

// val returns a field's value and whether it exists.
func (g *getter) val(token string, c *fields.Ctx) (fields.Value, bool) {
	return g.bs[token].Ext(c)
}

// str returns a field as printed, def when missing.
func (g *getter) str(token string, c *fields.Ctx, def string) string {
	v, ok := g.val(token, c)
	if !ok {
		return def
	}
	return valueText(v)
}

// valueText is v as printed.
func valueText(v fields.Value) string {
	if v.Kind == fields.TString {
		return v.S // as appendValue prints it, without a copy
	}
	return string(appendValue(nil, v))
}

// int returns a numeric field, ok false when missing.
func (g *getter) int(token string, c *fields.Ctx) (int64, bool) {
	v, ok := g.val(token, c)
	if !ok {
		return 0, false
	}
	return num(v)
}

func colorArg(args []string, i int, word string) bool {
	return len(args) > i && args[i] == word
}

func printerChisels() []*Chisel {
	color := Arg{Name: "disable_color", Desc: "pass disable_color to print without colors", Optional: true}
	return []*Chisel{
		{Name: "echo_fds", Category: "I/O", Short: "Print the data read and written by processes.",
			Desc: "Every successful read and write: a header (direction, bytes, fd name, process) then the data, " +
				"non-printable bytes shown as dots.", Args: []Arg{color}, run: runEchoFDs},
		{Name: "spy_file", Category: "I/O", Short: "Echo any read/write made by any process to all files.",
			Desc: "Every successful file read/write (optionally only reads R or writes W, optionally of one file): " +
				"time, process(pid), R/W, bytes, file, then the data as text.",
			Args: []Arg{{Name: "read_or_write", Desc: "R for reads, W for writes, anything else both", Optional: true},
				{Name: "spy_on_file_name", Desc: "only this file", Optional: true}}, run: runSpyFile},
		{Name: "spy_ip", Category: "Net", Short: "Show the data exchanged with the given IP address",
			Desc: "The data read from and written to sockets whose address is the given IP. sysdig labels writes " +
				"\"Read\" and repeats the byte count of the first event of a run of reads or writes (bugs); " +
				"this says Write and gives each event's count.",
			Args: []Arg{{Name: "host_ip", Desc: "the remote or local IP address"}, color},
			run:  func(ctx context.Context, e *Env, a []string) error { return runSpyNet(ctx, e, a, "fd.ip="+a[0]) }},
		{Name: "spy_port", Category: "Net", Short: "Show the data exchanged using the given IP port number",
			Desc: "The data read from and written to sockets using the given port. sysdig repeats the byte count of " +
				"the first event of a run of reads or writes (a bug); this gives each event's count.",
			Args: []Arg{{Name: "host_port", Desc: "the port"}, color},
			run:  func(ctx context.Context, e *Env, a []string) error { return runSpyNet(ctx, e, a, "fd.port="+a[0]) }},
		{Name: "stdin", Category: "I/O", Short: "Print stdin of processes", Desc: "The data of every read and write on fd 0.",
			run: func(ctx context.Context, e *Env, _ []string) error { return runStdio(ctx, e, 0) }},
		{Name: "stdout", Category: "I/O", Short: "Print stdout of processes", Desc: "The data of every read and write on fd 1.",
			run: func(ctx context.Context, e *Env, _ []string) error { return runStdio(ctx, e, 1) }},
		{Name: "stderr", Category: "I/O", Short: "Print stderr of processes", Desc: "The data of every read and write on fd 2.",
			Args: []Arg{color}, run: func(ctx context.Context, e *Env, _ []string) error { return runStdio(ctx, e, 2) }},
		{Name: "iobytes", Category: "I/O", Short: "Sum of I/O bytes on any type of FD",
			Desc: "Bytes read (in) and written (out) by successful I/O, per second of capture time.",
			run: func(ctx context.Context, e *Env, _ []string) error {
				return runIOBytes(ctx, e, "iobytes", "evt.is_io=true")
			}},
		{Name: "iobytes_file", Category: "I/O", Short: "Sum of file I/O bytes",
			Desc: "Bytes read (in) and written (out) to files, per second of capture time.",
			run: func(ctx context.Context, e *Env, _ []string) error {
				return runIOBytes(ctx, e, "iobytes_file", "evt.is_io=true and fd.type=file")
			}},
		{Name: "iobytes_net", Category: "Net", Short: "Show total network I/O bytes",
			Desc: "Bytes read (in) and written (out) on IP sockets, per second of capture time.",
			run: func(ctx context.Context, e *Env, _ []string) error {
				return runIOBytes(ctx, e, "iobytes_net", "evt.is_io=true and "+ipSock)
			}},
		{Name: "proc_exec_time", Category: "Performance", Short: "Show process execution time",
			Desc: "Every process that exits in the capture: its duration, name and arguments (red over 10 s, " +
				"yellow over 3 s, blue in a container, else green).",
			Args: []Arg{{Name: "disable_colors", Desc: "pass disable_colors to print without colors", Optional: true}},
			run:  runProcExecTime},
		{Name: "fdcount_by", Category: "I/O", Short: "FD count, aggregated by an arbitrary filter field",
			Desc: "The number of distinct fds (number and name, fd 0 excluded) per value of the given field, most first.",
			Args: []Arg{{Name: "key", Desc: "the filter field to group by"}}, run: runFDCount},
	}
}

func runEchoFDs(ctx context.Context, e *Env, args []string) error {
	g, err := e.getter("evt.is_io_read", "evt.rawres", "fd.name", "proc.name", "evt.arg.data")
	if err != nil {
		return err
	}
	nocolor := colorArg(args, 0, "disable_color")
	w := bufio.NewWriterSize(e.Out, 1<<16)
	err = e.pass(ctx, "evt.is_io=true and evt.dir=< and evt.rawres>0", func(c *fields.Ctx) error {
		res, _ := g.int("evt.rawres", c)
		read, _ := g.val("evt.is_io_read", c)
		name, pname := g.str("fd.name", c, "<NA>"), g.str("proc.name", c, "<NA>")
		data := g.str("evt.arg.data", c, "")
		if e.JSON {
			dir := "write"
			if read.B {
				dir = "read"
			}
			return e.jsonLineTo(w, map[string]any{"ts": c.Ev.Ts, "dir": dir, "bytes": res, "fd.name": name, "proc.name": pname, "data": data})
		}
		col, word, prep := colorBlue, "Write", "to"
		if read.B {
			col, word, prep = colorRed, "Read", "from"
		}
		if nocolor {
			col = ""
		}
		fmt.Fprintf(w, "%s------ %s %s %s  %s %s (%s)\n%s\n", col, word, formatBytes(res), prep, col, name, pname, data)
		return nil
	})
	return e.endColored(w, err, nocolor)
}

func runSpyFile(ctx context.Context, e *Env, args []string) error {
	g, err := e.getter("evt.time", "proc.name", "proc.pid", "evt.is_io_read", "evt.rawres", "fd.name", "evt.rawarg.data")
	if err != nil {
		return err
	}
	f := "(not fd.name contains /dev/pt and not fd.name contains /dev/tty)"
	if len(args) > 1 {
		f = "(fd.name=" + strconv.Quote(args[1]) + ")"
	}
	switch {
	case len(args) > 0 && args[0] == "R":
		f += " and evt.is_io_read=true"
	case len(args) > 0 && args[0] == "W":
		f += " and evt.is_io_write=true"
	default:
		f += " and evt.is_io=true"
	}
	f += " and fd.type=file and evt.dir=< and evt.failed=false"
	w := bufio.NewWriterSize(e.Out, 1<<16)
	err = e.pass(ctx, f, func(c *fields.Ctx) error {
		res, _ := g.int("evt.rawres", c)
		read, _ := g.val("evt.is_io_read", c)
		rw := "W"
		if read.B {
			rw = "R"
		}
		data, _ := g.val("evt.rawarg.data", c)
		if e.JSON {
			return e.jsonLineTo(w, map[string]any{"ts": c.Ev.Ts, "proc.name": g.str("proc.name", c, "<NA>"),
				"proc.pid": g.str("proc.pid", c, "<NA>"), "dir": rw, "bytes": res, "fd.name": g.str("fd.name", c, "<NA>"),
				"data": string(data.Buf)})
		}
		text := ""
		if len(data.Buf) > 0 {
			text = asciiEOL(data.Buf)
		}
		fmt.Fprintf(w, "%s %s(%s) %s %s %s %s\n", g.str("evt.time", c, "<NA>"), g.str("proc.name", c, "<NA>"),
			g.str("proc.pid", c, "<NA>"), rw, formatBytes(res), g.str("fd.name", c, "<NA>"), text)
		return nil
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

func runSpyNet(ctx context.Context, e *Env, args []string, sel string) error {
	g, err := e.getter("evt.is_io_read", "evt.rawres", "evt.arg.data", "evt.rawarg.data", "fd.name", "proc.name")
	if err != nil {
		return err
	}
	nocolor := colorArg(args, 1, "disable_color")
	w := bufio.NewWriterSize(e.Out, 1<<16)
	err = e.pass(ctx, "evt.is_io=true and "+ipSock+" and "+sel, func(c *fields.Ctx) error {
		res, ok := g.int("evt.rawres", c)
		if !ok || res <= 0 {
			return nil
		}
		data, ok := g.val("evt.rawarg.data", c)
		if !ok {
			return nil
		}
		read, _ := g.val("evt.is_io_read", c)
		if e.JSON {
			dir := "write"
			if read.B {
				dir = "read"
			}
			return e.jsonLineTo(w, map[string]any{"ts": c.Ev.Ts, "dir": dir, "bytes": res, "fd.name": g.str("fd.name", c, "<NA>"),
				"proc.name": g.str("proc.name", c, "<NA>"), "data": string(data.Buf)})
		}
		col, word := colorBlue, "Write"
		if read.B {
			col, word = colorRed, "Read"
		}
		if nocolor {
			col = ""
		}
		fmt.Fprintf(w, "%s------ %s %s\n%s\n", col, word, formatBytes(res), g.str("evt.arg.data", c, ""))
		return nil
	})
	return e.endColored(w, err, nocolor)
}

func runStdio(ctx context.Context, e *Env, fd int) error {
	g, err := e.getter("evt.rawarg.data", "proc.name")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(e.Out, 1<<16)
	err = e.pass(ctx, fmt.Sprintf("fd.num=%d and evt.is_io=true", fd), func(c *fields.Ctx) error {
		v, ok := g.val("evt.rawarg.data", c)
		if !ok && !hasData(c.Ev) {
			return nil
		}
		if e.JSON {
			return e.jsonLineTo(w, map[string]any{"ts": c.Ev.Ts, "proc.name": g.str("proc.name", c, "<NA>"), "data": string(v.Buf)})
		}
		w.Write(v.Buf)
		return w.WriteByte('\n')
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// runIOBytes prints the bytes read and written per second of capture
// time. As sysdig's on_interval, a line is printed whenever an event (any
// event, matching or not) starts a new second, for the second before.
func runIOBytes(ctx context.Context, e *Env, name, filter string) error {
	f, err := e.compile(filter)
	if err != nil {
		return err
	}
	g, err := e.getter("evt.is_io_read", "evt.rawres")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(e.Out, 1<<16)
	var in, out int64
	var cur uint64
	const sec = uint64(time.Second)
	// sysdig's interval timer sees every event, internal ones too.
	opts := e.options(nil)
	opts.HideInternal = false
	err = queryRun(ctx, e, opts, func(c *fields.Ctx) error {
		if b := c.Ev.Ts - c.Ev.Ts%sec; b != cur {
			if cur != 0 {
				label := time.Unix(0, int64(c.Ev.Ts)).Format("15:04:05")
				if e.JSON {
					if err := e.jsonLineTo(w, map[string]any{"chisel": name, "ts": b, "time": label, "in": in, "out": out, "tot": in + out}); err != nil {
						return err
					}
				} else {
					fmt.Fprintf(w, "%s in:%d out:%d tot:%d\n", label, in, out, in+out)
				}
				in, out = 0, 0
			}
			cur = b
		}
		if f != nil && !f.Match(c) {
			return nil
		}
		res, ok := g.int("evt.rawres", c)
		if !ok || res <= 0 {
			return nil
		}
		if r, _ := g.val("evt.is_io_read", c); r.B {
			in += res
		} else {
			out += res
		}
		return nil
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

func runProcExecTime(ctx context.Context, e *Env, args []string) error {
	g, err := e.getter("proc.duration", "proc.name", "proc.args", "container.id")
	if err != nil {
		return err
	}
	nocolor := colorArg(args, 0, "disable_colors")
	w := bufio.NewWriterSize(e.Out, 1<<16)
	if !e.JSON {
		fmt.Fprintf(w, "%-13.13s %-12.12s %s\n", "proc.duration", "proc.name", "proc.args")
		fmt.Fprintf(w, "%-13.13s %-12.12s %s\n", "-------------", "------------", "--------------------")
	}
	err = e.pass(ctx, "evt.type=procexit", func(c *fields.Ctx) error {
		d, ok := g.int("proc.duration", c)
		if !ok {
			return nil
		}
		name, pargs := g.str("proc.name", c, "<NA>"), g.str("proc.args", c, "")
		if e.JSON {
			return e.jsonLineTo(w, map[string]any{"ts": c.Ev.Ts, "proc.duration": d, "proc.name": name, "proc.args": pargs})
		}
		col := colorGreen
		switch {
		case d > 10_000_000_000:
			col = colorRed
		case d > 3_000_000_000:
			col = "\x1b[33m"
		case g.str("container.id", c, "host") != "host":
			col = colorBlue
		}
		if nocolor {
			col = ""
		}
		fmt.Fprintf(w, "%s%-13.13s %-12.12s %s\n", col, formatTime(d), name, pargs)
		return nil
	})
	return e.endColored(w, err, nocolor)
}

// runFDCount counts the distinct (fd.num, fd.name) pairs per key.
func runFDCount(ctx context.Context, e *Env, args []string) error {
	key, err := e.field(args[0])
	if err != nil {
		return err
	}
	fdNum, err := e.field("fd.num")
	if err != nil {
		return err
	}
	fdName, err := e.field("fd.name")
	if err != nil {
		return err
	}
	type pair struct {
		num  int64
		name string
	}
	// A part remembers the set and the pair of the event before: the
	// next event is often on the same fd.
	type part struct {
		seen     map[string]map[pair]bool
		buf      []byte
		last     map[pair]bool
		lastKey  string
		lastPair pair
	}
	parts := make([]*part, query.Workers(e.options(nil)))
	for i := range parts {
		parts[i] = &part{seen: map[string]map[pair]bool{}}
	}
	// fd.num > 0 is what the count needs; as a filter it also spares the
	// events of types without an fd from being decoded.
	// The pass reads the key, fd.num and fd.name, and no time.
	used := []*fields.Bound{key, fdNum, fdName}
	_, err = e.passParallel(ctx, "fd.num > 0", used, func(w int, c *fields.Ctx) error {
		k, ok := key.Ext(c)
		if !ok {
			return nil
		}
		v, ok := fdNum.Ext(c)
		if !ok {
			return nil
		}
		n, ok := num(v)
		if !ok || n <= 0 {
			return nil
		}
		v, ok = fdName.Ext(c)
		if !ok {
			return nil
		}
		name := valueText(v)
		if name == "" {
			return nil
		}
		p := parts[w]
		p.buf = appendValue(p.buf[:0], k)
		if p.last == nil || p.lastKey != string(p.buf) {
			m, ok := p.seen[string(p.buf)]
			if !ok {
				m = map[pair]bool{}
				p.seen[string(p.buf)] = m
			}
			p.last, p.lastKey, p.lastPair = m, string(p.buf), pair{}
		}
		if pr := (pair{n, name}); pr != p.lastPair {
			p.last[pr] = true
			p.lastPair = pr
		}
		return nil
	})
	if err != nil {
		return err
	}
	seen := parts[0].seen
	for _, p := range parts[1:] {
		for k, m := range p.seen {
			if all, ok := seen[k]; ok {
				for x := range m {
					all[x] = true
				}
			} else {
				seen[k] = m
			}
		}
	}
	a := newTopAgg()
	for k, m := range seen {
		v := int64(len(m))
		a.sums[k] = &v
	}
	t := a.table(e, "fdcount_by", topSpec{keys: []string{args[0]}, keyDescs: []string{args[0]}, value: "fd count", valueDesc: "count", units: "none"}, 0)
	if e.JSON {
		return t.write(e)
	}
	w := bufio.NewWriter(e.Out)
	for _, r := range t.Rows {
		fmt.Fprintf(w, "%s\t%s\n", strings.Join(r[1:], keySep), r[0])
	}
	return w.Flush()
}

// hasData reports whether the event has a data parameter (an empty
// buffer prints an empty line).
func hasData(ev *event.Event) bool {
	in := event.Lookup(ev.Type)
	return in != nil && ev.Dir() == event.DirExit && in.Param("data") >= 0
}

// endColored ends a colored printer's run: unless the run failed or
// writes JSON, a last line that resets the terminal's color (a plain one
// without color), then the flush of w.
func (e *Env) endColored(w *bufio.Writer, err error, nocolor bool) error {
	if err == nil && !e.JSON {
		if nocolor {
			fmt.Fprintln(w)
		} else {
			fmt.Fprintln(w, colorReset)
		}
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}
