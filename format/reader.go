package format

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"

	"forensics/event"
	"forensics/index"
)

// Guards against decompression bombs: the largest decompressed metadata
// body (snapshot, process table, index) and block a reader accepts.
const (
	maxMetaSize  = 256 << 20
	maxBlockSize = 64 << 20
)

// File is an open capture file.
type File struct {
	Name     string
	Size     int64
	Header   *Header
	Snapshot *event.Snapshot // nil when the snapshot frame is damaged
	Index    *index.Index
	// Complete is true when the file has a valid footer. Otherwise the index
	// was rebuilt by scanning the blocks, and Problems says what was found.
	Complete  bool
	Drops     Drops
	Types     []TypeCount
	ChainHead [32]byte
	EndTs     uint64
	Problems  []Problem

	r         io.ReaderAt
	closer    io.Closer
	dataStart int64      // offset of the first frame after the header and snapshot
	dataEnd   int64      // offset of the footer, or of the end of the last good frame
	procTab   *ProcTable // read on first use (ProcTable)
	procsOnce sync.Once
	procsErr  error
	procOff   int64 // offset of the footer's process table frame, -1 when walked
	dec       *zstd.Decoder
	walked    *walkResult   // the walk that rebuilt the index of a file without footer
	onRead    func(n int64) // progress: bytes walked

	blocksRead    atomic.Int64
	blocksSkipped atomic.Int64
	bytesRead     atomic.Int64
}

// Problem is a defect found in a file.
type Problem struct {
	File   string      `json:"file"`
	Offset int64       `json:"offset"`
	Block  int64       `json:"block"` // block sequence number, -1 when not about one block
	Kind   ProblemKind `json:"kind"`
	Detail string      `json:"detail"`
	// EventsLost is the number of events the defect makes unreadable, -1
	// when it cannot be known.
	EventsLost int64 `json:"events_lost"`
}

// ProblemKind classifies problems.
type ProblemKind string

const (
	ProblemNoFooter  ProblemKind = "no-footer"
	ProblemTruncated ProblemKind = "truncated"
	ProblemCorrupt   ProblemKind = "corrupt-block"
	ProblemChain     ProblemKind = "broken-chain"
	ProblemBadFooter ProblemKind = "bad-footer"
	ProblemBadIndex  ProblemKind = "index-mismatch"
	ProblemBadMeta   ProblemKind = "bad-metadata"
	ProblemGap       ProblemKind = "event-gap"
	ProblemForeign   ProblemKind = "unknown-frame"
)

func (p Problem) String() string {
	s := fmt.Sprintf("%s: offset %d", p.File, p.Offset)
	if p.Block >= 0 {
		s += fmt.Sprintf(": block %d", p.Block)
	}
	s += fmt.Sprintf(": %s: %s", p.Kind, p.Detail)
	switch {
	case p.EventsLost > 0:
		s += fmt.Sprintf(" (%d events lost)", p.EventsLost)
	case p.EventsLost < 0:
		s += " (events lost: unknown)"
	}
	return s
}

// Stats counts a file's block reads.
type Stats struct {
	BlocksRead    int64
	BlocksSkipped int64
	BytesRead     int64
}

// Stats returns the blocks read and skipped so far.
func (f *File) Stats() Stats {
	return Stats{f.blocksRead.Load(), f.blocksSkipped.Load(), f.bytesRead.Load()}
}

// Open opens the capture file at path.
func Open(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	f, err := NewFile(fh, st.Size(), path)
	if err != nil {
		fh.Close()
		return nil, err
	}
	f.closer = fh
	return f, nil
}

