package table

import (
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"forensics/event"
	"forensics/query/fields"
)

// builder appends rows to the Arrow builders of one table's columns. A row
// is the field context of one event: each field column calls its
// extractor and appends the value straight to its column's builder.
type builder struct {
	schema *arrow.Schema
	cols   []Column
	rb     *array.RecordBuilder
	n      int
}

func newBuilder(mem memory.Allocator, schema *arrow.Schema, cols []Column) *builder {
	return &builder{schema: schema, cols: cols, rb: array.NewRecordBuilder(mem, schema)}
}

// append adds the row of c; p is the process record for the key columns
// of the processes table (nil for events).
func (b *builder) append(c *fields.Ctx, p *event.Process) {
	for i := range b.cols {
		col := &b.cols[i]
		fb := b.rb.Field(i)
		if col.key != keyNone {
			appendKey(fb, col.key, c.Ev, p)
			continue
		}
		v, ok := col.ext(c)
		if !ok {
			fb.AppendNull()
			continue
		}
		appendValue(fb, col.Type, &v)
	}
	b.n++
}

// appendKey appends a key column's value.
func appendKey(fb array.Builder, k keyKind, ev *event.Event, p *event.Process) {
	var v uint64
	switch k {
	case keyProc:
		if p != nil {
			v = uint64(p.Key)
		} else {
			v = uint64(ev.Proc)
		}
	case keyParent:
		v = uint64(p.ParentKey)
	case keyStart:
		v = p.StartTs
	case keyExit:
		v = p.ExitTs
	}
	if v == 0 {
		fb.AppendNull()
		return
	}
	switch fb := fb.(type) {
	case *array.Uint64Builder:
		fb.Append(v)
	case *array.TimestampBuilder:
		fb.Append(arrow.Timestamp(v))
	}
}

// appendValue appends v to a builder of the Arrow type of t. The value's
// kind is usually t; where a field returns another kind, the value is
// converted as its text or its number, and appended as null when it has
// no such form.
func appendValue(fb array.Builder, t fields.Type, v *fields.Value) {
	switch fb := fb.(type) {
	case *array.StringBuilder:
		fb.Append(ValidUTF8(v.String()))
	case *array.Int64Builder:
		switch v.Kind {
		case fields.TInt, fields.TRelTime:
			fb.Append(v.I)
		case fields.TUint, fields.TPort, fields.TAbsTime:
			fb.Append(int64(v.U))
		default:
			fb.AppendNull()
		}
	case *array.Uint64Builder:
		switch {
		case v.Kind == fields.TUint || v.Kind == fields.TPort || v.Kind == fields.TAbsTime:
			fb.Append(v.U)
		case (v.Kind == fields.TInt || v.Kind == fields.TRelTime) && v.I >= 0:
			fb.Append(uint64(v.I))
		default:
			fb.AppendNull()
		}
	case *array.Uint16Builder:
		fb.Append(uint16(v.U))
	case *array.BooleanBuilder:
		fb.Append(v.B)
	case *array.TimestampBuilder:
		fb.Append(arrow.Timestamp(v.U))
	case *array.BinaryBuilder:
		if v.Kind == fields.TBytes {
			fb.Append(v.Buf)
		} else {
			fb.AppendString(v.String())
		}
	case *array.ListBuilder:
		fb.Append(true)
		sb := fb.ValueBuilder().(*array.StringBuilder)
		if v.Kind == fields.TStrings {
			for _, s := range v.List {
				sb.Append(ValidUTF8(s))
			}
		} else {
			sb.Append(ValidUTF8(v.String()))
		}
	default:
		fb.AppendNull()
	}
}

// finish returns the rows appended so far as a record batch and starts a
// new one; nil when there are none.
func (b *builder) finish() arrow.RecordBatch {
	if b.n == 0 {
		return nil
	}
	b.n = 0
	return b.rb.NewRecordBatch()
}

func (b *builder) release() { b.rb.Release() }

// ValidUTF8 returns s with each byte that is not part of valid UTF-8
// replaced by U+FFFD, as `forensics query -o json` prints it (Arrow and
// Parquet strings are UTF-8).
func ValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out := make([]byte, 0, len(s)+8)
	for _, r := range s {
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}
