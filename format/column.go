package format

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math/bits"
	"slices"

	"forensics/format/internal/wire"
)

// Column encodings. Integer columns hold int64 values; byte columns hold
// byte strings (event parameters, fd names, tuples, process records).
const (
	encConst  = 1 // every value equal: one zigzag varint
	encArith  = 2 // arithmetic progression: first and step, zigzag varints
	encVarint = 3 // one zigzag varint per value
	encDelta  = 4 // zigzag varints of the differences (the first from 0)
	encDict   = 5 // dictionary: count, entries (len-prefixed), one uvarint index per value
	encBytes  = 6 // one len-prefixed string per value
	encFixInt = 7 // every value 1, 2, 4 or 8 bytes: width u8, then zigzag varints of the sign-extended little-endian values
	// encFixDict: a dictionary like encDict's, of at most 1<<16
	// entries, whose indexes are one byte each when there are at most 256
	// entries, else two (little-endian): value i's entry is found without
	// decoding the indexes before it. Blocks that use it are of layout 2.
	encFixDict = 9
	// encIntDict: at most maxIntDict distinct values: their count
	// (uvarint), the values ascending (zigzag varints, the first whole,
	// the others as differences), then each value's index in them, one
	// byte when there are at most 256, else two (little-endian). A reader
	// finds row i's index at a fixed offset, where delta varints must be
	// summed up to it, so the writer prefers this to them. Blocks that use
	// it are of layout 2.
	encIntDict = 8
	// encPairDict: the process column of a block whose thread and process
	// columns are one dictionary of (thread, process) pairs. The thread
	// column is an encIntDict of the pairs' threads (ascending, repeated
	// where a thread has several processes); this column holds the pairs'
	// processes in the same order: their count (uvarint), then zigzag
	// varints of the differences (the first from 0). Row i's process is
	// the entry the thread column's index i names. Blocks that use it are
	// of layout 3.
	encPairDict = 10
)

// maxIntDict is the most distinct values an encIntDict column holds.
const maxIntDict = 4096

// maxColumnValues bounds the values of one column (and events of a block).
const maxColumnValues = 1 << 17

// ---- encoding ----

func varintLen(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	return (bits.Len64(u|1) + 6) / 7
}

// appendInts appends the encoding of vals, choosing the smallest of the
// integer encodings, and returns the encoding used. A dictionary, when
// the values allow one, is preferred to varints that are not one byte
// each: it is read by index. d, the dictionary's scratch, may be nil.
func appendInts(dst []byte, vals []int64, d *intDict) ([]byte, byte) {
	if len(vals) == 0 {
		return dst, encVarint
	}
	allEq, arith := true, len(vals) > 1
	step := int64(0)
	if len(vals) > 1 {
		step = vals[1] - vals[0]
	}
	plain, delta := 0, 0
	prev := int64(0)
	for i, v := range vals {
		if v != vals[0] {
			allEq = false
		}
		if i > 0 && v-prev != step {
			arith = false
		}
		plain += varintLen(v)
		delta += varintLen(v - prev)
		prev = v
	}
	switch {
	case allEq:
		return binary.AppendVarint(dst, vals[0]), encConst
	case arith:
		dst = binary.AppendVarint(dst, vals[0])
		return binary.AppendVarint(dst, step), encArith
	case plain == len(vals):
		// One byte per value: read by index already.
	default:
		if out, ok := appendIntDict(dst, vals, d); ok {
			return out, encIntDict
		}
	}
	switch {
	case delta < plain:
		prev = 0
		for _, v := range vals {
			dst = binary.AppendVarint(dst, v-prev)
			prev = v
		}
		return dst, encDelta
	}
	for _, v := range vals {
		dst = binary.AppendVarint(dst, v)
	}
	return dst, encVarint
}

// intDict finds the distinct values of an integer column and their
// indexes for appendIntDict: an open-addressing table of 4*maxIntDict
// slots, at most a quarter full, that a block builder keeps between
// columns (gen tells which slots the current column uses).
type intDict struct {
	keys  []int64
	gen   []uint32
	index []uint16
	cur   uint32
	vals  []int64 // the distinct values
}

const intDictSlots = 4 * maxIntDict