// NewFile reads a capture file's metadata from r. A file without a valid
// footer is opened by scanning its blocks; Problems says what was wrong.
func NewFile(r io.ReaderAt, size int64, name string) (*File, error) {
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxMetaSize))
	if err != nil {
		return nil, err
	}
	f := &File{Name: name, Size: size, r: r, dec: dec}
	posErr := func(off int64, what string, err error) error {
		return &PosError{File: name, Offset: off, What: what, Err: err}
	}
	// Header.
	fi, err := scanFrame(r, 0, size)
	if err != nil || fi.Kind != frameMeta {
		if err == nil || errors.Is(err, ErrCorrupt) {
			err = ErrNotCapture
		}
		return nil, posErr(0, "header", err)
	}
	kind, body, err := f.readMeta(fi)
	if err != nil {
		return nil, posErr(0, "header", err)
	}
	if kind != kindHeader {
		return nil, posErr(0, "header", ErrNotCapture)
	}
	if f.Header, err = decodeHeader(body); err != nil {
		return nil, posErr(0, "header", err)
	}
	f.dataStart = fi.Size
	// Snapshot.
	if fi, err = scanFrame(r, f.dataStart, size); err == nil && fi.Kind == frameMeta {
		if kind, body, err = f.readMeta(fi); err == nil && kind == kindSnapshot {
			f.dataStart += fi.Size
			if f.Snapshot, err = decodeSnapshot(body); err != nil {
				f.problem(fi.Offset, -1, ProblemBadMeta, "state snapshot: "+err.Error(), 0)
			}
		} else if err != nil {
			f.dataStart += fi.Size
			f.problem(fi.Offset, -1, ProblemBadMeta, "state snapshot: "+err.Error(), 0)
		}
	}
	if err := f.readFooter(); err != nil {
		if !errors.Is(err, ErrNoFooter) && !errors.Is(err, ErrTruncated) {
			f.problem(size, -1, ProblemBadFooter, err.Error(), 0)
		}
		f.Complete = false
		w, err := f.walk(context.Background())
		if err != nil {
			return nil, err
		}
		f.adopt(w)
	}
	return f, nil
}

// Close releases the file.
func (f *File) Close() error {
	f.dec.Close()
	if f.closer != nil {
		return f.closer.Close()
	}
	return nil
}

func (f *File) problem(off, block int64, kind ProblemKind, detail string, lost int64) {
	f.Problems = append(f.Problems, Problem{File: f.Name, Offset: off, Block: block, Kind: kind, Detail: detail, EventsLost: lost})
}

// readMeta reads and checks a metadata frame, decompressing its body.
func (f *File) readMeta(fi frameInfo) ([4]byte, []byte, error) {
	var kind [4]byte
	if fi.Size < 8+metaPrefix || fi.Size > maxFrameSize {
		return kind, nil, fmt.Errorf("%w: metadata frame of %d bytes", ErrCorrupt, fi.Size)
	}
	buf := make([]byte, fi.Size-8)
	if _, err := f.r.ReadAt(buf, fi.Offset+8); err != nil {
		return kind, nil, fmt.Errorf("%w: %w", ErrTruncated, err)
	}
	copy(kind[:], buf)
	flags := buf[4]
	sum := uint32(buf[5]) | uint32(buf[6])<<8 | uint32(buf[7])<<16 | uint32(buf[8])<<24
	body := buf[metaPrefix:]
	if crc32.Checksum(body, castagnoli) != sum {
		return kind, nil, fmt.Errorf("%w: %s frame checksum mismatch", ErrCorrupt, kind[:])
	}
	if flags&metaCompressed != 0 {
		out, err := f.dec.DecodeAll(body, nil)
		if err != nil {
			return kind, nil, fmt.Errorf("%w: %s frame: %w", ErrCorrupt, kind[:], err)
		}
		body = out
	}
	return kind, body, nil
}

// readFooter reads the seek table, process table and index at the end.
func (f *File) readFooter() error {
	entries, tableOff, err := readSeekTable(f.r, f.Size)
	if err != nil {
		return err
	}
	if len(entries) < 4 {
		return fmt.Errorf("%w: seek table lists %d frames", ErrCorrupt, len(entries))
	}
	var sum int64
	for _, e := range entries {
		sum += int64(e.Compressed)
	}
	if sum != tableOff {
		return fmt.Errorf("%w: seek table frames add up to %d, table at %d", ErrCorrupt, sum, tableOff)
	}
	footOff := tableOff - int64(entries[len(entries)-1].Compressed)
	procOff := footOff - int64(entries[len(entries)-2].Compressed)
	readKind := func(off int64, want [4]byte) ([]byte, error) {
		fi, err := scanFrame(f.r, off, f.Size)
		if err != nil {
			return nil, err
		}
		if fi.Kind != frameMeta {
			return nil, fmt.Errorf("%w: no %s frame at %d", ErrCorrupt, want[:], off)
		}
		kind, body, err := f.readMeta(fi)
		if err != nil {
			return nil, err
		}
		if kind != want {
			return nil, fmt.Errorf("%w: found %s frame where %s belongs", ErrCorrupt, kind[:], want[:])
		}
		return body, nil
	}
	body, err := readKind(footOff, kindFooter)
	if err != nil {
		return err
	}
	foot, err := decodeFooter(body)
	if err != nil {
		return err
	}
	ix, err := index.Decode(foot.Index)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	for i := range ix.Blocks {
		b := &ix.Blocks[i]
		if b.Offset < f.dataStart || b.Offset+int64(b.Size) > procOff {
			return fmt.Errorf("%w: index entry %d points outside the data", ErrCorrupt, i)
		}
	}
	// The process table is decoded on first use (ProcessTable): a query
	// that selects no block needs none of it.
	f.procOff = procOff
	f.Index, f.Drops, f.Types, f.ChainHead, f.EndTs = ix, foot.Drops, foot.Types, foot.ChainHead, foot.EndTs
	f.dataEnd = procOff
	f.Complete = true
	return nil
}

