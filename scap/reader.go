package scap

import (
	"bufio"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"

	"forensics/event"
)

// readBufSize is the Reader's buffer: every non-LARGE event block fits,
// so events are decoded in place without a copy.
const readBufSize = 128 << 10

// Reader reads a .scap stream: its sections' metadata and its events.
// It is not safe for concurrent use.
type Reader struct {
	name   string
	isGzip bool
	gz     *gzip.Reader
	br     *bufio.Reader
	big    []byte // blocks larger than the bufio buffer
	off    int64  // decompressed offset of the next unread byte
	err    error  // sticky: io.EOF or the first error

	sec    *Section
	nsec   int
	pend   block // a block read but not yet handled (first event of a section)
	hasPnd bool

	// counters (see Stats)
	blocks     map[uint32]uint64
	lastID     uint32
	lastN      uint64
	events     [event.MaxType]uint64
	skipBlocks uint64
	skipTypes  uint64
	recUnknown uint64
	recBeyond  uint64
	trailerBad uint64
}

// block is one block: body is what lies between the 8-byte header and the
// trailer (padding included); it points into the Reader's buffer and is
// valid until the next read.
type block struct {
	id      uint32
	total   uint32
	trailer uint32
	off     int64
	body    []byte
}

// NewReader reads the first section header and the metadata blocks that
// follow it, up to the first event. r may be gzip-compressed or plain;
// name is used in error messages. The Reader buffers r: do not read from
// r afterwards. A section without events is not an error (libscap says
// "no events in file"): Next then returns io.EOF or ErrNewSection.
func NewReader(r io.Reader, name string) (*Reader, error) {
	rd := &Reader{name: name, blocks: make(map[uint32]uint64)}
	raw := bufio.NewReaderSize(r, readBufSize)
	magic, err := raw.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, rd.posErr(0, err)
	}
	rd.br = raw
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		rd.isGzip = true
		gz, err := gzip.NewReader(raw)
		if err != nil {
			return nil, rd.posErr(0, readErr(err, "gzip header"))
		}
		rd.gz = gz
		rd.br = bufio.NewReaderSize(gz, readBufSize)
	}
	if err := rd.sniffSHB(); err != nil {
		return nil, err
	}
	blk, err := rd.readBlock()
	if err != nil {
		return nil, err
	}
	if err := rd.startSection(blk); err != nil {
		return nil, err
	}
	return rd, nil
}

// sniffSHB checks that the stream starts with the section header id.
func (r *Reader) sniffSHB() error {
	var shb [4]byte
	binary.LittleEndian.PutUint32(shb[:], BlockSHB)
	p, err := r.br.Peek(4)
	switch {
	case len(p) == 0 && err == io.EOF:
		return r.posErr(0, fmt.Errorf("%w: empty stream", ErrNotScap))
	case len(p) < 4 && string(p) == string(shb[:len(p)]):
		return r.posErr(0, readErr(err, "section header"))
	case len(p) < 4 || string(p) != string(shb[:]):
		if err != nil && !errors.Is(err, io.EOF) {
			return r.posErr(0, ioErr(err))
		}
		return r.posErr(0, fmt.Errorf("%w: no section header block at the start", ErrNotScap))
	}
	return nil
}

// Section returns the metadata of the current section. A new section
// (after Next returned ErrNewSection) gets a new *Section; the old one
// stays valid and unchanged.
func (r *Reader) Section() *Section { return r.sec }

// Name returns the name given to NewReader.
func (r *Reader) Name() string { return r.name }

// Gzip reports whether the stream is gzip-compressed.
func (r *Reader) Gzip() bool { return r.isGzip }

// Offset returns the number of decompressed bytes consumed so far.
func (r *Reader) Offset() int64 { return r.off }

// Close releases the decompressor. It does not close the underlying reader.
func (r *Reader) Close() error {
	if r.gz != nil {
		return r.gz.Close()
	}
	return nil
}

// Next reads the next event into ev. Its Params point into the Reader's
// buffer and are valid until the next call to Next.
//
// Next returns io.EOF at the end of the stream, ErrNewSection (once) when
// a new section starts, and otherwise a *PosError naming the file and the
// offset of the damaged block. io.EOF and errors are final: every later
// call returns them again. Event blocks whose type is at or above
// event.MaxType are skipped, as libscap does; blocks of unknown type are
// skipped too.
func (r *Reader) Next(ev *Event) error {
	if r.err != nil {
		return r.err
	}
	for {
		var blk block
		if r.hasPnd {
			blk, r.hasPnd = r.pend, false
		} else {
			var err error
			if blk, err = r.readBlock(); err != nil {
				r.err = err
				return err
			}
		}
		if _, _, ok := eventBlock(blk.id); ok {
			if blk.trailer != blk.total {
				r.trailerBad++
			}
			st, err := decodeEvent(blk.id, blk.body, ev)
			if err != nil {
				r.err = r.posErr(blk.off, err)
				return r.err
			}
			switch st {
			case skippedType:
				r.skipTypes++
				continue
			case recoveredUnknown:
				r.recUnknown++
			case recoveredBeyond:
				r.recBeyond++
			}
			ev.Offset = blk.off
			r.events[ev.Type]++
			return nil
		}
		if blk.id == BlockSHB {
			if err := r.startSection(blk); err != nil {
				r.err = err
				return err
			}
			return ErrNewSection
		}
		// Unknown blocks, and metadata blocks outside a section's header
		// (libscap fails on both), are skipped.
		r.skipBlocks++
	}
}

