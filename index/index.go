package index

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// DigestSize is the size of a block digest (SHA-256).
const DigestSize = 32

// BlockInfo summarises one block of a capture file.
type BlockInfo struct {
	Offset   int64  // file offset of the block's zstd frame
	Size     uint32 // compressed size of the frame
	RawSize  uint32 // decompressed size
	Seq      uint64 // block sequence number in the file, from 0
	FirstNum uint64 // event number of the first event
	Count    uint32 // number of events
	FirstTs  uint64 // smallest timestamp in the block
	LastTs   uint64 // largest timestamp in the block
	Flags    BlockFlags
	Types    TypeSet
	// Comms lists the process names (ids into Index.Comms, ascending) of
	// the processes of the block's events; meaningless when Index.Comms is
	// nil.
	Comms []uint32
	// Digest is the chain digest after this block: SHA-256 of the previous
	// block's digest followed by this block's frame bytes.
	Digest [DigestSize]byte
}

// BlockFlags annotate a block.
type BlockFlags uint8

const (
	// FlagCorrupt marks a block that repair found damaged and kept in
	// place; readers skip it.
	FlagCorrupt BlockFlags = 1 << 0
)

// Index is the ordered list of a file's blocks.
type Index struct {
	Blocks []BlockInfo
	// Comms is the dictionary of process names the blocks' Comms refer
	// to; nil when the index has no process-name summary (a file written
	// before version 2 of the index, or rebuilt by repair), and then no
	// block is skipped by name.
	Comms []string
}

// Selection restricts a read. The zero value selects everything.
type Selection struct {
	Since, Until uint64   // inclusive ns bounds; 0 = open
	Types        *TypeSet // nil = all types
	// Comms, when not nil, keeps only blocks with an event of a process
	// of one of these names (raw names, as the process table stores
	// them).
	Comms []string
}

// Contains reports whether an event of type t at ts is selected.
func (s *Selection) Contains(ts uint64, t uint16) bool {
	if s.Since != 0 && ts < s.Since {
		return false
	}
	if s.Until != 0 && ts > s.Until {
		return false
	}
	return s.Types == nil || s.Types.Has(t)
}

// Match reports whether block b may hold selected events.
func (s *Selection) Match(b *BlockInfo) bool {
	if b.Flags&FlagCorrupt != 0 {
		return false
	}
	if s.Since != 0 && b.LastTs < s.Since {
		return false
	}
	if s.Until != 0 && b.FirstTs > s.Until {
		return false
	}
	if s.Types != nil && !s.Types.Intersects(&b.Types) {
		return false
	}
	return true
}

// Select appends to dst the positions of the blocks that may hold selected
// events, in file order.
func (ix *Index) Select(dst []int, s Selection) []int {
	var want []bool // by comm id; nil: no name restriction
	if s.Comms != nil && ix.Comms != nil {
		want = make([]bool, len(ix.Comms))
		for id, c := range ix.Comms {
			for _, w := range s.Comms {
				if c == w {
					want[id] = true
				}
			}
		}
	}
	for i := range ix.Blocks {
		b := &ix.Blocks[i]
		if !s.Match(b) {
			continue
		}
		if want != nil && !hasComm(b.Comms, want) {
			continue
		}
		dst = append(dst, i)
	}
	return dst
}

func hasComm(ids []uint32, want []bool) bool {
	for _, id := range ids {
		if int(id) < len(want) && want[id] {
			return true
		}
	}
	return false
}

// Events returns the number of events in all blocks.
func (ix *Index) Events() uint64 {
	var n uint64
	for i := range ix.Blocks {
		n += uint64(ix.Blocks[i].Count)
	}
	return n
}

// Span returns the smallest and largest timestamps of the index.
func (ix *Index) Span() (first, last uint64) {
	for i := range ix.Blocks {
		b := &ix.Blocks[i]
		if b.Count == 0 {
			continue
		}
		if first == 0 || b.FirstTs < first {
			first = b.FirstTs
		}
		if b.LastTs > last {
			last = b.LastTs
		}
	}
	return first, last
}

// encodingVersion 2 added the process-name summary; version 1 bodies
// are still read.
const encodingVersion = 2

// ErrCorrupt is returned by Decode for a malformed index body.
var ErrCorrupt = errors.New("index: corrupt")

// maxBlocks bounds the entries a decoder accepts, as a guard against absurd
// counts (a 1 TiB file of 64 KiB blocks has 16 Mi blocks).
const maxBlocks = 1 << 26