// walkResult is what walking a file's frames learns.
type walkResult struct {
	index     index.Index
	problems  []Problem
	types     []TypeCount
	procs     []event.Process
	drops     Drops
	chain     [32]byte // chain digest after the last good block
	dataEnd   int64    // end of the last good block
	framesEnd int64    // end of the last complete frame, good or not
	footerAt  int64    // offset of a footer frame met, -1 if none
}

// walk reads every frame after the snapshot in file order: it decodes each
// block, checks the digest chain and the event numbering, and rebuilds the
// index, the process table and the counters from the blocks themselves.
func (f *File) walk(ctx context.Context) (*walkResult, error) {
	w := &walkResult{footerAt: -1}
	typeN := map[event.Type]uint64{}
	procAt := map[event.ProcKey]int{}
	if f.Snapshot != nil {
		for _, p := range f.Snapshot.Processes {
			procAt[p.Key] = len(w.procs)
			w.procs = append(w.procs, p)
		}
	}
	problem := func(off, block int64, kind ProblemKind, detail string, lost int64) {
		w.problems = append(w.problems, Problem{File: f.Name, Offset: off, Block: block, Kind: kind, Detail: detail, EventsLost: lost})
	}
	var raw, frame []byte
	var blk Block
	var chain [32]byte // computed digest after the last block seen
	chainOK := true    // false right after a block whose digest can't be computed
	off := f.dataStart
	w.dataEnd, w.framesEnd = off, off
	var nextSeq uint64
	nextNum := f.Header.FirstNum
	var mk marker       // the marker of the block that follows
	haveMarker := false // whether mk belongs to the next frame
	// lost is what a damaged or cut block held, from its marker.
	// The events it accounts for are not reported again as a gap.
	lost := func() (int64, string) {
		if !haveMarker || mk.Seq != nextSeq {
			return -1, ""
		}
		if mk.Count > 0 && mk.FirstNum == nextNum {
			nextNum = mk.FirstNum + mk.Count
		}
		return int64(mk.Count), fmt.Sprintf(" (block %d held events %d to %d)", mk.Seq, mk.FirstNum, mk.FirstNum+mk.Count-1)
	}
	for off < f.Size {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fi, err := scanFrame(f.r, off, f.Size)
		if errors.Is(err, ErrTruncated) {
			n, detail := lost()
			problem(off, int64(nextSeq), ProblemTruncated, fmt.Sprintf("file ends inside a frame: %d bytes after the last complete frame are lost%s", f.Size-off, detail), n)
			break
		}
		if err != nil {
			next := f.resync(off + 1)
			problem(off, int64(nextSeq), ProblemCorrupt, fmt.Sprintf("unreadable frame (%v); skipped %d bytes", err, next-off), -1)
			off, chainOK = next, false
			w.framesEnd = off
			nextSeq++
			continue
		}
		if fi.Kind != frameData {
			if fi.Kind == frameMeta {
				kind, body, err := f.readMeta(fi)
				if err == nil && (kind == kindProcs || kind == kindFooter) {
					w.footerAt = off
					break
				}
				if err == nil && kind == kindMarker {
					if m, err := decodeMarker(body); err == nil {
						mk, haveMarker = m, true
					}
					off += fi.Size
					w.framesEnd = off
					continue
				}
			}
			if fi.Magic == seekTableMagic {
				w.footerAt = off
				break
			}
			problem(off, -1, ProblemForeign, fmt.Sprintf("skipped a %d-byte frame that is not a block", fi.Size), 0)
			off += fi.Size
			w.framesEnd = off
			continue
		}
		if fi.Content > maxBlockSize || fi.Size > maxBlockSize {
			n, detail := lost()
			problem(off, int64(nextSeq), ProblemCorrupt, fmt.Sprintf("block claims %d bytes, over the %d limit%s", max(fi.Content, fi.Size), maxBlockSize, detail), n)
			haveMarker, chainOK = false, false
			off += fi.Size
			w.framesEnd = off
			nextSeq++
			continue
		}
		frame = growTo(frame, int(fi.Size))
		if _, err := f.r.ReadAt(frame, off); err != nil {
			return nil, &PosError{File: f.Name, Offset: off, Err: err}
		}
		raw, err = f.dec.DecodeAll(frame, raw[:0])
		if err == nil && (len(raw) < 4 || [4]byte(raw) != blockMagic) && haveDamage(w.problems) {
			// A part of a block already found damaged, met after a
			// resync: it was counted with that block.
			off += fi.Size
			w.framesEnd = off
			continue
		}
		if err == nil {
			// A block of layout 3 goes on with the frames of its other
			// parts; decompressed one after the other they are the
			// whole block.
			var nparts int
			if nparts, err = blockParts(raw); err == nil {
				for k := 1; k < nparts && err == nil; k++ {
					var pi frameInfo
					if pi, err = scanFrame(f.r, off+fi.Size, f.Size); errors.Is(err, ErrTruncated) {
						break
					} else if err == nil && pi.Kind != frameData {
						err = fmt.Errorf("%w: part %d of the block is not a zstd frame", ErrCorrupt, k)
					}
					if err == nil && fi.Size+pi.Size > maxBlockSize {
						err = fmt.Errorf("%w: block of over %d bytes", ErrLimit, maxBlockSize)
					}
					if err == nil {
						frame = slices.Grow(frame[:fi.Size], int(pi.Size))[:fi.Size+pi.Size]
						if _, err = f.r.ReadAt(frame[fi.Size:], off+fi.Size); err == nil {
							raw, err = f.dec.DecodeAll(frame[fi.Size:], raw)
						}
						fi.Size += pi.Size
					}
				}
			}
		}
		if errors.Is(err, ErrTruncated) {
			n, detail := lost()
			problem(off, int64(nextSeq), ProblemTruncated, fmt.Sprintf("file ends inside a block: %d bytes after the last complete block are lost%s", f.Size-off, detail), n)
			break
		}
		if err == nil {
			err = DecodeBlock(&blk, raw)
		}
		if err != nil {
			n, detail := lost()
			problem(off, int64(nextSeq), ProblemCorrupt, fmt.Sprintf("block fails its checksum or does not decode: %v%s", err, detail), n)
			haveMarker = false
			off += fi.Size
			w.framesEnd = off
			nextSeq++
			chainOK = false
			continue
		}
		haveMarker = false
		hd := &blk.Header
		if chainOK && hd.PrevDigest != chain {
			problem(off, int64(hd.Seq), ProblemChain, "the block does not follow the one before it: a block was removed, reordered or altered", 0)
		}
		if hd.Seq != nextSeq && chainOK {
			problem(off, int64(hd.Seq), ProblemChain, fmt.Sprintf("block sequence %d where %d was expected", hd.Seq, nextSeq), 0)
		}
		// A gap in the numbering is events lost with a block: give the
		// count to the damage before it, or report the gap.
		if gap := int64(hd.FirstNum) - int64(nextNum); gap > 0 && hd.Count > 0 {
			if n := len(w.problems); n > 0 && w.problems[n-1].EventsLost < 0 {
				w.problems[n-1].EventsLost = gap
			} else {
				problem(off, int64(hd.Seq), ProblemGap, fmt.Sprintf("events %d to %d are missing before this block", nextNum, hd.FirstNum-1), gap)
			}
		}
		h := sha256.New()
		h.Write(hd.PrevDigest[:])
		h.Write(frame)
		h.Sum(chain[:0])
		chainOK = true
		info := index.BlockInfo{Offset: off, Size: uint32(fi.Size), RawSize: uint32(len(raw)),
			Seq: hd.Seq, FirstNum: hd.FirstNum, Count: uint32(hd.Count),
			FirstTs: hd.FirstTs, LastTs: hd.LastTs, Digest: chain}
		for _, tc := range hd.Types {
			info.Types.Add(uint16(tc.Type))
			typeN[tc.Type] += tc.Count
		}
		if hd.Count > 0 {
			nextNum = hd.FirstNum + uint64(hd.Count)
		}
		if ps, err := blk.Processes(); err == nil {
			for _, p := range ps {
				if i, ok := procAt[p.Key]; ok {
					w.procs[i] = p
				} else {
					procAt[p.Key] = len(w.procs)
					w.procs = append(w.procs, p)
				}
			}
		} else {
			problem(off, int64(hd.Seq), ProblemCorrupt, "process records: "+err.Error(), 0)
		}
		w.index.Blocks = append(w.index.Blocks, info)
		w.drops = hd.Drops
		w.chain = chain
		off += fi.Size
		w.dataEnd, w.framesEnd = off, off
		nextSeq = hd.Seq + 1
		if f.onRead != nil {
			f.onRead(fi.Size)
		}
	}
	w.types = sortedTypeCounts(typeN)
	return w, nil
}

