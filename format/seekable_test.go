package format

import (
	"bytes"
	"io"
	"testing"

	seekable "github.com/SaveTheRbtz/zstd-seekable-format-go/pkg"
	"github.com/klauspost/compress/zstd"

	"forensics/event"
	"forensics/internal/eventgen"
)

// TestSeekableFormat reads a capture file with an independent reader of
// the zstd seekable format: the seek table we write must let it find and
// decompress every block at its uncompressed offset.
func TestSeekableFormat(t *testing.T) {
	g := eventgen.New(21, t0)
	var evs []*event.Event
	for range 5000 {
		evs = append(evs, g.Realistic())
	}
	data := writeBytes(t, evs, &WriterOptions{BlockEvents: 700})
	f, err := NewFile(bytes.NewReader(data), int64(len(data)), "seekable")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// What the blocks decompress to, in order.
	dec, _ := zstd.NewReader(nil)
	defer dec.Close()
	var want []byte
	for _, b := range f.Index.Blocks {
		raw, err := dec.DecodeAll(data[b.Offset:b.Offset+int64(b.Size)], nil)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, raw...)
	}
	r, err := seekable.NewReader(bytes.NewReader(data), dec)
	if err != nil {
		t.Fatalf("seekable reader refuses the file: %v", err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("seekable reader gives %d bytes, blocks hold %d", len(got), len(want))
	}
	// Random access: the third block, by its uncompressed offset.
	var off int64
	for _, b := range f.Index.Blocks[:2] {
		off += int64(b.RawSize)
	}
	buf := make([]byte, 4)
	if _, err := r.ReadAt(buf, off); err != nil || !bytes.Equal(buf, blockMagic[:]) {
		t.Fatalf("ReadAt(%d) = %q, %v", off, buf, err)
	}
}
