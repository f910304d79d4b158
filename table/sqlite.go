package table

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

// JoinView is the SQLite view of every event with its process's columns.
const JoinView = "events_full"

// sqliteLoader loads batches into the tables of an SQLite database (events
// and processes, or audit_events), in one transaction; finish adds the
// indexes and the view. Values keep their Arrow meaning: timestamps are INTEGER ns since
// the epoch, booleans 0 or 1, lists JSON arrays as TEXT.
type sqliteLoader struct {
	ctx   context.Context
	db    *sql.DB
	tx    *sql.Tx
	t     *Tables
	stmts map[string]*insertStmts
	args  []any
}

// insertStmts insert rows into one table: many at once, then one by one.
type insertStmts struct {
	many  *sql.Stmt
	k     int // rows per many
	one   *sql.Stmt
	ncols int
}

// maxSQLVars stays under SQLite's limit on the parameters of a statement.
const maxSQLVars = 32000

func newSQLiteLoader(ctx context.Context, db *sql.DB, t *Tables) (*sqliteLoader, error) {
	for _, p := range []string{"PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF", "PRAGMA temp_store=MEMORY"} {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", p, err)
		}
	}
	for _, name := range t.Names() {
		if _, err := db.ExecContext(ctx, createTable(name, t.Schema(name))); err != nil {
			return nil, fmt.Errorf("sqlite: create %s: %w", name, err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return &sqliteLoader{ctx: ctx, db: db, tx: tx, t: t, stmts: map[string]*insertStmts{}}, nil
}

// createTable is the CREATE TABLE statement of a schema, each column
// commented with its description (the .schema of the sqlite3 shell shows
// them).
func createTable(name string, schema *arrow.Schema) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (\n", name)
	for i, f := range schema.Fields() {
		desc, _ := f.Metadata.GetValue("description")
		sep := ","
		if i == schema.NumFields()-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %s %s%s -- %s\n", f.Name, sqlTypeOf(f.Type), sep, strings.ReplaceAll(desc, "\n", " "))
	}
	b.WriteString(")")
	return b.String()
}

// sqlTypeOf is the SQLite type of an Arrow type written by this package.
func sqlTypeOf(t arrow.DataType) string {
	switch t.ID() {
	case arrow.INT64, arrow.UINT64, arrow.UINT16, arrow.BOOL, arrow.TIMESTAMP:
		return "INTEGER"
	case arrow.BINARY:
		return "BLOB"
	}
	return "TEXT"
}

func (l *sqliteLoader) prepare(table string, ncols int) (*insertStmts, error) {
	if s := l.stmts[table]; s != nil {
		return s, nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", ncols), ",") + ")"
	k := max(1, min(256, maxSQLVars/ncols))
	many, err := l.tx.PrepareContext(l.ctx, "INSERT INTO "+table+" VALUES "+strings.TrimSuffix(strings.Repeat(row+",", k), ","))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	one, err := l.tx.PrepareContext(l.ctx, "INSERT INTO "+table+" VALUES "+row)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s := &insertStmts{many: many, k: k, one: one, ncols: ncols}
	l.stmts[table] = s
	return s, nil
}

// Write inserts the rows of a batch.
func (l *sqliteLoader) Write(b *Batch) error {
	rec := b.Rec
	ncols := int(rec.NumCols())
	s, err := l.prepare(b.Table, ncols)
	if err != nil {
		return err
	}
	cols := rec.Columns()
	n := int(rec.NumRows())
	i := 0
	for ; i+s.k <= n; i += s.k {
		l.args = l.args[:0]
		for r := i; r < i+s.k; r++ {
			for _, c := range cols {
				l.args = append(l.args, sqlValue(c, r))
			}
		}
		if _, err := s.many.ExecContext(l.ctx, l.args...); err != nil {
			return fmt.Errorf("sqlite: insert into %s: %w", b.Table, err)
		}
	}
	for ; i < n; i++ {
		l.args = l.args[:0]
		for _, c := range cols {
			l.args = append(l.args, sqlValue(c, i))
		}
		if _, err := s.one.ExecContext(l.ctx, l.args...); err != nil {
			return fmt.Errorf("sqlite: insert into %s: %w", b.Table, err)
		}
	}
	return nil
}

// sqlValue is value i of col as a database/sql argument.
func sqlValue(col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Binary:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Uint64:
		if v := a.Value(i); v <= math.MaxInt64 {
			return int64(v)
		}
		return strconv.FormatUint(a.Value(i), 10)
	case *array.Uint16:
		return int64(a.Value(i))
	case *array.Timestamp:
		return int64(a.Value(i))
	case *array.Boolean:
		if a.Value(i) {
			return int64(1)
		}
		return int64(0)
	case *array.List:
		return string(appendJSONCell(nil, col, i))
	}
	return col.ValueStr(i)
}

// finish commits the rows, then adds the indexes (on time, process and
// event type, where the tables have those columns) and the join view.
func (l *sqliteLoader) finish() error {
	for _, s := range l.stmts {
		s.many.Close()
		s.one.Close()
	}
	if err := l.tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	var stmts []string
	has := func(s *arrow.Schema, col string) bool { return s != nil && len(s.FieldIndices(col)) > 0 }
	ev, pr := l.t.Events, l.t.Processes
	for _, ix := range []struct{ table, name, col string }{
		{Events, "events_time", "evt_rawtime"}, {Events, "events_proc", keyColumnName}, {Events, "events_type", "evt_type"},
		{AuditEvents, "audit_events_time", "evt_rawtime"}, {AuditEvents, "audit_events_user", "ka_user_name"},
		{AuditEvents, "audit_events_verb", "ka_verb"}, {AuditEvents, "audit_events_resource", "ka_target_resource"},
	} {
		if has(l.t.Schema(ix.table), ix.col) {
			stmts = append(stmts, fmt.Sprintf("CREATE INDEX %s ON %s(%s)", ix.name, ix.table, ix.col))
		}
	}
	if has(pr, keyColumnName) {
		stmts = append(stmts, "CREATE INDEX processes_key ON processes(proc_key)")
	}
	if has(ev, keyColumnName) && has(pr, keyColumnName) {
		// Every event column, and the process columns the events lack.
		sel := []string{"e.*"}
		for _, f := range pr.Fields() {
			if !has(ev, f.Name) {
				sel = append(sel, "p."+f.Name)
			}
		}
		stmts = append(stmts, fmt.Sprintf("CREATE VIEW %s AS SELECT %s FROM events e LEFT JOIN processes p ON p.proc_key = e.proc_key",
			JoinView, strings.Join(sel, ", ")))
	}
	stmts = append(stmts, "ANALYZE")
	for _, s := range stmts {
		if _, err := l.db.ExecContext(l.ctx, s); err != nil {
			return fmt.Errorf("sqlite: %s: %w", s, err)
		}
	}
	return nil
}

func (l *sqliteLoader) abort() { l.tx.Rollback() }

// sqliteFile writes an SQLite database file.
type sqliteFile struct {
	f    *tempFile
	db   *sql.DB
	l    *sqliteLoader
	done bool
}

func newSQLiteFile(out string, t *Tables) (*sqliteFile, error) {
	f, err := createTemp(out)
	if err != nil {
		return nil, err
	}
	db, err := openSQLite(f.Name())
	if err != nil {
		f.abort()
		return nil, fmt.Errorf("%s: %w", out, err)
	}
	l, err := newSQLiteLoader(context.Background(), db, t)
	if err != nil {
		db.Close()
		f.abort()
		return nil, fmt.Errorf("%s: %w", out, err)
	}
	return &sqliteFile{f: f, db: db, l: l}, nil
}

// openSQLite opens a database with one connection, so that an in-memory
// database is one database.
func openSQLite(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

func (s *sqliteFile) Write(b *Batch) error {
	if err := s.l.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", s.f.target, err)
	}
	return nil
}

func (s *sqliteFile) Close() error {
	err := s.l.finish()
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.f.abort()
		return fmt.Errorf("write %s: %w", s.f.target, err)
	}
	// The database wrote through its own handle; the temporary file's
	// handle syncs the same file before the rename.
	return s.f.commit()
}

func (s *sqliteFile) Abort() {
	if s.f.done {
		return
	}
	s.l.abort()
	s.db.Close()
	s.f.abort()
	os.Remove(s.f.Name() + "-journal")
}
