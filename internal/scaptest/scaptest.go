// Package scaptest serves tests only: it gives the tests of the .scap
// packages (scap, scapconv) the shared corpus, the decompressed stream of a
// capture, an independent block walker to check readers and writers
// against, and the sysdig oracle. Nothing outside _test.go files should
// import it.
//
// The walker deliberately does not use package scap: it reads block
// headers, the event type at its fixed offset and per-version field-size
// tables, so that it can check scap's reader rather than repeat it.
package scaptest

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"forensics/internal/testenv"
)

// corpusDir is the corpus directory inside the shared material.
const corpusDir = "corpus/scap"

// CorpusFiles returns the .scap files of the shared corpus, sorted. It
// skips t (fails it under FORENSICS_CI=1) when there are none.
func CorpusFiles(t testing.TB) []string {
	t.Helper()
	dir := testenv.Shared(t, corpusDir)
	files, err := filepath.Glob(filepath.Join(dir, "*.scap"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		testenv.Missing(t, "no .scap files in %s", dir)
	}
	sort.Strings(files)
	return files
}

// CorpusFile returns the path of one corpus file, by base name. It skips t
// (fails it under FORENSICS_CI=1) when the file is absent.
func CorpusFile(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(testenv.Shared(t, corpusDir), name)
	if _, err := os.Stat(p); err != nil {
		testenv.Missing(t, "corpus file %s", p)
	}
	return p
}

// Plain returns the decompressed content of a capture file, with the
// standard library's gunzip (independent of scap's Reader). A file that is
// not gzip is returned as it is.
func Plain(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}
