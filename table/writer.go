package table

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Format names an output format of Create.
type Format string

const (
	Parquet Format = "parquet"
	SQLite  Format = "sqlite"
	Arrow   Format = "arrow"
	JSONL   Format = "jsonl"
	CSV     Format = "csv"
)

// Formats lists the formats Create writes.
var Formats = []Format{Parquet, SQLite, Arrow, JSONL, CSV}

// Writer writes the batches of Scan to one output. Nothing it writes looks
// complete before Close returns nil: files are written under temporary
// names and renamed at the end; Abort removes them.
type Writer interface {
	// Write writes one batch; it does not release it.
	Write(b *Batch) error
	// Close completes the output.
	Close() error
	// Abort removes what was written; it is a no-op after Close.
	Abort()
}

// WriteOptions tune Create.
type WriteOptions struct {
	// Table is the table a one-table format (arrow, jsonl, csv, a single
	// .parquet file) holds: Events (default) or Processes of a capture's
	// tables, AuditEvents (default) of an audit input's.
	Table string
	// Name names the files of a partitioned Parquet export inside their
	// partitions (default "capture"); the capture's rotation set id keeps
	// captures of a fleet from colliding.
	Name string
	// Stdout receives a one-table text or Arrow output whose OUT is "-".
	Stdout io.Writer
}

// OneTable reports whether format f written to out holds a single table:
// every format but SQLite and Parquet into a directory.
func OneTable(f Format, out string) bool {
	switch f {
	case SQLite:
		return false
	case Parquet:
		return strings.HasSuffix(out, ".parquet") || out == "-"
	}
	return true
}

// Create returns a writer of format f to out for the tables of t. Parquet
// to a path ending in .parquet is one file of the chosen table; to any
// other path, a directory partitioned by host and hour (see
// newParquetDir). SQLite holds every table of t; the others one.
func Create(f Format, out string, t *Tables, opts WriteOptions) (Writer, error) {
	if opts.Table == "" {
		opts.Table = t.defaultTable()
	}
	schema := t.Schema(opts.Table)
	if schema == nil {
		return nil, fmt.Errorf("%w: no table %q (want one of %s)", ErrFormat, opts.Table, strings.Join(t.Names(), ", "))
	}
	if out == "-" {
		return newStream(f, opts.Stdout, schema, opts.Table)
	}
	switch f {
	case SQLite:
		return newSQLiteFile(out, t)
	case Parquet:
		if OneTable(f, out) {
			return newOneFile(out, opts.Table, func(fh *os.File) (batchWriter, error) { return newParquetWriter(fh, schema) })
		}
		return newParquetDir(out, t, opts)
	case Arrow:
		return newOneFile(out, opts.Table, func(fh *os.File) (batchWriter, error) { return newIPCWriter(fh, schema) })
	case JSONL:
		return newOneFile(out, opts.Table, func(fh *os.File) (batchWriter, error) { return newJSONLWriter(fh), nil })
	case CSV:
		return newOneFile(out, opts.Table, func(fh *os.File) (batchWriter, error) { return newCSVWriter(fh, schema), nil })
	}
	return nil, fmt.Errorf("%w: %q (want one of %v)", ErrFormat, f, Formats)
}

// batchWriter encodes batches into one open file.
type batchWriter interface {
	write(b *Batch) error
	close() error // flushes; does not close the file
}

// tempFile is a file written under a hidden temporary name beside its
// target and renamed to it when complete.
type tempFile struct {
	*os.File
	target string
	done   bool
}

func createTemp(target string) (*tempFile, error) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", target, err)
	}
	return &tempFile{File: f, target: target}, nil
}

// commit syncs and closes the file and renames it to its target.
func (f *tempFile) commit() error {
	err := f.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), f.target)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", f.target, err)
	}
	f.done = true
	return nil
}

// abort closes and removes the temporary file.
func (f *tempFile) abort() {
	if f.done {
		return
	}
	f.File.Close()
	os.Remove(f.Name())
	f.done = true
}

// oneFile writes the batches of one table into one file.
type oneFile struct {
	table string
	f     *tempFile
	w     batchWriter
}

func newOneFile(out, table string, open func(*os.File) (batchWriter, error)) (*oneFile, error) {
	f, err := createTemp(out)
	if err != nil {
		return nil, err
	}
	w, err := open(f.File)
	if err != nil {
		f.abort()
		return nil, fmt.Errorf("%s: %w", out, err)
	}
	return &oneFile{table: table, f: f, w: w}, nil
}

func (o *oneFile) Write(b *Batch) error {
	if b.Table != o.table {
		return nil
	}
	if err := o.w.write(b); err != nil {
		return fmt.Errorf("write %s: %w", o.f.target, err)
	}
	return nil
}

func (o *oneFile) Close() error {
	if err := o.w.close(); err != nil {
		o.f.abort()
		return fmt.Errorf("write %s: %w", o.f.target, err)
	}
	return o.f.commit()
}

func (o *oneFile) Abort() { o.f.abort() }

// stream writes one table to a stream (OUT "-"): it cannot be taken back,
// so Abort only stops.
type stream struct {
	table string
	w     batchWriter
}

func newStream(f Format, w io.Writer, schema *arrow.Schema, table string) (*stream, error) {
	if w == nil {
		return nil, fmt.Errorf("%w: no standard output to write to", ErrFormat)
	}
	var bw batchWriter
	var err error
	switch f {
	case JSONL:
		bw = newJSONLWriter(w)
	case CSV:
		bw = newCSVWriter(w, schema)
	case Arrow:
		bw, err = newIPCWriter(w, schema)
	default:
		return nil, fmt.Errorf("%w: %s needs a file or directory, not -", ErrFormat, f)
	}
	if err != nil {
		return nil, err
	}
	return &stream{table: table, w: bw}, nil
}

func (s *stream) Write(b *Batch) error {
	if b.Table != s.table {
		return nil
	}
	return s.w.write(b)
}

func (s *stream) Close() error { return s.w.close() }
func (s *stream) Abort()       {}
