package format

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"

	"forensics/event"
	"forensics/format/internal/wire"

	"github.com/klauspost/compress/zstd"
)

// Block is one decoded block. Columns are decoded on first use, so a reader
// that filters on the event type touches only the type column. A Block may
// be reused with DecodeBlock to keep its buffers.
type Block struct {
	Header BlockHeader
	// Whole makes Event decode the integer columns whole rather than read
	// them through cursors: for a reader that passes over the rows many
	// times (one pass per rule of a replay). DecodeBlock keeps it.
	Whole bool
	// Skip are the event.Parts Event leaves zero instead of reading their
	// columns, for a reader that uses none of them. DecodeBlock keeps it.
	Skip event.Parts

	raw []byte // the decompressed block (its part 0); columns point into it
	dir []dirEntry
	// A block of layout 3 is decompressed a part at a time (see
	// partCore): packed holds its frames, parts the rest, decompressed
	// when a column of theirs is first read, with dec. where names the
	// block in errors.
	packed  []byte
	parts   []blockPart
	dec     *zstd.Decoder
	where   PosError            // the block's place in its file
	partsAt int64               // offset of part 1 in the block
	core    [numCoreColumns]int // dir index of each core column, -1 if absent

	ints      [numCoreColumns][]int64
	intsOK    [numCoreColumns]bool
	cur       [numCoreColumns]intCursor // Event's readers of the columns not decoded whole
	fdName    ByteColumn
	fdTuple   ByteColumn
	fdNameOK  bool
	fdNames   []string // the fd name dictionary as strings, made once per block
	counts    []uint32
	tupleOK   bool
	params    []ByteColumn // parallel to dir, decoded on demand
	paramsOK  []bool
	rowInTyp  []uint32
	typeDict  []int64 // RowInType's reading of an encIntDict type column
	pairTids  []int64 // the thread column's table, for an encPairDict process column
	pairProcs []int64 // its processes
	tuples    []event.Tuple
	// evReady says every column Event needs is decoded; firstParam holds,
	// per event type, the directory index of its first parameter column
	// plus one (0: not looked up yet).
	evReady    bool
	firstParam []int32
	skipCol    [numCoreColumns]bool // the integer columns Skip leaves unread
	curOK      [numCoreColumns]bool // cur[id] is ready
}

type dirEntry struct {
	id   uint32
	enc  byte
	n    int
	data []byte // nil until its part is decompressed
	size int
	part int
	off  int // offset in its part
}

// blockPart is part k ≥ 1 of a block of layout 3.
type blockPart struct {
	frame  []byte // compressed; nil when the block was given decompressed
	off    int64  // of the frame in the file
	raw    []byte // decompressed, reused
	size   int    // the size its columns add up to
	loaded bool
}

// Len returns the number of events in the block.
func (b *Block) Len() int { return b.Header.Count }

// DecodeBlock parses a decompressed block into b, reusing b's buffers. The
// block keeps raw; the caller must not modify it while b is in use. A block
// of layout 3 is given whole: its parts decompressed, one after the other
// (as `zstd -d` writes them).
func DecodeBlock(b *Block, raw []byte) error { return b.decode(raw, nil) }

