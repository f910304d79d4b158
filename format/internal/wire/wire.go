// Package wire is the small binary codec of the capture format's records:
// unsigned and zigzag varints, fixed little-endian integers and
// length-prefixed byte strings, with a decoder whose error is sticky and
// which never reads past its input or allocates more than the input can
// justify.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// ErrCorrupt is wrapped by every decoding error.
var ErrCorrupt = errors.New("corrupt record")

// AppendUvarint appends v as an unsigned varint.
func AppendUvarint(dst []byte, v uint64) []byte { return binary.AppendUvarint(dst, v) }

// AppendVarint appends v as a zigzag varint.
func AppendVarint(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }

// AppendBytes appends a length-prefixed byte string.
func AppendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// AppendString appends a length-prefixed string.
func AppendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendStrings appends a count followed by each string.
func AppendStrings(dst []byte, ss []string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(ss)))
	for _, s := range ss {
		dst = AppendString(dst, s)
	}
	return dst
}

// Decoder reads from a byte slice. After the first error every read returns
// a zero value and Err reports that error.
type Decoder struct {
	p   []byte
	off int
	err error
	// shared is p as one string when ShareStrings was called: strings are
	// then substrings of it rather than copies.
	shared string
	// skip makes String and Strings step over their bytes and return
	// nothing (NewSkipDecoder).
	skip bool
}

// NewSkipDecoder returns a decoder whose String and Strings check and step
// over their bytes and return "" and nil: for reading a record's numbers
// without the cost of its strings.
func NewSkipDecoder(p []byte) *Decoder { return &Decoder{p: p, skip: true} }

// NewStringDecoder returns a decoder whose String and Strings return
// substrings of p instead of a copy each: no allocation per string when
// decoding many small ones (a process table). p becomes the strings'
// memory: the caller must never modify it afterwards, and the whole of p
// stays alive as long as any of them.
func NewStringDecoder(p []byte) *Decoder {
	d := &Decoder{p: p}
	if len(p) > 0 {
		d.shared = unsafe.String(&p[0], len(p))
	}
	return d
}

// Skipping reports whether d steps over strings (NewSkipDecoder).
func (d *Decoder) Skipping() bool { return d.skip }

// Sub reads a length-prefixed record and returns a decoder over it that
// shares strings as d does.
func (d *Decoder) Sub() *Decoder {
	rec := d.Bytes()
	if d.err != nil {
		return &Decoder{err: d.err}
	}
	sub := &Decoder{p: rec, skip: d.skip}
	if d.shared != "" {
		begin := d.off - len(rec)
		sub.shared = d.shared[begin:d.off]
	}
	return sub
}

// NewDecoder returns a decoder over p.
func NewDecoder(p []byte) *Decoder { return &Decoder{p: p} }

// Err returns the first error met.
func (d *Decoder) Err() error { return d.err }

// Offset returns the number of bytes consumed.
func (d *Decoder) Offset() int { return d.off }

// Len returns the number of bytes left.
func (d *Decoder) Len() int { return len(d.p) - d.off }

// Rest returns the unread bytes and consumes them.
func (d *Decoder) Rest() []byte {
	r := d.p[d.off:]
	d.off = len(d.p)
	return r
}

// Fail records an error at the current offset unless one is recorded.
func (d *Decoder) Fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", ErrCorrupt, d.off, fmt.Sprintf(format, args...))
	}
}

// Uvarint reads an unsigned varint.
func (d *Decoder) Uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.p[d.off:])
	if n <= 0 {
		d.Fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

// Varint reads a zigzag varint.
func (d *Decoder) Varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.p[d.off:])
	if n <= 0 {
		d.Fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

// Uint reads an unsigned varint that must not exceed max.
func (d *Decoder) Uint(max uint64) uint64 {
	v := d.Uvarint()
	if v > max {
		d.Fail("value %d exceeds %d", v, max)
		return 0
	}
	return v
}

// Count reads an element count; each element takes at least minSize bytes,
// so a count the remaining input cannot hold is an error.
func (d *Decoder) Count(minSize int) int {
	v := d.Uvarint()
	if minSize < 1 {
		minSize = 1
	}
	if d.err == nil && v > uint64(d.Len()/minSize) {
		d.Fail("count %d exceeds the %d bytes left", v, d.Len())
		return 0
	}
	return int(v)
}

// Byte reads one byte.
func (d *Decoder) Byte() byte {
	b := d.Next(1)
	if b == nil {
		return 0
	}
	return b[0]
}

// U32 reads a fixed little-endian uint32.
func (d *Decoder) U32() uint32 {
	b := d.Next(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

// U16 reads a fixed little-endian uint16.
func (d *Decoder) U16() uint16 {
	b := d.Next(2)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint16(b)
}

// Next returns the next n bytes without copying.
func (d *Decoder) Next(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || d.Len() < n {
		d.Fail("want %d bytes, have %d", n, d.Len())
		return nil
	}
	b := d.p[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

// Bytes reads a length-prefixed byte string without copying.
func (d *Decoder) Bytes() []byte {
	n := d.Uvarint()
	if d.err == nil && n > uint64(d.Len()) {
		d.Fail("string of %d bytes, %d left", n, d.Len())
		return nil
	}
	return d.Next(int(n))
}

// String reads a length-prefixed string.
func (d *Decoder) String() string {
	if d.skip {
		d.Bytes()
		return ""
	}
	if d.shared == "" {
		return string(d.Bytes())
	}
	n := d.Uvarint()
	if d.err == nil && n > uint64(d.Len()) {
		d.Fail("string of %d bytes, %d left", n, d.Len())
		return ""
	}
	if d.err != nil {
		return ""
	}
	s := d.shared[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

// Strings reads a count and that many strings.
func (d *Decoder) Strings() []string {
	n := d.Count(1)
	if n == 0 {
		return nil
	}
	if d.skip {
		for range n {
			d.Bytes()
		}
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.String()
	}
	return out
}
