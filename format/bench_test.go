package format

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/zstd"

	"forensics/event"
	"forensics/index"
	"forensics/internal/eventgen"
)

// benchEvents is the realistic mix of eventgen: mostly read, write, close
// and openat on paths, some execve, connect and accept.
func benchEvents(n int) []*event.Event {
	g := eventgen.New(42, t0)
	evs := make([]*event.Event, n)
	for i := range evs {
		evs[i] = g.Realistic()
	}
	return evs
}

func rawBytes(evs []*event.Event) int64 {
	var n int64
	for _, ev := range evs {
		n += 26 + 2*int64(len(ev.Params)) // scap event header and u16 lengths
		for _, p := range ev.Params {
			n += int64(len(p))
		}
	}
	return n
}

func benchFile(b *testing.B, evs []*event.Event, level zstd.EncoderLevel) []byte {
	return writeBytes(b, evs, &WriterOptions{Level: level})
}

// BenchmarkWrite reports the writer's throughput. MB/s counts the events'
// size as .scap would store them; bytes/event is the file size per event.
func BenchmarkWrite(b *testing.B) {
	evs := benchEvents(200_000)
	for _, lv := range []struct {
		name  string
		level zstd.EncoderLevel
	}{{"fastest", zstd.SpeedFastest}, {"default", zstd.SpeedDefault}, {"better", zstd.SpeedBetterCompression}} {
		b.Run(lv.name, func(b *testing.B) {
			b.SetBytes(rawBytes(evs))
			var size int64
			for b.Loop() {
				size = writeCounted(b, evs, lv.level)
			}
			b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(size)/float64(len(evs)), "bytes/event")
		})
	}
}

// countWriter counts bytes, as a file would take them, without keeping them.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func writeCounted(b *testing.B, evs []*event.Event, level zstd.EncoderLevel) int64 {
	var cw countWriter
	writeTo(b, &cw, evs, &WriterOptions{Level: level})
	return cw.n
}

// BenchmarkRead reports full event decoding: every column of every block.
func BenchmarkRead(b *testing.B) {
	evs := benchEvents(200_000)
	data := benchFile(b, evs, zstd.SpeedDefault)
	b.SetBytes(rawBytes(evs))
	for b.Loop() {
		f, err := NewFile(bytes.NewReader(data), int64(len(data)), "bench")
		if err != nil {
			b.Fatal(err)
		}
		it, _ := f.Iter(index.Selection{})
		var ev event.Event
		n := 0
		for it.Next(&ev) {
			n++
		}
		if it.Err() != nil || n != len(evs) {
			b.Fatal(n, it.Err())
		}
		it.Close()
		f.Close()
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecodeFilterColumns reports what a filter pays per event on one
// core: decompress each block and decode only the columns that
// `evt.type=execve and fd.name contains /etc` needs (the type column and
// the fd name dictionary), comparing each dictionary entry once.
func BenchmarkDecodeFilterColumns(b *testing.B) {
	evs := benchEvents(200_000)
	data := benchFile(b, evs, zstd.SpeedDefault)
	f, err := NewFile(bytes.NewReader(data), int64(len(data)), "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	br, _ := f.NewBlockReader()
	defer br.Close()
	var blk Block
	b.SetBytes(int64(len(data)))
	matches := 0
	var hit []bool
	for b.Loop() {
		for i := range f.Index.Blocks {
			if err := br.Read(i, &blk); err != nil {
				b.Fatal(err)
			}
			types, _ := blk.Types()
			names, _ := blk.FDNames()
			n, _ := names.Dict()
			hit = hit[:0]
			for k := 0; k < n; k++ {
				hit = append(hit, bytes.Contains(names.Entry(k), []byte("/etc")))
			}
			for j, t := range types {
				if t == 293 || hit[names.Index(j)] {
					matches++
				}
			}
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
