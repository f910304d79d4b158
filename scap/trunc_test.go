package scap

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"testing"

	"forensics/internal/scaptest"
)

// readPrefix reads a possibly damaged stream: the events returned before
// the first error, and that error (nil at a clean end).
func readPrefix(data []byte, name string) (evs []*Event, err error) {
	r, err := NewReader(bytes.NewReader(data), name)
	if err != nil {
		return nil, err
	}
	var ev Event
	for {
		err := r.Next(&ev)
		if err == io.EOF {
			return evs, nil
		}
		if errors.Is(err, ErrNewSection) {
			continue
		}
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev.Clone())
	}
}

// TestTruncatedPlain cuts a plain capture at every block boundary, a few
// bytes around each and at random offsets. A cut on a boundary is a clean
// end; any other cut returns the events of the complete blocks before it,
// then ErrTruncated at the offset of the cut block.
func TestTruncatedPlain(t *testing.T) {
	data := scaptest.Plain(t, scaptest.CorpusFile(t, "cat_write.scap"))
	blocks := scaptest.Walk(t, data).Blocks
	_, all, _, err := readAll(t, data, "full")
	if err != nil {
		t.Fatal(err)
	}
	cuts := map[int]bool{}
	for _, b := range blocks {
		for _, d := range []int{0, 1, 7, 8, b.Len / 2, b.Len - 1} {
			if b.Off+d < len(data) {
				cuts[b.Off+d] = true
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		cuts[rng.IntN(len(data))] = true
	}
	for cut := range cuts {
		evs, err := readPrefix(data[:cut], "cut.scap")
		// The block the cut falls in, and the events before it.
		var in scaptest.Block
		events := 0
		for _, b := range blocks {
			if b.Off+b.Len <= cut {
				if isEventBlock(b.ID) {
					events++
				}
				continue
			}
			in = b
			break
		}
		switch {
		case cut == 0:
			if !errors.Is(err, ErrNotScap) {
				t.Fatalf("cut at 0: %v", err)
			}
		case cut == in.Off:
			if err != nil || len(evs) != events {
				t.Fatalf("cut at the block boundary %d: %d events (want %d), %v", cut, len(evs), events, err)
			}
		default:
			var pe *PosError
			if !errors.Is(err, ErrTruncated) || !errors.As(err, &pe) || pe.Offset != int64(in.Off) || pe.File != "cut.scap" {
				t.Fatalf("cut at %d inside the block at %d: %v", cut, in.Off, err)
			}
			if len(evs) != events {
				t.Fatalf("cut at %d: %d events, want %d", cut, len(evs), events)
			}
		}
		for i, ev := range evs {
			if !sameEvent(ev, all[i]) {
				t.Fatalf("cut at %d: event %d differs", cut, i)
			}
		}
	}
}

func isEventBlock(id uint32) bool { _, _, ok := eventBlock(id); return ok }

// TestTruncatedGzip cuts a gzip capture at many offsets: the events read
// are a prefix of the whole, and the error names the file and an offset
// in the decompressed stream.
func TestTruncatedGzip(t *testing.T) {
	path := scaptest.CorpusFile(t, "cat_write.scap")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, all, _, err := readAll(t, data, "full")
	if err != nil {
		t.Fatal(err)
	}
	for cut := 0; cut < len(data); cut += 1 + cut/50 {
		evs, err := readPrefix(data[:cut], "cut.scap.gz")
		if err == nil {
			t.Fatalf("cut at %d of %d: no error", cut, len(data))
		}
		var pe *PosError
		if !errors.As(err, &pe) || pe.File != "cut.scap.gz" || !pe.Gzip && cut >= 10 {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotScap) {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if len(evs) > 0 && pe.Offset <= evs[len(evs)-1].Offset {
			t.Fatalf("cut at %d: error offset %d before the last event's %d", cut, pe.Offset, evs[len(evs)-1].Offset)
		}
		for i, ev := range evs {
			if !sameEvent(ev, all[i]) {
				t.Fatalf("cut at %d: event %d differs", cut, i)
			}
		}
	}
}
