package table

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/parquet-go/parquet-go"
)

// parquetWriter writes one Parquet file with parquet-go: zstd pages,
// dictionary encoding (plain where a column's dictionary grows past
// 1 MiB), statistics, row groups of about 256K rows, and in the footer the
// Arrow schema with the columns' descriptions (ARROW:schema, as Arrow's
// own writer stores it, so Arrow readers get the types and metadata back).
//
// It writes column by column: each Arrow column of a batch becomes one
// run of Parquet values for that column, levels included. (Arrow's own
// Parquet writer brings in Arrow's compute kernels and Flight, gRPC and
// protobuf with them: 37 MB of binary and 12 ms more start-up for every
// command.)
type parquetWriter struct {
	buf  *bufio.Writer
	w    *parquet.Writer
	vals []parquet.Value // one column's values, reused
	rows int64           // in the current row group
}

const (
	parquetRowGroup = 1 << 18
	parquetMaxDict  = 1 << 20
	parquetPage     = 2 << 20
)

func newParquetWriter(f io.Writer, schema *arrow.Schema) (*parquetWriter, error) {
	root := orderedGroup{}
	for _, fl := range schema.Fields() {
		node, err := parquetNode(fl)
		if err != nil {
			return nil, err
		}
		root.fields = append(root.fields, namedNode{Node: parquet.Optional(node), name: fl.Name})
	}
	var stored bytes.Buffer
	iw := ipc.NewWriter(&stored, ipc.WithSchema(schema))
	if err := iw.Close(); err != nil {
		return nil, fmt.Errorf("parquet: arrow schema: %w", err)
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	w := parquet.NewWriter(buf, parquet.NewSchema("schema", root),
		parquet.Compression(&parquet.Zstd),
		// Pages of 2 MiB of values, levels compressed with them (version 1
		// pages): with parquet-go's 256 KiB and version 2, small pages of
		// dictionary indexes compressed so badly that a 950,000-row export
		// was 4.6 MiB; now 2.2 (Arrow's writer: 2.4).
		parquet.PageBufferSize(parquetPage),
		parquet.DataPageVersion(1),
		parquet.DictionaryMaxBytes(parquetMaxDict),
		parquet.DataPageStatistics(true),
		parquet.CreatedBy("forensics", "", ""),
		parquet.KeyValueMetadata("ARROW:schema", base64.StdEncoding.EncodeToString(stored.Bytes())))
	return &parquetWriter{buf: buf, w: w}, nil
}

// parquetNode is the Parquet type of an Arrow field, with its encoding.
// Event numbers and times grow steadily and rarely repeat: their
// differences (DELTA_BINARY_PACKED) are a few bits where a dictionary of
// 8-byte values is most of the file.
func parquetNode(fl arrow.Field) (parquet.Node, error) {
	delta := fl.Name == "evt_num" || fl.Type.ID() == arrow.TIMESTAMP
	var n parquet.Node
	switch fl.Type.ID() {
	case arrow.INT64:
		n = parquet.Int(64)
	case arrow.UINT64:
		n = parquet.Uint(64)
	case arrow.UINT16:
		n = parquet.Uint(16)
	case arrow.BOOL:
		return parquet.Leaf(parquet.BooleanType), nil
	case arrow.TIMESTAMP:
		// Without a time zone: DuckDB reads a timestamp adjusted to UTC
		// as TIMESTAMPTZ, in microseconds.
		n = parquet.TimestampAdjusted(parquet.Nanosecond, false)
	case arrow.STRING:
		n = parquet.String()
	case arrow.BINARY:
		n = parquet.Leaf(parquet.ByteArrayType)
	case arrow.LIST:
		return parquet.List(parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary))), nil
	default:
		return nil, fmt.Errorf("parquet: column %s: no Parquet type for %s", fl.Name, fl.Type)
	}
	if delta {
		return parquet.Encoded(n, &parquet.DeltaBinaryPacked), nil
	}
	return parquet.Encoded(n, &parquet.RLEDictionary), nil
}

// orderedGroup is a Parquet group that keeps its fields in the Arrow
// schema's order (parquet.Group sorts them by name).
type orderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

func (g orderedGroup) Fields() []parquet.Field { return g.fields }

