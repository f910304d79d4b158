package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"forensics/capture"
	"forensics/event"
	"forensics/format"
	"forensics/internal/eventgen"
	"forensics/internal/scaptest"
	"forensics/internal/testenv"
	"forensics/samples"
	"forensics/table"
)

// incident writes the sample capture into a temporary directory.
func incident(t *testing.T) string {
	t.Helper()
	p, err := samples.WriteIncident(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// cell is a value as the tests compare them: its text, "null" when
// missing.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// queryJSON runs `forensics query -o json` with every default column of
// the events table as a -p field and returns the rows, keyed by column
// name.
func queryJSON(t *testing.T, capture string, extra ...string) []map[string]string {
	t.Helper()
	format := "*%" + strings.Join(table.DefaultEventColumns, " %")
	args := append([]string{"query", "-o", "json", "-p", format}, extra...)
	args = append(args, capture)
	if len(extra) > 0 && extra[0] == "--filter" { // query takes the filter as an argument
		args = append([]string{"query", "-o", "json", "-p", format, capture}, extra[1])
	}
	code, out, stderr := runCmd(t, args...)
	if code != exitOK {
		t.Fatalf("query: exit %d: %s", code, stderr)
	}
	return decodeRows(t, out, true)
}

// readParquet reads Parquet files with arrow-go's Parquet reader, an
// implementation independent of the writer (parquet-go), into rows keyed
// by column name, sorted by evt_num when the files hold events. It also
// checks that each file's stored Arrow schema documents its columns.
func readParquet(t *testing.T, paths ...string) []map[string]string {
	t.Helper()
	var rows []map[string]string
	for _, p := range paths {
		pf, err := file.OpenParquetFile(p, false)
		if err != nil {
			t.Fatalf("arrow-go parquet: %s: %v", p, err)
		}
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			t.Fatalf("arrow-go parquet: %s: %v", p, err)
		}
		tbl, err := fr.ReadTable(context.Background())
		if err != nil {
			t.Fatalf("arrow-go parquet: %s: %v", p, err)
		}
		for _, fl := range tbl.Schema().Fields() {
			if d, ok := fl.Metadata.GetValue("description"); !ok || d == "" {
				t.Errorf("%s: column %s has no description in its Arrow schema", p, fl.Name)
			}
		}
		tr := array.NewTableReader(tbl, 4096)
		for tr.Next() {
			rec := tr.RecordBatch()
			for i := range int(rec.NumRows()) {
				row := map[string]string{}
				for j, col := range rec.Columns() {
					row[rec.ColumnName(j)] = arrowCell(col, i)
				}
				rows = append(rows, row)
			}
		}
		tr.Release()
		tbl.Release()
		pf.Close()
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, _ := strconv.ParseUint(rows[i]["evt_num"], 10, 64)
		b, _ := strconv.ParseUint(rows[j]["evt_num"], 10, 64)
		return a < b
	})
	return rows
}

// arrowCell is value i of a as cell gives a JSON value: timestamps in
// nanoseconds, bytes as they are, lists as fmt prints a JSON array.
func arrowCell(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "null"
	}
	switch a := a.(type) {
	case *array.Timestamp:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Binary:
		return string(a.Value(i))
	case *array.List:
		lo, hi := a.ValueOffsets(i)
		var elems []any
		for k := lo; k < hi; k++ {
			elems = append(elems, arrowCell(a.ListValues(), int(k)))
		}
		return fmt.Sprint(elems)
	}
	return a.ValueStr(i)
}

// compareRows checks that got has the rows of want with the same values
// in every column of want.
func compareRows(t *testing.T, what string, want, got []map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, query -o json printed %d", what, len(got), len(want))
	}
	bad := 0
	for i := range want {
		for col, w := range want[i] {
			if g, ok := got[i][col]; !ok || g != w {
				if bad++; bad <= 5 {
					t.Errorf("%s: row %d (evt_num %s) %s = %q, query says %q", what, i, want[i]["evt_num"], col, g, w)
				}
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d values differ", what, bad)
	}
}

func globParquet(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		t.Fatalf("no files match %s", pattern)
	}
	return m
}

