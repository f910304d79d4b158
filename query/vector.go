package query

import (
	"cmp"

	"forensics/event"
	"forensics/format"
	"forensics/query/fields"
	"forensics/query/filter"
)

// Block-at-a-time evaluation.
//
// Run evaluates a filter over a whole decoded block rather than event by
// event: every node narrows a list of candidate rows (ascending row
// numbers of the block), and an event is only materialized (decoded into
// an event.Event) when a comparison cannot be decided from the columns.
// The comparisons that can:
//
//   - evt.type comparisons, decided once per event type (generic events,
//     whose name is a parameter, are materialized);
//   - fields that depend only on the event type (fields.DepTypeOnly:
//     evt.dir, evt.is_io, ...), decided once per type;
//   - fields that depend only on the process (fields.DepProc), decided
//     once per process incarnation and event class and remembered for the
//     rest of the file;
//   - fd.name (fields.DepFDName) with an operand the empty string does not
//     match: decided once per entry of the block's fd name dictionary;
//     a row's entry decides when the row's fd is the column's (judged from
//     a few columns, Block.FDProbe); only the other rows whose entry
//     matches, and the open and connect calls whose name may come from
//     their parameters, are materialized;
//   - fd.type (fields.DepFDType): decided once per fd type by the fd type
//     column, for the rows whose fd is the column's; only the others whose
//     type matches, and the exits of pipe and socketpair, are
//     materialized;
//   - fd.num (fields.DepFDNum): the rows of event types without an fd
//     are rejected by their type; of the others, a row whose fd is the
//     column's is decided by its fd number column;
//   - the other fd fields (fields.Field.FDOnly): the rows of event types
//     without an fd are rejected by their type.
//
// and, or and not combine candidate lists; and evaluates its cheapest
// terms first. Every answer is the one Filter.Match gives for the event:
// the shortcuts only decide sooner.

// blockCtx is one worker's view of the block being filtered.
type blockCtx struct {
	blk *format.Block
	fc  *fields.Ctx
	rc  *rowCache // the worker's kept events; nil: decode each load
	cur int32     // the row materialized in fc.Ev, -1 for none
	err error
	// probe is an event made of the type, thread and process columns
	// alone: enough for the DepProc fields.
	probe   event.Event
	probeFC fields.Ctx

	types, tids, procs []int64 // columns, nil until needed
	nameCol            *format.ByteColumn
	names              []string

	// memo holds, per leaf (checkNode.id), the results of DepProc
	// comparisons by process key and class, for the whole file.
	memo []map[uint64]bool
	// byType holds, per leaf, the result per event type (per fd type for
	// DepFDType) of the comparisons decided by type (0 unknown, 1 false,
	// 2 true); see memoAt.
	byType [][]uint8
	// dict holds, per leaf, the result per fd name dictionary entry of
	// the current block (0 unknown, 1 false, 2 true); dictGen says for
	// which block.
	dict    [][]uint8
	dictGen []int
	gen     int
	// colRule caches, per event type, whether its fd is decided by the
	// columns (see byColumns).
	colRule []uint8
	// typeKeep holds, per event type, whether the run's selection and
	// internal rule keep its events (0 unknown, 1 no, 2 yes): they are
	// the same for every block of a run.
	typeKeep []uint8
}

func newBlockCtx(fc *fields.Ctx, leaves int) *blockCtx {
	return &blockCtx{fc: fc, cur: -1, memo: make([]map[uint64]bool, leaves), byType: make([][]uint8, leaves),
		dict: make([][]uint8, leaves), dictGen: make([]int, leaves)}
}

// reset starts a new block.
func (b *blockCtx) reset(blk *format.Block) {
	b.blk, b.cur, b.err = blk, -1, nil
	b.types, b.tids, b.procs, b.nameCol, b.names = nil, nil, nil, nil, nil
	b.gen++
}

// load materializes row r into the context's event, keeping it for the
// passes after this one.
func (b *blockCtx) load(r int32) bool { return b.loadKeep(r, true) }

// loadLast is load for the last pass over the block, which keeps nothing.
func (b *blockCtx) loadLast(r int32) bool { return b.loadKeep(r, false) }

func (b *blockCtx) loadKeep(r int32, keep bool) bool {
	if b.cur == r {
		return true
	}
	if b.err != nil {
		return false
	}
	var err error
	if b.rc != nil {
		err = b.rc.load(r, b.fc.Ev, keep)
	} else {
		err = b.blk.Event(int(r), b.fc.Ev)
	}
	if err != nil {
		b.err = err
		b.cur = -1
		return false
	}
	b.cur = r
	return true
}

