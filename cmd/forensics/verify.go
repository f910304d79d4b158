package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"forensics/capture"
	"forensics/format"
	"forensics/progress"
)

func newVerifyCmd(stdout, _ io.Writer) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "verify CAPTURE...",
		Short: "Check capture files for damage and tampering",
		Long: `verify reads every block of every file: it checks each block's checksum,
the digest chain that links the blocks (so a removed, reordered or altered
block shows), the event numbering, and the index in the footer.

It exits 0 when every file is intact and 1 when any is damaged, naming for
each problem the file, the block and the byte offset, and how many events
are lost. A file whose writer died (no footer) is reported as damaged:
` + "`forensics repair`" + ` rebuilds its footer.`,
		Example: `  forensics verify capture.zst
  forensics verify /var/lib/forensics/ && echo intact
  forensics verify -o json capture.zst`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			paths, err := capture.Resolve(args)
			if err != nil {
				return err
			}
			var total int64
			for _, p := range paths {
				total += fileSize(p)
			}
			bar := newProgress(cmd, total, "verifying", progress.Bytes)
			var reports []*format.Report
			damaged := false
			for _, p := range paths {
				rep, err := format.Verify(cmd.Context(), p, bar.Add)
				if err != nil {
					bar.Finish()
					return err
				}
				reports = append(reports, rep)
				damaged = damaged || !rep.OK()
			}
			bar.Finish()
			if output == outputJSON {
				if err := printJSON(stdout, reports); err != nil {
					return err
				}
			} else {
				for _, r := range reports {
					printReport(stdout, r)
				}
			}
			if damaged {
				return withCode(exitNegative, nil)
			}
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func printReport(w io.Writer, r *format.Report) {
	if r.OK() {
		fmt.Fprintf(w, "%s: intact: %d events in %d blocks\n", r.File, r.Events, r.Blocks)
		return
	}
	var lost int64
	unknown := false
	for _, p := range r.Problems {
		if p.EventsLost < 0 {
			unknown = true
		} else {
			lost += p.EventsLost
		}
	}
	more := ""
	if unknown {
		more = " or more"
	}
	fmt.Fprintf(w, "%s: DAMAGED: %d problems; %d events readable, %d%s lost\n", r.File, len(r.Problems), r.Events, lost, more)
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
}
