package table

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"forensics/capture"
	"forensics/query"
	"forensics/query/fields"
	"forensics/samples"
)

var update = flag.Bool("update", false, "rewrite testdata/schema.golden")

func openIncident(t testing.TB) *capture.Capture {
	t.Helper()
	p, err := samples.WriteIncident(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := capture.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestParseColumns(t *testing.T) {
	reg := fields.Syscall()
	for _, tc := range []struct {
		list  string
		names []string
		err   string
	}{
		{list: "evt.num", names: []string{"evt_num"}},
		{list: " evt.num , proc.name ", names: []string{"evt_num", "proc_name"}},
		{list: "proc.aname[2],proc.env[HOME],proc.env.PATH", names: []string{"proc_aname_2", "proc_env_HOME", "proc_env_PATH"}},
		{list: "proc.env[A,B]", names: []string{"proc_env_A_B"}},
		{list: "default,fd.rip", names: append(names(DefaultEventColumns), "fd_rip")},
		{list: "", err: "empty column"},
		{list: "evt.num,,proc.name", err: "empty column before byte 9"},
		{list: "proc.aname[2", err: "unclosed '['"},
		{list: "proc.aname]2", err: "unmatched ']' at byte 11"},
		{list: "proc.nme", err: "proc.nme"},
		{list: "evt.rawarg.res", err: "use evt.arg"},
		{list: "evt.num,evt.num", err: "both make column evt_num"},
		{list: "proc.aname[x]", err: "ancestor level"},
		{list: "fd.ip", err: "filters only"},
	} {
		cols, err := ParseColumns(tc.list, reg)
		if tc.err != "" {
			if err == nil || !errors.Is(err, ErrColumn) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.list, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.list, err)
			continue
		}
		var got []string
		for _, c := range cols {
			got = append(got, c.Name)
		}
		if strings.Join(got, " ") != strings.Join(tc.names, " ") {
			t.Errorf("%q: columns %v, want %v", tc.list, got, tc.names)
		}
	}
}

func names(tokens []string) []string {
	var out []string
	for _, tok := range tokens {
		out = append(out, ColumnName(tok))
	}
	return out
}

func FuzzParseColumns(f *testing.F) {
	for _, s := range []string{"evt.num", "default,proc.aname[2]", "proc.env[A,B]", ",", "[", "]", "evt.num,evt.num", "a[[b]]"} {
		f.Add(s)
	}
	reg := fields.Syscall()
	f.Fuzz(func(t *testing.T, list string) {
		cols, err := ParseColumns(list, reg)
		if err != nil {
			if !errors.Is(err, ErrColumn) {
				t.Fatalf("%q: error %v is not ErrColumn", list, err)
			}
			return
		}
		seen := map[string]bool{keyColumnName: true}
		for _, c := range cols {
			if c.Name == "" || seen[c.Name] || c.ext == nil {
				t.Fatalf("%q: column %+v", list, c)
			}
			seen[c.Name] = true
		}
	})
}

func TestSQLWords(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{"SELECT proc_name, count(*) FROM events", "SELECT proc_name count FROM events"},
		{"SELECT e.* FROM events e", "SELECT e * FROM events e"},
		{"select \"fd name\", `x`, [y z] from t", "select fd name x y z from t"},
		{"select 'proc_name', a -- fd_name\nfrom b /* evt_info */ where c", "select a from b where c"},
		{"select 'it''s' || \"a\"\"b\"", "select a\"b"},
		{"select e.proc_key from events_full e", "select e proc_key from events_full e"},
		{"/* unterminated", ""},
		{"'unterminated", ""},
	} {
		if got := strings.Join(SQLWords(tc.sql), " "); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.sql, got, tc.want)
		}
	}
}

func FuzzSQLWords(f *testing.F) {
	for _, s := range []string{"SELECT * FROM events", "'a''b'", "\"x\"\"y\"", "[a]", "--c\nx", "/*", "`", "é_col"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		for _, w := range SQLWords(sql) {
			if w == "" || len(w) > len(sql) {
				t.Fatalf("%q: word %q", sql, w)
			}
		}
	})
}

func TestNeeded(t *testing.T) {
	full, err := NewTables(nil)
	if err != nil {
		t.Fatal(err)
	}
	cut := Needed("SELECT proc_name, count(*) AS n FROM processes GROUP BY 1", full)
	if cut.Events != nil {
		t.Errorf("events loaded for a query on processes")
	}
	if got := cut.Processes.NumFields(); got != 2 { // proc_key and proc_name
		t.Errorf("processes: %v", cut.Processes)
	}
	cut = Needed("SELECT fd_name FROM events_full WHERE user_name = 'root'", full)
	var got []string
	for _, c := range cut.EventColumns {
		got = append(got, c.Name)
	}
	if strings.Join(got, " ") != "fd_name proc_key" || cut.Processes.NumFields() != 2 {
		t.Errorf("events %v, processes %v", got, cut.Processes)
	}
	cut = Needed("SELECT * FROM events", full)
	if len(cut.EventColumns) != len(full.EventColumns) {
		t.Errorf("* loads %d of %d columns", len(cut.EventColumns), len(full.EventColumns))
	}
}

