package query

import (
	"forensics/event"
	"forensics/format"
)

// rowCache keeps the events a worker has materialized from the block at
// hand, so that each row is decoded once however many passes read it: the
// filter's, each rule's of a replay, then the printer's or the visitor's.
// It lives as long as the block's processing; the kept events' parameters
// point into the block.
type rowCache struct {
	blk    *format.Block
	slotOf []int32       // per row of the block: its slot + 1, 0 when not kept
	rows   []int32       // the row of each slot
	evs    []event.Event // the kept events
	params [][]byte      // the kept events' parameters, one after another
	pbuf   [][]byte      // the parameters of the event last restored
}

// reset starts a new block.
func (c *rowCache) reset(blk *format.Block) {
	for _, r := range c.rows {
		c.slotOf[r] = 0
	}
	c.rows, c.evs, c.params = c.rows[:0], c.evs[:0], c.params[:0]
	c.blk = blk
	if n := blk.Len(); len(c.slotOf) < n {
		c.slotOf = make([]int32, n)
	}
}

// load fills ev with row r of the block: a copy of the kept event, or the
// row decoded and then kept when keep is set (the last pass, which reads
// each row once, does not keep).
func (c *rowCache) load(r int32, ev *event.Event, keep bool) error {
	if s := c.slotOf[r]; s > 0 {
		kept := &c.evs[s-1]
		// ev gets parameters of its own: a later Event into ev must not
		// write over a kept event's.
		c.pbuf = append(c.pbuf[:0], kept.Params...)
		*ev = *kept
		ev.Params = c.pbuf
		return nil
	}
	if err := c.blk.Event(int(r), ev); err != nil || !keep {
		return err
	}
	start := len(c.params)
	c.params = append(c.params, ev.Params...)
	kept := *ev
	kept.Params = c.params[start:len(c.params):len(c.params)]
	c.evs = append(c.evs, kept)
	c.rows = append(c.rows, r)
	c.slotOf[r] = int32(len(c.evs))
	return nil
}
