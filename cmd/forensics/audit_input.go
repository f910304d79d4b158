package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"forensics/capture"
	"forensics/query"
	"forensics/query/fields"
)

// Audit inputs: query and replay accept Kubernetes audit logs (JSON lines
// of Events or EventLists, plain or gzipped, recognised by content) and
// captures holding only audit events (what `audit serve` writes)
// wherever they accept a capture, and run them on the k8s_audit source.

// Event sources.
const (
	sourceSyscall  = "syscall"
	sourceK8sAudit = "k8s_audit"
)

// inputSource tells which event source an input holds.
func inputSource(input string) string {
	if query.IsAuditLog(input) {
		return sourceK8sAudit
	}
	if capture.IsScap(input) {
		return sourceSyscall // opening would import it
	}
	c, err := capture.Open(input)
	if err != nil {
		return sourceSyscall // the capture path reports the error
	}
	defer c.Close()
	if query.IsAuditCapture(c) {
		return sourceK8sAudit
	}
	return sourceSyscall
}

// badLines reports skipped audit lines on stderr, at most max of them.
func badLines(stderr io.Writer, max int) func(error) {
	n := 0
	return func(err error) {
		if n++; n <= max {
			fmt.Fprintf(stderr, "forensics: skipped: %v\n", err)
		} else if n == max+1 {
			fmt.Fprintf(stderr, "forensics: more bad lines skipped\n")
		}
	}
}

// noAuditEvents is the error of an input whose every line was bad.
func noAuditEvents(st query.AuditStats) error {
	if st.Events == 0 && st.Bad > 0 {
		return fmt.Errorf("no audit event read (%d bad lines or events, reported above): not a Kubernetes audit log of audit.k8s.io Event or EventList JSON", st.Bad)
	}
	return nil
}

// queryAudit is `forensics query` on an audit input.
func queryAudit(cmd *cobra.Command, stdout, stderr io.Writer, input, filter, format, output, since, until string, limit int) error {
	reg := fields.K8sAudit()
	opts := query.AuditOptions{Limit: limit, Bad: badLines(stderr, 20)}
	var err error
	if filter != "" {
		if opts.Filter, err = query.Compile(filter, reg, nil); err != nil {
			return usageErrorf("filter (k8s_audit fields; forensics fields --source k8s_audit lists them): %v", err)
		}
	}
	first := func() uint64 { return query.FirstAuditTime(cmd.Context(), input) }
	if opts.Since, opts.Until, err = timeRange(since, until, first); err != nil {
		return err
	}
	switch format {
	case "", "c", "container":
		format = query.AuditFormat
	}
	pr, err := query.NewPrinter(format, reg)
	if err != nil {
		return usageErrorf("-p: %v", err)
	}
	w := bufio.NewWriterSize(stdout, 1<<16)
	var line []byte
	st, err := query.RunAudit(cmd.Context(), input, opts, func(fc *fields.Ctx) error {
		var ok bool
		if output == outputJSON {
			line, ok = pr.AppendJSON(line[:0], fc), true
		} else {
			line, ok = pr.Append(line[:0], fc)
		}
		if !ok {
			return nil
		}
		line = append(line, '\n')
		_, err := w.Write(line)
		return err
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if errors.Is(err, io.ErrClosedPipe) {
		return nil
	}
	if err == nil {
		if err = noAuditEvents(st); err != nil {
			err = fmt.Errorf("%s: %w", input, err)
		}
	}
	return err
}