// TestExportParquetMatchesQuery: the Parquet files, read back with
// arrow-go's reader, hold the rows and values `forensics query -o json` prints
// for the same capture and filter, as one file and as a hive-partitioned
// directory.
func TestExportParquetMatchesQuery(t *testing.T) {
	captures := map[string]string{"incident": incident(t)}
	for _, name := range []string{"502Error.scap", "sample.scap"} {
		captures[name] = scaptest.CorpusFile(t, name)
	}
	for name, capture := range captures {
		for _, filter := range []string{"", "evt.dir=< and (fd.type in (file, ipv4, ipv6, unix) or evt.type=execve)"} {
			t.Run(name+"/"+filter, func(t *testing.T) {
				var extra []string
				if filter != "" {
					extra = []string{"--filter", filter}
				}
				want := queryJSON(t, capture, extra...)
				if len(want) == 0 {
					t.Fatal("query printed nothing")
				}
				dir := t.TempDir()
				one := filepath.Join(dir, "events.parquet")
				args := append([]string{"export", "--format", "parquet"}, extra...)
				if code, _, stderr := runCmd(t, append(args, capture, one)...); code != exitOK {
					t.Fatalf("export: exit %d: %s", code, stderr)
				}
				compareRows(t, "one file", want, readParquet(t, one))

				lake := filepath.Join(dir, "lake")
				if code, _, stderr := runCmd(t, append(args, capture, lake)...); code != exitOK {
					t.Fatalf("export: exit %d: %s", code, stderr)
				}
				compareRows(t, "partitioned", want, readParquet(t, globParquet(t, filepath.Join(lake, "events", "host=*", "hour=*", "*.parquet"))...))
				procs := readParquet(t, globParquet(t, filepath.Join(lake, "processes", "host=*", "*.parquet"))...)
				if len(procs) == 0 || procs[0]["proc_key"] == "" {
					t.Fatalf("processes: %d rows, %v", len(procs), procs)
				}
				leftovers, _ := filepath.Glob(filepath.Join(lake, ".*"))
				if len(leftovers) > 0 {
					t.Fatalf("staging left behind: %v", leftovers)
				}
			})
		}
	}
}