// decode parses a block into b. With frames nil, raw is the whole block;
// otherwise raw is part 0 of a block of layout 3 and frames the
// compressed frames of its other parts, one after the other.
func (b *Block) decode(raw, frames []byte) error {
	b.raw = raw
	d := wire.NewDecoder(raw)
	layout, nparts, err := decodeBlockHeader(d, &b.Header)
	if err != nil {
		return err
	}
	h := &b.Header
	ncols := d.Count(4)
	b.dir = b.dir[:0]
	if cap(b.parts) < nparts {
		b.parts = make([]blockPart, nparts)
	}
	b.parts = b.parts[:nparts]
	for k := range b.parts {
		b.parts[k].size, b.parts[k].loaded, b.parts[k].frame = 0, k == 0 || frames == nil, nil
	}
	for i := 0; i < ncols && d.Err() == nil; i++ {
		e := dirEntry{id: uint32(d.Uint(1<<32 - 1)), enc: d.Byte(), n: int(d.Uint(maxColumnValues)), size: int(d.Uint(uint64(maxBlockSize)))}
		if layout >= 3 {
			e.part = int(d.Uint(uint64(nparts - 1)))
			if i > 0 && e.part < b.dir[i-1].part {
				return fmt.Errorf("%w: block columns out of part order", ErrCorrupt)
			}
		}
		p := &b.parts[e.part]
		e.off = p.size
		if p.size += e.size; p.size > maxBlockSize {
			return fmt.Errorf("%w: block part %d of over %d bytes", ErrCorrupt, e.part, maxBlockSize)
		}
		b.dir = append(b.dir, e)
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%w: block header: %w", ErrCorrupt, err)
	}
	if frames == nil {
		// Whole: every part follows part 0.
		total := 0
		for _, p := range b.parts {
			total += p.size
		}
		if total != d.Len() {
			return fmt.Errorf("%w: block columns hold %d bytes, block has %d", ErrCorrupt, total, d.Len())
		}
		for i := range b.dir {
			b.dir[i].data = d.Next(b.dir[i].size)
		}
	} else {
		if b.parts[0].size != d.Len() {
			return fmt.Errorf("%w: block part 0 columns hold %d bytes, part has %d", ErrCorrupt, b.parts[0].size, d.Len())
		}
		if err := b.splitFrames(frames); err != nil {
			return err
		}
		for i := range b.dir {
			if e := &b.dir[i]; e.part == 0 {
				e.data = d.Next(e.size)
			}
		}
	}
	// Sort the directory by id for lookups; file order only serves
	// decompression.
	sort.Slice(b.dir, func(i, j int) bool { return b.dir[i].id < b.dir[j].id })
	for i := range b.core {
		b.core[i] = -1
		b.intsOK[i] = false
	}
	var sum uint64
	for i, e := range b.dir {
		if i > 0 && b.dir[i-1].id == e.id {
			return fmt.Errorf("%w: column %#x twice", ErrCorrupt, e.id)
		}
		if e.id < numCoreColumns {
			b.core[e.id] = i
			want := h.Count
			if e.id == colProcs {
				want = h.NProcs
			}
			if e.n != want {
				return fmt.Errorf("%w: column %d has %d values for %d", ErrCorrupt, e.id, e.n, want)
			}
		} else if e.id < paramColumnBase || e.id&0xFF >= maxParams {
			return fmt.Errorf("%w: unknown column %#x", ErrCorrupt, e.id)
		}
	}
	for _, tc := range h.Types {
		sum += tc.Count
	}
	if sum != uint64(h.Count) {
		return fmt.Errorf("%w: type counts sum to %d for %d events", ErrCorrupt, sum, h.Count)
	}
	for _, id := range intColumns {
		if b.core[id] < 0 && h.Count > 0 && !optionalColumn(id) {
			return fmt.Errorf("%w: column %d missing", ErrCorrupt, id)
		}
	}
	if h.Count > 0 && (b.core[colFDName] < 0 || b.core[colFDTuple] < 0) {
		return fmt.Errorf("%w: fd columns missing", ErrCorrupt)
	}
	b.fdNameOK, b.tupleOK = false, false
	if cap(b.params) < len(b.dir) {
		b.params = make([]ByteColumn, len(b.dir))
		b.paramsOK = make([]bool, len(b.dir))
	}
	b.params = b.params[:len(b.dir)]
	b.paramsOK = b.paramsOK[:len(b.dir)]
	clear(b.paramsOK)
	b.rowInTyp = b.rowInTyp[:0]
	b.tuples = b.tuples[:0]
	b.evReady = false
	clear(b.firstParam)
	return nil
}

// decodeBlockHeader reads a block's header up to its number of parts (1
// before layout 3).
func decodeBlockHeader(d *wire.Decoder, h *BlockHeader) (layout byte, nparts int, err error) {
	if m := d.Next(4); m == nil || [4]byte(m) != blockMagic {
		return 0, 0, fmt.Errorf("%w: not a block", ErrCorrupt)
	}
	layout = d.Byte()
	if d.Err() == nil && (layout < 1 || layout > blockLayoutVersion) {
		return 0, 0, fmt.Errorf("%w: block layout %d", ErrVersion, layout)
	}
	h.Seq = d.Uvarint()
	h.FirstNum = d.Uvarint()
	h.Count = int(d.Uint(maxColumnValues))
	h.FirstTs = d.Uvarint()
	h.LastTs = h.FirstTs + d.Uvarint()
	h.Drops.Kernel = d.Uvarint()
	h.Drops.User = d.Uvarint()
	h.Types = decodeTypeCounts(d)
	h.NProcs = int(d.Uint(maxColumnValues))
	copy(h.PrevDigest[:], d.Next(32))
	nparts = 1
	if layout >= 3 {
		nparts = int(d.Uint(maxParts))
		if nparts < 1 && d.Err() == nil {
			return 0, 0, fmt.Errorf("%w: block of no parts", ErrCorrupt)
		}
	}
	if err := d.Err(); err != nil {
		return 0, 0, fmt.Errorf("%w: block header: %w", ErrCorrupt, err)
	}
	return layout, nparts, nil
}