func (b *blockCtx) column(dst *[]int64, get func() ([]int64, error)) []int64 {
	if *dst == nil && b.err == nil {
		v, err := get()
		if err != nil {
			b.err = err
			return nil
		}
		*dst = v
	}
	return *dst
}

func (b *blockCtx) typeCol() []int64 { return b.column(&b.types, b.blk.Types) }
func (b *blockCtx) tidCol() []int64  { return b.column(&b.tids, b.blk.Tids) }
func (b *blockCtx) procCol() []int64 { return b.column(&b.procs, b.blk.Procs) }

// fdNames returns the fd name dictionary and the column, whose Index
// gives each row's entry.
func (b *blockCtx) fdNames() ([]string, *format.ByteColumn) {
	if b.names == nil && b.err == nil {
		col, err := b.blk.FDNames()
		if err == nil {
			b.names, err = b.blk.FDNameStrings()
		}
		if err != nil {
			b.err = err
			return nil, nil
		}
		b.nameCol = col
	}
	return b.names, b.nameCol
}

// keep filters rows in place by pred.
func keep(rows []int32, pred func(r int32) bool) []int32 {
	out := rows[:0]
	for _, r := range rows {
		if pred(r) {
			out = append(out, r)
		}
	}
	return out
}

// minus returns the rows of all not in sub; both ascending.
func minus(all, sub []int32) []int32 {
	out := make([]int32, 0, len(all)-len(sub))
	j := 0
	for _, r := range all {
		for j < len(sub) && sub[j] < r {
			j++
		}
		if j < len(sub) && sub[j] == r {
			continue
		}
		out = append(out, r)
	}
	return out
}

