package table

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"forensics/query"
)

// ipcWriter writes an Arrow IPC file (the "Feather v2" format pyarrow,
// DuckDB and polars read), its buffers zstd-compressed.
type ipcWriter struct {
	buf *bufio.Writer
	fw  *ipc.FileWriter
}

func newIPCWriter(f io.Writer, schema *arrow.Schema) (*ipcWriter, error) {
	buf := bufio.NewWriterSize(f, 1<<20)
	fw, err := ipc.NewFileWriter(buf, ipc.WithSchema(schema), ipc.WithZstd())
	if err != nil {
		return nil, fmt.Errorf("arrow: %w", err)
	}
	return &ipcWriter{buf: buf, fw: fw}, nil
}

func (w *ipcWriter) write(b *Batch) error { return w.fw.Write(b.Rec) }

func (w *ipcWriter) close() error {
	if err := w.fw.Close(); err != nil {
		return err
	}
	return w.buf.Flush()
}

// jsonlWriter writes one JSON object per row, keys in column order. Values
// are written as `forensics query -o json` writes fields: numbers and
// timestamps (ns) as numbers, booleans, strings, lists as arrays, null
// where a field is missing.
type jsonlWriter struct {
	buf  *bufio.Writer
	line []byte
}

func newJSONLWriter(f io.Writer) *jsonlWriter {
	return &jsonlWriter{buf: bufio.NewWriterSize(f, 1<<20)}
}

func (w *jsonlWriter) write(b *Batch) error {
	rec := b.Rec
	names := make([][]byte, rec.NumCols())
	for j, f := range rec.Schema().Fields() {
		names[j] = query.AppendJSONString(nil, f.Name)
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		line := append(w.line[:0], '{')
		for j, col := range rec.Columns() {
			if j > 0 {
				line = append(line, ',')
			}
			line = append(line, names[j]...)
			line = append(line, ':')
			line = appendJSONCell(line, col, i)
		}
		line = append(line, '}', '\n')
		w.line = line
		if _, err := w.buf.Write(line); err != nil {
			return err
		}
	}
	return nil
}

func (w *jsonlWriter) close() error { return w.buf.Flush() }

// appendJSONCell appends value i of col as JSON.
func appendJSONCell(dst []byte, col arrow.Array, i int) []byte {
	if col.IsNull(i) {
		return append(dst, "null"...)
	}
	switch a := col.(type) {
	case *array.String:
		return query.AppendJSONString(dst, a.Value(i))
	case *array.Binary:
		return query.AppendJSONString(dst, string(a.Value(i)))
	case *array.Int64:
		return strconv.AppendInt(dst, a.Value(i), 10)
	case *array.Uint64:
		return strconv.AppendUint(dst, a.Value(i), 10)
	case *array.Uint16:
		return strconv.AppendUint(dst, uint64(a.Value(i)), 10)
	case *array.Timestamp:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Boolean:
		return strconv.AppendBool(dst, a.Value(i))
	case *array.List:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues().(*array.String)
		dst = append(dst, '[')
		for k := start; k < end; k++ {
			if k > start {
				dst = append(dst, ',')
			}
			dst = query.AppendJSONString(dst, vals.Value(int(k)))
		}
		return append(dst, ']')
	}
	return query.AppendJSONString(dst, col.ValueStr(i))
}

// csvWriter writes RFC 4180 CSV with a header of the column names. A
// missing value is an empty cell, a timestamp its ns, a list its JSON
// array.
type csvWriter struct {
	buf    *bufio.Writer
	w      *csv.Writer
	header []string
	row    []string
	cell   []byte
}

func newCSVWriter(f io.Writer, schema *arrow.Schema) *csvWriter {
	buf := bufio.NewWriterSize(f, 1<<20)
	w := &csvWriter{buf: buf, w: csv.NewWriter(buf)}
	for _, fl := range schema.Fields() {
		w.header = append(w.header, fl.Name)
	}
	return w
}

func (w *csvWriter) write(b *Batch) error {
	if w.header != nil {
		if err := w.w.Write(w.header); err != nil {
			return err
		}
		w.header = nil
	}
	rec := b.Rec
	w.row = make([]string, rec.NumCols())
	for i := 0; i < int(rec.NumRows()); i++ {
		for j, col := range rec.Columns() {
			w.row[j] = w.cellText(col, i)
		}
		if err := w.w.Write(w.row); err != nil {
			return err
		}
	}
	return w.w.Error()
}

func (w *csvWriter) cellText(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return ""
	}
	switch a := col.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Binary:
		return ValidUTF8(string(a.Value(i)))
	}
	// Numbers, booleans and timestamps as in JSON; a list as its JSON array.
	w.cell = appendJSONCell(w.cell[:0], col, i)
	return string(w.cell)
}

func (w *csvWriter) close() error {
	if w.header != nil { // no rows: the header alone
		if err := w.w.Write(w.header); err != nil {
			return err
		}
	}
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		return err
	}
	return w.buf.Flush()
}
