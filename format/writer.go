package format

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/klauspost/compress/zstd"

	"forensics/event"
	"forensics/index"
)

// WriterOptions tune a Writer. The zero value gives the defaults.
type WriterOptions struct {
	// BlockEvents cuts a block after this many events (default 16384).
	BlockEvents int
	// BlockBytes cuts a block when its raw size reaches this (default 4 MiB).
	BlockBytes int
	// Level is the zstd level (default zstd.SpeedDefault).
	Level zstd.EncoderLevel
	// Sync makes every flushed block durable with fsync before Flush
	// returns (needs an *os.File).
	Sync bool
	// FooterProcessesOnly keeps process records out of the blocks: they go
	// only into the footer's process table. It saves space in offline
	// conversions, whose source survives a crash; a recorder keeps them in
	// the blocks so that a file whose writer died still has them.
	FooterProcessesOnly bool
}

const (
	defaultBlockEvents = 16384
	defaultBlockBytes  = 4 << 20
	maxBlockBytes      = 32 << 20
	// maxEventSize bounds one event, so a block stays under the readers'
	// limit whatever it holds.
	maxEventSize = 16 << 20
)

func (o *WriterOptions) withDefaults() WriterOptions {
	r := WriterOptions{}
	if o != nil {
		r = *o
	}
	if r.BlockEvents <= 0 {
		r.BlockEvents = defaultBlockEvents
	}
	if r.BlockEvents > maxColumnValues {
		r.BlockEvents = maxColumnValues
	}
	if r.BlockBytes <= 0 {
		r.BlockBytes = defaultBlockBytes
	}
	r.BlockBytes = min(r.BlockBytes, maxBlockBytes)
	if r.Level == 0 {
		r.Level = zstd.SpeedDefault
	}
	return r
}

// Writer writes one capture file. Events go into the current block, which
// is cut when it is full or when Flush is called; a cut block is written to
// the file at once, so a writer that dies loses only its current block.
// The caller calls Flush at least once a second (the recorder does it from
// a ticker). A Writer is not safe for concurrent use.
type Writer struct {
	w      io.Writer
	file   *os.File // set when the writer created the file
	name   string
	opts   WriterOptions
	enc    *zstd.Encoder
	off    int64
	err    error
	closed bool

	bb      blockBuilder
	hdr     BlockHeader
	seq     uint64
	nextNum uint64
	chain   [32]byte
	ix      index.Index
	frames  []seekEntry
	procs   []event.Process
	procAt  map[event.ProcKey]int
	// blockProcs lists, per block written, the distinct process keys of
	// its events: Close turns them into the index's process names.
	blockProcs [][]event.ProcKey
	keys       []event.ProcKey
	drops      Drops
	types      map[event.Type]uint64
	raw        []byte
	partEnds   []int // where each part of raw ends
	frame      []byte
	parts      []seekEntry // the frames of frame, for the seek table
	out        []byte
	events     uint64
}

// Create creates the file at path (mode 0600, failing if it exists) and
// returns a writer on it that closes the file on Close.
func Create(path string, h Header, snap *event.Snapshot, opts *WriterOptions) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	w, err := newWriter(f, path, h, snap, opts)
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	w.file = f
	return w, nil
}

// NewWriter returns a writer on w. It writes the header and the state
// snapshot before returning.
func NewWriter(w io.Writer, name string, h Header, snap *event.Snapshot, opts *WriterOptions) (*Writer, error) {
	return newWriter(w, name, h, snap, opts)
}

func newWriter(w io.Writer, name string, h Header, snap *event.Snapshot, opts *WriterOptions) (*Writer, error) {
	o := opts.withDefaults()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(o.Level), zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(true), zstd.WithZeroFrames(true))
	if err != nil {
		return nil, err
	}
	wr := &Writer{w: w, name: name, opts: o, enc: enc, procAt: make(map[event.ProcKey]int),
		types: make(map[event.Type]uint64)}
	h.Major, h.Minor = VersionMajor, VersionMinor
	if h.FirstNum == 0 {
		h.FirstNum = 1
	}
	wr.nextNum = h.FirstNum
	if snap == nil {
		snap = &event.Snapshot{}
	}
	for i := range snap.Processes {
		wr.putProc(&snap.Processes[i])
	}
	buf := appendMeta(nil, kindHeader, 0, h.append(nil))
	wr.frames = append(wr.frames, seekEntry{Compressed: uint32(len(buf))})
	buf = wr.appendCompressedMeta(buf, kindSnapshot, appendSnapshot(nil, snap))
	if err := wr.write(buf); err != nil {
		return nil, err
	}
	return wr, nil
}

