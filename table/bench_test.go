package table

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"forensics/capture"
	"forensics/internal/testenv"
)

// benchCapture is the capture FORENSICS_BENCH_CAPTURE names (such as the
// one scripts/bench-export.sh builds), else the corpus's 502Error.scap
// imported (22381 events), else the sample incident.
func benchCapture(b *testing.B) *capture.Capture {
	b.Helper()
	p := os.Getenv("FORENSICS_BENCH_CAPTURE")
	if p == "" {
		p = filepath.Join("..", "..", "shared", "corpus", "scap", "502Error.scap")
	}
	if _, err := os.Stat(p); err != nil {
		if testenv.CI() {
			b.Fatalf("%s: %v", p, err)
		}
		return openIncident(b)
	}
	c, err := capture.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkScan builds the record batches of both tables.
func BenchmarkScan(b *testing.B) {
	c := benchCapture(b)
	tb, _ := NewTables(nil)
	events := 0
	for b.Loop() {
		err := Scan(context.Background(), c, tb, Options{}, func(bt *Batch) error {
			if bt.Table == Events {
				events += int(bt.Rec.NumRows())
			}
			bt.Rec.Release()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkExport writes each format.
func BenchmarkExport(b *testing.B) {
	c := benchCapture(b)
	tb, _ := NewTables(nil)
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			dir := b.TempDir()
			events := 0
			for b.Loop() {
				out := filepath.Join(dir, "out")
				n, err := Export(context.Background(), c, f, out, tb, Options{}, WriteOptions{})
				if err != nil {
					b.Fatal(err)
				}
				events += n
				os.RemoveAll(out)
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkExportAudit writes the audit_events table in each format from
// an audit log of 32768 events, the corpus audit events repeated.
func BenchmarkExportAudit(b *testing.B) {
	dir := testenv.Shared(b, "corpus/k8s_audit")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var log bytes.Buffer
	var docs [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if filepath.Base(f) != "fal_01_003.json" { // not an audit event
			docs = append(docs, bytes.TrimSpace(data))
		}
	}
	const n = 32768
	for i := range n {
		log.Write(docs[i%len(docs)])
		log.WriteByte('\n')
	}
	in := filepath.Join(b.TempDir(), "audit.log")
	if err := os.WriteFile(in, log.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	tb, _ := NewAuditTables(nil)
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			out := filepath.Join(b.TempDir(), "out")
			events := 0
			for b.Loop() {
				k, err := ExportAudit(context.Background(), in, f, out, tb, Options{}, WriteOptions{})
				if err != nil {
					b.Fatal(err)
				}
				events += k
				os.RemoveAll(out)
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