func (d *intDict) slot(v int64) int {
	h := int(uint64(v) * 0x9E3779B97F4A7C15 >> (64 - 14))
	for d.gen[h] == d.cur && d.keys[h] != v {
		h = (h + 1) & (intDictSlots - 1)
	}
	return h
}

// appendIntDict appends vals as an encIntDict column, or reports false
// when they hold more than maxIntDict distinct values, or more than a
// quarter as many as there are values. d may be nil.
func appendIntDict(dst []byte, vals []int64, d *intDict) ([]byte, bool) {
	if d == nil {
		d = &intDict{}
	}
	if !d.build(vals) {
		return dst, false
	}
	return d.appendIndexed(d.appendTable(dst, func(v int64) int64 { return v }), vals), true
}

// build finds the distinct values of vals, sorted, and their indexes; false
// when there are more than maxIntDict, or more than a quarter as many as
// there are values.
func (d *intDict) build(vals []int64) bool {
	if d.keys == nil {
		d.keys = make([]int64, intDictSlots)
		d.gen = make([]uint32, intDictSlots)
		d.index = make([]uint16, intDictSlots)
	}
	d.cur++
	d.vals = d.vals[:0]
	// Values seen fewer than four times each on average (timestamps) are
	// smaller as varints, table and indexes together.
	limit := min(maxIntDict, len(vals)/4)
	for _, v := range vals {
		h := d.slot(v)
		if d.gen[h] == d.cur {
			continue
		}
		if len(d.vals) == limit {
			return false
		}
		d.gen[h], d.keys[h] = d.cur, v
		d.vals = append(d.vals, v)
	}
	slices.Sort(d.vals)
	for i, v := range d.vals {
		d.index[d.slot(v)] = uint16(i)
	}
	return true
}

// appendTable appends the table of a built dictionary: the count, then
// f of each value as differences.
func (d *intDict) appendTable(dst []byte, f func(int64) int64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(d.vals)))
	prev := int64(0)
	for _, v := range d.vals {
		dst = binary.AppendVarint(dst, f(v)-prev)
		prev = f(v)
	}
	return dst
}

// appendIndexed appends the index of each of vals in a built dictionary.
func (d *intDict) appendIndexed(dst []byte, vals []int64) []byte {
	w := indexWidth(len(d.vals))
	for _, v := range vals {
		dst = appendIndex(dst, int(d.index[d.slot(v)]), w)
	}
	return dst
}

// pairDict is a built dictionary of (thread, process) pairs, each packed
// into one key (thread<<32 | process): false when a value does not fit
// in 31 bits or the pairs are too many for a dictionary (build).
func (d *intDict) pairDict(tids, procs []int64, keys []int64) ([]int64, bool) {
	keys = keys[:0]
	for i, t := range tids {
		p := procs[i]
		if uint64(t) >= 1<<31 || uint64(p) >= 1<<31 {
			return keys, false
		}
		keys = append(keys, t<<32|p)
	}
	return keys, d.build(keys)
}

// Dictionary indexes of fixed width (encIntDict, encFixDict): one byte
// each into a dictionary of at most 256 entries, else two, little-endian,
// so that value i's index is at byte i*width.

// indexWidth is the bytes of an index into a dictionary of m entries.
func indexWidth(m int) int {
	if m <= 256 {
		return 1
	}
	return 2
}

// appendIndex appends index id of the given width.
func appendIndex(dst []byte, id, width int) []byte {
	if width == 1 {
		return append(dst, byte(id))
	}
	return binary.LittleEndian.AppendUint16(dst, uint16(id))
}

// indexAt returns index i of idx, of the given width.
func indexAt(idx []byte, width, i int) int {
	if width == 1 {
		return int(idx[i])
	}
	return int(binary.LittleEndian.Uint16(idx[2*i:]))
}

// intDictTable parses the table of an encIntDict column of n values into
// tbl (reused when large enough) and returns it with the index bytes
// after it, n of them per index width.
func intDictTable(tbl []int64, p []byte, n int) ([]int64, []byte, error) {
	c, k := binary.Uvarint(p)
	if k <= 0 || c == 0 || c > maxIntDict {
		return tbl, nil, errColumn("bad dictionary size")
	}
	tbl = slices.Grow(tbl[:0], int(c))[:c]
	off, prev := k, int64(0)
	for i := range tbl {
		d, k := binary.Varint(p[off:])
		if k <= 0 {
			return tbl, nil, errColumn("bad dictionary value %d", i)
		}
		prev += d
		tbl[i], off = prev, off+k
	}
	if w := indexWidth(int(c)); len(p)-off != n*w {
		return tbl, nil, errColumn("%d index bytes for %d values of %d bytes", len(p)-off, n, w)
	}
	return tbl, p[off:], nil
}