// TestExportSQLiteShell: the SQLite file opens in the sqlite3 shell and
// answers the counts query gives.
func TestExportSQLiteShell(t *testing.T) {
	sqlite3 := testenv.Tool(t, "sqlite3", "apt-get install sqlite3")
	capture := incident(t)
	db := filepath.Join(t.TempDir(), "incident.db")
	if code, out, stderr := runCmd(t, "export", "--format", "sqlite", capture, db); code != exitOK {
		t.Fatalf("export: exit %d: %s %s", code, out, stderr)
	}
	shell := func(sql string) string {
		t.Helper()
		out, err := exec.Command(sqlite3, "-batch", db, sql).CombinedOutput()
		if err != nil {
			t.Fatalf("sqlite3 %q: %v: %s", sql, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	rows := queryJSON(t, capture)
	if got := shell("SELECT count(*) FROM events"); got != strconv.Itoa(len(rows)) {
		t.Errorf("events: sqlite3 counts %s, query printed %d", got, len(rows))
	}
	if got := shell("SELECT count(*) FROM " + table.JoinView); got != strconv.Itoa(len(rows)) {
		t.Errorf("view: %s rows, want %d", got, len(rows))
	}
	byType := map[string]int{}
	for _, r := range rows {
		byType[r["evt_type"]]++
	}
	var types, want []string
	for typ := range byType {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		want = append(want, fmt.Sprintf("%s|%d", typ, byType[typ]))
	}
	if got := shell("SELECT evt_type, count(*) FROM events GROUP BY 1 ORDER BY 1"); got != strings.Join(want, "\n") {
		t.Errorf("per type:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if got := shell("SELECT count(*) FROM processes"); got != "27" {
		t.Errorf("processes: %s, want the 27 of the process table", got)
	}
	// Every event with a process finds it.
	if got := shell("SELECT count(*) FROM events e WHERE proc_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM processes p WHERE p.proc_key = e.proc_key)"); got != "0" {
		t.Errorf("%s events without their process", got)
	}
	idx := shell(".indexes")
	for _, ix := range []string{"events_time", "events_proc", "events_type"} {
		if !strings.Contains(idx, ix) {
			t.Errorf("index %s missing: %s", ix, idx)
		}
	}
	f := samples.IncidentFacts()
	if got := shell("SELECT proc_cmdline FROM events_full WHERE evt_type = 'connect' AND fd_sport = 4444"); got != "payload" {
		t.Errorf("the C2 connection's process: %q", got)
	}
	if got := shell("SELECT DISTINCT user_name FROM events_full WHERE fd_name = '" + f.ShadowFile + "'"); got != "root" {
		t.Errorf("who read %s: %q", f.ShadowFile, got)
	}
}

// sqlRows runs forensics sql -o csv and returns the rows after the header.
func sqlRows(t *testing.T, args ...string) [][]string {
	t.Helper()
	code, out, stderr := runCmd(t, append([]string{"sql", "-o", "csv"}, args...)...)
	if code != exitOK {
		t.Fatalf("sql %v: exit %d: %s", args, code, stderr)
	}
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		rows = append(rows, strings.Split(l, ","))
	}
	return rows
}

// TestSQLInvestigation asks the incident capture what an investigator
// would, and checks the answers against the story and against query.
func TestSQLInvestigation(t *testing.T) {
	capture := incident(t)
	f := samples.IncidentFacts()

	// Top files written (outside the database's and web server's own),
	// with the bytes query's evt.buflen adds up to.
	all := queryJSON(t, capture, "--filter", "evt.type=write and fd.type=file")
	bytesOf := map[string]int64{}
	for _, r := range all {
		if r["proc_name"] == "postgres" || r["proc_name"] == "nginx" {
			continue
		}
		n, _ := strconv.ParseInt(r["evt_buflen"], 10, 64)
		bytesOf[r["fd_name"]] += n
	}
	top := sqlRows(t, capture, `SELECT fd_name, sum(evt_buflen) AS bytes, group_concat(DISTINCT proc_name) AS by_proc
		FROM events WHERE evt_type = 'write' AND fd_type = 'file' AND proc_name NOT IN ('postgres', 'nginx')
		GROUP BY fd_name ORDER BY bytes DESC`)
	if len(top) != len(bytesOf) {
		t.Fatalf("top files: %d rows, query has %d files: %v", len(top), len(bytesOf), top)
	}
	for _, r := range top {
		if strconv.FormatInt(bytesOf[r[0]], 10) != r[1] {
			t.Errorf("%s: %s bytes, query adds up %d", r[0], r[1], bytesOf[r[0]])
		}
	}
	written := map[string]string{}
	for _, r := range top {
		written[r[0]] = r[2]
	}
	for file, proc := range map[string]string{f.DroppedFile: "payload", f.CronFile: "payload", f.KitFile: "curl"} {
		if written[file] != proc {
			t.Errorf("%s written by %q, want %s (top files: %v)", file, written[file], proc, top)
		}
	}

	// Processes a shell started: the attacker's commands.
	got := sqlRows(t, capture, `SELECT proc_pid, proc_cmdline FROM processes
		WHERE proc_pname LIKE '%sh' AND proc_name NOT LIKE '%sh' ORDER BY proc_pid`)
	var want [][]string
	for _, p := range []samples.Proc{f.Sudo, f.Cat, f.Curl, f.Tar, f.Chmod, f.Payload} {
		want = append(want, []string{strconv.FormatInt(p.Pid, 10), strings.Join(append([]string{p.Comm}, p.Args...), " ")})
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("spawned by a shell:\n%v\nwant\n%v", got, want)
	}

	// Connections per process: TCP connections made or accepted.
	accepts := len(queryJSON(t, capture, "--filter", "proc.name=nginx and evt.type in (accept, accept4) and fd.l4proto=tcp"))
	got = sqlRows(t, capture, `SELECT proc_name, count(*) AS n, group_concat(DISTINCT fd_sip || ':' || fd_sport) AS servers
		FROM events WHERE evt_type IN ('connect', 'accept', 'accept4') AND fd_l4proto = 'tcp'
		GROUP BY proc_name ORDER BY proc_name`)
	want = [][]string{
		{"curl", "1", f.DownloadServer.String()},
		{"nginx", strconv.Itoa(accepts), f.LocalIP.String() + ":80"},
		{"payload", "1", f.C2Server.String()},
		{"sshd", "1", f.SSHServer.String()},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("connections per process:\n%v\nwant\n%v", got, want)
	}

	// The same through the cache file, twice (built, then reused).
	for i := range 2 {
		got := sqlRows(t, "--cache", capture, "SELECT count(*) FROM events_full WHERE proc_name = 'curl'")
		if len(got) != 1 || got[0][0] != "25" {
			t.Fatalf("cache run %d: %v", i, got)
		}
	}
	if _, err := os.Stat(capture + ".sqlite"); err != nil {
		t.Fatalf("cache file: %v", err)
	}
	// A statement cannot change the cache.
	if code, _, stderr := runCmd(t, "sql", "--cache", capture, "DELETE FROM events"); code == exitOK || !strings.Contains(stderr, "readonly") {
		t.Errorf("DELETE on the cache: exit %d, %s", code, stderr)
	}
	// Other flags rebuild it.
	if got := sqlRows(t, "--cache", "--filter", "proc.name=curl", capture, "SELECT count(*) FROM events"); got[0][0] != "25" {
		t.Errorf("cache rebuilt with a filter: %v", got)
	}
	if got := sqlRows(t, "--cache", capture, "SELECT count(*) FROM events"); got[0][0] != "3385" {
		t.Errorf("cache rebuilt without: %v", got)
	}

	// JSON output.
	code, out, _ := runCmd(t, "sql", "-o", "json", capture, "SELECT proc_name, count(*) AS n FROM events WHERE proc_name = 'curl' GROUP BY 1")
	var res []map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &res) != nil || len(res) != 1 || res[0]["n"] != float64(25) {
		t.Fatalf("-o json: %d %s", code, out)
	}
}

// TestTableBadInput: unknown columns and fields are usage errors; a
// target that cannot be written is a clear runtime error; nothing that
// looks complete is left.
func TestTableBadInput(t *testing.T) {
	capture := incident(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"sql", capture, "SELECT nosuch FROM events"}, exitUsage, "no such column: nosuch"},
		{[]string{"sql", capture, "SELECT * FROM nosuch"}, exitUsage, "no such table: nosuch"},
		{[]string{"sql", capture, "SELEC 1"}, exitUsage, "syntax error"},
		{[]string{"sql", "--columns", "proc.nme", capture, "SELECT 1"}, exitUsage, "proc.nme"},
		{[]string{"export", "--format", "csv", "--columns", "evt.num,,proc.name", capture, "x.csv"}, exitUsage, "empty column"},
		{[]string{"export", "--format", "xlsx", capture, "x.xlsx"}, exitUsage, "xlsx"},
		{[]string{"export", "--format", "csv", "--table", "files", capture, "x.csv"}, exitUsage, "files"},
		{[]string{"export", "--format", "scap", "--filter", "evt.type=open", capture, "x.scap"}, exitUsage, "not scap"},
		{[]string{"export", "--format", "sqlite", "--filter", "proc.name = ", capture, "x.db"}, exitUsage, "--filter"},
		{[]string{"export", "--format", "sqlite", capture, "-"}, exitUsage, "needs a file"},
	} {
		code, _, stderr := runCmd(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}

	// A directory that cannot be written (root ignores permissions, so a
	// path below a regular file stands for one).
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o600)
	for _, f := range table.Formats {
		out := filepath.Join(blocker, "out."+string(f))
		if f == table.Parquet {
			out = filepath.Join(blocker, "lake")
		}
		code, _, stderr := runCmd(t, "export", "--format", string(f), capture, out)
		if code != exitRuntime || !strings.Contains(stderr, blocker) {
			t.Errorf("%s into %s: exit %d, %q", f, out, code, stderr)
		}
	}
}