// blockParts returns the number of parts of the block whose part 0 is raw.
func blockParts(raw []byte) (int, error) {
	var h BlockHeader
	_, n, err := decodeBlockHeader(wire.NewDecoder(raw), &h)
	return n, err
}

// splitFrames gives parts 1.. of the block their frames, one after the
// other in frames.
func (b *Block) splitFrames(frames []byte) error {
	off := 0
	for k := 1; k < len(b.parts); k++ {
		fi, err := scanFrame(bytes.NewReader(frames), int64(off), int64(len(frames)))
		if err == nil && fi.Kind != frameData {
			err = fmt.Errorf("%w: not a zstd frame", ErrCorrupt)
		}
		if err != nil {
			return fmt.Errorf("%w: block part %d: %w", ErrCorrupt, k, err)
		}
		p := &b.parts[k]
		p.frame = frames[off : off+int(fi.Size)]
		p.off = int64(off)
		off += int(fi.Size)
	}
	if off != len(frames) {
		return fmt.Errorf("%w: %d bytes after the block's %d parts", ErrCorrupt, len(frames)-off, len(b.parts))
	}
	return nil
}

// pairTable returns the processes of an encPairDict process column, one
// per entry of the thread column's dictionary, and that column's index
// bytes.
func (b *Block) pairTable() ([]int64, []byte, error) {
	ti, pi := b.core[colTid], b.core[colProc]
	if ti < 0 || b.dir[ti].enc != encIntDict {
		return nil, nil, fmt.Errorf("%w: processes paired with threads that are not a dictionary", ErrCorrupt)
	}
	tdata, err := b.colData(ti)
	if err != nil {
		return nil, nil, err
	}
	tids, idx, err := intDictTable(b.pairTids[:0], tdata, b.dir[ti].n)
	b.pairTids = tids
	if err != nil {
		return nil, nil, fmt.Errorf("column %d: %w", colTid, err)
	}
	pdata, err := b.colData(pi)
	if err != nil {
		return nil, nil, err
	}
	procs, err := pairTable(b.pairProcs[:0], pdata, len(tids))
	b.pairProcs = procs
	if err != nil {
		return nil, nil, fmt.Errorf("column %d: %w", colProc, err)
	}
	return procs, idx, nil
}

// pairValues decodes an encPairDict process column whole.
func (b *Block) pairValues() ([]int64, error) {
	procs, idx, err := b.pairTable()
	if err != nil {
		return nil, err
	}
	n := b.Header.Count
	v := growInts(b.ints[colProc], n)
	for i := range v {
		p, ok := intDictAt(procs, idx, i)
		if !ok {
			return nil, fmt.Errorf("%w: column %d: index past the pairs at value %d", ErrCorrupt, colProc, i)
		}
		v[i] = p
	}
	return v, nil
}

// colData returns the data of directory entry i, decompressing its part
// first if it is not yet.
func (b *Block) colData(i int) ([]byte, error) {
	e := &b.dir[i]
	if p := &b.parts[e.part]; !p.loaded {
		if err := b.loadPart(e.part); err != nil {
			return nil, err
		}
	}
	return e.data, nil
}

