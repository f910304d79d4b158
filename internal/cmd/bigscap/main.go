// Command bigscap makes a large .scap file out of a small one, for
// benchmarks (import, query, chisels) that want millions of real events:
//
//	go run ./internal/cmd/bigscap -in /work/shared/corpus/scap/502Error.scap -repeat 220 -out big.scap
//
// It writes scap 1.2 (plain, or gzip-compressed with -gzip): the first
// section's metadata of the input once, then the input's events -repeat
// times, each repetition's timestamps shifted by the input's span plus
// 1 ms, so that time keeps increasing (see package scapgen). Any .scap
// that package scap reads will do as input, plain or gzip-compressed.
//
// On success it prints one line on stdout:
//
//	big.scap: 4923820 events (220 x 22381), 318153716 bytes
//
// -out - writes the capture to stdout and the line to stderr.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"forensics/internal/scapgen"
	"forensics/scap"
)

func main() {
	in := flag.String("in", "", "input .scap file (required)")
	out := flag.String("out", "", "output .scap file, - for stdout (required)")
	repeat := flag.Int("repeat", 1, "how many times to write the input's events")
	gz := flag.Bool("gzip", false, "gzip-compress the output (sysdig -z)")
	legacy := flag.Bool("legacy-threads", false, "write the process list in the layout of libs < 0.10 (sysdig <= 0.30 reads its loginuid right)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: bigscap -in IN.scap -repeat N -out OUT.scap [-gzip]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *in == "" || *out == "" || flag.NArg() > 0 || *repeat < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *out, *repeat, scap.Options{Gzip: *gz, LegacyThreads: *legacy}); err != nil {
		fmt.Fprintln(os.Stderr, "bigscap:", err)
		os.Exit(1)
	}
}

func run(inPath, outPath string, repeat int, opts scap.Options) (err error) {
	in, err := os.Open(inPath)
	if err != nil {
		return err
	}
	defer in.Close()
	var out io.Writer = os.Stdout
	report := io.Writer(os.Stdout)
	var f *os.File
	if outPath == "-" {
		report = os.Stderr
	} else {
		if f, err = os.Create(outPath); err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(outPath)
			}
		}()
		out = f
	}
	// Errors from the input name it (scap.PosError); write errors from
	// *os.File name the output.
	n, err := scapgen.RepeatWith(in, inPath, out, repeat, opts)
	if err != nil {
		return err
	}
	size := ""
	if f != nil {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		size = fmt.Sprintf(", %d bytes", fi.Size())
	}
	fmt.Fprintf(report, "%s: %d events (%d x %d)%s\n", outPath, n, repeat, n/int64(repeat), size)
	return nil
}
