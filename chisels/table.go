package chisels

import (
	"bufio"
	"context"
	"fmt"
	"forensics/query"
	"slices"
	"sort"
	"strconv"
	"strings"

	"forensics/query/fields"
)

// Table is a chisel's tabular result: fixed-width columns, the last one
// printed in full.
type Table struct {
	Chisel  string     `json:"chisel"`
	Columns []Column   `json:"columns"`
	Rows    [][]string `json:"-"`
	// Values are the raw numbers of a top table's value column, per row.
	Values []int64 `json:"-"`
	// Notes say what the table cannot show (data the capture lacks).
	Notes []string `json:"notes,omitempty"`
	// padLast pads the last header like the others; dashes draws the 80
	// dash rule under the header.
	padLast, padLastRow, dashes bool
	// empty is printed instead of the table when it has no rows.
	empty string
}

// Column is one column of a Table.
type Column struct {
	Name  string `json:"name"`
	Field string `json:"field,omitempty"`
	Units string `json:"units,omitempty"`
	IsKey bool   `json:"is_key"`
	width int
}

// write prints the table as sysdig's chisel does, or as JSON.
func (t *Table) write(e *Env) error {
	if e.JSON {
		rows := make([]map[string]any, len(t.Rows))
		for i, r := range t.Rows {
			m := map[string]any{}
			for j, c := range t.Columns {
				if j < len(r) {
					m[c.Name] = r[j]
				}
			}
			if t.Values != nil {
				for j, c := range t.Columns {
					if !c.IsKey && c.Units != "" {
						m[c.Name] = t.Values[i]
					}
					_ = j
				}
			}
			rows[i] = m
		}
		return e.writeJSON(struct {
			*Table
			Rows []map[string]any `json:"rows"`
		}{t, rows})
	}
	w := bufio.NewWriter(e.Out)
	for _, n := range t.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
	if len(t.Rows) == 0 && t.empty != "" {
		fmt.Fprintln(w, t.empty)
		return w.Flush()
	}
	var sb strings.Builder
	for i, c := range t.Columns {
		if i == len(t.Columns)-1 && !t.padLast {
			sb.WriteString(c.Name)
		} else {
			sb.WriteString(extend(c.Name, c.width))
		}
	}
	fmt.Fprintln(w, sb.String())
	if t.dashes {
		fmt.Fprintln(w, strings.Repeat("-", 80))
	}
	for _, r := range t.Rows {
		sb.Reset()
		for i, v := range r {
			if i == len(r)-1 && !t.padLastRow {
				sb.WriteString(v)
			} else {
				sb.WriteString(extend(v, t.Columns[i].width))
			}
		}
		fmt.Fprintln(w, sb.String())
	}
	return w.Flush()
}

// topSpec describes a table_generator chisel: sums of value per
// distinct keys.
type topSpec struct {
	keys, keyDescs   []string
	value, valueDesc string
	units            string // bytes, time, timepct, none
	filter           string
	top              int
	procinfo         bool // the pass sees procinfo events
}

// keySep joins the parts of a composite key, as table_generator does.
const keySep = "\x01\x01"

// topAgg sums a value per composite key.
type topAgg struct {
	sums map[string]*int64
	buf  []byte
	// byProc remembers the key of each process incarnation and event
	// class (fields.ProcClass) when every key field depends on nothing
	// else (fields.DepProc, decided on the first event: procOnly):
	// proc.name and proc.pid are looked up once per process, not once per
	// event, and the key's sum is found without hashing the key. last is
	// the memo of the event before, whose process the next event often
	// shares.
	byProc   map[uint64]*keyMemo
	last     *keyMemo
	lastKey  uint64
	checked  bool
	procOnly bool
}

// keyMemo is a key, whether it is complete, and its sum once it has one.
type keyMemo struct {
	key string
	ok  bool
	sum *int64
}

func newTopAgg() *topAgg { return &topAgg{sums: map[string]*int64{}, byProc: map[uint64]*keyMemo{}} }

// add adds v to the sum of the key keyOf found last (in a.buf, or
// a.last when memoized). A key gets a sum only when a value is added to
// it, so that keys without one are not listed.
func (a *topAgg) add(v int64) {
	if a.procOnly {
		if a.last.sum == nil {
			a.last.sum = a.sumOf(a.last.key)
		}
		*a.last.sum += v
		return
	}
	p, ok := a.sums[string(a.buf)]
	if !ok {
		p = a.sumOf(string(a.buf))
	}
	*p += v
}

// sumOf returns key's sum, adding a zero one when it has none.
func (a *topAgg) sumOf(key string) *int64 {
	p, ok := a.sums[key]
	if !ok {
		p = new(int64)
		a.sums[key] = p
	}
	return p
}

