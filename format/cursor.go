package format

import (
	"encoding/binary"
	"math/bits"
)

// intCursor reads single values of an integer column in ascending row
// order without decoding the whole column into memory. Block.Event uses
// it: a filter that keeps one event in twenty materializes only those,
// and decoding every integer column of a 64K-event block for them would
// cost more (in memory to fill, above all) than skipping to them.
//
// Skipping is done eight bytes at a time: one-byte varints, the common
// case, are counted (and for delta columns summed) a word at a time. A
// read before the previous one starts over from the column's start;
// restarts counts those, so that a reader going over the block many times
// (the rules of a replay, each its own pass) can decode it whole instead.
type intCursor struct {
	enc  byte
	data []byte
	n    int
	row  int   // the row of the value at off
	off  int   // the offset of row's value in data
	acc  int64 // encDelta: the value of row-1; encConst, encArith: the first value
	step int64 // encArith
	last int64 // the value of row-1 (read again when asked again)

	restarts int

	tbl  []int64 // encIntDict: the values; data holds the indexes
	vals []int64 // encWhole
}

// reset points c at a column of n values encoded with enc in data. It
// reports false for an encoding that is not an integer encoding or a bad
// constant.
func (c *intCursor) reset(enc byte, data []byte, n int) bool {
	*c = intCursor{enc: enc, data: data, n: n, tbl: c.tbl[:0]}
	switch enc {
	case encConst, encArith:
		v, k := binary.Varint(data)
		if k <= 0 {
			return false
		}
		c.acc = v
		if enc == encArith {
			s, k2 := binary.Varint(data[k:])
			if k2 <= 0 {
				return false
			}
			c.step = s
		}
		return true
	case encVarint:
		if len(data) == n && !anyHighBit(data) {
			// n values in n bytes: every one is a single byte, so row i
			// is byte i.
			c.enc = encOneByte
		}
		return true
	case encDelta:
		return true
	case encIntDict:
		tbl, idx, err := intDictTable(c.tbl, data, n)
		if err != nil {
			idx = nil // at finds no row
		}
		c.tbl, c.data = tbl, idx
		return err == nil
	}
	return false
}

// anyHighBit reports whether a byte of p has its high bit set.
func anyHighBit(p []byte) bool {
	var or uint64
	for ; len(p) >= 8; p = p[8:] {
		or |= binary.LittleEndian.Uint64(p)
	}
	for _, b := range p {
		or |= uint64(b)
	}
	return or&highBits != 0
}

// The cursor's own encodings: encOneByte is an encVarint column of one
// byte per value, read by index; encWhole a column decoded whole (vals).
const (
	encOneByte = 0xff
	encWhole   = 0xfe
)

// setDict points c at an encIntDict column given as its table (copied)
// and its index bytes.
func (c *intCursor) setDict(tbl []int64, idx []byte, n int) {
	*c = intCursor{enc: encIntDict, data: idx, n: n, tbl: append(c.tbl[:0], tbl...)}
}

// setWhole points c at a column decoded whole.
func (c *intCursor) setWhole(v []int64) {
	*c = intCursor{enc: encWhole, vals: v, n: len(v), tbl: c.tbl[:0]}
}

// zero points c at a column of n zeros (an optional column left out).
func (c *intCursor) zero(n int) { *c = intCursor{enc: encConst, n: n, tbl: c.tbl[:0]} }

// at returns the value of row i (0 <= i < n); false when the column's
// bytes end or hold a bad varint before it.
func (c *intCursor) at(i int) (int64, bool) {
	switch c.enc {
	case encConst:
		return c.acc, true
	case encArith:
		return c.acc + c.step*int64(i), true
	case encOneByte:
		u := c.data[i]
		return int64(u>>1) ^ -int64(u&1), true
	case encIntDict:
		return intDictAt(c.tbl, c.data, i)
	case encWhole:
		return c.vals[i], true
	}
	if i == c.row-1 {
		return c.last, true
	}
	if i < c.row {
		c.row, c.off, c.acc = 0, 0, 0
		c.restarts++
	}
	if k := i - c.row; k > 0 {
		var ok bool
		if c.enc == encDelta {
			var sum int64
			c.off, sum, ok = sumVarints(c.data, c.off, k)
			c.acc += sum
		} else {
			c.off, ok = skipVarints(c.data, c.off, k)
		}
		if !ok {
			return 0, false
		}
	}
	var u uint64
	switch p, off := c.data, c.off; {
	case off < len(p) && p[off] < 0x80: // one byte, the common case
		u = uint64(p[off])
		c.off++
	case off+1 < len(p) && p[off+1] < 0x80:
		u = uint64(p[off]&0x7f) | uint64(p[off+1])<<7
		c.off += 2
	default:
		var k int
		if u, k = binary.Uvarint(p[min(off, len(p)):]); k <= 0 {
			return 0, false
		}
		c.off += k
	}
	v := int64(u>>1) ^ -int64(u&1)
	c.row = i + 1
	if c.enc == encDelta {
		c.acc += v
		v = c.acc
	}
	c.last = v
	return v, true
}