// pairTable parses the process table of an encPairDict column whose
// thread column has m pairs, into tbl (reused when large enough).
func pairTable(tbl []int64, p []byte, m int) ([]int64, error) {
	c, k := binary.Uvarint(p)
	if k <= 0 || c != uint64(m) {
		return tbl, errColumn("%d processes for %d thread pairs", c, m)
	}
	tbl = slices.Grow(tbl[:0], m)[:m]
	off, prev := k, int64(0)
	for i := range tbl {
		d, k := binary.Varint(p[off:])
		if k <= 0 {
			return tbl, errColumn("bad process value %d", i)
		}
		prev += d
		tbl[i], off = prev, off+k
	}
	if off != len(p) {
		return tbl, errColumn("%d trailing bytes", len(p)-off)
	}
	return tbl, nil
}

// intDictAt returns value i of an encIntDict column from its table and
// index bytes; false for a row or an index past them.
func intDictAt(tbl []int64, idx []byte, i int) (int64, bool) {
	w := indexWidth(len(tbl))
	if i < 0 || (i+1)*w > len(idx) {
		return 0, false
	}
	if x := indexAt(idx, w, i); x < len(tbl) {
		return tbl[x], true
	}
	return 0, false
}

// byteValues accumulates byte strings without allocating per value.
type byteValues struct {
	data []byte
	off  []uint32 // end offset of each value
}

func (b *byteValues) reset() { b.data, b.off = b.data[:0], b.off[:0] }

func (b *byteValues) add(v []byte) {
	b.data = append(b.data, v...)
	b.off = append(b.off, uint32(len(b.data)))
}

func (b *byteValues) addString(v string) {
	b.data = append(b.data, v...)
	b.off = append(b.off, uint32(len(b.data)))
}

func (b *byteValues) len() int { return len(b.off) }

func (b *byteValues) at(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = b.off[i-1]
	}
	return b.data[start:b.off[i]]
}

// dictScratch is reused between columns to find distinct values without
// allocating per value: entries are found by hash and confirmed by
// comparing bytes; the rare colliding value goes to a string-keyed map.
type dictScratch struct {
	seed    maphash.Seed
	byHash  map[uint64]uint32
	collide map[string]uint32
	order   []int    // value index of each dictionary entry's first use
	idx     []uint32 // dictionary index of each value
}

// lookup returns the dictionary index of v among vals' entries, adding it
// when new.
func (s *dictScratch) lookup(vals *byteValues, v []byte, i int) uint32 {
	h := maphash.Bytes(s.seed, v)
	if id, ok := s.byHash[h]; ok {
		if bytes.Equal(vals.at(s.order[id]), v) {
			return id
		}
		if id, ok := s.collide[string(v)]; ok {
			return id
		}
		id = uint32(len(s.order))
		s.collide[string(v)] = id
		s.order = append(s.order, i)
		return id
	}
	id := uint32(len(s.order))
	s.byHash[h] = id
	s.order = append(s.order, i)
	return id
}