// haveDamage reports whether problems include a damaged or cut block.
func haveDamage(problems []Problem) bool {
	for _, p := range problems {
		if p.Kind == ProblemCorrupt || p.Kind == ProblemTruncated {
			return true
		}
	}
	return false
}

// adopt makes a walk's results the file's metadata (for a file without a
// usable footer).
func (f *File) adopt(w *walkResult) {
	f.problem(f.Size, -1, ProblemNoFooter, "the file has no valid index footer (its writer did not close it); `forensics repair` rebuilds it", 0)
	f.Problems = append(f.Problems, w.problems...)
	f.Index = &w.index
	f.Types = w.types
	f.procOff = -1
	f.procsOnce.Do(func() { f.procTab = decodedProcTable(w.procs) })
	f.Drops = w.drops
	f.ChainHead = w.chain
	f.dataEnd = w.dataEnd
	f.walked = w
}

// resync finds the next offset at or after off where a frame starts.
func (f *File) resync(off int64) int64 {
	const chunk = 1 << 16
	buf := make([]byte, chunk+3)
	for off < f.Size {
		n, _ := f.r.ReadAt(buf, off)
		if n < 4 {
			return f.Size
		}
		for i := 0; i+4 <= n; i++ {
			m := uint32(buf[i]) | uint32(buf[i+1])<<8 | uint32(buf[i+2])<<16 | uint32(buf[i+3])<<24
			if m == zstdMagic || m == metaMagic || m == seekTableMagic {
				if _, err := scanFrame(f.r, off+int64(i), f.Size); err == nil {
					return off + int64(i)
				}
			}
		}
		off += int64(n - 3)
		if n < len(buf) {
			break
		}
	}
	return f.Size
}