// appendCompressedMeta appends a metadata frame with a zstd-compressed body
// and records both in the seek table.
func (w *Writer) appendCompressedMeta(dst []byte, kind [4]byte, body []byte) []byte {
	start := len(dst)
	dst = appendMeta(dst, kind, metaCompressed, w.enc.EncodeAll(body, nil))
	w.frames = append(w.frames, seekEntry{Compressed: uint32(len(dst) - start)})
	return dst
}

// write writes p to the file.
func (w *Writer) write(p []byte) error {
	n, err := w.w.Write(p)
	w.off += int64(n)
	if err != nil {
		w.err = fmt.Errorf("%s: write at offset %d: %w", w.name, w.off, err)
		return w.err
	}
	return nil
}

func (w *Writer) putProc(p *event.Process) {
	if i, ok := w.procAt[p.Key]; ok {
		w.procs[i] = *p
		return
	}
	w.procAt[p.Key] = len(w.procs)
	w.procs = append(w.procs, *p)
}

// Write adds an event. An event whose Num is 0 is numbered after the
// previous one. The writer copies what it needs; ev may be reused.
func (w *Writer) Write(ev *event.Event) error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	size := 64 + len(ev.FD.Name)
	for _, p := range ev.Params {
		size += len(p)
	}
	if size > maxEventSize {
		return fmt.Errorf("%w: event of %d bytes (at most %d)", ErrLimit, size, maxEventSize)
	}
	// Cut the block first if the event would take it past its size.
	if w.bb.n > 0 && w.bb.rawSize+size > w.opts.BlockBytes {
		if err := w.Flush(); err != nil {
			return err
		}
	}
	num := ev.Num
	if num == 0 {
		num = w.nextNum
	}
	if w.bb.n == 0 {
		w.hdr.FirstNum = num
	}
	saved := ev.Num
	ev.Num = num
	err := w.bb.add(ev)
	ev.Num = saved
	if err != nil {
		return err
	}
	w.nextNum = num + 1
	w.types[ev.Type]++
	w.events++
	if w.bb.n >= w.opts.BlockEvents || w.bb.rawSize >= w.opts.BlockBytes {
		return w.Flush()
	}
	return nil
}

// PutProcess records a new or changed process incarnation. It goes into the
// current block (so a file whose writer died keeps it) and into the file's
// process table.
func (w *Writer) PutProcess(p *event.Process) error {
	if w.closed {
		return ErrClosed
	}
	w.putProc(p)
	if !w.opts.FooterProcessesOnly {
		w.bb.addProcess(p)
	}
	return nil
}

// SetDrops sets the cumulative drop counters stored with the next block
// and the footer.
func (w *Writer) SetDrops(d Drops) { w.drops = d }

// Events returns the number of events written.
func (w *Writer) Events() uint64 { return w.events }

// Size returns the bytes written to the file so far.
func (w *Writer) Size() int64 { return w.off }

// Pending returns the number of events in the current block.
func (w *Writer) Pending() int { return w.bb.n }

// NextNum returns the number the next event will get.
func (w *Writer) NextNum() uint64 { return w.nextNum }

// Flush cuts the current block and writes it to the file.
func (w *Writer) Flush() error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	if w.bb.n == 0 && w.bb.nprocs == 0 {
		return nil
	}
	if w.bb.n == 0 {
		w.hdr.FirstNum = w.nextNum
	}
	w.hdr.Seq = w.seq
	w.hdr.Drops = w.drops
	w.hdr.PrevDigest = w.chain
	w.raw, w.partEnds = w.bb.finish(w.raw[:0], &w.hdr, w.partEnds)
	// One zstd frame per part (see partCore).
	w.frame, w.parts = w.frame[:0], w.parts[:0]
	start := 0
	for _, end := range w.partEnds {
		n := len(w.frame)
		w.frame = w.enc.EncodeAll(w.raw[start:end], w.frame)
		w.parts = append(w.parts, seekEntry{Compressed: uint32(len(w.frame) - n), Decompressed: uint32(end - start)})
		start = end
	}

	h := sha256.New()
	h.Write(w.chain[:])
	h.Write(w.frame)
	h.Sum(w.chain[:0])

	info := index.BlockInfo{
		Offset: w.off, Size: uint32(len(w.frame)), RawSize: uint32(len(w.raw)),
		Seq: w.seq, FirstNum: w.hdr.FirstNum, Count: uint32(w.hdr.Count),
		FirstTs: w.hdr.FirstTs, LastTs: w.hdr.LastTs, Digest: w.chain,
	}
	for _, tc := range w.hdr.Types {
		info.Types.Add(uint16(tc.Type))
	}
	// The marker and the block go out in one write.
	m := marker{Seq: w.seq, FirstNum: w.hdr.FirstNum, Count: uint64(w.hdr.Count),
		FirstTs: w.hdr.FirstTs, LastTs: w.hdr.LastTs, Size: uint64(len(w.frame))}
	w.out = appendMeta(w.out[:0], kindMarker, 0, m.append(nil))
	markerLen := len(w.out)
	w.out = append(w.out, w.frame...)
	info.Offset += int64(markerLen)
	if err := w.write(w.out); err != nil {
		return err
	}
	w.ix.Blocks = append(w.ix.Blocks, info)
	w.blockProcs = append(w.blockProcs, w.distinctProcs())
	w.frames = append(w.frames, seekEntry{Compressed: uint32(markerLen)})
	w.frames = append(w.frames, w.parts...)
	w.seq++
	w.bb.reset()
	if w.opts.Sync {
		if f, ok := w.w.(*os.File); ok {
			if err := f.Sync(); err != nil {
				w.err = fmt.Errorf("%s: sync: %w", w.name, err)
				return w.err
			}
		}
	}
	return nil
}