// loadPart decompresses part k and points its columns into it.
func (b *Block) loadPart(k int) error {
	p := &b.parts[k]
	if b.dec == nil {
		dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxBlockSize))
		if err != nil {
			return err
		}
		b.dec = dec
	}
	raw, err := b.dec.DecodeAll(p.frame, p.raw[:0])
	if err == nil && len(raw) != p.size {
		err = fmt.Errorf("%w: part of %d bytes, its columns hold %d", ErrCorrupt, len(raw), p.size)
	} else if err != nil {
		err = fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if err != nil {
		pe := b.where
		pe.What = fmt.Sprintf("%s, part %d (at offset %d)", pe.What, k, pe.Offset+b.partsAt+p.off)
		pe.Err = err
		return &pe
	}
	p.raw, p.loaded = raw, true
	for i := range b.dir {
		if e := &b.dir[i]; e.part == k {
			e.data = raw[e.off : e.off+e.size]
		}
	}
	return nil
}

// optionalColumn reports whether a core column may be absent (it was added
// after the first files were written, or is all zero).
func optionalColumn(id uint32) bool { return id == colMerged }

func growInts(v []int64, n int) []int64 {
	if cap(v) < n {
		return make([]int64, n)
	}
	return v[:n]
}

// ints64 returns a decoded integer core column.
func (b *Block) ints64(id uint32) ([]int64, error) {
	if b.intsOK[id] {
		return b.ints[id], nil
	}
	if b.Header.Count == 0 {
		return nil, nil
	}
	if b.core[id] < 0 {
		// An optional column that the writer left out: all zero.
		v := growInts(b.ints[id], b.Header.Count)
		clear(v)
		b.ints[id], b.intsOK[id] = v, true
		return v, nil
	}
	e := &b.dir[b.core[id]]
	if e.enc == encPairDict {
		v, err := b.pairValues()
		if err != nil {
			return nil, err
		}
		b.ints[id], b.intsOK[id] = v, true
		if b.evReady {
			b.cur[id].setWhole(v)
		}
		return v, nil
	}
	data, err := b.colData(b.core[id])
	if err != nil {
		return nil, err
	}
	v, err := decodeInts(b.ints[id], e.enc, data, e.n)
	if err != nil {
		return nil, fmt.Errorf("column %d: %w", id, err)
	}
	b.ints[id], b.intsOK[id] = v, true
	if b.evReady {
		b.cur[id].setWhole(v) // Event reads it from here on
	}
	return v, nil
}

// Nums returns the event numbers.
func (b *Block) Nums() ([]int64, error) { return b.ints64(colNum) }

// Timestamps returns the timestamps (ns since epoch, as int64).
func (b *Block) Timestamps() ([]int64, error) { return b.ints64(colTs) }

// CPUs returns the CPU column.
func (b *Block) CPUs() ([]int64, error) { return b.ints64(colCPU) }

// Tids returns the thread id column.
func (b *Block) Tids() ([]int64, error) { return b.ints64(colTid) }

// Types returns the event type column.
func (b *Block) Types() ([]int64, error) { return b.ints64(colType) }

// Flags returns the event flags column.
func (b *Block) Flags() ([]int64, error) { return b.ints64(colFlags) }

// Procs returns the process key column.
func (b *Block) Procs() ([]int64, error) { return b.ints64(colProc) }

// FDNums returns the fd number column (event.NoFD where none).
func (b *Block) FDNums() ([]int64, error) { return b.ints64(colFDNum) }

// FDTypes returns the fd type column.
func (b *Block) FDTypes() ([]int64, error) { return b.ints64(colFDType) }

// FDNames returns the fd name column; it is always dictionary-encoded, and
// FDNameStrings gives its entries as strings.
func (b *Block) FDNames() (*ByteColumn, error) {
	if !b.fdNameOK {
		if b.Header.Count == 0 {
			return &b.fdName, nil
		}
		e := &b.dir[b.core[colFDName]]
		data, err := b.colData(b.core[colFDName])
		if err != nil {
			return nil, err
		}
		if err := decodeBytes(&b.fdName, e.enc, data, e.n); err != nil {
			return nil, fmt.Errorf("fd names: %w", err)
		}
		n, ok := b.fdName.Dict()
		if !ok {
			return nil, fmt.Errorf("%w: fd names without a dictionary", ErrCorrupt)
		}
		// Strings are made once per dictionary entry, so events share them
		// and they outlive the block's buffer.
		b.fdNames = b.fdNames[:0]
		for k := 0; k < n; k++ {
			b.fdNames = append(b.fdNames, string(b.fdName.Entry(k)))
		}
		b.fdNameOK = true
	}
	return &b.fdName, nil
}