// union merges two ascending, disjoint row lists.
func union(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] < b[j] {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func (n *andNode) filter(b *blockCtx, rows []int32) []int32 {
	for _, k := range n.kids {
		if len(rows) == 0 || b.err != nil {
			return rows[:0]
		}
		rows = k.filter(b, rows)
	}
	return rows
}

func (n *orNode) filter(b *blockCtx, rows []int32) []int32 {
	rest := append([]int32(nil), rows...)
	var hit []int32
	for _, k := range n.kids {
		if len(rest) == 0 || b.err != nil {
			break
		}
		m := k.filter(b, append([]int32(nil), rest...))
		if len(m) == 0 {
			continue
		}
		hit = union(hit, m)
		rest = minus(rest, m)
	}
	return append(rows[:0], hit...)
}

func (n *notNode) filter(b *blockCtx, rows []int32) []int32 {
	m := n.x.filter(b, append([]int32(nil), rows...))
	return append(rows[:0], minus(rows, m)...)
}

// cost orders the terms of an and: cheap column tests first.
func (n *andNode) cost() int { return sumCost(n.kids) }
func (n *orNode) cost() int  { return sumCost(n.kids) }
func (n *notNode) cost() int { return n.x.cost() }

func sumCost(kids []node) int {
	c := 0
	for _, k := range kids {
		c += k.cost()
	}
	return c
}

func (n *checkNode) cost() int {
	switch {
	case n.rhs == nil && (n.dep == fields.DepType || n.dep == fields.DepTypeOnly):
		return 1
	case n.rhs == nil && n.dep == fields.DepProc:
		return 2
	case n.rhs == nil && n.dep == fields.DepFDName && !n.matchesEmpty, n.rhs == nil && n.dep == fields.DepFDType,
		n.rhs == nil && n.dep == fields.DepFDNum:
		return 4
	}
	return 16
}

// filter narrows rows to the events the comparison holds for.
func (n *checkNode) filter(b *blockCtx, rows []int32) []int32 {
	switch {
	case n.rhs == nil && n.dep == fields.DepType:
		return n.filterType(b, rows)
	case n.rhs == nil && n.dep == fields.DepTypeOnly:
		return n.filterTypeOnly(b, rows)
	case n.rhs == nil && n.dep == fields.DepProc:
		return n.filterProc(b, rows)
	case n.rhs == nil && n.dep == fields.DepFDName && !n.matchesEmpty:
		return n.filterFDName(b, rows)
	case n.rhs == nil && n.dep == fields.DepFDType:
		return n.filterFDType(b, rows)
	case n.rhs == nil && n.dep == fields.DepFDNum:
		return n.filterFDNum(b, rows)
	case n.fdOnly:
		return n.filterFDOnly(b, rows)
	}
	return keep(rows, func(r int32) bool { return b.load(r) && n.eval(b.fc) })
}

// filterFDOnly decides a comparison on a field that is missing, so
// false, on the event types that have no fd: those rows by their type, the
// others in full.
func (n *checkNode) filterFDOnly(b *blockCtx, rows []int32) []int32 {
	return n.filterFDRelated(b, rows, func(r int32) bool { return b.load(r) && n.eval(b.fc) })
}

// filterFDRelated rejects the rows of event types without an fd, on which
// an fd field is missing, and decides the others with rest.
func (n *checkNode) filterFDRelated(b *blockCtx, rows []int32, rest func(r int32) bool) []int32 {
	types := b.typeCol()
	if b.err != nil {
		return rows[:0]
	}
	return keep(rows, func(r int32) bool {
		t := types[r]
		if t < 0 || t >= 1<<16 {
			return b.load(r) && n.eval(b.fc) // a corrupt type: load says so
		}
		has := b.memoAt(n.id, int(t)) // 1 no fd, 2 fd
		if *has == 0 {
			*has = 1
			if fields.FDRelatedType(event.Type(t)) {
				*has = 2
			}
		}
		return *has == 2 && rest(r)
	})
}

// byColumns reports whether the fd of events of type t is their fd
// columns' by the columns alone (fields.FDIsColumnByColumns; for fd.name,
// FDNameIsColumnByColumns), so that fdColumns decides a row instead of
// Block.FDProbe.
func (b *blockCtx) byColumns(t int64, name bool) bool {
	if t < 0 || t >= 1<<16 {
		return false
	}
	if b.colRule == nil {
		b.colRule = make([]uint8, 1<<16)
	}
	c := b.colRule[t]
	if c == 0 {
		c = 1
		if fields.FDIsColumnByColumns(event.Type(t)) {
			c |= 2
		}
		if fields.FDNameIsColumnByColumns(event.Type(t)) {
			c |= 4
		}
		b.colRule[t] = c
	}
	if name {
		return c&4 != 0
	}
	return c&2 != 0
}

// fdIsColumn returns row r's fd number and whether its fd is its fd
// columns' (fields.FDIsColumn; for fd.name, FDNameIsColumn): by the
// columns alone for the types byColumns names, else by Block.FDProbe. A
// read error is left in b.err.
func (b *blockCtx) fdIsColumn(r int32, t int64, name bool) (num int64, isCol bool) {
	if b.byColumns(t, name) {
		tid, err := b.blk.Tid(int(r))
		if err == nil {
			num, err = b.blk.FDNum(int(r))
		}
		var ft event.FDType
		if err == nil {
			ft, err = b.blk.FDType(int(r))
		}
		if err != nil {
			b.err = err
			return 0, false
		}
		return num, tid != 0 && num != event.NoFD && ft != event.FDNone
	}
	if err := b.blk.FDProbe(int(r), &b.probe); err != nil {
		b.err = err
		return 0, false
	}
	if name {
		return b.probe.FD.Num, fields.FDNameIsColumn(&b.probe)
	}
	return b.probe.FD.Num, fields.FDIsColumn(&b.probe)
}

// filterFDNum decides fd.num comparisons: missing on the event types
// without an fd, and the fd number column's on the rows whose fd is the
// column's (fields.FDIsColumn); the rest are compared in full.
func (n *checkNode) filterFDNum(b *blockCtx, rows []int32) []int32 {
	types := b.typeCol()
	return n.filterFDRelated(b, rows, func(r int32) bool {
		if num, isCol := b.fdIsColumn(r, types[r], false); isCol {
			return n.compareValue(fields.Int(num))
		}
		return b.err == nil && b.load(r) && n.eval(b.fc)
	})
}

// memoAt returns the cell i of leaf id's per-value results (byType: 0
// unknown, 1 false, 2 true), growing them to hold it.
func (b *blockCtx) memoAt(id, i int) *uint8 {
	res := b.byType[id]
	if i >= len(res) {
		res = append(res, make([]uint8, i+1-len(res))...)
		b.byType[id] = res
	}
	return &res[i]
}

// filterType decides a comparison on evt.type once per event type;
// generic events are named by a parameter and compared in full.
func (n *checkNode) filterType(b *blockCtx, rows []int32) []int32 {
	types := b.typeCol()
	if b.err != nil {
		return rows[:0]
	}
	return keep(rows, func(r int32) bool {
		t := event.Type(types[r])
		if fields.IsGeneric(t) {
			return b.load(r) && n.eval(b.fc)
		}
		return n.byTypeMemo(b, t)
	})
}

// byTypeMemo is decideType memoized per event type.
func (n *checkNode) byTypeMemo(b *blockCtx, t event.Type) bool {
	res := b.memoAt(n.id, int(t))
	if *res == 0 {
		*res = 1
		if n.decideType(b, t) {
			*res = 2
		}
	}
	return *res == 2
}

// decideType decides a comparison on evt.type (DepType; t not generic)
// or on a field of the type alone (DepTypeOnly, on an event that carries
// only the type) for events of type t.
func (n *checkNode) decideType(b *blockCtx, t event.Type) bool {
	if n.dep == fields.DepType {
		return n.compareValue(fields.Str(fields.TypeName(t)))
	}
	b.probe = event.Event{Type: t}
	b.probeFC = fields.Ctx{Ev: &b.probe, Tables: b.fc.Tables}
	return n.eval(&b.probeFC)
}

// filterTypeOnly decides a comparison on a field of the event type
// alone once per type, on an event that carries only the type.
func (n *checkNode) filterTypeOnly(b *blockCtx, rows []int32) []int32 {
	types := b.typeCol()
	if b.err != nil {
		return rows[:0]
	}
	return keep(rows, func(r int32) bool { return n.byTypeMemo(b, event.Type(types[r])) })
}

// filterProc decides a comparison on a process field once per process
// incarnation and event class.
func (n *checkNode) filterProc(b *blockCtx, rows []int32) []int32 {
	types := b.typeCol()
	// Few rows (the others already ruled out) are read through the
	// columns' cursors; many, from the columns decoded whole.
	var tids, procs []int64
	sparse := b.tids == nil && len(rows)*8 < b.blk.Len()
	if !sparse {
		tids, procs = b.tidCol(), b.procCol()
	}
	if b.err != nil {
		return rows[:0]
	}
	m := b.memo[n.id]
	if m == nil {
		m = map[uint64]bool{}
		b.memo[n.id] = m
	}
	var lastKey uint64
	var lastRes, haveLast bool
	return keep(rows, func(r int32) bool {
		var tid, proc int64
		if sparse {
			t, err := b.blk.Tid(int(r))
			p, err2 := b.blk.Proc(int(r))
			if err = cmp.Or(err, err2); err != nil {
				b.err = err
				return false
			}
			tid, proc = t, int64(p)
		} else {
			tid, proc = tids[r], procs[r]
		}
		key := uint64(proc)<<2 | uint64(fields.ProcClass(tid, event.Type(types[r])))
		if haveLast && key == lastKey {
			return lastRes
		}
		res, ok := m[key]
		if !ok {
			b.probe = event.Event{Type: event.Type(types[r]), Tid: tid, Proc: event.ProcKey(proc)}
			b.probeFC = fields.Ctx{Ev: &b.probe, Tables: b.fc.Tables}
			res = n.eval(&b.probeFC)
			m[key] = res
		}
		lastKey, lastRes, haveLast = key, res, true
		return res
	})
}

// filterFDName decides fd.name comparisons by the block's fd name
// dictionary: a row can only match when its entry does or when its name
// comes from its parameters. Of those, a row whose fd is the column's
// (fields.FDNameIsColumn) is decided by its entry; the rest are compared
// in full.
func (n *checkNode) filterFDName(b *blockCtx, rows []int32) []int32 {
	names, col := b.fdNames()
	types := b.typeCol()
	if b.err != nil {
		return rows[:0]
	}
	d := b.dict[n.id]
	if b.dictGen[n.id] != b.gen {
		d = append(d[:0], make([]uint8, len(names))...)
		b.dict[n.id], b.dictGen[n.id] = d, b.gen
	}
	return keep(rows, func(r int32) bool {
		e := col.Index(int(r))
		if d[e] == 0 {
			d[e] = 1
			if n.compareValue(fields.Str(fields.FDNameValue(names[e]))) {
				d[e] = 2
			}
		}
		if d[e] == 1 && !fields.FDNameElsewhere(event.Type(types[r])) {
			return false
		}
		// When the event's fd is the column's, the entry decides.
		if _, isCol := b.fdIsColumn(r, types[r], true); isCol {
			return d[e] == 2
		}
		return b.err == nil && b.load(r) && n.eval(b.fc)
	})
}

// filterFDType decides fd.type comparisons by the fd type column, once
// per fd type: a row whose column's type fails cannot match (its fd.type
// is that type or missing) unless its fd may come from elsewhere. Of the
// others, a row whose fd is the column's (fields.FDIsColumn) is decided by
// its type; the rest are compared in full.
func (n *checkNode) filterFDType(b *blockCtx, rows []int32) []int32 {
	types := b.typeCol()
	if b.err != nil {
		return rows[:0]
	}
	return keep(rows, func(r int32) bool {
		ft, err := b.blk.FDType(int(r))
		if err != nil {
			b.err = err
			return false
		}
		res := b.memoAt(n.id, int(ft)) // by fd type here
		if *res == 0 {
			*res = 1
			if s, ok := fields.FDTypeValue(ft); ok && n.compareValue(fields.Str(s)) {
				*res = 2
			}
		}
		if *res == 1 && !fields.FDTypeElsewhere(event.Type(types[r])) {
			return false
		}
		// When the event's fd is the column's, its type decides.
		if _, isCol := b.fdIsColumn(r, types[r], false); isCol {
			return *res == 2
		}
		return b.err == nil && b.load(r) && n.eval(b.fc)
	})
}

// compareValue applies the check's transformers and operator to v, as
// eval does to an extracted value.
func (n *checkNode) compareValue(v fields.Value) bool {
	for i := len(n.trans) - 1; i >= 0; i-- {
		var ok bool
		if v, ok = transform(n.trans[i], v); !ok {
			return false
		}
	}
	if n.op == filter.OpExists {
		return true
	}
	if v.Kind == fields.TStrings {
		return n.evalList(v, n.o)
	}
	return n.evalOne(v, n.o)
}

// splitByType finds in root's top-level and the comparisons that depend
// on the event type (Filter.byType) and returns them with what is left of
// root to decide. A comparison of the type alone (fields.DepTypeOnly)
// leaves root; one of evt.type stays in it too, for the generic events,
// which a parameter names.
func splitByType(root node) (byType []*checkNode, rest node) {
	check := func(n node) *checkNode {
		if c, ok := n.(*checkNode); ok && c.rhs == nil && (c.dep == fields.DepTypeOnly || c.dep == fields.DepType) {
			return c
		}
		return nil
	}
	if c := check(root); c != nil {
		if c.dep == fields.DepType {
			return []*checkNode{c}, root
		}
		return []*checkNode{c}, nil
	}
	and, ok := root.(*andNode)
	if !ok {
		return nil, root
	}
	var kids []node
	for _, k := range and.kids {
		c := check(k)
		if c != nil {
			byType = append(byType, c)
		}
		if c == nil || c.dep == fields.DepType {
			kids = append(kids, k)
		}
	}
	switch len(kids) {
	case 0:
		return byType, nil
	case 1:
		return byType, kids[0]
	}
	return byType, &andNode{kids}
}

// passByType reports whether events of type t pass the filter's byType
// comparisons.
func (b *blockCtx) passByType(f *Filter, t event.Type) bool {
	for _, c := range f.byType {
		// A generic event's evt.type is a parameter: the rest decides it.
		if !(c.dep == fields.DepType && fields.IsGeneric(t)) && !c.decideType(b, t) {
			return false
		}
	}
	return true
}

// prepareLeaves numbers the comparisons of a compiled filter, marks those
// the block evaluator can shortcut, and orders the terms of each and by
// cost.
func prepareLeaves(root node, leaves *int) {
	switch n := root.(type) {
	case *andNode:
		for _, k := range n.kids {
			prepareLeaves(k, leaves)
		}
		sortByCost(n.kids)
	case *orNode:
		for _, k := range n.kids {
			prepareLeaves(k, leaves)
		}
	case *notNode:
		prepareLeaves(n.x, leaves)
	case *checkNode:
		n.id = *leaves
		*leaves++
		if n.rhs == nil && n.dep == fields.DepFDName {
			n.matchesEmpty = n.compareValue(fields.Str(""))
		}
	}
}

// sortByCost orders terms by cost, keeping the order of equal ones
// (insertion sort: terms are few).
func sortByCost(kids []node) {
	for i := 1; i < len(kids); i++ {
		for j := i; j > 0 && kids[j].cost() < kids[j-1].cost(); j-- {
			kids[j], kids[j-1] = kids[j-1], kids[j]
		}
	}
}
