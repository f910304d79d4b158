package scap

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"forensics/internal/scaptest"
)

// benchRead reads a whole capture from memory per iteration and reports
// events/s besides MB/s (of the file as stored).
func benchRead(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var events int
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		var ev Event
		for {
			err := r.Next(&ev)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			events++
		}
		r.Close()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRead502Error reads the largest corpus file (plain, 1.4 MB,
// 22381 v1 events).
func BenchmarkRead502Error(b *testing.B) {
	data, err := os.ReadFile(scaptest.CorpusFile(b, "502Error.scap"))
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, data)
}

// BenchmarkRead502ErrorGzip reads the same events gzip-compressed, as
// EV_V2 blocks (its rewrite).
func BenchmarkRead502ErrorGzip(b *testing.B) {
	data, err := os.ReadFile(scaptest.CorpusFile(b, "502Error.scap"))
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, rewrite(b, data, Options{Gzip: true}))
}

// BenchmarkCopy502Error rewrites 502Error.scap (read, then write plain).
func BenchmarkCopy502Error(b *testing.B) {
	data, err := os.ReadFile(scaptest.CorpusFile(b, "502Error.scap"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		w, _ := NewWriter(io.Discard, Options{})
		if _, err := Copy(context.Background(), w, r); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