type namedNode struct {
	parquet.Node
	name string
}

func (f namedNode) Name() string { return f.name }

// Value is for writers of Go values, which this one is not.
func (f namedNode) Value(reflect.Value) reflect.Value { return reflect.Value{} }

func (w *parquetWriter) write(b *Batch) error {
	rec := b.Rec
	n := int(rec.NumRows())
	cols := w.w.ColumnWriters()
	for j, col := range rec.Columns() {
		vals, err := appendParquetValues(w.vals[:0], col, j)
		if err != nil {
			return fmt.Errorf("parquet: column %s: %w", rec.ColumnName(j), err)
		}
		w.vals = vals
		if _, err := cols[j].WriteRowValues(vals); err != nil {
			return fmt.Errorf("parquet: column %s: %w", rec.ColumnName(j), err)
		}
	}
	// Batches fill one row group up to its limit.
	if w.rows += int64(n); w.rows >= parquetRowGroup {
		w.rows = 0
		return w.w.Flush()
	}
	return nil
}

// appendParquetValues appends the values of column leaf of an optional
// field from an Arrow array: definition level 1 for a value, 0 for a null;
// a list (optional, its elements optional) has levels up to 3.
func appendParquetValues(dst []parquet.Value, a arrow.Array, leaf int) ([]parquet.Value, error) {
	switch a := a.(type) {
	case *array.Int64:
		return appendOptional(dst, a, leaf, func(i int) parquet.Value { return parquet.Int64Value(a.Value(i)) }), nil
	case *array.Uint64:
		return appendOptional(dst, a, leaf, func(i int) parquet.Value { return parquet.Int64Value(int64(a.Value(i))) }), nil
	case *array.Uint16:
		return appendOptional(dst, a, leaf, func(i int) parquet.Value { return parquet.Int32Value(int32(a.Value(i))) }), nil
	case *array.Timestamp:
		return appendOptional(dst, a, leaf, func(i int) parquet.Value { return parquet.Int64Value(int64(a.Value(i))) }), nil
	case *array.Boolean:
		return appendOptional(dst, a, leaf, func(i int) parquet.Value { return parquet.BooleanValue(a.Value(i)) }), nil
	case *array.String:
		return appendOptional(dst, a, leaf, func(i int) parquet.Value { return parquet.ByteArrayValue(stringBytes(a.Value(i))) }), nil
	case *array.Binary:
		return appendOptional(dst, a, leaf, func(i int) parquet.Value { return parquet.ByteArrayValue(a.Value(i)) }), nil
	case *array.List:
		elems, ok := a.ListValues().(*array.String)
		if !ok {
			return nil, fmt.Errorf("a list of %s, not of strings", a.ListValues().DataType())
		}
		for i := range a.Len() {
			if a.IsNull(i) {
				dst = append(dst, parquet.NullValue().Level(0, 0, leaf))
				continue
			}
			lo, hi := a.ValueOffsets(i)
			if lo == hi {
				dst = append(dst, parquet.NullValue().Level(0, 1, leaf)) // empty list
				continue
			}
			for k := lo; k < hi; k++ {
				rep := 1
				if k == lo {
					rep = 0
				}
				if elems.IsNull(int(k)) {
					dst = append(dst, parquet.NullValue().Level(rep, 2, leaf))
				} else {
					dst = append(dst, parquet.ByteArrayValue(stringBytes(elems.Value(int(k)))).Level(rep, 3, leaf))
				}
			}
		}
	default:
		return nil, fmt.Errorf("no Parquet values for %s", a.DataType())
	}
	return dst, nil
}

// appendOptional appends the values of a scalar column: value(i) at
// definition level 1, nulls at 0.
func appendOptional(dst []parquet.Value, a arrow.Array, leaf int, value func(i int) parquet.Value) []parquet.Value {
	null := parquet.NullValue().Level(0, 0, leaf)
	for i := range a.Len() {
		if a.IsNull(i) {
			dst = append(dst, null)
		} else {
			dst = append(dst, value(i).Level(0, 1, leaf))
		}
	}
	return dst
}

// stringBytes views s as bytes: the writer copies what it keeps.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (w *parquetWriter) close() error {
	if err := w.w.Close(); err != nil {
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