// FDNameStrings returns the fd name dictionary as strings, indexed like the
// column's dictionary.
func (b *Block) FDNameStrings() ([]string, error) {
	if _, err := b.FDNames(); err != nil {
		return nil, err
	}
	return b.fdNames, nil
}

func (b *Block) fdTuples() (*ByteColumn, error) {
	if !b.tupleOK {
		if b.Header.Count == 0 {
			return &b.fdTuple, nil
		}
		e := &b.dir[b.core[colFDTuple]]
		data, err := b.colData(b.core[colFDTuple])
		if err != nil {
			return nil, err
		}
		if err := decodeBytes(&b.fdTuple, e.enc, data, e.n); err != nil {
			return nil, fmt.Errorf("fd tuples: %w", err)
		}
		// Decode each dictionary entry once.
		n, ok := b.fdTuple.Dict()
		if !ok && b.Header.Count > 0 {
			return nil, fmt.Errorf("%w: fd tuples without a dictionary", ErrCorrupt)
		}
		b.tuples = b.tuples[:0]
		for k := 0; k < n; k++ {
			var t event.Tuple
			if raw := b.fdTuple.Entry(k); len(raw) > 0 {
				d := wire.NewDecoder(raw)
				decodeTuple(d, &t)
				if err := d.Err(); err != nil {
					return nil, fmt.Errorf("fd tuple: %w", err)
				}
			}
			b.tuples = append(b.tuples, t)
		}
		b.tupleOK = true
	}
	return &b.fdTuple, nil
}

// Param returns the column of parameter k of the events of type t, or nil
// when no event of that type in the block has it. Value r of the column
// belongs to the r-th event of type t in the block.
func (b *Block) Param(t event.Type, k int) (*ByteColumn, error) {
	id := paramColumn(t, k)
	i := sort.Search(len(b.dir), func(i int) bool { return b.dir[i].id >= id })
	if i == len(b.dir) || b.dir[i].id != id {
		return nil, nil
	}
	return b.paramAt(i)
}

func (b *Block) paramAt(i int) (*ByteColumn, error) {
	if !b.paramsOK[i] {
		e := &b.dir[i]
		data, err := b.colData(i)
		if err != nil {
			return nil, err
		}
		if err := decodeBytes(&b.params[i], e.enc, data, e.n); err != nil {
			return nil, fmt.Errorf("parameter column %#x: %w", e.id, err)
		}
		b.paramsOK[i] = true
	}
	return &b.params[i], nil
}

// RowInType returns, for each event, its position among the block's events
// of the same type: the row of its values in the parameter columns.
func (b *Block) RowInType() ([]uint32, error) {
	if len(b.rowInTyp) == b.Header.Count {
		return b.rowInTyp, nil
	}
	if cap(b.rowInTyp) < b.Header.Count {
		b.rowInTyp = make([]uint32, 0, b.Header.Count)
	}
	b.rowInTyp = b.rowInTyp[:0]
	if e := b.core[colType]; e >= 0 && b.dir[e].enc == encIntDict && b.parts[b.dir[e].part].loaded {
		// Count by the dictionary's index bytes: an eighth of the
		// memory the decoded types take to read.
		if tbl, idx, err := intDictTable(b.typeDict[:0], b.dir[e].data, b.Header.Count); err == nil && len(tbl) <= 256 {
			b.typeDict = tbl
			for _, t := range tbl {
				if t < 0 || t > 0xFFFF {
					return nil, fmt.Errorf("%w: event type %d", ErrCorrupt, t)
				}
			}
			var counts [256]uint32
			for _, x := range idx {
				if int(x) >= len(tbl) {
					return nil, fmt.Errorf("%w: column %d: index past the dictionary", ErrCorrupt, colType)
				}
				b.rowInTyp = append(b.rowInTyp, counts[x])
				counts[x]++
			}
			return b.rowInTyp, nil
		}
	}
	types, err := b.Types()
	if err != nil {
		return nil, err
	}
	maxT := int64(0)
	for _, t := range types {
		if t < 0 || t > 0xFFFF {
			return nil, fmt.Errorf("%w: event type %d", ErrCorrupt, t)
		}
		maxT = max(maxT, t)
	}
	if cap(b.counts) <= int(maxT) {
		b.counts = make([]uint32, maxT+1)
	}
	counts := b.counts[:maxT+1]
	clear(counts)
	for _, t := range types {
		b.rowInTyp = append(b.rowInTyp, counts[t])
		counts[t]++
	}
	return b.rowInTyp, nil
}