// readBlock reads the next block and validates its length. It returns
// io.EOF only at a clean end of stream (no byte of a new block).
func (r *Reader) readBlock() (block, error) {
	le := binary.LittleEndian
	off := r.off
	hdr, err := r.br.Peek(8)
	if len(hdr) < 8 {
		if len(hdr) == 0 && err == io.EOF {
			return block{}, io.EOF
		}
		return block{}, r.posErr(off, readErr(err, "block header"))
	}
	id, total := le.Uint32(hdr), le.Uint32(hdr[4:])
	if err := checkLength(id, total); err != nil {
		return block{}, r.posErr(off, err)
	}
	n := int(total)
	var b []byte
	if n <= r.br.Size() {
		b, err = r.br.Peek(n)
		if len(b) < n {
			return block{}, r.posErr(off, readErr(err, fmt.Sprintf("block %#x of %d bytes", id, n)))
		}
		_, _ = r.br.Discard(n)
	} else if b, err = r.readBig(n); err != nil {
		return block{}, r.posErr(off, readErr(err, fmt.Sprintf("block %#x of %d bytes", id, n)))
	}
	r.off += int64(n)
	r.count(id)
	return block{id: id, total: total, trailer: le.Uint32(b[n-4:]), off: off, body: b[8 : n-4]}, nil
}

// readBig reads a block larger than the bufio buffer into r.big, growing
// it as the data arrives, so that a length field alone cannot make the
// Reader allocate much more than the stream holds.
func (r *Reader) readBig(n int) ([]byte, error) {
	b := r.big[:0]
	for len(b) < n {
		chunk := min(n-len(b), max(len(b), 1<<20))
		if cap(b)-len(b) < chunk {
			nb := make([]byte, len(b), len(b)+chunk)
			copy(nb, b)
			b = nb
		}
		k, err := io.ReadFull(r.br, b[len(b):len(b)+chunk])
		b = b[:len(b)+k]
		if err != nil {
			r.big = b[:0]
			return nil, err
		}
	}
	r.big = b[:0]
	return b, nil
}

// checkLength validates a block_total_length.
func checkLength(id, total uint32) error {
	switch {
	case total < 12 || total%4 != 0:
		return fmt.Errorf("%w: block %#x has length %d (must be a multiple of 4, at least 12)", ErrCorrupt, id, total)
	case total > maxBlockLen:
		return fmt.Errorf("%w: block %#x has length %d, over the %d-byte limit", ErrCorrupt, id, total, maxBlockLen)
	}
	if kind, _, ok := eventBlock(id); ok && kind != KindLarge && total-8 > maxEventBlockBody {
		return fmt.Errorf("%w: event block %#x has length %d, over the %d-byte limit of non-LARGE blocks", ErrCorrupt, id, total, maxEventBlockBody+8)
	}
	return nil
}

// startSection parses a section header block and the metadata blocks that
// follow it, up to the first event block (kept pending for Next).
func (r *Reader) startSection(shb block) error {
	s, err := r.parseSHB(shb)
	if err != nil {
		return err
	}
	for {
		blk, err := r.readBlock()
		if err == io.EOF {
			break // a section without events
		}
		if err != nil {
			return err
		}
		if _, _, ok := eventBlock(blk.id); ok || blk.id == BlockSHB {
			r.pend, r.hasPnd = blk, true
			break
		}
		s.Blocks = append(s.Blocks, BlockRef{ID: blk.id, Offset: blk.off, Length: blk.total})
		// libscap checks the trailer of every block before the first event.
		if blk.trailer != blk.total {
			return r.posErr(blk.off, fmt.Errorf("%w: block %#x: trailer %d differs from its length %d", ErrCorrupt, blk.id, blk.trailer, blk.total))
		}
		known, err := s.addMeta(blk)
		if err != nil {
			return r.posErr(blk.off, err)
		}
		if !known {
			r.skipBlocks++
		}
	}
	r.sec = s
	r.nsec++
	return nil
}