// appendBytes appends the encoding of vals. forceDict asks for a
// dictionary whatever the sizes (string columns the filter engine compares
// once per entry).
func appendBytes(dst []byte, vals *byteValues, forceDict bool, s *dictScratch) ([]byte, byte) {
	n := vals.len()
	if n == 0 {
		return dst, encBytes
	}
	if !forceDict {
		if w := len(vals.at(0)); w == 1 || w == 2 || w == 4 || w == 8 {
			fixed := true
			for i := 1; i < n && fixed; i++ {
				fixed = int(vals.off[i]-vals.off[i-1]) == w
			}
			if fixed {
				dst = append(dst, byte(w))
				for i := 0; i < n; i++ {
					dst = binary.AppendVarint(dst, signExtend(vals.at(i)))
				}
				return dst, encFixInt
			}
		}
	}
	if s.byHash == nil {
		s.seed = maphash.MakeSeed()
		s.byHash = make(map[uint64]uint32)
		s.collide = make(map[string]uint32)
	}
	clear(s.byHash)
	clear(s.collide)
	s.order, s.idx = s.order[:0], s.idx[:0]
	dictBytes := 0
	plain := func() ([]byte, byte) {
		for i := 0; i < n; i++ {
			dst = wire.AppendBytes(dst, vals.at(i))
		}
		return dst, encBytes
	}
	for i := 0; i < n; i++ {
		v := vals.at(i)
		before := len(s.order)
		s.idx = append(s.idx, s.lookup(vals, v, i))
		if len(s.order) > before {
			dictBytes += len(v) + varintLen(int64(len(v)))
			// Mostly distinct values: a dictionary cannot pay.
			if !forceDict && len(s.order) > n/2+1 {
				return plain()
			}
		}
	}
	plainBytes := len(vals.data) + n // about one length byte per value
	idxBytes := n * ((bits.Len32(uint32(len(s.order))) + 7) / 7)
	if !forceDict && dictBytes+idxBytes >= plainBytes {
		return plain()
	}
	dst = binary.AppendUvarint(dst, uint64(len(s.order)))
	for _, first := range s.order {
		dst = wire.AppendBytes(dst, vals.at(first))
	}
	// Fixed-width indexes are read by position; they are the smaller ones
	// up to 256 entries, and fd names and tuples take them up to 1<<16.
	if m := len(s.order); m <= 256 || forceDict && m <= maxFixDict {
		w := indexWidth(m)
		for _, id := range s.idx {
			dst = appendIndex(dst, int(id), w)
		}
		return dst, encFixDict
	}
	for _, id := range s.idx {
		dst = binary.AppendUvarint(dst, uint64(id))
	}
	return dst, encDict
}

// maxFixDict is the most entries an encFixDict column has.
const maxFixDict = 1 << 16

func signExtend(b []byte) int64 {
	switch len(b) {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	}
	return int64(binary.LittleEndian.Uint64(b))
}

// ---- decoding ----

// decodeInts decodes n integers into dst (reused when large enough).
func decodeInts(dst []int64, enc byte, p []byte, n int) ([]int64, error) {
	if cap(dst) < n {
		dst = make([]int64, n)
	}
	dst = dst[:n]
	if n == 0 {
		return dst, nil
	}
	switch enc {
	case encConst, encArith:
		v, k := binary.Varint(p)
		if k <= 0 {
			return nil, errColumn("bad varint")
		}
		step := int64(0)
		if enc == encArith {
			s, k2 := binary.Varint(p[k:])
			if k2 <= 0 {
				return nil, errColumn("bad varint")
			}
			step, k = s, k+k2
		}
		if k != len(p) {
			return nil, errColumn("trailing bytes")
		}
		for i := range dst {
			dst[i] = v
			v += step
		}
		return dst, nil
	case encIntDict:
		tbl, idx, err := intDictTable(nil, p, n)
		if err != nil {
			return nil, err
		}
		if len(tbl) <= 256 && !anyByteAbove(idx, byte(len(tbl)-1)) {
			// One-byte indexes, checked at once: a lookup per value in a
			// table the compiler knows holds any byte.
			var t [256]int64
			copy(t[:], tbl)
			for i, x := range idx[:len(dst)] {
				dst[i] = t[x]
			}
			return dst, nil
		}
		for i := range dst {
			v, ok := intDictAt(tbl, idx, i)
			if !ok {
				return nil, errColumn("index past the dictionary at value %d", i)
			}
			dst[i] = v
		}
		return dst, nil
	case encVarint, encDelta:
		off, err := decodeVarints(dst, p)
		if err != nil {
			return nil, err
		}
		if off != len(p) {
			return nil, errColumn("%d trailing bytes", len(p)-off)
		}
		if enc == encDelta {
			prev := int64(0)
			for i, v := range dst {
				prev += v
				dst[i] = prev
			}
		}
		return dst, nil
	}
	return nil, errColumn("encoding %d is not an integer encoding", enc)
}

