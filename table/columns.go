package table

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"forensics/query/fields"
)

// Column is one column of a table: a field of the registry, extracted for
// each row with the field's own extractor, or one of the key columns that
// are no field (proc_key, proc_parent_key, proc_start_ts, proc_exit_ts).
type Column struct {
	Name  string      // the column name: the field token with '.' and brackets turned to '_'
	Field string      // the field token (proc.aname[2]); "" for a key column
	Type  fields.Type // the field's type; decides the Arrow type
	Desc  string      // what the column holds, for the schema's documentation
	ext   fields.Extractor
	key   keyKind
}

// keyKind names the columns that come from the event or process record
// rather than from a field.
type keyKind uint8

const (
	keyNone   keyKind = iota
	keyProc           // the event's or the record's process incarnation
	keyParent         // the incarnation's parent incarnation
	keyStart          // the incarnation's start
	keyExit           // the incarnation's end
)

// DefaultEventColumns are the fields of the events table when no column
// list is given: what an investigation groups and filters by, and evt.info
// for what happened.
var DefaultEventColumns = []string{
	"evt.num", "evt.rawtime", "evt.cpu", "evt.type", "evt.dir", "evt.category",
	"thread.tid", "proc.pid", "proc.name",
	"evt.res", "evt.rawres", "evt.failed",
	"fd.num", "fd.type", "fd.name", "fd.l4proto", "fd.cip", "fd.cport", "fd.sip", "fd.sport",
	"fs.path.name", "evt.buflen", "evt.info",
}

// ProcessColumns are the fields of the processes table, extracted for an
// event of the incarnation at its start (at the capture's start for an
// incarnation older than the capture).
var ProcessColumns = []string{
	"thread.tid", "proc.pid", "proc.ppid", "proc.sid", "proc.vpid",
	"proc.name", "proc.exe", "proc.exepath", "proc.args", "proc.cmdline", "proc.cwd", "proc.tty",
	"proc.pname", "proc.pcmdline", "proc.loginshellid",
	"user.uid", "user.name", "user.loginuid", "group.gid", "group.name", "container.id",
}