// keyOf finds the composite key of the event for add; false when a key
// is missing (table_generator then ignores the event).
func (a *topAgg) keyOf(keys []*fields.Bound, c *fields.Ctx) bool {
	if !a.checked {
		a.checked, a.procOnly = true, procOnly(keys)
	}
	if a.procOnly {
		k := uint64(c.Ev.Proc)<<2 | uint64(fields.ProcClass(c.Ev.Tid, c.Ev.Type))
		if a.last != nil && k == a.lastKey {
			return a.last.ok
		}
		m, ok := a.byProc[k]
		if !ok {
			m = &keyMemo{ok: a.buildKey(keys, c)}
			m.key = string(a.buf)
			a.byProc[k] = m
		}
		a.last, a.lastKey = m, k
		return m.ok
	}
	return a.buildKey(keys, c)
}

// procOnly reports whether every key is a function of the process
// incarnation and the event's class alone. A topAgg is always given the
// same keys, so keyOf asks once.
func procOnly(keys []*fields.Bound) bool {
	for _, k := range keys {
		if k.Field.Dep != fields.DepProc || k.Arg != "" {
			return false
		}
	}
	return true
}

// buildKey builds the composite key of the event in a.buf from the key
// fields' values.
func (a *topAgg) buildKey(keys []*fields.Bound, c *fields.Ctx) bool {
	a.buf = a.buf[:0]
	for i, k := range keys {
		v, ok := k.Ext(c)
		if !ok {
			return false
		}
		if i > 0 {
			a.buf = append(a.buf, keySep...)
		}
		a.buf = appendValue(a.buf, v)
	}
	return true
}

// appendValue appends a value as sysdig prints it.
func appendValue(dst []byte, v fields.Value) []byte {
	switch v.Kind {
	case fields.TString:
		return append(dst, v.S...)
	case fields.TInt, fields.TRelTime:
		return strconv.AppendInt(dst, v.I, 10)
	case fields.TUint, fields.TPort, fields.TAbsTime:
		return strconv.AppendUint(dst, v.U, 10)
	}
	return append(dst, v.String()...)
}

// runTop runs a table_generator chisel.
func runTop(ctx context.Context, e *Env, name string, s topSpec) error {
	keys, err := e.fieldsOf(s.keys...)
	if err != nil {
		return err
	}
	val, err := e.field(s.value)
	if err != nil {
		return err
	}
	isCount := s.value == "evt.count"
	add := func(a *topAgg, c *fields.Ctx) error {
		if !a.keyOf(keys, c) {
			return nil
		}
		if isCount {
			a.add(1)
			return nil
		}
		v, ok := val.Ext(c)
		if !ok {
			return nil
		}
		if n, ok := num(v); ok && n > 0 {
			a.add(n)
		}
		return nil
	}
	var a *topAgg
	if s.procinfo {
		a = newTopAgg()
		err = e.passProcinfo(ctx, s.filter, func(c *fields.Ctx) error { return add(a, c) })
	} else {
		// One table per query worker, merged at the end.
		parts := make([]*topAgg, query.Workers(e.options(nil)))
		for i := range parts {
			parts[i] = newTopAgg()
		}
		// add reads the keys and the value, and no time.
		used := append(slices.Clip(keys), val)
		_, err = e.passParallel(ctx, s.filter, used, func(w int, c *fields.Ctx) error { return add(parts[w], c) })
		a = parts[0]
		for _, p := range parts[1:] {
			a.merge(p)
		}
	}
	if err != nil {
		return err
	}
	return a.table(e, name, s, 0).write(e)
}

// merge adds b's sums to a's.
func (a *topAgg) merge(b *topAgg) {
	for k, v := range b.sums {
		if p, ok := a.sums[k]; ok {
			*p += *v
		} else {
			a.sums[k] = v
		}
	}
}

// table sorts the sums (value descending, ties by key) and renders them;
// delta is the capture's duration for timepct.
func (a *topAgg) table(e *Env, name string, s topSpec, delta int64) *Table {
	type row struct {
		key string
		v   int64
	}
	rows := make([]row, 0, len(a.sums))
	for k, v := range a.sums {
		rows = append(rows, row{k, *v})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].v != rows[j].v {
			return rows[i].v > rows[j].v
		}
		return rows[i].key < rows[j].key
	})
	if n := e.top(s.top); n > 0 && len(rows) > n {
		rows = rows[:n]
	}
	t := &Table{Chisel: name, padLast: true, dashes: true}
	t.Columns = append(t.Columns, Column{Name: s.valueDesc, Field: s.value, Units: s.units, width: 20})
	for i, k := range s.keys {
		t.Columns = append(t.Columns, Column{Name: s.keyDescs[i], Field: k, IsKey: true, width: 20})
	}
	for _, r := range rows {
		cells := []string{formatValue(r.v, s.units, delta)}
		cells = append(cells, strings.Split(r.key, keySep)...)
		t.Rows = append(t.Rows, cells)
		t.Values = append(t.Values, r.v)
	}
	return t
}

// formatValue renders a table value in its units.
func formatValue(v int64, units string, delta int64) string {
	switch units {
	case "bytes":
		return formatBytes(v)
	case "time":
		return formatTime(v)
	case "timepct":
		if delta <= 0 {
			return "0.00%"
		}
		return fmt.Sprintf("%.2f%%", float64(v)/float64(delta)*100)
	}
	return strconv.FormatInt(v, 10)
}