// TestSchemaGolden documents every column of the three tables in
// testdata/schema.golden (go test ./table -run Golden -update).
func TestSchemaGolden(t *testing.T) {
	tb, err := NewTables(nil)
	if err != nil {
		t.Fatal(err)
	}
	at, err := NewAuditTables(nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, s := range []struct {
		name string
		cols []Column
	}{{Events, tb.EventColumns}, {Processes, tb.ProcessColumns}, {AuditEvents, at.AuditColumns}} {
		sc := Schema(s.name, s.cols)
		fmt.Fprintf(&b, "# %s\n", s.name)
		for i, c := range s.cols {
			field := c.Field
			if field == "" {
				field = "-"
			}
			fmt.Fprintf(&b, "%-18s %-22s %-8s %-18s %s\n", c.Name, sc.Field(i).Type, sqlType(c.Type), field, c.Desc)
		}
		b.WriteString("\n")
	}
	golden := filepath.Join("testdata", "schema.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(want, b.Bytes()) {
		t.Errorf("schema changed; run go test ./table -run Golden -update and review:\n%s", b.String())
	}
}

// TestScanBatches: batches respect the row cap and add up to the events
// query.Run selects.
func TestScanBatches(t *testing.T) {
	c := openIncident(t)
	tb, _ := NewTables(nil)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var events, procs, progress int
	opts := Options{BatchRows: 100, Mem: mem, Progress: func(n int) { progress += n }}
	err := Scan(context.Background(), c, tb, opts, func(b *Batch) error {
		defer b.Rec.Release()
		if b.Rec.NumRows() > 100 {
			t.Errorf("batch of %d rows", b.Rec.NumRows())
		}
		if b.Host != "web-01" {
			t.Errorf("host %q", b.Host)
		}
		if b.Table == Events {
			events += int(b.Rec.NumRows())
			if b.Hour.Hour() != 3 {
				t.Errorf("hour %v", b.Hour)
			}
		} else {
			procs += int(b.Rec.NumRows())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	query.Run(context.Background(), c, query.Options{}, func(*fields.Ctx) error { want++; return nil })
	if events != want || progress != want || procs != 27 {
		t.Errorf("events %d (progress %d), processes %d; want %d and 27", events, progress, procs, want)
	}
}

// TestArrowIPC: the Arrow file reads back with arrow's reader, with the
// schema's descriptions.
func TestArrowIPC(t *testing.T) {
	c := openIncident(t)
	tb, _ := NewTables(nil)
	out := filepath.Join(t.TempDir(), "p.arrow")
	n, err := Export(context.Background(), c, Arrow, out, tb, Options{}, WriteOptions{Table: Processes})
	if err != nil || n != 0 {
		t.Fatalf("export: %d %v", n, err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows := 0
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		rows += int(rec.NumRows())
	}
	fl, _ := r.Schema().FieldsByName("proc_pname")
	desc, _ := fl[0].Metadata.GetValue("description")
	if rows != 27 || !strings.Contains(desc, "parent") {
		t.Errorf("%d rows; proc_pname: %q", rows, desc)
	}
}

// TestExportCanceled: an export that ends early leaves nothing behind.
func TestExportCanceled(t *testing.T) {
	c := openIncident(t)
	tb, _ := NewTables(nil)
	dir := t.TempDir()
	for _, f := range Formats {
		ctx, cancel := context.WithCancel(context.Background())
		opts := Options{BatchRows: 10, Progress: func(int) { cancel() }}
		_, err := Export(ctx, c, f, filepath.Join(dir, "out."+string(f)), tb, opts, WriteOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v", f, err)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("%s left %v", f, left)
		}
		cancel()
	}
}

func TestValidUTF8(t *testing.T) {
	for in, want := range map[string]string{"abc": "abc", "a\xffb": "a\uFFFDb", "\xff\xfe": "\uFFFD\uFFFD", "é": "é"} {
		if got := ValidUTF8(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// TestScanLimit: Query.Limit counts the rows of every file together.
func TestScanLimit(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 2 {
		sub := filepath.Join(dir, fmt.Sprint(i))
		os.Mkdir(sub, 0o700)
		p, err := samples.WriteIncident(sub)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	c, err := capture.Open(paths...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tb, _ := NewTables(nil)
	for _, limit := range []int{10, 3385, 3400} {
		rows := 0
		err := Scan(context.Background(), c, tb, Options{Query: query.Options{Limit: limit}, NoProcesses: true}, func(b *Batch) error {
			rows += int(b.Rec.NumRows())
			b.Rec.Release()
			return nil
		})
		if err != nil || rows != limit {
			t.Errorf("limit %d: %d rows, %v", limit, rows, err)
		}
	}
}
