package format

import (
	"fmt"
	"slices"
	"sort"

	"forensics/event"
	"forensics/format/internal/wire"
)

// Column ids. Core columns hold one value per event; a parameter column
// (paramColumn) holds parameter k of every event of one type in the block,
// empty where an event has fewer parameters.
const (
	colNum uint32 = iota + 1
	colTs
	colCPU
	colTid
	colType
	colFlags
	colProc
	colNParams
	colFDNum
	colFDType
	colFDRole
	colFDName
	colFDTuple
	colFDOpenFlags
	colFDDev
	colFDIno
	colProcs  // process records of incarnations new or changed in this block
	colMerged // parameters merged from the enter event; absent means none
	numCoreColumns
)

const paramColumnBase = 1 << 24

func paramColumn(t event.Type, k int) uint32 { return paramColumnBase | uint32(t)<<8 | uint32(k) }

// maxParams bounds the parameters of one event (libs events have at most 32).
const maxParams = 64

var blockMagic = [4]byte{'F', 'B', 'L', 'K'}

// blockLayoutVersion is the layout this build writes; it reads 1 to 3.
// Layout 2 added the encIntDict integer encoding, layout 3 the parts.
const blockLayoutVersion = 3

// A block of layout 3 is compressed in parts, one zstd frame each, so
// that a reader decompresses only the columns it reads. The directory
// gives each column's part; part 0 holds the header, the directory and
// the columns every reader needs. The writer groups the columns by kind
// (below) and numbers the kinds present 0, 1, ... in this order.
const (
	partCore    = iota // num, type, flags, parameter count, tid, fd number and type
	partTime           // ts and cpu (event.PartTs)
	partProc           // process incarnations (event.PartProc)
	partFDName         // event.PartFDName
	partFDTuple        // event.PartFDTuple: tuples and roles
	partRare           // columns few readers read: event.PartFDMeta, event.PartMerged
	partParams         // parameters of most events
	partSched          // parameters of scheduler events (procinfo, switch)
	partBulky          // I/O buffers, arguments, environments
	partRecords        // process records
	numPartKinds
)

// maxParts bounds the parts of a block.
const maxParts = numPartKinds

// partKind returns the kind of part column c goes into.
func partKind(c *colOut) int {
	switch c.id {
	case colTs, colCPU:
		return partTime
	case colProc:
		if c.enc == encPairDict {
			return partCore // a table of a few bytes, read with the threads
		}
		return partProc
	case colFDName:
		return partFDName
	case colFDTuple, colFDRole:
		return partFDTuple
	case colFDOpenFlags, colFDDev, colFDIno, colMerged:
		return partRare
	case colProcs:
		return partRecords
	}
	if c.id < paramColumnBase {
		return partCore
	}
	if c.heavy {
		return partBulky
	}
	if info := event.Lookup(event.Type(c.id >> 8 & 0xFFFF)); info != nil && (info.Name == "procinfo" || info.Name == "switch") {
		return partSched
	}
	return partParams
}

// BlockHeader is the summary at the start of every block.
type BlockHeader struct {
	Seq      uint64
	FirstNum uint64
	Count    int
	FirstTs  uint64 // smallest timestamp
	LastTs   uint64 // largest timestamp
	// Drops are the file's cumulative drop counters when the block was cut.
	Drops  Drops
	Types  []TypeCount // events per type, ascending by type
	NProcs int         // process records in the block
	// PrevDigest is the chain digest after the previous block (zero for
	// the first block of a file).
	PrevDigest [32]byte
}

// blockBuilder accumulates events into the columns of one block.
type blockBuilder struct {
	n       int
	ints    [numCoreColumns][]int64
	fdName  byteValues
	fdTuple byteValues
	params  map[uint32]*byteValues
	procs   []byte
	nprocs  int
	typeN   map[event.Type]uint64
	firstTs uint64
	lastTs  uint64
	rawSize int // estimate of the encoded size

	scratch   []byte
	cols      []colOut
	dict      dictScratch
	intDict   intDict
	pairKeys  []int64 // thread<<32 | process of each event (encPairDict)
	pairProcs []byte  // the process column of the pairs
	tupleBuf  []byte
	freeParam []*byteValues
}

type colOut struct {
	id    uint32
	enc   byte
	n     int
	start int
	end   int
	heavy bool // a byte column sorted to the end of the block
	part  int  // its part kind, then its part
}

var intColumns = []uint32{colNum, colTs, colCPU, colTid, colType, colFlags, colProc, colNParams,
	colFDNum, colFDType, colFDRole, colFDOpenFlags, colFDDev, colFDIno, colMerged}