// decodeVarints decodes len(dst) zigzag varints from p and returns the
// bytes read. One-byte values, the common case, take a fast path.
func decodeVarints(dst []int64, p []byte) (int, error) {
	off := 0
	for i := range dst {
		if off < len(p) {
			if c := p[off]; c < 0x80 {
				u := uint64(c)
				dst[i] = int64(u>>1) ^ -int64(u&1)
				off++
				continue
			}
		}
		x, k := binary.Varint(p[off:])
		if k <= 0 {
			return 0, errColumn("bad varint at value %d", i)
		}
		dst[i], off = x, off+k
	}
	return off, nil
}

// ByteColumn is a decoded column of byte strings. Values point into the
// block's buffer and stay valid while the block is.
type ByteColumn struct {
	width int      // encFixInt: every value is width bytes of data
	data  []byte   // encFixInt: own[:n*width]; otherwise the column's bytes in the block
	own   []byte   // buffer of decoded fixed-width values, reused
	start []uint32 // start of each string or dictionary entry in data
	end   []uint32 // end of each string or dictionary entry in data
	idx   []uint32 // encDict: the entry of each value
	fix   []byte   // encFixDict: the entry of each value, fixWidth bytes each
	// fixWidth is encFixDict's index width, 1 or 2; 0 for other encodings.
	fixWidth int
	dict     bool // the column has a dictionary
	n        int
}

// Len returns the number of values.
func (c *ByteColumn) Len() int { return c.n }

// Value returns value i.
func (c *ByteColumn) Value(i int) []byte {
	if c.width > 0 {
		return c.data[i*c.width : (i+1)*c.width : (i+1)*c.width]
	}
	if c.dict {
		i = c.Index(i)
	}
	return c.data[c.start[i]:c.end[i]:c.end[i]]
}

// Dict returns the number of dictionary entries, or ok false when the
// column has no dictionary. A filter compares each entry once and then
// looks values up by their entry (Index).
func (c *ByteColumn) Dict() (entries int, ok bool) {
	return len(c.end), c.dict
}

// Index returns the dictionary entry of value i of a column with a
// dictionary.
func (c *ByteColumn) Index(i int) int {
	if c.fixWidth > 0 {
		return indexAt(c.fix, c.fixWidth, i)
	}
	return int(c.idx[i])
}

// Entry returns dictionary entry k.
func (c *ByteColumn) Entry(k int) []byte {
	return c.data[c.start[k]:c.end[k]:c.end[k]]
}

// uvarintAt decodes an unsigned varint at p[off:], with a fast path for the
// one-byte case. It returns the value and the next offset, or -1.
func uvarintAt(p []byte, off int) (uint64, int) {
	if off < len(p) && p[off] < 0x80 {
		return uint64(p[off]), off + 1
	}
	if off+1 < len(p) && p[off+1] < 0x80 {
		return uint64(p[off]&0x7f) | uint64(p[off+1])<<7, off + 2
	}
	if off >= len(p) {
		return 0, -1
	}
	v, k := binary.Uvarint(p[off:])
	if k <= 0 {
		return 0, -1
	}
	return v, off + k
}

// strings records the offsets of m length-prefixed strings at p[off:] and
// returns the offset after them, or -1.
func (c *ByteColumn) strings(p []byte, off, m int) int {
	for i := 0; i < m; i++ {
		var n uint64
		if n, off = uvarintAt(p, off); off < 0 || n > uint64(len(p)-off) {
			return -1
		}
		c.start = append(c.start, uint32(off))
		off += int(n)
		c.end = append(c.end, uint32(off))
	}
	return off
}