const (
	ipSock  = "(fd.type=ipv4 or fd.type=ipv6)"
	pidKeys = "proc.name,proc.pid"
)

// tableChisels are the table_generator chisels (chisels.md §3).
func tableChisels() []*Chisel {
	procKeys, procDescs := []string{"proc.name", "proc.pid"}, []string{"Process", "PID"}
	mk := func(name, cat, short string, s topSpec) *Chisel {
		return &Chisel{Name: name, Category: cat, Short: short,
			Desc: short + ": the sum of " + s.value + " per " + strings.Join(s.keys, ", ") +
				" over the events matching " + s.filter + ", largest first.",
			run: func(ctx context.Context, e *Env, _ []string) error { return runTop(ctx, e, name, s) }}
	}
	byField := func(name, short, value, valueDesc, units, filter string, top int) *Chisel {
		return &Chisel{Name: name, Category: "I/O", Short: short,
			Desc: short + ": the sum of " + value + " per value of the given field, over the events matching " + filter + ".",
			Args: []Arg{{Name: "key", Desc: "the filter field to group by"}},
			run: func(ctx context.Context, e *Env, args []string) error {
				return runTop(ctx, e, name, topSpec{keys: []string{args[0]}, keyDescs: []string{args[0]},
					value: value, valueDesc: valueDesc, units: units, filter: filter, top: top})
			}}
	}
	return []*Chisel{
		mk("topprocs_net", "Net", "Top processes by network I/O", topSpec{keys: procKeys, keyDescs: procDescs,
			value: "evt.rawarg.res", valueDesc: "Bytes", units: "bytes", filter: ipSock + " and evt.is_io=true", top: 100}),
		mk("topprocs_file", "I/O", "Top processes by R+W disk bytes", topSpec{keys: procKeys, keyDescs: procDescs,
			value: "evt.rawarg.res", valueDesc: "Bytes", units: "bytes", filter: "fd.type=file and evt.is_io=true", top: 10}),
		mk("topprocs_errors", "Errors", "Top processes by number of errors", topSpec{keys: procKeys, keyDescs: procDescs,
			value: "evt.count", valueDesc: "#Errors", units: "none", filter: "evt.failed=true", top: 100}),
		mk("topfiles_bytes", "I/O", "Top files by R+W bytes", topSpec{keys: []string{"fd.name"}, keyDescs: []string{"Filename"},
			value: "evt.rawarg.res", valueDesc: "Bytes", units: "bytes", filter: "fd.type=file and evt.is_io=true", top: 10}),
		mk("topfiles_errors", "Errors", "Top files by number of errors", topSpec{keys: []string{"fd.name"}, keyDescs: []string{"Filename"},
			value: "evt.count", valueDesc: "#Errors", units: "none", filter: "fd.type=file and evt.failed=true", top: 100}),
		mk("topconns", "Net", "Top network connections by total bytes", topSpec{keys: []string{"fd.l4proto", "fd.name"},
			keyDescs: []string{"Proto", "Conn"}, value: "evt.rawarg.res", valueDesc: "Bytes", units: "bytes",
			filter: ipSock + " and evt.is_io=true", top: 30}),
		mk("topports_server", "Net", "Top TCP/UDP server ports by R+W bytes", topSpec{keys: []string{"fd.sport"},
			keyDescs: []string{"Srv Port"}, value: "evt.rawarg.res", valueDesc: "Bytes", units: "bytes",
			filter: ipSock + " and evt.is_io=true", top: 100}),
		mk("topscalls", "Performance", "Top system calls by number of calls", topSpec{keys: []string{"evt.type"},
			keyDescs: []string{"Syscall"}, value: "evt.count", valueDesc: "# Calls", units: "none",
			filter: "evt.type!=switch", top: 30, procinfo: true}),
		mk("topcontainers_net", "Net", "Top containers by network I/O", topSpec{keys: []string{"container.name"},
			keyDescs: []string{"container.name"}, value: "evt.rawarg.res", valueDesc: "Bytes", units: "bytes",
			filter: ipSock + " and evt.is_io=true and container.name!=host", top: 100}),
		mk("topcontainers_file", "I/O", "Top containers by R+W disk bytes", topSpec{keys: []string{"container.name"},
			keyDescs: []string{"container.name"}, value: "evt.rawarg.res", valueDesc: "Bytes", units: "bytes",
			filter: "fd.type=file and evt.is_io=true and container.name!=host", top: 10}),
		mk("topcontainers_error", "Errors", "Top containers by number of errors", topSpec{keys: []string{"container.name"},
			keyDescs: []string{"container.name"}, value: "evt.count", valueDesc: "#Errors", units: "none",
			filter: "evt.failed=true and container.name!=host", top: 100}),
		byField("fdbytes_by", "I/O bytes, aggregated by an arbitrary filter field", "evt.rawarg.res", "Bytes", "bytes",
			"evt.is_io=true and evt.failed=false", 30),
	}
}