func growTo(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// Events returns the number of events in the file's readable blocks.
func (f *File) Events() uint64 { return f.Index.Events() }

// BlockReader reads blocks of one file. Several BlockReaders may read one
// File concurrently. Each Block keeps its own buffers and decompressor, so
// that it decompresses its parts as they are read, after the reader has
// gone on to other blocks.
type BlockReader struct {
	f       *File
	maxSize int // of the file's blocks, compressed
	maxRaw  int // and decompressed
}

// NewBlockReader returns a reader for f's blocks.
func (f *File) NewBlockReader() (*BlockReader, error) {
	br := &BlockReader{f: f}
	for _, b := range f.Index.Blocks {
		br.maxSize = max(br.maxSize, int(min(b.Size, maxBlockSize)))
		br.maxRaw = max(br.maxRaw, int(min(b.RawSize, maxBlockSize)))
	}
	return br, nil
}

// Close releases the reader.
func (br *BlockReader) Close() {}

// Read decodes block i of the index into b. Of a block of layout 3 it
// decompresses part 0; the others when their columns are read.
func (br *BlockReader) Read(i int, b *Block) error {
	f := br.f
	if i < 0 || i >= len(f.Index.Blocks) {
		return fmt.Errorf("%s: block %d of %d", f.Name, i, len(f.Index.Blocks))
	}
	info := &f.Index.Blocks[i]
	posErr := func(off int64, err error) error {
		return &PosError{File: f.Name, Offset: off, What: fmt.Sprintf("block %d", info.Seq), Err: err}
	}
	if info.RawSize > maxBlockSize || info.Size > maxBlockSize {
		return posErr(info.Offset, fmt.Errorf("%w: block of %d bytes", ErrLimit, info.RawSize))
	}
	if cap(b.packed) < int(info.Size) {
		// Room for the file's largest block: a Block is reused for many.
		b.packed = make([]byte, max(br.maxSize, int(info.Size)))
	}
	b.packed = b.packed[:info.Size]
	if _, err := f.r.ReadAt(b.packed, info.Offset); err != nil {
		return posErr(info.Offset, err)
	}
	f.blocksRead.Add(1)
	f.bytesRead.Add(int64(info.Size))
	fi, err := scanFrame(bytes.NewReader(b.packed), 0, int64(len(b.packed)))
	if err == nil && fi.Kind != frameData {
		err = fmt.Errorf("%w: not a zstd frame", ErrCorrupt)
	}
	if err != nil {
		return posErr(info.Offset, err)
	}
	if b.dec == nil {
		if b.dec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxBlockSize)); err != nil {
			return err
		}
	}
	// The block keeps its decompressed buffer; decoding reuses it. Room
	// for the largest block at once: growing it block after block cost
	// the zeroing of each new buffer.
	if cap(b.raw) < int(fi.Content) && fi.Content <= maxBlockSize {
		b.raw = make([]byte, 0, max(br.maxRaw, int(fi.Content)))
	}
	raw, err := b.dec.DecodeAll(b.packed[:fi.Size], b.raw[:0])
	if err != nil {
		return posErr(info.Offset, fmt.Errorf("%w: %w", ErrCorrupt, err))
	}
	b.where = PosError{File: f.Name, Offset: info.Offset, What: fmt.Sprintf("block %d", info.Seq)}
	b.partsAt = fi.Size
	if err := b.decode(raw, b.packed[fi.Size:]); err != nil {
		return posErr(info.Offset, err)
	}
	if b.Header.Count != int(info.Count) || b.Header.FirstNum != info.FirstNum {
		return posErr(info.Offset, fmt.Errorf("%w: block does not match its index entry", ErrCorrupt))
	}
	return nil
}

