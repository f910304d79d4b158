package table

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"forensics/audit"
	"forensics/capture"
)

// Result is the answer to an SQL query: column names and rows of values
// (int64, float64, string, []byte or nil, as SQLite returns them).
type Result struct {
	Columns []string
	Rows    [][]any
}

// SQLOptions say how Query loads the capture.
type SQLOptions struct {
	Scan Options
	// Cache is the path of an SQLite file that keeps the loaded tables
	// between queries ("": load into memory for this query only). It is
	// reused when it was made from the same capture files with the same
	// options (Key), and rebuilt otherwise.
	Cache string
	// Key identifies the loading options (filter, time range, columns) in
	// the cache.
	Key string
}

// Query loads the capture into SQLite and runs one SQL statement on it.
// Without a cache only what the statement names is loaded: the events
// table when it reads events (or the join view), and of its columns only
// those the statement's words name (all of them for a '*'). The statement
// is checked against the full schema first, so an unknown column is an
// error before anything is read.
func Query(ctx context.Context, c *capture.Capture, t *Tables, stmt string, opts SQLOptions) (*Result, error) {
	var files []string
	for _, f := range c.Files {
		files = append(files, f.Name)
	}
	return runQuery(ctx, captureScan(c), files, t, stmt, opts)
}

// QueryAudit is Query for an audit input (see ScanAudit) and its
// audit_events table (t from NewAuditTables).
func QueryAudit(ctx context.Context, input string, t *Tables, stmt string, opts SQLOptions) (*Result, error) {
	files, err := audit.LogFiles(input)
	if err != nil {
		files = []string{input}
	}
	return runQuery(ctx, auditScan(input), files, t, stmt, opts)
}

// runQuery loads what scan reads of files into SQLite and runs stmt.
func runQuery(ctx context.Context, scan scanFunc, files []string, t *Tables, stmt string, opts SQLOptions) (*Result, error) {
	if err := checkSQL(ctx, t, stmt); err != nil {
		return nil, err
	}
	var db *sql.DB
	if opts.Cache != "" {
		var err error
		if db, err = openCache(ctx, scan, cacheIdent(files, opts.Key), t, opts); err != nil {
			return nil, err
		}
	} else {
		var err error
		if db, err = openSQLite(":memory:"); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		need := Needed(stmt, t)
		if err := loadSQLite(ctx, db, scan, need, opts.Scan); err != nil {
			db.Close()
			return nil, err
		}
	}
	defer db.Close()
	return runSQL(ctx, db, stmt)
}

// checkSQL prepares stmt against empty tables of the full schema.
func checkSQL(ctx context.Context, t *Tables, stmt string) error {
	db, err := openSQLite(":memory:")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer db.Close()
	l, err := newSQLiteLoader(ctx, db, t)
	if err != nil {
		return err
	}
	if err := l.finish(); err != nil {
		return err
	}
	st, err := db.PrepareContext(ctx, stmt)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSQL, err)
	}
	return st.Close()
}

// loadSQLite scans an input into the tables of t in db.
func loadSQLite(ctx context.Context, db *sql.DB, scan scanFunc, t *Tables, opts Options) error {
	opts.NoEvents = opts.NoEvents || t.Events == nil
	opts.NoProcesses = opts.NoProcesses || t.Processes == nil
	l, err := newSQLiteLoader(ctx, db, t)
	if err != nil {
		return err
	}
	err = scanTo(ctx, scan, t, opts, l.Write)
	if err != nil {
		l.abort()
		return err
	}
	return l.finish()
}

func runSQL(ctx context.Context, db *sql.DB, stmt string) (*Result, error) {
	rows, err := db.QueryContext(ctx, stmt)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSQL, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSQL, err)
	}
	res := &Result{Columns: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSQL, err)
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSQL, err)
	}
	return res, nil
}

