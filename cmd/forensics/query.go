package main

import (
	"bufio"
	"errors"
	"forensics/event"
	"io"

	"github.com/spf13/cobra"

	"forensics/capture"
	"forensics/query"
	"forensics/query/fields"
)

// errLimit stops a query run at -n printed lines.
var errLimit = errors.New("limit reached")

func newQueryCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		output, format, since, until string
		limit                        int
		internal                     bool
	)
	cmd := &cobra.Command{
		Use:   "query [flags] CAPTURE [FILTER]",
		Short: "Print the events that match a sysdig/Falco filter",
		Long: `query prints the events of a capture that match a filter, in sysdig's
filter language (the one Falco's conditions use): fields such as evt.type,
proc.name, fd.name, user.name compared with = != < <= > >= contains
icontains startswith endswith glob iglob regex in intersects pmatch exists,
combined with and, or, not and parentheses. ` + "`forensics fields`" + ` lists the fields.

The default line is sysdig's:
  evt.num evt.outputtime evt.cpu proc.name (thread.tid) evt.dir evt.type evt.info
-p takes sysdig's format strings (%field tokens; a leading * prints <NA> for
missing values instead of dropping the line); -pc adds the container.

CAPTURE is a capture file, a directory of rotated files, a glob or a .scap.
Only the blocks that can hold matching events are read: the time range and
the event types named by the filter pick them from the index.

CAPTURE may also be a Kubernetes audit log (JSON lines of audit.k8s.io
Events or EventLists, plain or gzipped, or a directory of them; recognised
by content) or a capture written by ` + "`forensics audit serve`" + `. The filter then
uses the k8s_audit fields (ka.*, jevt.*: ` + "`forensics fields --source k8s_audit`" + `),
the default line is
  ` + "evt.num evt.outputtime ka.stage ka.user.name ka.verb ka.target.resource ns/name ka.response.code ka.uri" + `
and bad lines are reported on stderr and skipped.`,
		Example: `  forensics query cap.zst "fd.name contains /etc"
  forensics query cap.zst "evt.type=execve and proc.pname=bash" -p "%evt.time %proc.cmdline"
  forensics query --since +10s --until +20s -n 50 /var/lib/forensics/
  forensics query -o json incident.scap "fd.sip=198.51.100.7"
  forensics query audit.log.gz "ka.verb=create and ka.target.resource=pods"
  forensics query audit.log "ka.user.name=system:anonymous" -p "%evt.time %ka.uri %ka.sourceips"`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if inputSource(args[0]) == sourceK8sAudit {
				filter := ""
				if len(args) == 2 {
					filter = args[1]
				}
				return queryAudit(cmd, stdout, stderr, args[0], filter, format, output, since, until, limit)
			}
			reg := fields.Syscall()
			c, err := capture.Open(args[0])
			if err != nil {
				return err
			}
			defer c.Close()
			opts := query.Options{HideInternal: !internal}
			if len(args) == 2 && args[1] != "" {
				if opts.Filter, err = query.Compile(args[1], reg, nil); err != nil {
					return usageErrorf("filter: %v", err)
				}
			}
			if opts.Since, opts.Until, err = timeRange(since, until, captureStart(c)); err != nil {
				return err
			}
			switch format {
			case "":
				format = query.DefaultFormat
			case "c", "container": // -pc, as sysdig
				format = query.ContainerFormat
			}
			pr, err := query.NewPrinter(format, reg)
			if err != nil {
				return usageErrorf("-p: %v", err)
			}
			w := bufio.NewWriterSize(stdout, 1<<16)
			line := pr.Append
			if output == outputJSON {
				line = func(dst []byte, fc *fields.Ctx) ([]byte, bool) { return pr.AppendJSON(dst, fc), true }
			}
			// -n counts the lines printed (a format without * drops
			// events with missing fields).
			opts.Limit = limit
			// The events need only what the format's fields read.
			opts.Skip = event.AllParts &^ pr.Reads()
			_, err = query.WriteLines(cmd.Context(), c, opts, line, w)
			if errors.Is(err, errLimit) {
				err = nil
			}
			if ferr := w.Flush(); err == nil {
				err = ferr
			}
			if errors.Is(err, io.ErrClosedPipe) {
				return nil
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&format, "print", "p", "", "output format: sysdig's %field format string; \"c\" for the container line")
	cmd.Flags().StringVar(&since, "since", "", "start time: RFC 3339, HH:MM:SS, or +DURATION from the capture's start")
	cmd.Flags().StringVar(&until, "until", "", "end time, as --since")
	cmd.Flags().IntVarP(&limit, "limit", "n", 0, "stop after printing N events")
	cmd.Flags().BoolVar(&internal, "internal", false, "also print the internal meta events sysdig hides (procinfo, drop, ...)")
	addOutputFlag(cmd, &output)
	return cmd
}