func (b *blockBuilder) reset() {
	b.n = 0
	for _, id := range intColumns {
		b.ints[id] = b.ints[id][:0]
	}
	b.fdName.reset()
	b.fdTuple.reset()
	for id, v := range b.params {
		v.reset()
		b.freeParam = append(b.freeParam, v)
		delete(b.params, id)
	}
	b.procs = b.procs[:0]
	b.nprocs = 0
	clear(b.typeN)
	b.firstTs, b.lastTs, b.rawSize = 0, 0, 0
}

func (b *blockBuilder) add(ev *event.Event) error {
	if len(ev.Params) > maxParams {
		return fmt.Errorf("%w: event %d has %d parameters (at most %d)", ErrLimit, ev.Num, len(ev.Params), maxParams)
	}
	if b.params == nil {
		b.params = make(map[uint32]*byteValues)
		b.typeN = make(map[event.Type]uint64)
	}
	// The block's time span ignores timestamps of 0: some writers (old
	// sysdig's container events) leave them unset.
	if ev.Ts != 0 && (b.firstTs == 0 || ev.Ts < b.firstTs) {
		b.firstTs = ev.Ts
	}
	if ev.Ts > b.lastTs {
		b.lastTs = ev.Ts
	}
	ints := &b.ints
	ints[colNum] = append(ints[colNum], int64(ev.Num))
	ints[colTs] = append(ints[colTs], int64(ev.Ts))
	ints[colCPU] = append(ints[colCPU], int64(ev.CPU))
	ints[colTid] = append(ints[colTid], ev.Tid)
	ints[colType] = append(ints[colType], int64(ev.Type))
	ints[colFlags] = append(ints[colFlags], int64(ev.Flags))
	ints[colProc] = append(ints[colProc], int64(ev.Proc))
	ints[colNParams] = append(ints[colNParams], int64(len(ev.Params)))
	ints[colMerged] = append(ints[colMerged], int64(ev.Merged))
	fd := &ev.FD
	ints[colFDNum] = append(ints[colFDNum], fd.Num)
	ints[colFDType] = append(ints[colFDType], int64(fd.Type))
	ints[colFDRole] = append(ints[colFDRole], int64(fd.Role))
	ints[colFDOpenFlags] = append(ints[colFDOpenFlags], int64(fd.OpenFlags))
	ints[colFDDev] = append(ints[colFDDev], int64(fd.Dev))
	ints[colFDIno] = append(ints[colFDIno], int64(fd.Ino))
	b.fdName.addString(fd.Name)
	if fd.Tuple.IsZero() {
		b.fdTuple.add(nil)
	} else {
		b.tupleBuf = appendTuple(b.tupleBuf[:0], &fd.Tuple)
		b.fdTuple.add(b.tupleBuf)
	}
	b.rawSize += 24 + len(fd.Name)

	// Parameter columns are dense over the events of a type: an event with
	// fewer parameters than another of its type leaves empty values, and
	// the nparams column says how many it had.
	row := b.typeN[ev.Type]
	b.typeN[ev.Type] = row + 1
	for k, p := range ev.Params {
		col := b.paramValues(paramColumn(ev.Type, k), int(row))
		col.add(p)
		b.rawSize += len(p) + 1
	}
	for k := len(ev.Params); ; k++ {
		col, ok := b.params[paramColumn(ev.Type, k)]
		if !ok || k >= maxParams {
			break
		}
		col.add(nil)
	}
	b.n++
	return nil
}

// paramValues returns the column for id, creating it with row empty
// values for the earlier events of the type that lacked the parameter.
func (b *blockBuilder) paramValues(id uint32, row int) *byteValues {
	col, ok := b.params[id]
	if !ok {
		if k := len(b.freeParam); k > 0 {
			col = b.freeParam[k-1]
			b.freeParam = b.freeParam[:k-1]
		} else {
			col = &byteValues{}
		}
		for range row {
			col.add(nil)
		}
		b.params[id] = col
	}
	return col
}

func (b *blockBuilder) addProcess(p *event.Process) {
	b.procs = appendProcess(b.procs, p)
	b.nprocs++
	b.rawSize += 64
}