const (
	highBits = 0x8080808080808080
	lowBits  = 0x0101010101010101
)

// skipVarints returns the offset after the k varints starting at off.
// Every byte with its high bit clear ends a varint, so a word of eight
// bytes ends as many as it has such bytes.
func skipVarints(p []byte, off, k int) (int, bool) {
	for k > 0 && off+8 <= len(p) {
		w := binary.LittleEndian.Uint64(p[off:])
		ends := bits.OnesCount64(^w & highBits)
		// Take the whole word when it ends fewer varints than are left
		// (the last one, cut by the word's end, is finished later), or
		// exactly as many with the last byte ending one.
		if ends > k || ends == k && w&(1<<63) != 0 {
			break
		}
		k -= ends
		off += 8
	}
	for ; k > 0; off++ {
		if off >= len(p) {
			return off, false
		}
		if p[off] < 0x80 {
			k--
		}
	}
	return off, true
}

// sumVarints returns the offset after the k zigzag varints starting at
// off and their sum. The varints ending in a word of eight bytes are
// summed at once when they are one or two bytes long (sumWord); other
// values are read one at a time, the one- and two-byte ones inline.
func sumVarints(p []byte, off, k int) (int, int64, bool) {
	var sum int64
	for k > 0 {
		if k >= 8 && off+8 <= len(p) {
			if n, size, s, ok := sumWord(binary.LittleEndian.Uint64(p[off:])); ok {
				sum += s
				off += size
				k -= n
				continue
			}
		}
		var u uint64
		switch {
		case off < len(p) && p[off] < 0x80:
			u = uint64(p[off])
			off++
		case off+1 < len(p) && p[off+1] < 0x80:
			u = uint64(p[off]&0x7f) | uint64(p[off+1])<<7
			off += 2
		default:
			var n int
			if u, n = binary.Uvarint(p[min(off, len(p)):]); n <= 0 {
				return off, 0, false
			}
			off += n
		}
		sum += int64(u>>1) ^ -int64(u&1)
		k--
	}
	return off, sum, true
}

// sumWord sums the zigzag varints that end in the eight bytes of w
// (little-endian, starting on a varint) when each is one or two bytes
// long: n of them, in the first size bytes of w.
//
// A byte with its high bit set starts a two-byte varint; the byte after it
// is its second. A varint u is (first&0x7f) + second<<7, and its zigzag
// value is u>>1 when u is even, -(u>>1)-1 when odd; u's parity is its
// first byte's. So the sum is, over first bytes f and second bytes s,
//
//	Σ((f&0x7f)>>1) + 64·Σs - 2·(the same over odd varints) - #odd.
func sumWord(w uint64) (n, size int, sum int64, ok bool) {
	ends := ^w & highBits // the last byte of each varint
	if ends == 0 {
		return 0, 0, 0, false
	}
	size = (63-bits.LeadingZeros64(ends))/8 + 1
	if size < 8 {
		w &= 1<<(8*size) - 1 // the varint that goes on is left for later
	}
	cont := w & highBits // first bytes of two-byte varints
	if cont&(cont<<8) != 0 {
		return 0, 0, 0, false // a longer one
	}
	second := (cont >> 7 << 8) * 0xff // the bytes after cont, whole
	first := ^second
	half := (w & first & 0x7f7f7f7f7f7f7f7f) >> 1 & 0x3f3f3f3f3f3f3f3f
	sec := w & second
	odd := w & first & lowBits
	oddFirst := odd * 0xff
	oddSecond := (odd << 8) * 0xff & second
	all := int64(byteSum(half)) + 64*int64(byteSum(sec))
	odds := int64(byteSum(half&oddFirst)) + 64*int64(byteSum(sec&oddSecond))
	return bits.OnesCount64(ends), size, all - 2*odds - int64(bits.OnesCount64(odd)), true
}

// byteSum adds the eight bytes of x.
func byteSum(x uint64) uint64 {
	y := x&0x00ff00ff00ff00ff + x>>8&0x00ff00ff00ff00ff
	return y * 0x0001000100010001 >> 48
}
