package scapconv_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"

	"forensics/format"
	"forensics/internal/scapgen"
	"forensics/internal/testenv"
	"forensics/scapconv"
)

// benchRepeat is how many times BenchmarkImport repeats 502Error.scap
// (22,381 events): about 450,000 events, 30 MB. scripts/bench-import.sh
// measures the full-size file (~5 million events) against sysdig.
const benchRepeat = 20

// BenchmarkImport imports a .scap made of benchRepeat repetitions of
// 502Error.scap (built once, by the code of internal/cmd/bigscap) with the
// writer options of `forensics import`, and reports events/s, MB/s of the
// .scap and the capture's bytes/event. The last flatters: a block of
// 65,536 events holds three repetitions, which compress against each
// other (scripts/bench-import.sh compares sizes on one repetition too).
func BenchmarkImport(b *testing.B) {
	in := filepath.Join(testenv.Shared(b, "corpus/scap"), "502Error.scap")
	dir := b.TempDir()
	big := filepath.Join(dir, "big.scap")
	events := writeRepeat(b, in, big, benchRepeat)
	fi, err := os.Stat(big)
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "out.zst")
	// The options of `forensics import` (cmd/forensics: importLevel,
	// importBlockEvents); keep them in step.
	opts := &format.WriterOptions{Level: zstd.SpeedBestCompression, BlockEvents: 65536, FooterProcessesOnly: true}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var runs int64
	for b.Loop() {
		if err := os.Remove(out); err != nil && !os.IsNotExist(err) {
			b.Fatal(err)
		}
		st, err := scapconv.ImportFile(context.Background(), big, out, opts, nil)
		if err != nil {
			b.Fatal(err)
		}
		if int64(st.Events) != events {
			b.Fatalf("imported %d events, want %d", st.Events, events)
		}
		runs++
	}
	b.StopTimer()
	ofi, err := os.Stat(out)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(runs*events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(ofi.Size())/float64(events), "bytes/event")
	b.ReportMetric(float64(fi.Size())/float64(ofi.Size()), "x-smaller")
}

// writeRepeat writes n repetitions of the .scap at in to out and returns
// the number of events written.
func writeRepeat(b *testing.B, in, out string, n int) int64 {
	b.Helper()
	src, err := os.Open(in)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	events, err := scapgen.Repeat(src, in, dst, n, false)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	return events
}