// Processes decodes the process records of incarnations new or changed in
// this block.
func (b *Block) Processes() ([]event.Process, error) {
	i := b.core[colProcs]
	if i < 0 {
		return nil, nil
	}
	e := &b.dir[i]
	if e.enc != encBytes {
		return nil, fmt.Errorf("%w: process records encoding %d", ErrCorrupt, e.enc)
	}
	data, err := b.colData(i)
	if err != nil {
		return nil, err
	}
	d := wire.NewDecoder(data)
	ps := make([]event.Process, e.n)
	for k := range ps {
		decodeProcess(d, &ps[k])
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("%w: process records: %w", ErrCorrupt, err)
	}
	if d.Len() != 0 {
		return nil, fmt.Errorf("%w: process records: %d trailing bytes", ErrCorrupt, d.Len())
	}
	return ps, nil
}

// prepareEvents readies every column Event reads: the byte columns are
// decoded (the fd names and tuples unless Skip leaves them out), and each
// integer column that is not decoded whole already gets a cursor. The
// columns Skip leaves out are not read, so their parts stay compressed.
func (b *Block) prepareEvents() error {
	clear(b.skipCol[:])
	skip := func(p event.Parts, ids ...uint32) {
		if b.Skip&p != 0 {
			for _, id := range ids {
				b.skipCol[id] = true
			}
		}
	}
	skip(event.PartTs, colTs, colCPU)
	skip(event.PartProc, colProc)
	skip(event.PartFDTuple, colFDRole)
	skip(event.PartFDMeta, colFDOpenFlags, colFDDev, colFDIno)
	skip(event.PartMerged, colMerged)
	for _, id := range intColumns {
		b.curOK[id] = false
		if !b.skipCol[id] {
			if err := b.prepareCursor(id); err != nil {
				return err
			}
		}
	}
	if b.Skip&event.PartFDName == 0 {
		if _, err := b.FDNames(); err != nil {
			return err
		}
	}
	if b.Skip&event.PartFDTuple == 0 {
		if e := b.core[colFDTuple]; e >= 0 && b.dir[e].enc != encDict && b.dir[e].enc != encFixDict {
			return fmt.Errorf("%w: fd tuples without a dictionary", ErrCorrupt)
		}
		if _, err := b.fdTuples(); err != nil {
			return err
		}
	}
	if _, err := b.RowInType(); err != nil {
		return err
	}
	b.evReady = true
	return nil
}

// prepareCursor readies Event's reader of integer column id.
func (b *Block) prepareCursor(id uint32) error {
	if b.Whole && !b.intsOK[id] {
		if _, err := b.ints64(id); err != nil {
			return err
		}
	}
	b.curOK[id] = true
	if b.intsOK[id] {
		b.cur[id].setWhole(b.ints[id])
		return nil
	}
	if b.core[id] < 0 {
		b.cur[id].zero(b.Header.Count)
		return nil
	}
	e := &b.dir[b.core[id]]
	if e.enc == encPairDict {
		procs, idx, err := b.pairTable()
		if err != nil {
			return err
		}
		b.cur[id].setDict(procs, idx, e.n)
		return nil
	}
	data, err := b.colData(b.core[id])
	if err != nil {
		return err
	}
	if !b.cur[id].reset(e.enc, data, e.n) {
		return fmt.Errorf("%w: column %d: bad integer column (encoding %d)", ErrCorrupt, id, e.enc)
	}
	return nil
}

// intAt returns row i of integer column id for Event. A column read out
// of order more than once (a reader making several passes over the block)
// is decoded whole: restarting a cursor for each pass would cost more.
func (b *Block) intAt(id uint32, i int) (int64, error) {
	c := &b.cur[id]
	switch c.enc { // the constant-time encodings, inline
	case encWhole:
		return c.vals[i], nil
	case encOneByte:
		u := c.data[i]
		return int64(u>>1) ^ -int64(u&1), nil
	case encIntDict:
		if v, ok := intDictAt(c.tbl, c.data, i); ok {
			return v, nil
		}
	}
	return b.cursorAt(id, i)
}