// Needed returns the tables of t cut to what stmt can read: a column is
// kept when a word of the statement is its name (or stmt has a '*'), and
// the events table only when the statement names it or the join view
// (the audit_events table is the only table of its tables: it stays).
// Words are found by SQLWords; a word that only looks like a column (in a
// string literal) keeps the column, which costs time, never a wrong
// answer. The key columns stay, for the join.
func Needed(stmt string, t *Tables) *Tables {
	words := map[string]bool{}
	star := false
	for _, w := range SQLWords(stmt) {
		if w == "*" {
			star = true
		}
		words[strings.ToLower(w)] = true
	}
	cut := func(cols []Column) []Column {
		var out []Column
		for _, c := range cols {
			if star || c.key == keyProc || words[strings.ToLower(c.Name)] {
				out = append(out, c)
			}
		}
		return out
	}
	out := &Tables{}
	if t.Events != nil && (words[Events] || words[JoinView]) {
		out.EventColumns = cut(t.EventColumns)
		out.Events = Schema(Events, out.EventColumns)
	}
	if t.Processes != nil {
		out.ProcessColumns = cut(t.ProcessColumns)
		out.Processes = Schema(Processes, out.ProcessColumns)
	}
	if t.Audit != nil {
		out.AuditColumns = cut(t.AuditColumns)
		out.Audit = Schema(AuditEvents, out.AuditColumns)
	}
	return out
}

// SQLWords splits an SQL statement into its identifiers and '*': words of
// letters, digits, '_' and '$', and "quoted", `quoted` or [quoted]
// identifiers without their quotes. String literals and comments are
// skipped, and so is the '*' of count(*).
func SQLWords(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'':
			i = skipQuoted(s, i, '\'')
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return out
			}
			i += end + 4
		case c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			end := skipQuoted(s, i, closer)
			if inner := s[i+1 : max(i+1, end-1)]; inner != "" {
				out = append(out, strings.ReplaceAll(inner, string(closer)+string(closer), string(closer)))
			}
			i = end
		case c == '*':
			// count(*) reads no column; a '*' anywhere else may be all.
			if j := strings.TrimRight(s[:i], " \t\n\r"); !strings.HasSuffix(j, "(") {
				out = append(out, "*")
			}
			i++
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		default:
			i++
		}
	}
	return out
}

// skipQuoted returns the index after the quoted text starting at s[i],
// where a doubled closer is part of the text.
func skipQuoted(s string, i int, closer byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == closer {
			if j+1 < len(s) && s[j+1] == closer {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// openCache opens the cache database, (re)building it when it is missing
// or was made from other files or options (ident, see cacheIdent). It is
// built under a temporary name and renamed, so an interrupted build leaves
// no cache.
func openCache(ctx context.Context, scan scanFunc, ident string, t *Tables, opts SQLOptions) (*sql.DB, error) {
	if _, err := os.Stat(opts.Cache); err == nil {
		db, err := openReadOnly(opts.Cache)
		if err == nil {
			var got string
			if db.QueryRowContext(ctx, "SELECT value FROM forensics_meta WHERE key = 'source'").Scan(&got) == nil && got == ident {
				return db, nil
			}
			db.Close()
		}
	}
	f, err := createTemp(opts.Cache)
	if err != nil {
		return nil, err
	}
	db, err := openSQLite(f.Name())
	if err == nil {
		_, err = db.ExecContext(ctx, "CREATE TABLE forensics_meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO forensics_meta VALUES ('source', ?)", ident)
		if err == nil {
			err = loadSQLite(ctx, db, scan, t, opts.Scan)
		}
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		f.abort()
		return nil, fmt.Errorf("cache %s: %w", opts.Cache, err)
	}
	if err := f.commit(); err != nil {
		return nil, err
	}
	db, err = openReadOnly(opts.Cache)
	if err != nil {
		return nil, fmt.Errorf("cache %s: %w", opts.Cache, err)
	}
	return db, nil
}

// openReadOnly opens a database file so that no statement can change it:
// a query cannot spoil the cache for the next one.
func openReadOnly(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return openSQLite((&url.URL{Scheme: "file", Path: abs, RawQuery: "mode=ro"}).String())
}

// cacheIdent names the input files (path, size, modification time) and
// the loading options a cache was built from.
func cacheIdent(files []string, key string) string {
	var b strings.Builder
	for _, name := range files {
		st, err := os.Stat(name)
		if err != nil {
			fmt.Fprintf(&b, "%s;", name)
			continue
		}
		fmt.Fprintf(&b, "%s %d %d;", name, st.Size(), st.ModTime().UnixNano())
	}
	b.WriteString(key)
	return b.String()
}