func decodeBytes(c *ByteColumn, enc byte, p []byte, n int) error {
	// data may point into a block's buffer: never write to it, only to own.
	*c = ByteColumn{n: n, own: c.own, start: c.start[:0], end: c.end[:0], idx: c.idx[:0]}
	c.dict = enc == encDict || enc == encFixDict
	if len(p) > 1<<32-1 {
		return errColumn("column of %d bytes", len(p))
	}
	switch enc {
	case encFixInt:
		if len(p) == 0 {
			return errColumn("no fixed width")
		}
		w := int(p[0])
		if w != 1 && w != 2 && w != 4 && w != 8 {
			return errColumn("fixed width %d", w)
		}
		if n > 0 && len(p)-1 < n {
			return errColumn("%d values in %d bytes", n, len(p)-1)
		}
		c.width = w
		c.idx = nil
		need := n * w
		if cap(c.own) < need {
			c.own = make([]byte, need)
		}
		c.data = c.own[:need]
		off := 1
		for i := 0; i < n; i++ {
			var u uint64
			if u, off = uvarintAt(p, off); off < 0 {
				return errColumn("bad varint at value %d", i)
			}
			v := int64(u>>1) ^ -int64(u&1)
			switch w {
			case 1:
				c.data[i] = byte(v)
			case 2:
				binary.LittleEndian.PutUint16(c.data[i*2:], uint16(v))
			case 4:
				binary.LittleEndian.PutUint32(c.data[i*4:], uint32(v))
			case 8:
				binary.LittleEndian.PutUint64(c.data[i*8:], uint64(v))
			}
		}
		if off != len(p) {
			return errColumn("%d trailing bytes", len(p)-off)
		}
		return nil
	case encBytes:
		c.idx = nil
		c.data = p
		off := c.strings(p, 0, n)
		if off < 0 {
			return errColumn("bad string")
		}
		if off != len(p) {
			return errColumn("%d trailing bytes", len(p)-off)
		}
		return nil
	case encFixDict:
		return c.fixDict(p, n)
	case encDict:
		c.data = p
		m, off := uvarintAt(p, 0)
		if off < 0 || m > uint64(len(p)) {
			return errColumn("bad dictionary size")
		}
		if m == 0 && n > 0 {
			return errColumn("empty dictionary for %d values", n)
		}
		if off = c.strings(p, off, int(m)); off < 0 {
			return errColumn("bad dictionary entry")
		}
		if n > len(p)-off {
			return errColumn("%d indexes in %d bytes", n, len(p)-off)
		}
		if cap(c.idx) < n {
			c.idx = make([]uint32, n)
		}
		c.idx = c.idx[:n]
		for i := range c.idx {
			var k uint64
			if k, off = uvarintAt(p, off); off < 0 || k >= m {
				return errColumn("bad dictionary index at value %d", i)
			}
			c.idx[i] = uint32(k)
		}
		if off != len(p) {
			return errColumn("%d trailing bytes", len(p)-off)
		}
		return nil
	}
	return errColumn("encoding %d is not a byte encoding", enc)
}

// anyByteAbove reports whether a byte of p is greater than n, eight
// bytes at a time: a byte is above n when its low seven bits are above
// n's (the carry out of adding 127-n's low bits), with its high bit
// compared likewise.
func anyByteAbove(p []byte, n byte) bool {
	lo := uint64(127-n&0x7f) * lowBits // adding it carries into bit 7 of a byte whose low bits exceed n's
	for ; len(p) >= 8; p = p[8:] {
		x := binary.LittleEndian.Uint64(p)
		carry := (x&^highBits + lo) & highBits // low seven bits above n's
		var above uint64
		if n&0x80 == 0 {
			above = x&highBits | carry // high bit set, or low bits above
		} else {
			above = x & carry // high bit set and low bits above
		}
		if above != 0 {
			return true
		}
	}
	for _, b := range p {
		if b > n {
			return true
		}
	}
	return false
}

// fixDict decodes the dictionary of an encFixDict column of n values and
// checks that every index names an entry.
func (c *ByteColumn) fixDict(p []byte, n int) error {
	c.data = p
	m, off := uvarintAt(p, 0)
	if off < 0 || m > maxFixDict || m > uint64(len(p)) {
		return errColumn("bad dictionary size")
	}
	if m == 0 && n > 0 {
		return errColumn("empty dictionary for %d values", n)
	}
	if off = c.strings(p, off, int(m)); off < 0 {
		return errColumn("bad dictionary entry")
	}
	c.fixWidth = indexWidth(int(m))
	c.fix = p[off:]
	if len(c.fix) != n*c.fixWidth {
		return errColumn("%d index bytes for %d values of %d", len(c.fix), n, c.fixWidth)
	}
	// One-byte indexes are checked eight at a time (all are good when
	// there are 256 entries); two-byte ones one by one.
	bad := false
	if c.fixWidth == 1 {
		bad = m < 256 && anyByteAbove(c.fix, byte(m-1))
	} else {
		for i := 0; i < n && !bad; i++ {
			bad = indexAt(c.fix, 2, i) >= int(m)
		}
	}
	if bad {
		return errColumn("a dictionary index past the %d entries", m)
	}
	return nil
}

func errColumn(format string, args ...any) error {
	return fmt.Errorf("%w: column: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}