// finish encodes the block into dst:
//
//	"FBLK" version u8 header prevDigest[32] nparts ncols directory columns...
//
// and returns the end of each part in dst. The columns go in part order;
// within a part, core columns first, then parameter columns by event
// type, then process records.
func (b *blockBuilder) finish(dst []byte, h *BlockHeader, ends []int) ([]byte, []int) {
	h.Count = b.n
	h.FirstTs, h.LastTs = b.firstTs, b.lastTs
	h.NProcs = b.nprocs
	h.Types = h.Types[:0]
	for t, n := range b.typeN {
		h.Types = append(h.Types, TypeCount{t, n})
	}
	slices.SortFunc(h.Types, func(a, c TypeCount) int { return int(a.Type) - int(c.Type) })

	b.scratch = b.scratch[:0]
	b.cols = b.cols[:0]
	addCol := func(id uint32, n int, heavy bool, enc func() byte) {
		start := len(b.scratch)
		e := enc()
		b.cols = append(b.cols, colOut{id: id, enc: e, n: n, start: start, end: len(b.scratch), heavy: heavy})
	}
	// Threads and processes as one dictionary of pairs, when they make
	// one: the process column is then a table of a few bytes, not an
	// index per event (encPairDict).
	var pairs bool
	for _, id := range intColumns {
		vals := b.ints[id]
		if id == colTid {
			b.pairKeys, pairs = b.intDict.pairDict(b.ints[colTid], b.ints[colProc], b.pairKeys)
			pairs = pairs && len(b.intDict.vals) > 1
		}
		switch {
		case pairs && id == colTid:
			d := &b.intDict
			addCol(id, b.n, false, func() byte {
				b.scratch = d.appendIndexed(d.appendTable(b.scratch, func(k int64) int64 { return k >> 32 }), b.pairKeys)
				return encIntDict
			})
			b.pairProcs = d.appendTable(b.pairProcs[:0], func(k int64) int64 { return k & (1<<32 - 1) })
		case pairs && id == colProc:
			addCol(id, b.n, false, func() byte { b.scratch = append(b.scratch, b.pairProcs...); return encPairDict })
		default:
			addCol(id, b.n, false, func() (e byte) { b.scratch, e = appendInts(b.scratch, vals, &b.intDict); return })
		}
	}
	addCol(colFDName, b.n, false, func() (e byte) { b.scratch, e = appendBytes(b.scratch, &b.fdName, true, &b.dict); return })
	addCol(colFDTuple, b.n, false, func() (e byte) { b.scratch, e = appendBytes(b.scratch, &b.fdTuple, true, &b.dict); return })
	ids := make([]uint32, 0, len(b.params))
	for id := range b.params {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		vals := b.params[id]
		heavy := len(vals.data) > 8*vals.len()
		addCol(id, vals.len(), heavy, func() (e byte) { b.scratch, e = appendBytes(b.scratch, vals, false, &b.dict); return })
	}
	if b.nprocs > 0 {
		addCol(colProcs, b.nprocs, true, func() byte { b.scratch = append(b.scratch, b.procs...); return encBytes })
	}
	// Stable: within a part the columns keep their order. Then the kinds
	// present are numbered 0, 1, ...
	var present [numPartKinds]bool
	for i := range b.cols {
		b.cols[i].part = partKind(&b.cols[i])
		present[b.cols[i].part] = true
	}
	present[partCore] = true
	sort.SliceStable(b.cols, func(i, j int) bool { return b.cols[i].part < b.cols[j].part })
	var number [numPartKinds]int
	nparts := 0
	for k, ok := range present {
		if ok {
			number[k] = nparts
			nparts++
		}
	}
	for i := range b.cols {
		b.cols[i].part = number[b.cols[i].part]
	}

	dst = append(dst, blockMagic[:]...)
	dst = append(dst, blockLayoutVersion)
	dst = wire.AppendUvarint(dst, h.Seq)
	dst = wire.AppendUvarint(dst, h.FirstNum)
	dst = wire.AppendUvarint(dst, uint64(h.Count))
	dst = wire.AppendUvarint(dst, h.FirstTs)
	dst = wire.AppendUvarint(dst, h.LastTs-h.FirstTs)
	dst = wire.AppendUvarint(dst, h.Drops.Kernel)
	dst = wire.AppendUvarint(dst, h.Drops.User)
	dst = appendTypeCounts(dst, h.Types)
	dst = wire.AppendUvarint(dst, uint64(h.NProcs))
	dst = append(dst, h.PrevDigest[:]...)
	dst = wire.AppendUvarint(dst, uint64(nparts))
	dst = wire.AppendUvarint(dst, uint64(len(b.cols)))
	for _, c := range b.cols {
		dst = wire.AppendUvarint(dst, uint64(c.id))
		dst = append(dst, c.enc)
		dst = wire.AppendUvarint(dst, uint64(c.n))
		dst = wire.AppendUvarint(dst, uint64(c.end-c.start))
		dst = wire.AppendUvarint(dst, uint64(c.part))
	}
	ends = ends[:0]
	for i, c := range b.cols {
		if i > 0 && c.part != b.cols[i-1].part {
			ends = append(ends, len(dst))
		}
		dst = append(dst, b.scratch[c.start:c.end]...)
	}
	return dst, append(ends, len(dst))
}
