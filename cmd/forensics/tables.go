package main

import (
	"context"

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
	opts := table.Options{Query: query.Options{HideInternal: !f.internal}}
	flt, cols, err := f.compile(fields.Syscall(), "")
	if err != nil {
		return opts, nil, err
	}
	opts.Query.Filter = flt
	if opts.Query.Since, opts.Query.Until, err = timeRange(f.since, f.until, captureStart(c)); err != nil {
		return opts, nil, err
	}
	t, err := table.NewTables(cols)
	return opts, t, err
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
	opts := table.Options{Audit: query.AuditOptions{Bad: bad}}
	if f.internal {
		return opts, nil, usageErrorf("--internal applies to captures of syscalls, not to audit inputs")
	}
	flt, cols, err := f.compile(fields.K8sAudit(), " (k8s_audit fields; forensics fields --source k8s_audit lists them)")
	if err != nil {
		return opts, nil, err
	}
	opts.Audit.Filter = flt
	first := func() uint64 { return query.FirstAuditTime(ctx, input) }
	if opts.Audit.Since, opts.Audit.Until, err = timeRange(f.since, f.until, first); err != nil {
		return opts, nil, err
	}
	t, err := table.NewAuditTables(cols)
	return opts, t, err
}

// compile compiles --filter and --columns against the fields of reg;
// note follows the flag's name in their usage errors.
func (f *tableFlags) compile(reg *fields.Source, note string) (flt *query.Filter, cols []table.Column, err error) {
	if f.filter != "" {
		if flt, err = query.Compile(f.filter, reg, nil); err != nil {
			return nil, nil, usageErrorf("--filter%s: %v", note, err)
		}
	}
	if f.columns != "" {
		if cols, err = table.ParseColumns(f.columns, reg); err != nil {
			return nil, nil, usageErrorf("--columns%s: %v", note, err)
		}
	}
	return flt, cols, nil
}

// countingBad passes skipped audit lines on to report and counts them.
func countingBad(report func(error), n *int) func(error) {
	return func(err error) {
		*n++
		report(err)
	}
}

// timeRange parses --since and --until ("" is no bound), with usage
// errors that name the flag. A +DURATION counts from first() and a clock
// time is on first()'s day; first is asked only when a bound is given.
func timeRange(since, until string, first func() uint64) (s, u uint64, err error) {
	var base uint64
	if since != "" || until != "" {
		base = first()
	}
	if since != "" {
		if s, err = query.ParseTime(since, base); err != nil {
			return 0, 0, usageErrorf("--since: %v", err)
		}
	}
	if until != "" {
		if u, err = query.ParseTime(until, base); err != nil {
			return 0, 0, usageErrorf("--until: %v", err)
		}
	}
	return s, u, nil
}

// captureStart returns the start of capture c, for timeRange.
func captureStart(c *capture.Capture) func() uint64 {
	return func() uint64 {
		if len(c.Files) == 0 {
			return 0
		}
		first, _ := c.Files[0].Index.Span()
		return first
	}
}