// TestExportFormats: each format reads back with the row count query
// gives; JSON lines carry query's values.
func TestExportFormats(t *testing.T) {
	capture := incident(t)
	want := queryJSON(t, capture)
	dir := t.TempDir()
	for _, f := range table.Formats {
		out := filepath.Join(dir, "out."+string(f))
		code, stdout, stderr := runCmd(t, "export", "--format", string(f), capture, out)
		if code != exitOK || !strings.Contains(stdout, fmt.Sprintf("%d events", len(want))) {
			t.Fatalf("%s: exit %d: %s %s", f, code, stdout, stderr)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	compareRows(t, "jsonl", want, decodeRows(t, string(data), false))
	// Columns of every kind: lists, buffers, durations, arguments.
	cols := "evt.num,proc.aname,proc.apid,proc.aname[1],evt.buffer,proc.env[HOME],evt.reltime,evt.arg.fd,fd.rip,fd.rport,thread.ismain"
	code, out, stderr := runCmd(t, "query", "-o", "json", "-p", "*%"+strings.ReplaceAll(cols, ",", " %"), capture)
	if code != exitOK {
		t.Fatalf("query: %s", stderr)
	}
	want = decodeRows(t, out, true)
	code, out, stderr = runCmd(t, "export", "--format", "jsonl", "--columns", cols, capture, "-")
	if code != exitOK {
		t.Fatalf("export --columns: %s", stderr)
	}
	compareRows(t, "jsonl --columns", want, decodeRows(t, out, false))

	code, out, _ = runCmd(t, "export", "-o", "json", "--format", "sqlite", capture, filepath.Join(dir, "j.db"))
	var rep struct {
		Events int   `json:"events"`
		Bytes  int64 `json:"bytes"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil || rep.Events != len(want) || rep.Bytes == 0 {
		t.Errorf("-o json: exit %d: %s", code, out)
	}

	csvData, _ := os.ReadFile(filepath.Join(dir, "out.csv"))
	if n := bytes.Count(csvData, []byte("\n")); n < len(want)+1 {
		t.Errorf("csv: %d lines for %d events", n, len(want))
	}
	code, out, _ = runCmd(t, "export", "--format", "jsonl", "--columns", "evt.num,proc.name", "--filter", "evt.type=connect", capture, "-")
	if code != exitOK || out != `{"evt_num":1596,"proc_name":"curl","proc_key":21}`+"\n"+`{"evt_num":2611,"proc_name":"payload","proc_key":27}`+"\n" {
		t.Errorf("jsonl to stdout: exit %d\n%s", code, out)
	}
	code, _, stderr = runCmd(t, "export", "--format", "csv", "--table", "processes", capture, filepath.Join(dir, "p.csv"))
	p, _ := os.ReadFile(filepath.Join(dir, "p.csv"))
	if code != exitOK || !bytes.HasPrefix(p, []byte("proc_key,proc_parent_key,")) || bytes.Count(p, []byte("\n")) != 28 {
		t.Errorf("processes csv: exit %d %s\n%s", code, stderr, p)
	}
}

// TestExportFullDisk: on a nearly full file system (a small tmpfs) every
// table format fails with the system's error, exit 3, and leaves the
// directory as it was.
func TestExportFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Missing(t, "mounting a tmpfs needs root")
	}
	capture := incident(t)
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=48k"); err != nil {
		testenv.Missing(t, "mount tmpfs: %v", err)
	}
	defer syscall.Unmount(dir, 0)
	for _, f := range table.Formats {
		out := filepath.Join(dir, "out."+string(f))
		if f == table.Parquet {
			out = filepath.Join(dir, "lake")
		}
		code, _, stderr := runCmd(t, "export", "--format", string(f), capture, out)
		if code != exitRuntime || !(strings.Contains(stderr, "no space left on device") || strings.Contains(stderr, "disk is full")) ||
			!strings.Contains(stderr, out) {
			t.Errorf("%s on a full disk: exit %d, %q", f, code, stderr)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("%s left %v behind", f, left)
		}
	}
}

// makeHourSet writes a rotation set of n events of host spread over more
// than an hour (files cut every 30 minutes), each file with the process
// table.
func makeHourSet(t *testing.T, dir, host string, n int) {
	t.Helper()
	g := eventgen.New(7, t0)
	g.Step = 2_000_000_000 // 2 s between events on average
	s, err := capture.NewSetWriter(capture.RotateOptions{Dir: dir, Age: 30 * time.Minute,
		Header: format.Header{Source: "test", Host: event.Host{Hostname: host, CPUs: 2}},
		Writer: &format.WriterOptions{BlockEvents: 500}})
	if err != nil {
		t.Fatal(err)
	}
	path := ""
	for range n {
		if err := s.Write(g.Realistic()); err != nil {
			t.Fatal(err)
		}
		if s.Path() != path {
			path = s.Path()
			for _, p := range g.Processes() {
				if err := s.PutProcess(&p); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if len(s.Files()) < 3 {
		t.Fatalf("%d files", len(s.Files()))
	}
}

// TestExportRotationSetAndFleet: a rotation set over several hours lands
// in one partition per hour, each holding only that hour's events, with
// each process once; a second host's capture joins the same directory
// beside it, and exporting a capture again replaces its files.
func TestExportRotationSetAndFleet(t *testing.T) {
	set := filepath.Join(t.TempDir(), "set")
	makeHourSet(t, set, "db-02", 3000)
	want := queryJSON(t, set)
	lake := filepath.Join(t.TempDir(), "lake")
	for range 2 {
		for _, c := range []string{set, incident(t)} {
			if code, _, stderr := runCmd(t, "export", "--format", "parquet", c, lake); code != exitOK {
				t.Fatalf("export %s: exit %d: %s", c, code, stderr)
			}
		}
	}
	hours := globParquet(t, filepath.Join(lake, "events", "host=db-02", "hour=*", "*.parquet"))
	t.Logf("%d hour partitions", len(hours))
	if len(hours) < 2 {
		t.Fatalf("%d hour partitions: %v", len(hours), hours)
	}
	var got []map[string]string
	for _, p := range hours {
		hour := strings.TrimPrefix(filepath.Base(filepath.Dir(p)), "hour=")
		rows := readParquet(t, p)
		for _, r := range rows {
			ns, _ := strconv.ParseInt(r["evt_rawtime"], 10, 64)
			if h := time.Unix(0, ns).UTC().Format("2006-01-02T15"); h != hour {
				t.Fatalf("%s holds event %s of hour %s", p, r["evt_num"], h)
			}
		}
		got = append(got, rows...)
	}
	sort.SliceStable(got, func(i, j int) bool {
		a, _ := strconv.Atoi(got[i]["evt_num"])
		b, _ := strconv.Atoi(got[j]["evt_num"])
		return a < b
	})
	compareRows(t, "rotation set", want, got)
	procs := readParquet(t, globParquet(t, filepath.Join(lake, "processes", "host=db-02", "*.parquet"))...)
	if len(procs) != 8 {
		t.Errorf("%d processes, want the generator's 8 once each", len(procs))
	}
	web := readParquet(t, globParquet(t, filepath.Join(lake, "events", "host=web-01", "hour=*", "*.parquet"))...)
	if len(web) != 3385 {
		t.Errorf("web-01: %d events after exporting it twice, want 3385", len(web))
	}
}

// decodeRows reads JSON lines into rows of cell texts; keys are field
// tokens turned to column names when tokens is set.
func decodeRows(t *testing.T, out string, tokens bool) []map[string]string {
	t.Helper()
	var rows []map[string]string
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for k, v := range m {
			if tokens {
				k = table.ColumnName(k)
			}
			row[k] = cell(v)
		}
		rows = append(rows, row)
	}
	return rows
}

// TestExportDamagedCapture: a capture with a corrupt block fails the
// export with the block's error, and leaves no output.
func TestExportDamagedCapture(t *testing.T) {
	capture := incident(t)
	data, _ := os.ReadFile(capture)
	// Flip bytes in the middle of the file: inside an event block.
	for i := len(data) / 2; i < len(data)/2+64; i++ {
		data[i] ^= 0x5a
	}
	if err := os.WriteFile(capture, data, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range table.Formats {
		out := filepath.Join(dir, "out."+string(f))
		code, _, stderr := runCmd(t, "export", "--format", string(f), capture, out)
		if code != exitRuntime || !strings.Contains(stderr, "block") {
			t.Errorf("%s: exit %d, %q", f, code, stderr)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left %v", left)
	}
}