// cursorAt is intAt for the encodings read through the cursor.
func (b *Block) cursorAt(id uint32, i int) (int64, error) {
	c := &b.cur[id]
	if i < c.row && c.restarts >= 1 {
		v, err := b.ints64(id)
		if err != nil {
			return 0, err
		}
		return v[i], nil
	}
	v, ok := c.at(i)
	if !ok {
		return 0, fmt.Errorf("%w: column %d: bad varint before row %d", ErrCorrupt, id, i)
	}
	return v, nil
}

// paramStart returns the directory index of the first parameter column of
// events of type t (where it would be when there is none).
func (b *Block) paramStart(t event.Type) int {
	if int(t) < len(b.firstParam) && b.firstParam[t] > 0 {
		return int(b.firstParam[t]) - 1
	}
	first := paramColumn(t, 0)
	j := sort.Search(len(b.dir), func(k int) bool { return b.dir[k].id >= first })
	if int(t) < 1<<16 {
		if int(t) >= len(b.firstParam) {
			b.firstParam = append(b.firstParam, make([]int32, int(t)+1-len(b.firstParam))...)
		}
		b.firstParam[t] = int32(j) + 1
	}
	return j
}

// FDType, Tid and Proc return one column's value for event i, read as
// Event reads it (through a cursor unless the column is decoded whole): a
// filter that decides few rows by them does not decode the columns.
func (b *Block) FDType(i int) (event.FDType, error) {
	v, err := b.coreInt(colFDType, i)
	return event.FDType(v), err
}

// Tid: see FDType.
func (b *Block) Tid(i int) (int64, error) { return b.coreInt(colTid, i) }

// FDNum: see FDType.
func (b *Block) FDNum(i int) (int64, error) { return b.coreInt(colFDNum, i) }

// Proc: see FDType.
func (b *Block) Proc(i int) (event.ProcKey, error) {
	v, err := b.coreInt(colProc, i)
	return event.ProcKey(v), err
}

// ConstFlags returns the flags of every event of the block when its flags
// column holds a single value, as it mostly does: a reader skipping the
// state-only events checks them once, without decoding the column.
func (b *Block) ConstFlags() (event.Flags, bool) {
	if b.intsOK[colFlags] || b.core[colFlags] < 0 {
		return 0, b.core[colFlags] < 0
	}
	e := &b.dir[b.core[colFlags]]
	if e.enc != encConst || !b.parts[e.part].loaded {
		return 0, false
	}
	v, k := binary.Varint(e.data)
	return event.Flags(v), k > 0
}

// FDProbe fills the part of ev that says which fd event i refers to:
// its type, thread, fd number and fd type, and, of an enter event, its
// first parameter (the fd of most calls' enter events) when it has one;
// the rest of ev is zero. A filter on fd.name learns from it whether the
// name is the fd name column's without decoding the whole event. (An
// exit event's fd is its columns' or not by them alone, see
// fields.FDIsColumn.)
func (b *Block) FDProbe(i int, ev *event.Event) error {
	var in [4]int64
	for k, id := range [...]uint32{colType, colTid, colFDNum, colFDType} {
		v, err := b.coreInt(id, i)
		if err != nil {
			return err
		}
		in[k] = v
	}
	params := ev.Params[:0]
	// Zeroed, then set: a literal copied in stalls (see Event).
	*ev = event.Event{}
	ev.Type, ev.Tid = event.Type(in[0]), in[1]
	ev.FD.Num, ev.FD.Type = in[2], event.FDType(in[3])
	np := int64(0)
	if ev.Type.Dir() == event.DirEnter {
		var err error
		if np, err = b.intAt(colNParams, i); err != nil {
			return err
		}
	}
	if np > 0 {
		j := b.paramStart(ev.Type)
		if j >= len(b.dir) || b.dir[j].id != paramColumn(ev.Type, 0) {
			return fmt.Errorf("%w: event %d: parameter 0 has no column", ErrCorrupt, i)
		}
		col, err := b.paramAt(j)
		if err != nil {
			return err
		}
		row := int(b.rowInTyp[i])
		if row >= col.Len() {
			return fmt.Errorf("%w: event %d: parameter 0 column too short", ErrCorrupt, i)
		}
		params = append(params, col.Value(row))
	}
	ev.Params = params
	return nil
}