// Select returns the blocks of the selection and counts the others as
// skipped.
func (f *File) Select(sel index.Selection) []int {
	picked := f.Index.Select(nil, sel)
	f.blocksSkipped.Add(int64(len(f.Index.Blocks) - len(picked)))
	return picked
}

// EventIter iterates over the selected events of a file in order.
type EventIter struct {
	f      *File
	sel    index.Selection
	blocks []int
	br     *BlockReader
	blk    Block
	pos    int // next event in blk
	next   int // next entry of blocks
	loaded bool
	err    error
}

// Iter returns an iterator over the events of sel. A damaged block stops the
// iteration with its error; callers that want to go on call Skip.
func (f *File) Iter(sel index.Selection) (*EventIter, error) {
	br, err := f.NewBlockReader()
	if err != nil {
		return nil, err
	}
	return &EventIter{f: f, sel: sel, blocks: f.Select(sel), br: br}, nil
}

// Next fills ev with the next selected event. It returns false at the end or
// on error (see Err).
func (it *EventIter) Next(ev *event.Event) bool {
	if it.err != nil {
		return false
	}
	for {
		if !it.loaded || it.pos >= it.blk.Len() {
			if it.next >= len(it.blocks) {
				return false
			}
			i := it.blocks[it.next]
			it.next++ // a damaged block is passed over by Skip
			if err := it.br.Read(i, &it.blk); err != nil {
				it.err = err
				return false
			}
			it.pos, it.loaded = 0, true
			continue
		}
		i := it.pos
		it.pos++
		if err := it.blk.Event(i, ev); err != nil {
			it.err = err
			if pe := (*PosError)(nil); !errors.As(err, &pe) {
				it.err = fmt.Errorf("%s: block %d: %w", it.f.Name, it.blk.Header.Seq, err)
			}
			return false
		}
		if it.sel.Contains(ev.Ts, uint16(ev.Type)) {
			return true
		}
	}
}

// Err returns the error that stopped the iteration.
func (it *EventIter) Err() error { return it.err }

// Skip clears the error of a damaged block so Next goes on with the next
// block.
func (it *EventIter) Skip() { it.err, it.loaded = nil, false }

// Close releases the iterator.
func (it *EventIter) Close() { it.br.Close() }