// parseSHB validates a section header block and starts a Section.
func (r *Reader) parseSHB(blk block) (*Section, error) {
	if blk.id != BlockSHB {
		return nil, r.posErr(blk.off, fmt.Errorf("%w: first block has type %#x, not a section header", ErrNotScap, blk.id))
	}
	if len(blk.body) < 16 {
		return nil, r.posErr(blk.off, fmt.Errorf("%w: section header of %d bytes", ErrCorrupt, blk.total))
	}
	le := binary.LittleEndian
	switch magic := le.Uint32(blk.body); magic {
	case shbMagic:
	case shbMagicSwapped:
		return nil, r.posErr(blk.off, ErrByteOrder)
	default:
		return nil, r.posErr(blk.off, fmt.Errorf("%w: section header magic %#x", ErrNotScap, magic))
	}
	if blk.trailer != blk.total {
		return nil, r.posErr(blk.off, fmt.Errorf("%w: section header trailer %d differs from its length %d", ErrCorrupt, blk.trailer, blk.total))
	}
	s := &Section{
		Index:  r.nsec,
		Offset: blk.off,
		Major:  le.Uint16(blk.body[4:]),
		Minor:  le.Uint16(blk.body[6:]),
		Length: int64(le.Uint64(blk.body[8:])),
		Blocks: []BlockRef{{ID: blk.id, Offset: blk.off, Length: blk.total}},
	}
	if s.Major > currentMajor {
		return nil, r.posErr(blk.off, fmt.Errorf("%w: %d.%d (this reader knows 1.x)", ErrVersion, s.Major, s.Minor))
	}
	if len(blk.body) > 16 {
		s.Options = append([]byte(nil), blk.body[16:]...)
	}
	return s, nil
}

// addMeta decodes a metadata block into s. known is false for a block id
// this package does not know (the caller skips it).
func (s *Section) addMeta(blk block) (known bool, err error) {
	switch blk.id {
	case BlockMI, BlockMIInt:
		mi, err := decodeMI(blk.body)
		if err != nil {
			return true, err
		}
		s.Machine = mi
	case BlockIL, BlockILInt, BlockILV2:
		ifs, err := decodeIL(blk.id, blk.body)
		if err != nil {
			return true, err
		}
		s.Interfaces = ifs
	case BlockUL, BlockULInt, BlockULV2:
		users, groups, err := decodeUL(blk.id, blk.body)
		if err != nil {
			return true, err
		}
		s.Users, s.Groups = users, groups
	case BlockFDL, BlockFDLInt, BlockFDLV2:
		l, err := decodeFDL(blk.id, blk.body)
		if err != nil {
			return true, err
		}
		s.FDs = append(s.FDs, l)
	default:
		if plVersion(blk.id) == 0 {
			return false, nil
		}
		ts, err := decodePL(blk.id, blk.body)
		if err != nil {
			return true, err
		}
		s.Threads = append(s.Threads, ts...)
	}
	return true, nil
}

// count adds one block of type id to the statistics.
func (r *Reader) count(id uint32) {
	if id == r.lastID {
		r.lastN++
		return
	}
	if r.lastN > 0 {
		r.blocks[r.lastID] += r.lastN
	}
	r.lastID, r.lastN = id, 1
}

// readErr classifies a short read: the stream ended (ErrTruncated), the
// compressed data is damaged (ErrCorrupt), or the underlying reader failed.
func readErr(err error, what string) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: stream ends inside %s", ErrTruncated, what)
	}
	return fmt.Errorf("reading %s: %w", what, ioErr(err))
}

// ioErr marks decompression errors as ErrCorrupt.
func ioErr(err error) error {
	var ce flate.CorruptInputError
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.As(err, &ce) {
		return fmt.Errorf("%w: gzip: %w", ErrCorrupt, err)
	}
	return err
}

func (r *Reader) posErr(off int64, err error) error {
	var pe *PosError
	if errors.As(err, &pe) {
		return err
	}
	return &PosError{File: r.name, Offset: off, Gzip: r.isGzip, Err: err}
}

// Stats counts what a Reader has read so far.
type Stats struct {
	Sections int
	Bytes    int64             // decompressed bytes consumed
	Blocks   map[uint32]uint64 // blocks read, by block type id
	// Events counts the events Next returned, by type.
	Events map[event.Type]uint64
	// SkippedBlocks counts blocks of unknown type (and metadata blocks met
	// between events, outside a section header) that were skipped.
	SkippedBlocks uint64
	// SkippedTypes counts events whose type is at or above event.MaxType.
	SkippedTypes uint64
	// RecoveredNParams counts v1 events whose type the event table lacks:
	// their parameter count was searched from the event length alone.
	RecoveredNParams uint64
	// BeyondTableNParams counts v1 events with more parameters than the
	// table lists for their type (libscap refuses them; they are read).
	BeyondTableNParams uint64
	// TrailerMismatches counts event blocks whose trailer differs from
	// their length (a warning: the event is still returned).
	TrailerMismatches uint64
}

// Stats returns the counters so far. The maps are the caller's.
func (r *Reader) Stats() Stats {
	s := Stats{
		Sections:           r.nsec,
		Bytes:              r.off,
		Blocks:             make(map[uint32]uint64, len(r.blocks)+1),
		Events:             make(map[event.Type]uint64),
		SkippedBlocks:      r.skipBlocks,
		SkippedTypes:       r.skipTypes,
		RecoveredNParams:   r.recUnknown,
		BeyondTableNParams: r.recBeyond,
		TrailerMismatches:  r.trailerBad,
	}
	for id, n := range r.blocks {
		s.Blocks[id] = n
	}
	if r.lastN > 0 {
		s.Blocks[r.lastID] += r.lastN
	}
	for t, n := range r.events {
		if n > 0 {
			s.Events[event.Type(t)] = n
		}
	}
	return s
}
