package query

import (
	"context"
	"slices"

	"forensics/capture"
	"forensics/event"
	"forensics/query/fields"
)

// RunMulti runs several filters over a capture at once, each decided a
// block at a time as Run decides one (vector.go): fn sees, in order, every
// event that opts selects and at least one filter matches, with the
// positions in filters of those that match it, ascending. Falco rule
// replay runs its rules this way. It returns the number of events opts
// selected (the events the filters were asked about).
func RunMulti(ctx context.Context, c *capture.Capture, opts Options, filters []*Filter,
	fn func(fc *fields.Ctx, which []int) error) (examined uint64, err error) {
	if filters == nil {
		filters = []*Filter{}
	}
	var ev event.Event
	var which []int
	n := 0
	consume := func(b *batch, tables *fields.Tables) (bool, error) {
		examined += uint64(b.examined)
		fc := &fields.Ctx{Ev: &ev, Tables: tables}
		start := 0
		for k, r := range b.rows {
			end := int(b.whichEnd[k])
			which = which[:0]
			for _, w := range b.which[start:end] {
				which = append(which, int(w))
			}
			start = end
			if err := b.blk.Event(int(r), &ev); err != nil {
				return false, err
			}
			if err := fn(fc, which); err != nil {
				return false, err
			}
			if n++; opts.Limit > 0 && n >= opts.Limit {
				return true, nil
			}
		}
		return false, nil
	}
	err = runWith(ctx, c, opts, nil, filters, nil, consume)
	return examined, err
}

// multiBlock decides each filter on the rows filterBlock selected and
// keeps the rows that one matches, with which.
func multiBlock(b *batch, bcs []*blockCtx, filters []*Filter) error {
	base := b.rows
	b.examined = len(base)
	types, err := b.blk.Types()
	if err != nil {
		return err
	}
	// k of each base row, by row number.
	if cap(b.rowPos) < b.blk.Len() {
		b.rowPos = make([]int32, b.blk.Len())
	}
	pos := b.rowPos[:b.blk.Len()]
	for k, r := range base {
		pos[r] = int32(k)
	}
	// The (row, filter) matches, in filter order.
	type hit struct{ k, i int32 }
	var hits []hit
	rows := make([]int32, 0, len(base))
	for i, f := range filters {
		rows = rows[:0]
		for _, r := range base {
			if f.Types == nil || f.Types.Has(uint16(types[r])) {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			continue
		}
		bc := bcs[i]
		bc.reset(b.blk)
		got := f.root.filter(bc, rows)
		if bc.err != nil {
			return bc.err
		}
		for _, r := range got {
			hits = append(hits, hit{pos[r], int32(i)})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return int(a.k - b.k) })
	out := base[:0]
	b.which, b.whichEnd = b.which[:0], b.whichEnd[:0]
	for j := 0; j < len(hits); {
		k := hits[j].k
		out = append(out, base[k])
		for ; j < len(hits) && hits[j].k == k; j++ {
			b.which = append(b.which, hits[j].i)
		}
		b.whichEnd = append(b.whichEnd, int32(len(b.which)))
	}
	b.rows = out
	return nil
}
