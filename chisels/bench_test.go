package chisels

import (
	"context"
	"io"
	"os"
	"testing"

	"forensics/capture"
)

// BenchmarkChisel runs the benchmarked chisels over the capture named by
// FORENSICS_BENCH_CAPTURE (e.g. a bigscap import, see
// scripts/bench-chisels.sh), or over the sample incident.
func BenchmarkChisel(b *testing.B) {
	var c *capture.Capture
	var err error
	if p := os.Getenv("FORENSICS_BENCH_CAPTURE"); p != "" {
		c, err = capture.Open(p)
	} else {
		c = openIncident(b)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for _, args := range [][]string{{"topfiles_bytes"}, {"topprocs_net"}, {"fdcount_by", "fd.sport"}} {
		ch, err := Find(args[0])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(args[0], func(b *testing.B) {
			for b.Loop() {
				if err := ch.Run(context.Background(), &Env{Capture: c, Out: io.Discard}, args[1:]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(c.Events())*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