// ColumnName turns a field token into a column name: '.' and the brackets
// of an argument become '_', anything else outside [A-Za-z0-9_] too, so the
// name needs no quoting in SQL (proc.aname[2] -> proc_aname_2).
func ColumnName(token string) string {
	var b strings.Builder
	for i := 0; i < len(token); i++ {
		c := token[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
			b.WriteByte(c)
		case c == ']' && i == len(token)-1:
			// a closing bracket at the end adds nothing
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// ParseColumns reads a column list: field tokens separated by commas
// (brackets may hold commas: proc.env[A,B] is one token). The word
// "default" stands for DefaultEventColumns, or DefaultAuditColumns when
// reg is the k8s_audit source. Each token must name a field
// of reg that a table can hold; names must not repeat.
func ParseColumns(list string, reg *fields.Source) ([]Column, error) {
	var tokens []string
	depth, start := 0, 0
	for i := 0; i <= len(list); i++ {
		if i < len(list) {
			switch list[i] {
			case '[':
				depth++
				continue
			case ']':
				if depth == 0 {
					return nil, fmt.Errorf("%w: column list: unmatched ']' at byte %d", ErrColumn, i+1)
				}
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		if depth > 0 {
			return nil, fmt.Errorf("%w: column list: unclosed '[' before byte %d", ErrColumn, i+1)
		}
		tok := strings.TrimSpace(list[start:i])
		start = i + 1
		if tok == "" {
			return nil, fmt.Errorf("%w: column list: empty column before byte %d", ErrColumn, i+1)
		}
		if tok == "default" {
			if reg == fields.K8sAudit() {
				tokens = append(tokens, DefaultAuditColumns...)
			} else {
				tokens = append(tokens, DefaultEventColumns...)
			}
			continue
		}
		tokens = append(tokens, tok)
	}
	return fieldColumns(tokens, reg)
}

// fieldColumns binds field tokens to columns.
func fieldColumns(tokens []string, reg *fields.Source) ([]Column, error) {
	seen := map[string]string{keyColumnName: "the process key"}
	cols := make([]Column, 0, len(tokens))
	for _, tok := range tokens {
		name, arg, hasArg := tok, "", false
		if i := strings.IndexByte(tok, '['); i >= 0 && strings.HasSuffix(tok, "]") {
			name, arg, hasArg = tok[:i], tok[i+1:len(tok)-1], true
		}
		b, err := reg.Lookup(name, arg, hasArg)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrColumn, tok, err)
		}
		typ := b.Field.Type
		switch {
		case b.Field.Name == "evt.rawarg":
			// Its values change type from event to event; evt.arg has them as text.
			return nil, fmt.Errorf("%w: %s: values of many types; use evt.arg", ErrColumn, tok)
		case filterOnly[b.Field.Name]:
			return nil, fmt.Errorf("%w: %s is for filters only; use the fd.c* and fd.s* fields", ErrColumn, tok)
		case listWithoutIndex[b.Field.Name] && !hasArg:
			typ = fields.TStrings
		}
		col := Column{Name: ColumnName(tok), Field: tok, Type: typ, Desc: b.Field.Desc, ext: b.Ext}
		if prev, ok := seen[col.Name]; ok {
			return nil, fmt.Errorf("%w: %s and %s both make column %s", ErrColumn, prev, tok, col.Name)
		}
		seen[col.Name] = tok
		cols = append(cols, col)
	}
	return cols, nil
}

// Fields whose values are lists when they are given no index (the
// registry declares the type of one element), and fields that only
// filters use (their values are lists of both ends of a connection).
var (
	listWithoutIndex = map[string]bool{"proc.apid": true, "proc.aname": true, "proc.aexe": true, "proc.aexepath": true, "proc.acmdline": true}
	filterOnly       = map[string]bool{"fd.ip": true, "fd.port": true}
)

// keyColumnName is the column that joins events to processes.
const keyColumnName = "proc_key"

// Key columns, which no field provides.
var (
	procKeyColumn = Column{Name: keyColumnName, Type: fields.TUint, key: keyProc,
		Desc: "the process incarnation (a thread from its creation or execve to its next execve or exit); joins events to processes; null when the capture does not know it"}
	parentKeyColumn = Column{Name: "proc_parent_key", Type: fields.TUint, key: keyParent,
		Desc: "proc_key of the incarnation this one was created by, null if unknown"}
	startColumn = Column{Name: "proc_start_ts", Type: fields.TAbsTime, key: keyStart,
		Desc: "when the incarnation started (clone or execve), null when before the capture"}
	exitColumn = Column{Name: "proc_exit_ts", Type: fields.TAbsTime, key: keyExit,
		Desc: "when the incarnation ended (exit or execve), null while alive at the capture's end"}
)

// arrowType is the Arrow type of a field type.
func arrowType(t fields.Type) arrow.DataType {
	switch t {
	case fields.TInt, fields.TRelTime:
		return arrow.PrimitiveTypes.Int64
	case fields.TUint:
		return arrow.PrimitiveTypes.Uint64
	case fields.TBool:
		return arrow.FixedWidthTypes.Boolean
	case fields.TPort:
		return arrow.PrimitiveTypes.Uint16
	case fields.TAbsTime:
		// UTC, but without a time zone in the type: readers keep the
		// nanoseconds of a plain timestamp (DuckDB reads a Parquet
		// timestamp adjusted to UTC as TIMESTAMPTZ, in microseconds).
		return &arrow.TimestampType{Unit: arrow.Nanosecond}
	case fields.TBytes:
		return arrow.BinaryTypes.Binary
	case fields.TStrings:
		return arrow.ListOf(arrow.BinaryTypes.String)
	}
	return arrow.BinaryTypes.String // strings and IP addresses
}

// sqlType is the SQLite column type of a field type.
func sqlType(t fields.Type) string {
	switch t {
	case fields.TInt, fields.TRelTime, fields.TUint, fields.TBool, fields.TPort, fields.TAbsTime:
		return "INTEGER"
	case fields.TBytes:
		return "BLOB"
	}
	return "TEXT"
}

// Schema returns the Arrow schema of columns; each field's metadata holds
// its field token and description, so the schema documents every column.
func Schema(table string, cols []Column) *arrow.Schema {
	fs := make([]arrow.Field, len(cols))
	for i, c := range cols {
		keys := []string{"description"}
		vals := []string{c.Desc}
		if c.Field != "" {
			keys = append(keys, "field")
			vals = append(vals, c.Field)
		}
		fs[i] = arrow.Field{Name: c.Name, Type: arrowType(c.Type), Nullable: true, Metadata: arrow.NewMetadata(keys, vals)}
	}
	md := arrow.NewMetadata([]string{"forensics.table"}, []string{table})
	return arrow.NewSchema(fs, &md)
}