// Close flushes the current block, writes the footer (process table,
// index, seek table) and closes the file if the writer created it.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	err := w.Flush()
	if err == nil {
		f := footer{Drops: w.drops, ChainHead: w.chain, Types: sortedTypeCounts(w.types), EndTs: uint64(time.Now().UnixNano())}
		var buf []byte
		buf, err = w.appendFooter(buf, &f)
		if err == nil {
			err = w.write(buf)
		}
		if err == nil && w.file != nil {
			err = w.file.Sync()
		}
	}
	w.closed = true
	w.enc.Close()
	if w.file != nil {
		if cerr := w.file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// distinctProcs returns the distinct process keys of the current block.
func (w *Writer) distinctProcs() []event.ProcKey {
	w.keys = w.keys[:0]
	for _, k := range w.bb.ints[colProc] {
		if k != 0 {
			w.keys = append(w.keys, event.ProcKey(k))
		}
	}
	slices.Sort(w.keys)
	return slices.Clone(slices.Compact(w.keys))
}

// summarizeComms fills the index's process-name summary: the names of the
// processes of each block's events, as the final process table has them.
// Keys the table lacks name nothing (such events have no process fields).
func summarizeComms(ix *index.Index, blockProcs [][]event.ProcKey, procs []event.Process, procAt map[event.ProcKey]int) {
	ids := map[string]uint32{}
	ix.Comms = []string{}
	var blockIDs []uint32
	for i, keys := range blockProcs {
		blockIDs = blockIDs[:0]
		for _, k := range keys {
			at, ok := procAt[k]
			if !ok {
				continue
			}
			c := procs[at].Comm
			id, ok := ids[c]
			if !ok {
				id = uint32(len(ix.Comms))
				ids[c] = id
				ix.Comms = append(ix.Comms, c)
			}
			blockIDs = append(blockIDs, id)
		}
		slices.Sort(blockIDs)
		ix.Blocks[i].Comms = slices.Clone(slices.Compact(blockIDs))
	}
}

// appendFooter appends the process table, index and seek table frames.
func (w *Writer) appendFooter(dst []byte, f *footer) ([]byte, error) {
	var err error
	if len(w.blockProcs) == len(w.ix.Blocks) {
		summarizeComms(&w.ix, w.blockProcs, w.procs, w.procAt)
	}
	dst, w.frames = appendFooter(dst, w.enc, w.frames, w.procs, &w.ix, f)
	return dst, err
}

// appendFooter appends the footer frames of a file whose earlier frames are
// listed in frames: the process table, the footer with the index, and the
// seek table listing every frame. It returns the extended frame list.
func appendFooter(dst []byte, enc *zstd.Encoder, frames []seekEntry, procs []event.Process, ix *index.Index, f *footer) ([]byte, []seekEntry) {
	f.Index = ix.Append(nil)
	meta := func(kind [4]byte, body []byte) {
		start := len(dst)
		dst = appendMeta(dst, kind, metaCompressed, enc.EncodeAll(body, nil))
		frames = append(frames, seekEntry{Compressed: uint32(len(dst) - start)})
	}
	meta(kindProcs, appendProcTable(nil, procs))
	meta(kindFooter, f.append(nil))
	return appendSeekTable(dst, frames), frames
}

func sortedTypeCounts(m map[event.Type]uint64) []TypeCount {
	tc := make([]TypeCount, 0, len(m))
	for t, n := range m {
		tc = append(tc, TypeCount{t, n})
	}
	slices.SortFunc(tc, func(a, b TypeCount) int { return int(a.Type) - int(b.Type) })
	return tc
}
