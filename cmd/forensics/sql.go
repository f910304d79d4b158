package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"forensics/capture"
	"forensics/progress"
	"forensics/query"
	"forensics/table"
)

func newSQLCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		tf     tableFlags
		output = sqlTable
		cache  bool
	)
	cmd := &cobra.Command{
		Use:   "sql [flags] CAPTURE STATEMENT",
		Short: "Answer an SQL query over a capture's events and processes, or an audit log's events",
		Long: `sql loads a capture into SQLite and runs one SQL statement on it.

The tables are those of export --format sqlite: events (one row per event
forensics query prints; --filter, --since and --until narrow them) and
processes (one row per process incarnation), joined by proc_key, and the
view events_full of every event with its process's columns. Columns are
field names with '.' turned to '_' (proc.name -> proc_name);
` + "`forensics export --help`" + ` and ` + "`forensics fields`" + ` describe them. Times
(evt_rawtime, proc_start_ts) are ns since the epoch:
datetime(evt_rawtime / 1e9, 'unixepoch') shows one.

Only what the statement names is loaded, into memory. --cache keeps the
whole tables in an SQLite file next to the capture (CAPTURE.sqlite, or
forensics.sqlite inside a capture directory) for the next queries; it is
rebuilt when the capture or the flags change. The statement is checked
before anything is read: an unknown table or column is a usage error.

On a Kubernetes audit input (an audit log, a directory of them, or a
capture written by forensics audit serve) the table is audit_events, with
the k8s_audit fields as columns (ka.user.name -> ka_user_name) and the
whole event as JSON in jevt_obj: json_extract(jevt_obj, '$.requestObject...')
reaches any part of it.`,
		Example: `  forensics sql capture.zst "SELECT proc_name, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
  forensics sql capture.zst "SELECT fd_name, sum(evt_buflen) AS bytes FROM events WHERE evt_type = 'write' AND fd_type = 'file' GROUP BY 1 ORDER BY 2 DESC"
  forensics sql -o csv capture.zst "SELECT proc_cmdline, proc_pname FROM processes WHERE proc_pname LIKE '%sh'"
  forensics sql --cache -o json /var/lib/forensics/ "SELECT * FROM events_full WHERE user_name = 'root' LIMIT 5"
  forensics sql audit.log "SELECT ka_user_name, ka_verb, ka_target_resource, count(*) FROM audit_events GROUP BY 1, 2, 3 ORDER BY 4 DESC"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var res *table.Result
			var err error
			if inputSource(args[0]) == sourceK8sAudit {
				res, err = sqlAudit(cmd, stderr, args, &tf, cache)
			} else {
				res, err = sqlCapture(cmd, args, &tf, cache)
			}
			if errors.Is(err, table.ErrSQL) {
				return usageErrorf("%v", err)
			}
			if err != nil {
				return err
			}
			w := bufio.NewWriter(stdout)
			switch output {
			case sqlCSV:
				err = writeResultCSV(w, res)
			case sqlJSON:
				err = writeResultJSON(w, res)
			default:
				err = writeResultTable(w, res)
			}
			if ferr := w.Flush(); err == nil {
				err = ferr
			}
			return err
		},
	}
	tf.add(cmd)
	cmd.Flags().VarP(&output, "output", "o", `output format: "table", "csv" or "json"`)
	cmd.Flags().BoolVar(&cache, "cache", false, "keep the loaded tables in an SQLite file next to the capture and reuse it")
	_ = cmd.RegisterFlagCompletionFunc("output",
		cobra.FixedCompletions([]string{string(sqlTable), string(sqlCSV), string(sqlJSON)}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// sqlCapture answers args[1] over the capture args[0].
func sqlCapture(cmd *cobra.Command, args []string, tf *tableFlags, cache bool) (*table.Result, error) {
	c, err := capture.Open(args[0])
	if err != nil {
		return nil, err
	}
	defer c.Close()
	opts, t, err := tf.options(c)
	if err != nil {
		return nil, err
	}
	bar := newProgress(cmd, int64(c.Events()), "loading", progress.Events)
	defer bar.Finish()
	opts.Progress = func(n int) { bar.Add(int64(n)) }
	sopts := table.SQLOptions{Scan: opts, Key: tf.key()}
	if cache {
		if sopts.Cache, err = cachePath(args[0]); err != nil {
			return nil, usageErrorf("--cache: %v", err)
		}
	}
	return table.Query(cmd.Context(), c, t, args[1], sopts)
}

// sqlAudit answers args[1] over the audit_events table of the audit input
// args[0].
func sqlAudit(cmd *cobra.Command, stderr io.Writer, args []string, tf *tableFlags, cache bool) (*table.Result, error) {
	bad := 0
	opts, t, err := tf.auditOptions(cmd.Context(), args[0], countingBad(badLines(stderr, 20), &bad))
	if err != nil {
		return nil, err
	}
	bar := newProgress(cmd, 0, "loading", progress.Events)
	defer bar.Finish()
	loaded := 0
	opts.Progress = func(n int) { loaded += n; bar.Add(int64(n)) }
	sopts := table.SQLOptions{Scan: opts, Key: "k8s_audit\x00" + tf.key()}
	if cache {
		if sopts.Cache, err = cachePath(args[0]); err != nil {
			return nil, usageErrorf("--cache: %v", err)
		}
	}
	res, err := table.QueryAudit(cmd.Context(), args[0], t, args[1], sopts)
	if err == nil && loaded == 0 && bad > 0 {
		err = fmt.Errorf("%s: %w", args[0], noAuditEvents(query.AuditStats{Bad: bad}))
	}
	return res, err
}

// sqlOutput is the value of sql's -o flag.
type sqlOutput string

const (
	sqlTable sqlOutput = "table"
	sqlCSV   sqlOutput = "csv"
	sqlJSON  sqlOutput = "json"
)

func (o *sqlOutput) String() string { return string(*o) }
func (o *sqlOutput) Type() string   { return "format" }
func (o *sqlOutput) Set(s string) error {
	switch v := sqlOutput(strings.ToLower(s)); v {
	case sqlTable, sqlCSV, sqlJSON:
		*o = v
		return nil
	case "text":
		*o = sqlTable
		return nil
	}
	return fmt.Errorf("must be %q, %q or %q", sqlTable, sqlCSV, sqlJSON)
}

// cachePath is where --cache keeps the tables of CAPTURE arg.
func cachePath(arg string) (string, error) {
	st, err := os.Stat(arg)
	if err != nil {
		return "", fmt.Errorf("needs a capture file or directory: %w", err)
	}
	if st.IsDir() {
		return strings.TrimSuffix(arg, "/") + "/forensics.sqlite", nil
	}
	return arg + ".sqlite", nil
}

// cellText is a result value as text; NULL for a missing one.
func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(v)
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func writeResultTable(w io.Writer, res *table.Result) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(res.Columns, "\t"))
	cells := make([]string, len(res.Columns))
	for _, row := range res.Rows {
		for i, v := range row {
			cells[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(cellText(v))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

func writeResultCSV(w io.Writer, res *table.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(res.Columns); err != nil {
		return err
	}
	cells := make([]string, len(res.Columns))
	for _, row := range res.Rows {
		for i, v := range row {
			if v == nil {
				cells[i] = ""
			} else {
				cells[i] = cellText(v)
			}
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeResultJSON writes an array of objects, one per row, keys in the
// order of the columns.
func writeResultJSON(w io.Writer, res *table.Result) error {
	var b strings.Builder
	b.WriteString("[")
	for r, row := range res.Rows {
		if r > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for i, v := range row {
			if i > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(res.Columns[i])
			b.Write(k)
			b.WriteString(": ")
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			val, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("row %d, column %s: %w", r+1, res.Columns[i], err)
			}
			b.Write(val)
		}
		b.WriteString("}")
	}
	if len(res.Rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := io.WriteString(w, b.String())
	return err
}
