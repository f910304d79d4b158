package table

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetWriter writes one Parquet file: zstd pages, dictionary encoding
// (plain where a column's dictionary grows too big), statistics, and the
// Arrow schema with the columns' descriptions in the footer.
type parquetWriter struct {
	buf *bufio.Writer
	fw  *pqarrow.FileWriter
}

// writerOnly hides the file's Close from the Parquet writer, which closes
// what it writes to: the file is synced and renamed after.
type writerOnly struct{ io.Writer }

func newParquetWriter(f io.Writer, schema *arrow.Schema) (*parquetWriter, error) {
	buf := bufio.NewWriterSize(f, 1<<20)
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(true),
		parquet.WithMaxRowGroupLength(1 << 18),
		parquet.WithCreatedBy("forensics"),
	}
	// Event numbers and times grow steadily and rarely repeat: their
	// differences (DELTA_BINARY_PACKED) are a few bits where a dictionary
	// of 8-byte values is most of the file.
	for _, fl := range schema.Fields() {
		if fl.Name == "evt_num" || fl.Type.ID() == arrow.TIMESTAMP {
			opts = append(opts, parquet.WithDictionaryFor(fl.Name, false),
				parquet.WithEncodingFor(fl.Name, parquet.Encodings.DeltaBinaryPacked))
		}
	}
	props := parquet.NewWriterProperties(opts...)
	fw, err := pqarrow.NewFileWriter(schema, writerOnly{buf}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	return &parquetWriter{buf: buf, fw: fw}, nil
}

func (w *parquetWriter) write(b *Batch) error {
	// Buffered: consecutive batches fill one row group up to its limit.
	return w.fw.WriteBuffered(b.Rec)
}

func (w *parquetWriter) close() error {
	if err := w.fw.Close(); err != nil {
		return err
	}
	return w.buf.Flush()
}

// parquetDir writes a directory partitioned in hive style, the layout
// DuckDB, Spark and Trino read as one table with the partition keys as
// columns:
//
//	OUT/events/host=web-01/hour=2026-11-26T03/NAME.parquet
//	OUT/events/host=web-01/hour=2026-11-26T04/NAME.parquet
//	OUT/processes/host=web-01/NAME.parquet
//	OUT/audit_events/hour=2026-11-26T03/NAME.parquet
//
// so the exports of many captures, hosts and days go into the same OUT.
// The files are written under .forensics-tmp-* inside OUT and renamed into
// their partitions at Close: a failed export adds nothing.
type parquetDir struct {
	out, stage string
	t          *Tables
	name       string
	parts      map[string]*stagedParquet
	created    bool // out did not exist before
	done       bool
}

type stagedParquet struct {
	f   *os.File
	w   *parquetWriter
	rel string // path below OUT
}

func newParquetDir(out string, t *Tables, opts WriteOptions) (*parquetDir, error) {
	_, statErr := os.Stat(out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", out, err)
	}
	created := os.IsNotExist(statErr)
	stage, err := os.MkdirTemp(out, ".forensics-tmp-*")
	if err != nil {
		if created {
			os.Remove(out)
		}
		return nil, fmt.Errorf("create %s: %w", out, err)
	}
	name := opts.Name
	if name == "" {
		name = "capture"
	}
	return &parquetDir{out: out, stage: stage, t: t, name: name, parts: map[string]*stagedParquet{}, created: created}, nil
}

// partValue escapes a partition value for a path segment.
func partValue(s string) string {
	if s == "" {
		return "unknown"
	}
	return url.PathEscape(s)
}

func (d *parquetDir) Write(b *Batch) error {
	schema := d.t.Schema(b.Table)
	hour := "hour=" + b.Hour.UTC().Format("2006-01-02T15")
	var rel string
	switch b.Table {
	case Events:
		rel = filepath.Join(Events, "host="+partValue(b.Host), hour, d.name+".parquet")
	case Processes:
		rel = filepath.Join(Processes, "host="+partValue(b.Host), d.name+".parquet")
	case AuditEvents:
		rel = filepath.Join(AuditEvents, hour, d.name+".parquet")
	}
	p := d.parts[rel]
	if p == nil {
		f, err := os.CreateTemp(d.stage, "part-*.parquet")
		if err != nil {
			return fmt.Errorf("create %s: %w", filepath.Join(d.out, rel), err)
		}
		w, err := newParquetWriter(f, schema)
		if err != nil {
			f.Close()
			return err
		}
		p = &stagedParquet{f: f, w: w, rel: rel}
		d.parts[rel] = p
	}
	if err := p.w.write(b); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(d.out, rel), err)
	}
	return nil
}

func (d *parquetDir) Close() error {
	rels := make([]string, 0, len(d.parts))
	for rel := range d.parts {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	for _, rel := range rels {
		p := d.parts[rel]
		err := p.w.close()
		if err == nil {
			err = p.f.Sync()
		}
		if cerr := p.f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			d.Abort()
			return fmt.Errorf("write %s: %w", filepath.Join(d.out, rel), err)
		}
	}
	// Every file is complete: move them into their partitions.
	var moved []string
	for _, rel := range rels {
		dst := filepath.Join(d.out, rel)
		err := os.MkdirAll(filepath.Dir(dst), 0o755)
		if err == nil {
			err = os.Rename(d.parts[rel].f.Name(), dst)
		}
		if err != nil {
			for _, m := range moved {
				os.Remove(m)
			}
			d.Abort()
			return fmt.Errorf("write %s: %w", dst, err)
		}
		moved = append(moved, dst)
	}
	d.done = true
	return os.RemoveAll(d.stage)
}

func (d *parquetDir) Abort() {
	if d.done {
		return
	}
	d.done = true
	for _, p := range d.parts {
		p.f.Close()
	}
	os.RemoveAll(d.stage)
	if d.created {
		os.Remove(d.out) // only if empty
	}
}
