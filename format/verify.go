package format

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/klauspost/compress/zstd"
)

// Report is what Verify found in one file.
type Report struct {
	File     string    `json:"file"`
	Complete bool      `json:"complete"` // the file has a valid footer
	Blocks   int       `json:"blocks"`   // readable blocks
	Events   uint64    `json:"events"`   // readable events
	Problems []Problem `json:"problems"`
}

// OK reports whether the file is intact.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Verify reads every frame of the file at path: it checks each block's
// checksum, the digest chain across blocks, the event numbering, and the
// footer's index against the blocks. Damage is returned in the report; the
// error is for a file that can't be read at all. onRead, when not nil, is
// told of the bytes read as the walk goes.
func Verify(ctx context.Context, path string, onRead func(n int64)) (*Report, error) {
	r := &Report{File: path}
	f, err := Open(path)
	if err != nil {
		var pe *PosError
		if errors.As(err, &pe) && !errors.Is(err, ErrVersion) {
			r.Problems = append(r.Problems, Problem{File: path, Offset: pe.Offset, Block: -1, Kind: ProblemBadMeta,
				Detail: pe.Err.Error(), EventsLost: -1})
			return r, nil
		}
		return nil, err
	}
	defer f.Close()
	f.onRead = onRead
	r.Complete = f.Complete
	r.Problems = append(r.Problems, f.Problems...)
	if !f.Complete {
		r.Blocks, r.Events = len(f.Index.Blocks), f.Index.Events()
		return r, nil
	}
	w, err := f.walk(ctx)
	if err != nil {
		return nil, err
	}
	r.Problems = append(r.Problems, w.problems...)
	r.Blocks, r.Events = len(w.index.Blocks), w.index.Events()
	if _, err := f.ProcessTable(); err != nil {
		r.Problems = append(r.Problems, Problem{File: path, Offset: f.procOff, Block: -1, Kind: ProblemBadFooter,
			Detail: fmt.Sprintf("the footer's process table is unreadable: %v", errors.Unwrap(err)), EventsLost: -1})
	}

	// The footer's index must describe exactly the blocks found.
	damaged := map[int64]bool{}
	for _, p := range w.problems {
		if p.Kind == ProblemCorrupt || p.Kind == ProblemTruncated {
			damaged[p.Offset] = true
		}
	}
	found := make(map[int64]int, len(w.index.Blocks))
	for i, b := range w.index.Blocks {
		found[b.Offset] = i
	}
	for i := range f.Index.Blocks {
		want := &f.Index.Blocks[i]
		j, ok := found[want.Offset]
		if !ok && damaged[want.Offset] {
			continue // reported with its damage
		}
		if !ok {
			r.Problems = append(r.Problems, Problem{File: path, Offset: want.Offset, Block: int64(want.Seq), Kind: ProblemBadIndex,
				Detail: "the index lists a block that is not there", EventsLost: int64(want.Count)})
			continue
		}
		got := &w.index.Blocks[j]
		if got.Digest != want.Digest || got.Count != want.Count || got.FirstNum != want.FirstNum {
			r.Problems = append(r.Problems, Problem{File: path, Offset: want.Offset, Block: int64(want.Seq), Kind: ProblemChain,
				Detail: "the block differs from the one the index recorded: it was altered or replaced", EventsLost: 0})
		}
		delete(found, want.Offset)
	}
	for off, j := range found {
		b := &w.index.Blocks[j]
		r.Problems = append(r.Problems, Problem{File: path, Offset: off, Block: int64(b.Seq), Kind: ProblemBadIndex,
			Detail: "the block is missing from the index", EventsLost: 0})
	}
	if w.chain != f.ChainHead {
		r.Problems = append(r.Problems, Problem{File: path, Offset: f.dataEnd, Block: -1, Kind: ProblemChain,
			Detail: "the chain head in the footer does not match the blocks: the last blocks were removed or altered", EventsLost: -1})
	}
	if w.footerAt >= 0 && w.footerAt != f.dataEnd {
		r.Problems = append(r.Problems, Problem{File: path, Offset: w.footerAt, Block: -1, Kind: ProblemBadIndex,
			Detail: fmt.Sprintf("blocks end at %d but the footer starts at %d", w.footerAt, f.dataEnd), EventsLost: -1})
	}
	return r, nil
}

// RepairResult says what Repair did.
type RepairResult struct {
	File      string    `json:"file"`
	Repaired  bool      `json:"repaired"` // false when the file was intact
	Blocks    int       `json:"blocks"`
	Events    uint64    `json:"events"`
	Truncated int64     `json:"truncated_bytes"` // bytes cut from the end
	Problems  []Problem `json:"problems"`
}

// Repair rebuilds the footer of the capture file at path from its blocks:
// the index, the process table, the counters and the seek table. Every
// complete block is kept; a partial frame at the end is cut off. Blocks
// that fail their checksum stay in the file but out of the index.
func Repair(ctx context.Context, path string, onRead func(n int64)) (*RepairResult, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	f.onRead = onRead
	res := &RepairResult{File: path}
	if f.Complete && len(f.Problems) == 0 {
		res.Blocks, res.Events = len(f.Index.Blocks), f.Index.Events()
		return res, nil
	}
	w := f.walked
	if w == nil {
		if w, err = f.walk(ctx); err != nil {
			return nil, err
		}
		res.Problems = append(res.Problems, f.Problems...)
		res.Problems = append(res.Problems, w.problems...)
	} else {
		res.Problems = append(res.Problems, f.Problems...)
	}
	// Keep every complete frame, damaged or not: cut at the old footer, or
	// after the last complete frame of a file whose writer died.
	end := w.framesEnd
	if w.footerAt >= 0 {
		end = w.footerAt
	}
	// Every frame goes into the seek table; an unreadable stretch is listed
	// as one opaque frame.
	var frames []seekEntry
	for off := int64(0); off < end; {
		fi, err := scanFrame(f.r, off, end)
		size := fi.Size
		if err != nil {
			size = f.resync(off+1) - off
			if off+size > end {
				size = end - off
			}
		}
		e := seekEntry{Compressed: uint32(size)}
		if err == nil && fi.Kind == frameData && fi.Content >= 0 {
			e.Decompressed = uint32(fi.Content)
		}
		frames = append(frames, e)
		off += size
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	foot := footer{Drops: w.drops, ChainHead: w.chain, Types: w.types}
	tail, _ := appendFooter(nil, enc, frames, w.procs, &w.index, &foot)

	fh, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	if err := fh.Truncate(end); err != nil {
		fh.Close()
		return nil, fmt.Errorf("%s: truncate at %d: %w", path, end, err)
	}
	if _, err := fh.WriteAt(tail, end); err != nil {
		fh.Close()
		return nil, fmt.Errorf("%s: write footer at %d: %w", path, end, err)
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return nil, err
	}
	if err := fh.Close(); err != nil {
		return nil, err
	}
	res.Repaired = true
	res.Truncated = f.Size - end
	res.Blocks, res.Events = len(w.index.Blocks), w.index.Events()
	return res, nil
}
