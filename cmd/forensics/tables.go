package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"forensics/capture"
	"forensics/query"
	"forensics/query/fields"
	"forensics/table"
)

// tableFlags are the flags of the commands that turn a capture into
// tables (export to a table format, sql): which events, which columns.
type tableFlags struct {
	filter, since, until, columns string
	internal                      bool
}

func (f *tableFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.filter, "filter", "", "only the events that match this sysdig/Falco filter (as forensics query)")
	fl.StringVar(&f.since, "since", "", "start time: RFC 3339, HH:MM:SS, or +DURATION from the capture's start")
	fl.StringVar(&f.until, "until", "", "end time, as --since")
	fl.StringVar(&f.columns, "columns", "", `the events table's columns: field names separated by commas, "default" for the default set (e.g. "default,proc.aname[2],fd.rip")`)
	fl.BoolVar(&f.internal, "internal", false, "also include the internal meta events sysdig hides (procinfo, drop, ...)")
}

// options compiles the flags for capture c: usage errors for a bad
// filter, time or column list.
func (f *tableFlags) options(c *capture.Capture) (table.Options, *table.Tables, error) {
	reg := fields.Syscall()
	opts := table.Options{Query: query.Options{HideInternal: !f.internal}}
	var err error
	if f.filter != "" {
		if opts.Query.Filter, err = query.Compile(f.filter, reg, nil); err != nil {
			return opts, nil, usageErrorf("--filter: %v", err)
		}
	}
	first := uint64(0)
	if len(c.Files) > 0 {
		first, _ = c.Files[0].Index.Span()
	}
	if f.since != "" {
		if opts.Query.Since, err = query.ParseTime(f.since, first); err != nil {
			return opts, nil, usageErrorf("--since: %v", err)
		}
	}
	if f.until != "" {
		if opts.Query.Until, err = query.ParseTime(f.until, first); err != nil {
			return opts, nil, usageErrorf("--until: %v", err)
		}
	}
	var cols []table.Column
	if f.columns != "" {
		if cols, err = table.ParseColumns(f.columns, reg); err != nil {
			return opts, nil, usageErrorf("--columns: %v", err)
		}
	}
	t, err := table.NewTables(cols)
	if err != nil {
		return opts, nil, err
	}
	return opts, t, nil
}

// key identifies the flags' choice of events and columns (for a cache).
func (f *tableFlags) key() string {
	return "filter=" + f.filter + "\x00since=" + f.since + "\x00until=" + f.until + "\x00columns=" + f.columns +
		map[bool]string{true: "\x00internal", false: ""}[f.internal]
}

// auditOptions compiles the flags for an audit input (see audit_input.go):
// the filter and columns are k8s_audit fields, --since +DURATION counts
// from the first audit event. Skipped lines go to bad.
func (f *tableFlags) auditOptions(ctx context.Context, input string, bad func(error)) (table.Options, *table.Tables, error) {
	reg := fields.K8sAudit()
	opts := table.Options{Audit: query.AuditOptions{Bad: bad}}
	if f.internal {
		return opts, nil, usageErrorf("--internal applies to captures of syscalls, not to audit inputs")
	}
	var err error
	if f.filter != "" {
		if opts.Audit.Filter, err = query.Compile(f.filter, reg, nil); err != nil {
			return opts, nil, usageErrorf("--filter (k8s_audit fields; forensics fields --source k8s_audit lists them): %v", err)
		}
	}
	var first uint64
	if strings.HasPrefix(f.since, "+") || strings.HasPrefix(f.until, "+") {
		first = query.FirstAuditTime(ctx, input)
	}
	if f.since != "" {
		if opts.Audit.Since, err = query.ParseTime(f.since, first); err != nil {
			return opts, nil, usageErrorf("--since: %v", err)
		}
	}
	if f.until != "" {
		if opts.Audit.Until, err = query.ParseTime(f.until, first); err != nil {
			return opts, nil, usageErrorf("--until: %v", err)
		}
	}
	var cols []table.Column
	if f.columns != "" {
		if cols, err = table.ParseColumns(f.columns, reg); err != nil {
			return opts, nil, usageErrorf("--columns (k8s_audit fields): %v", err)
		}
	}
	t, err := table.NewAuditTables(cols)
	if err != nil {
		return opts, nil, err
	}
	return opts, t, nil
}

// countingBad passes skipped audit lines on to report and counts them.
func countingBad(report func(error), n *int) func(error) {
	return func(err error) {
		*n++
		report(err)
	}
}
