// Command gendata turns the data files of package render (render/data/*.tsv:
// flag and enum tables, errno and signal names, syscall names, dynamic
// parameter alternatives, sysdig 0.29.3 parameter formats and event names)
// into render/data_gen.go.
//
//	go run ./internal/gendata -dir data -out data_gen.go
//
// The data files are the source of truth; data_gen.go is never edited by
// hand. TestGeneratedDataUpToDate checks that it matches the data files.
package main

import (
	"flag"
	"fmt"
	"os"

	"forensics/render/internal/gendata/gen"
)

func main() {
	dir := flag.String("dir", "data", "directory of the .tsv data files")
	out := flag.String("out", "data_gen.go", "output Go file")
	flag.Parse()
	src, err := gen.Generate(os.DirFS(*dir))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
}
