package format

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"forensics/event"
	"forensics/format/internal/wire"
	"forensics/index"
	"forensics/internal/eventgen"
)

var update = flag.Bool("update", false, "rewrite the seed corpora under testdata/fuzz")

// seedBlocks returns encoded blocks of several shapes.
func seedBlocks() [][]byte {
	var out [][]byte
	g := eventgen.New(11, t0)
	for _, n := range []int{0, 1, 5, 50} {
		var b blockBuilder
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				b.add(g.Realistic())
			} else {
				b.add(g.Random())
			}
		}
		if n == 5 {
			b.addProcess(&g.Processes()[0])
		}
		var h BlockHeader
		raw, _ := b.finish(nil, &h, nil)
		out = append(out, raw)
	}
	return out
}

// seedFile returns a small complete capture file.
func seedFile(tb testing.TB, n int) []byte {
	g := eventgen.New(12, t0)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, "seed", testHeader(), &event.Snapshot{Processes: g.Processes()[:2]}, &WriterOptions{BlockEvents: 4})
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n; i++ {
		w.Write(g.Realistic())
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// writeSeeds writes a seed corpus in go test's file format.
func writeSeeds(t *testing.T, name string, seeds [][]byte) {
	dir := filepath.Join("testdata", "fuzz", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range seeds {
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestUpdateFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the seed corpora")
	}
	writeSeeds(t, "FuzzDecodeBlock", seedBlocks())
	var h Header = testHeader()
	var snap []byte
	g := eventgen.New(13, t0)
	snap = appendSnapshot(snap, &event.Snapshot{Processes: g.Processes(), Users: []event.User{{Name: "root"}},
		FDs: []event.ProcFDs{{Proc: 1, FDs: []event.FD{{Num: 3, Name: "/etc/passwd"}}}}})
	ix := index.Index{Blocks: []index.BlockInfo{{Offset: 100, Size: 50, Count: 3, FirstTs: 1, LastTs: 9}}}
	ix.Blocks[0].Types.Add(7)
	foot := footer{Index: ix.Append(nil), Types: []TypeCount{{7, 3}}}
	m := marker{Seq: 1, FirstNum: 5, Count: 3, FirstTs: 1, LastTs: 2, Size: 40}
	writeSeeds(t, "FuzzDecodeMeta", [][]byte{
		append([]byte{0}, h.append(nil)...), append([]byte{1}, snap...), append([]byte{2}, foot.append(nil)...),
		append([]byte{3}, m.append(nil)...), append([]byte{4}, appendProcesses(nil, g.Processes())...),
	})
	full := seedFile(t, 20)
	writeSeeds(t, "FuzzFile", [][]byte{full, full[:len(full)/2], seedFile(t, 0)})
}

// FuzzDecodeBlock: any bytes decode to a block or an error, and every
// accessor of a decoded block returns values or errors, never panics.
func FuzzDecodeBlock(f *testing.F) {
	for _, s := range seedBlocks() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Block
		if err := DecodeBlock(&b, data); err != nil {
			return
		}
		exerciseBlock(&b)
		// Integer columns read whole give the events the cursors gave.
		w := Block{Whole: true}
		if DecodeBlock(&w, data) != nil {
			t.Fatal("second decode failed")
		}
		var ev, ew event.Event
		for i := 0; i < b.Len(); i++ {
			err1, err2 := b.Event(i, &ev), w.Event(i, &ew)
			if (err1 == nil) != (err2 == nil) {
				if err1 == nil && err2 != nil {
					return // whole decoding checks the columns' ends too
				}
				t.Fatalf("event %d: cursor %v, whole %v", i, err1, err2)
			}
			if err1 != nil {
				break
			}
			if ev.Num != ew.Num || ev.Ts != ew.Ts || ev.Type != ew.Type || ev.Proc != ew.Proc || ev.FD.Num != ew.FD.Num || len(ev.Params) != len(ew.Params) {
				t.Fatalf("event %d: cursor %+v, whole %+v", i, ev, ew)
			}
		}
	})
}

func exerciseBlock(b *Block) {
	b.Timestamps()
	b.Types()
	b.FDNames()
	b.FDNameStrings()
	b.Processes()
	var ev event.Event
	for i := 0; i < b.Len(); i++ {
		if b.Event(i, &ev) != nil {
			break
		}
	}
	for _, tc := range b.Header.Types {
		for k := 0; k < 4; k++ {
			if c, err := b.Param(tc.Type, k); err == nil && c != nil {
				for r := 0; r < c.Len(); r++ {
					c.Value(r)
				}
			}
		}
	}
}

// FuzzDecodeMeta: the header, snapshot, footer, marker and process record
// decoders; the first byte picks one.
func FuzzDecodeMeta(f *testing.F) {
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		body := data[1:]
		switch data[0] % 6 {
		case 0:
			decodeHeader(body)
		case 1:
			decodeSnapshot(body)
		case 2:
			if ft, err := decodeFooter(body); err == nil {
				index.Decode(ft.Index)
			}
		case 3:
			decodeMarker(body)
		case 4:
			decodeProcesses(wire.NewDecoder(body))
			// The footer's table, read lazily: index, look up, decode all.
			if pt, err := newProcTable(body); err == nil {
				pt.Lookup(1)
				pt.all()
			}
		case 5:
			index.Decode(body)
		}
	})
}

// FuzzFile: any bytes open as a capture or fail with an error; verify,
// repair's walk and a full read never panic.
func FuzzFile(f *testing.F) {
	f.Add(seedFile(f, 6))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := NewFile(bytes.NewReader(data), int64(len(data)), "fuzz")
		if err != nil {
			return
		}
		defer file.Close()
		file.walk(t.Context())
		it, err := file.Iter(index.Selection{})
		if err != nil {
			return
		}
		defer it.Close()
		var ev event.Event
		for range 1000 {
			for it.Next(&ev) {
			}
			if it.Err() == nil {
				break
			}
			it.Skip()
		}
		// A reader that skips parts, then asks for their columns: each
		// part is decompressed when first read.
		br, _ := file.NewBlockReader()
		for i := range file.Index.Blocks {
			b := Block{Skip: event.AllParts}
			if br.Read(i, &b) != nil {
				continue
			}
			for r := 0; r < b.Len(); r++ {
				if b.Event(r, &ev) != nil {
					break
				}
				b.Proc(r)
				b.FDProbe(r, &ev)
			}
			exerciseBlock(&b)
		}
	})
}