// Append appends the encoding of ix to dst.
func (ix *Index) Append(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, encodingVersion)
	dst = binary.AppendUvarint(dst, uint64(len(ix.Blocks)))
	for i := range ix.Blocks {
		b := &ix.Blocks[i]
		dst = binary.AppendUvarint(dst, uint64(b.Offset))
		dst = binary.AppendUvarint(dst, uint64(b.Size))
		dst = binary.AppendUvarint(dst, uint64(b.RawSize))
		dst = binary.AppendUvarint(dst, b.Seq)
		dst = binary.AppendUvarint(dst, b.FirstNum)
		dst = binary.AppendUvarint(dst, uint64(b.Count))
		dst = binary.AppendUvarint(dst, b.FirstTs)
		dst = binary.AppendUvarint(dst, b.LastTs-b.FirstTs)
		var flags uint64 = uint64(b.Flags)
		if b.Types.overflow {
			flags |= 1 << 8
		}
		dst = binary.AppendUvarint(dst, flags)
		// Trailing zero words of the type bitmap are not written.
		n := typeWords
		for n > 0 && b.Types.w[n-1] == 0 {
			n--
		}
		dst = binary.AppendUvarint(dst, uint64(n))
		for _, w := range b.Types.w[:n] {
			dst = binary.LittleEndian.AppendUint64(dst, w)
		}
		dst = append(dst, b.Digest[:]...)
	}
	if ix.Comms == nil {
		return binary.AppendUvarint(dst, 0)
	}
	dst = binary.AppendUvarint(dst, 1)
	dst = binary.AppendUvarint(dst, uint64(len(ix.Comms)))
	for _, c := range ix.Comms {
		dst = binary.AppendUvarint(dst, uint64(len(c)))
		dst = append(dst, c...)
	}
	for i := range ix.Blocks {
		ids := ix.Blocks[i].Comms
		dst = binary.AppendUvarint(dst, uint64(len(ids)))
		prev := uint32(0)
		for k, id := range ids {
			if k == 0 {
				dst = binary.AppendUvarint(dst, uint64(id))
			} else {
				dst = binary.AppendUvarint(dst, uint64(id-prev))
			}
			prev = id
		}
	}
	return dst
}

// Decode parses an index body written by Append.
func Decode(p []byte) (*Index, error) {
	d := decoder{p: p}
	version := d.uvarint()
	if d.err == nil && version != 1 && version != encodingVersion {
		return nil, fmt.Errorf("%w: unknown index version %d", ErrCorrupt, version)
	}
	n := d.uvarint()
	if d.err == nil && n > maxBlocks {
		return nil, fmt.Errorf("%w: %d blocks", ErrCorrupt, n)
	}
	// Every entry takes at least 43 bytes; refuse counts the body can't hold
	// before allocating.
	if d.err == nil && n > uint64(len(p))/43+1 {
		return nil, fmt.Errorf("%w: %d blocks in %d bytes", ErrCorrupt, n, len(p))
	}
	ix := &Index{}
	if d.err == nil {
		ix.Blocks = make([]BlockInfo, 0, n)
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		var b BlockInfo
		b.Offset = int64(d.uvarint())
		b.Size = d.u32()
		b.RawSize = d.u32()
		b.Seq = d.uvarint()
		b.FirstNum = d.uvarint()
		b.Count = d.u32()
		b.FirstTs = d.uvarint()
		b.LastTs = b.FirstTs + d.uvarint()
		flags := d.uvarint()
		b.Flags = BlockFlags(flags)
		b.Types.overflow = flags&(1<<8) != 0
		nw := d.uvarint()
		if nw > typeWords {
			d.fail("type bitmap of %d words", nw)
			break
		}
		for w := uint64(0); w < nw; w++ {
			b.Types.w[w] = d.u64()
		}
		copy(b.Digest[:], d.bytes(DigestSize))
		if b.Offset < 0 || b.LastTs < b.FirstTs {
			d.fail("entry %d out of range", i)
		}
		ix.Blocks = append(ix.Blocks, b)
	}
	if version >= 2 && d.err == nil {
		d.comms(ix)
	}
	if d.err == nil && d.off != len(d.p) {
		d.fail("%d trailing bytes", len(d.p)-d.off)
	}
	if d.err != nil {
		return nil, d.err
	}
	return ix, nil
}

// comms reads the process-name summary of a version 2 body.
func (d *decoder) comms(ix *Index) {
	if d.uvarint() == 0 {
		return
	}
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.p)-d.off) {
		d.fail("%d process names", n)
		return
	}
	ix.Comms = make([]string, 0, n)
	for k := uint64(0); k < n && d.err == nil; k++ {
		l := d.uvarint()
		if d.err == nil && l > uint64(len(d.p)-d.off) {
			d.fail("process name of %d bytes", l)
			return
		}
		ix.Comms = append(ix.Comms, string(d.bytes(int(l))))
	}
	for i := range ix.Blocks {
		if d.err != nil {
			return
		}
		b := &ix.Blocks[i]
		m := d.uvarint()
		if d.err == nil && m > n {
			d.fail("block %d: %d process names of %d", i, m, n)
			return
		}
		b.Comms = make([]uint32, 0, m)
		var id uint64
		for k := uint64(0); k < m && d.err == nil; k++ {
			v := d.uvarint()
			if k > 0 && v == 0 {
				d.fail("block %d: process name ids not ascending", i)
				return
			}
			id += v
			if id >= n {
				d.fail("block %d: process name id %d of %d", i, id, n)
				return
			}
			b.Comms = append(b.Comms, uint32(id))
		}
	}
}

// decoder reads varints with a sticky error.
type decoder struct {
	p   []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", ErrCorrupt, d.off, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.p[d.off:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) u32() uint32 {
	v := d.uvarint()
	if v > 1<<32-1 {
		d.fail("value %d overflows 32 bits", v)
	}
	return uint32(v)
}

func (d *decoder) u64() uint64 {
	b := d.bytes(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.p)-d.off < n {
		d.fail("want %d bytes, have %d", n, len(d.p)-d.off)
		return nil
	}
	b := d.p[d.off : d.off+n]
	d.off += n
	return b
}