func (b *Block) coreInt(id uint32, i int) (int64, error) {
	if i < 0 || i >= b.Header.Count {
		return 0, fmt.Errorf("event %d of %d", i, b.Header.Count)
	}
	if !b.evReady {
		if err := b.prepareEvents(); err != nil {
			return 0, err
		}
	}
	if !b.curOK[id] { // a column Skip leaves out of Event
		if err := b.prepareCursor(id); err != nil {
			return 0, err
		}
	}
	return b.intAt(id, i)
}

// Event fills ev with event i of the block. ev's parameter slices point
// into the block; ev.Params is reused.
func (b *Block) Event(i int, ev *event.Event) error {
	if i < 0 || i >= b.Header.Count {
		return fmt.Errorf("event %d of %d", i, b.Header.Count)
	}
	if !b.evReady {
		if err := b.prepareEvents(); err != nil {
			return err
		}
	}
	names, tuples, rows := &b.fdName, &b.fdTuple, b.rowInTyp
	var in [numCoreColumns]int64
	for _, id := range intColumns {
		if b.skipCol[id] {
			continue
		}
		// The constant-time encodings inline, as intAt reads them: a call
		// per column per event cost fdcount_by a tenth of its time. The
		// others through the cursor.
		c := &b.cur[id]
		switch c.enc {
		case encWhole:
			in[id] = c.vals[i]
		case encConst:
			in[id] = c.acc
		case encOneByte:
			u := c.data[i]
			in[id] = int64(u>>1) ^ -int64(u&1)
		case encIntDict:
			v, ok := intDictAt(c.tbl, c.data, i)
			if !ok {
				return fmt.Errorf("%w: column %d: bad dictionary index at row %d", ErrCorrupt, id, i)
			}
			in[id] = v
		default:
			v, err := b.cursorAt(id, i)
			if err != nil {
				return err
			}
			in[id] = v
		}
	}
	ev.Num = uint64(in[colNum])
	ev.Ts = uint64(in[colTs])
	ev.CPU = uint16(in[colCPU])
	ev.Tid = in[colTid]
	ev.Type = event.Type(in[colType])
	ev.Flags = event.Flags(in[colFlags])
	ev.Proc = event.ProcKey(in[colProc])
	// Field by field: an event.FD literal is built on the stack and then
	// copied, and the copy stalled on the narrow stores before it (a
	// sixth of Event's time in fdcount_by).
	fd := &ev.FD
	fd.Num = in[colFDNum]
	fd.Type = event.FDType(in[colFDType])
	fd.Role = event.FDRole(in[colFDRole])
	fd.OpenFlags = uint32(in[colFDOpenFlags])
	fd.Dev = uint32(in[colFDDev])
	fd.Ino = uint64(in[colFDIno])
	fd.Name = ""
	if b.Skip&event.PartFDName == 0 {
		fd.Name = b.fdNames[names.Index(i)]
	}
	if b.Skip&event.PartFDTuple == 0 {
		fd.Tuple = b.tuples[tuples.Index(i)]
	} else {
		fd.Tuple = event.Tuple{}
	}
	np := int(in[colNParams])
	if np < 0 || np > maxParams {
		return fmt.Errorf("%w: event %d has %d parameters", ErrCorrupt, i, np)
	}
	merged := in[colMerged]
	if merged < 0 || merged > int64(np) {
		return fmt.Errorf("%w: event %d: %d merged of %d parameters", ErrCorrupt, i, merged, np)
	}
	ev.Merged = uint8(merged)
	ev.Params = ev.Params[:0]
	if np == 0 {
		return nil
	}
	first := paramColumn(ev.Type, 0)
	j := b.paramStart(ev.Type)
	row := int(rows[i])
	for k := 0; k < np; k++ {
		if j+k >= len(b.dir) || b.dir[j+k].id != first+uint32(k) {
			return fmt.Errorf("%w: event %d: parameter %d has no column", ErrCorrupt, i, k)
		}
		col, err := b.paramAt(j + k)
		if err != nil {
			return err
		}
		if row >= col.Len() {
			return fmt.Errorf("%w: event %d: parameter %d column too short", ErrCorrupt, i, k)
		}
		ev.Params = append(ev.Params, col.Value(row))
	}
	return nil
}
