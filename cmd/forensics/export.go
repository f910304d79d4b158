package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"forensics/capture"
	"forensics/index"
	"forensics/progress"
	"forensics/query"
	"forensics/scap"
	"forensics/scapconv"
	"forensics/table"
)

// exportFormats lists the formats export writes: scap, then the table
// formats.
func exportFormats() []string {
	out := []string{"scap"}
	for _, f := range table.Formats {
		out = append(out, string(f))
	}
	return out
}

func newExportCmd(stdout, stderr io.Writer) *cobra.Command {
	var formatName, tableName, output string
	var gzip bool
	var tf tableFlags
	cmd := &cobra.Command{
		Use:   "export --format FORMAT CAPTURE OUT",
		Short: "Write a capture in another format (scap for sysdig and Falco; Parquet, SQLite, Arrow, JSON lines, CSV tables)",
		Long: `export writes a capture in another format.

--format scap writes a scap 1.2 file that sysdig and Falco read with their
full state: the machine and interface info, the user, process and fd lists
of the capture's start, then every event with the parameters it was
recorded with (so a capture imported from .scap exports back to what sysdig
printed before).

The table formats write two tables: events, one row per event (the events
forensics query prints, selected by --filter, --since and --until), and
processes, one row per process incarnation of the capture, joined by
proc_key. Column names are field names with '.' turned to '_' (evt.type ->
evt_type) and values are what forensics query -o json prints for the field
(null when missing); ` + "`forensics fields`" + ` describes each, and --columns chooses
the events columns. Times (evt_rawtime, proc_start_ts, proc_exit_ts) are UTC
nanoseconds: Parquet and Arrow timestamps, integers elsewhere.

  parquet  OUT ending in .parquet: one file of --table (zstd, dictionary
           encoded). Any other OUT is a directory partitioned in hive style,
           for DuckDB, Spark or Trino across captures and hosts:
             OUT/events/host=H/hour=YYYY-MM-DDTHH/SET-SEQ.parquet
             OUT/processes/host=H/SET-SEQ.parquet
  sqlite   an SQLite file with both tables, indexes on time, process and
           event type, and the view events_full joining them
  arrow    an Arrow IPC file (Feather v2) of --table
  jsonl    JSON lines of --table, values as forensics query -o json prints
  csv      CSV of --table with a header line

OUT "-" writes arrow, jsonl and csv to the standard output.

A Kubernetes audit input (an audit log, plain or gzipped, a directory of
them, or a capture written by forensics audit serve) has one table,
audit_events: one row per audit event, columns of the k8s_audit fields
(forensics fields --source k8s_audit), the whole event in jevt_obj as JSON.
--filter and --columns take k8s_audit fields; Parquet directories hold it
as OUT/audit_events/hour=YYYY-MM-DDTHH/NAME.parquet.

The output is written under a temporary name and renamed when complete: a
failed or interrupted export leaves nothing that looks finished.`,
		Example: `  forensics export --format scap capture.zst capture.scap
  forensics export --format scap --gzip /var/lib/forensics/ day.scap.gz
  forensics export --format parquet capture.zst lake/
  duckdb -c "SELECT host, evt_type, count(*) FROM 'lake/events/**/*.parquet' GROUP BY ALL"
  forensics export --format sqlite --filter "evt.type in (open, openat)" capture.zst files.db
  forensics export --format csv --table processes capture.zst procs.csv
  forensics export --format jsonl --since +10s --until +20s --columns evt.num,proc.name,fd.name capture.zst -
  forensics export --format sqlite --filter "ka.verb in (create, delete)" audit.log.gz audit.db`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(exportFormats(), formatName) {
				return usageErrorf("--format %q is not supported (supported: %v)", formatName, exportFormats())
			}
			audit := inputSource(args[0]) == sourceK8sAudit
			if formatName == "scap" {
				if audit {
					return usageErrorf("%s holds Kubernetes audit events: --format scap holds syscalls; use a table format", args[0])
				}
				if tf != (tableFlags{}) || tableName != "" {
					return usageErrorf("--filter, --since, --until, --columns, --internal and --table apply to the table formats, not scap")
				}
				return exportScap(cmd, stdout, args, gzip, output)
			}
			if gzip {
				return usageErrorf("--gzip applies to --format scap")
			}
			if audit {
				return exportAudit(cmd, stdout, stderr, args, table.Format(formatName), tableName, output, &tf)
			}
			if tableName != "" && tableName != table.Events && tableName != table.Processes {
				return usageErrorf("--table %q: want %s or %s", tableName, table.Events, table.Processes)
			}
			c, err := capture.Open(args[0])
			if err != nil {
				return err
			}
			defer c.Close()
			opts, t, err := tf.options(c)
			if err != nil {
				return err
			}
			f, out := table.Format(formatName), args[1]
			bar := newProgress(cmd, int64(c.Events()), "exporting", progress.Events)
			opts.Progress = func(n int) { bar.Add(int64(n)) }
			n, err := table.Export(cmd.Context(), c, f, out, t, opts, table.WriteOptions{Table: tableName, Stdout: stdout})
			bar.Finish()
			return reportExport(stdout, stderr, output, args, f, n, err, "events")
		},
	}
	cmd.Flags().StringVar(&formatName, "format", "", fmt.Sprintf("output format: %v", exportFormats()))
	cmd.Flags().BoolVar(&gzip, "gzip", false, "gzip the .scap (sysdig -z)")
	cmd.Flags().StringVar(&tableName, "table", "", "the table of a one-table output (arrow, jsonl, csv, a .parquet file): events (default) or processes")
	tf.add(cmd)
	addOutputFlag(cmd, &output)
	_ = cmd.MarkFlagRequired("format")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return exportFormats(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// exportAudit writes the audit_events table of an audit input.
func exportAudit(cmd *cobra.Command, stdout, stderr io.Writer, args []string, f table.Format, tableName, output string, tf *tableFlags) error {
	if tableName != "" && tableName != table.AuditEvents {
		return usageErrorf("--table %q: an audit input has one table, %s", tableName, table.AuditEvents)
	}
	bad := 0
	opts, t, err := tf.auditOptions(cmd.Context(), args[0], countingBad(badLines(stderr, 20), &bad))
	if err != nil {
		return err
	}
	bar := newProgress(cmd, 0, "exporting", progress.Events)
	opts.Progress = func(n int) { bar.Add(int64(n)) }
	out := args[1]
	n, err := table.ExportAudit(cmd.Context(), args[0], f, out, t, opts, table.WriteOptions{Stdout: stdout})
	bar.Finish()
	if err == nil && n == 0 && bad > 0 {
		err = fmt.Errorf("%s: %w", args[0], noAuditEvents(query.AuditStats{Bad: bad}))
	}
	return reportExport(stdout, stderr, output, args, f, n, err, "audit events")
}

// reportExport ends a table export of args[0] to args[1] that wrote n rows
// of what: a usage error for a bad format or table, else err, else a line
// (on stderr when the rows went to the standard output).
func reportExport(stdout, stderr io.Writer, output string, args []string, f table.Format, n int, err error, what string) error {
	if errors.Is(err, table.ErrFormat) {
		return usageErrorf("%v", err)
	}
	if err != nil {
		return err
	}
	if args[1] == "-" {
		fmt.Fprintf(stderr, "%s: %d %s -> standard output\n", args[0], n, what)
		return nil
	}
	return printExported(stdout, output, args[0], f, n, args[1])
}

// exportScap writes the capture as a .scap file.
func exportScap(cmd *cobra.Command, stdout io.Writer, args []string, gzip bool, output string) error {
	c, err := capture.Open(args[0])
	if err != nil {
		return err
	}
	defer c.Close()
	out := args[1]
	tmp, err := os.CreateTemp(filepath.Dir(out), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bar := newProgress(cmd, int64(c.Events()), "exporting", progress.Events)
	it := c.Iter(index.Selection{})
	n, err := scapconv.Export(cmd.Context(), c.Files[0], it, tmp, scap.Options{Gzip: gzip})
	it.Close()
	bar.Add(int64(n))
	bar.Finish()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	return printExported(stdout, output, args[0], "scap", int(n), out)
}

// printExported reports an export: a line, or with -o json an object.
func printExported[F ~string](w io.Writer, output, capture string, format F, events int, out string) error {
	size := treeSize(out)
	if output == outputJSON {
		return printJSON(w, struct {
			Capture string `json:"capture"`
			Format  string `json:"format"`
			Events  int    `json:"events"`
			Out     string `json:"out"`
			Bytes   int64  `json:"bytes"`
		}{capture, string(format), events, out, size})
	}
	_, err := fmt.Fprintf(w, "%s: %d events -> %s (%s)\n", capture, events, out, fmtBytes(size))
	return err
}

// treeSize is the size of a file, or of the files below a directory.
func treeSize(path string) int64 {
	var n int64
	_ = filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
