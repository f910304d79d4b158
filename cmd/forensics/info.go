package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"forensics/capture"
)

func newInfoCmd(stdout, _ io.Writer) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "info CAPTURE...",
		Short: "Describe capture files: host, time span, events, size, event types, drops",
		Long: `info describes what capture files hold, from their headers and indexes
alone (a file whose writer died is read by scanning its blocks): the host,
the time span, the number of events and blocks, the bytes on disk and per
event, the compression ratio, the state snapshot, the drop counters, the
format version and a histogram of event types.

CAPTURE is a capture file, a directory of rotated files, or a glob. With
several files, info lists them and then describes them together.`,
		Example: `  forensics info capture.zst
  forensics info /var/lib/forensics/
  forensics info -o json '/var/lib/forensics/forensics-*.zst' | jq .total.events`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := capture.Open(args...)
			if err != nil {
				return err
			}
			defer c.Close()
			var parts []*capture.Summary
			for _, f := range c.Files {
				parts = append(parts, capture.Summarize(f))
			}
			total := capture.Total(parts, c.Files)
			if output == outputJSON {
				return printJSON(stdout, struct {
					Files []*capture.Summary `json:"files"`
					Total *capture.Summary   `json:"total"`
				}{parts, total})
			}
			if len(parts) == 1 {
				printSummary(stdout, parts[0])
				return nil
			}
			printFiles(stdout, parts)
			fmt.Fprintln(stdout)
			printSummary(stdout, total)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func printFiles(w io.Writer, parts []*capture.Summary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tSTART\tDURATION\tEVENTS\tBYTES\tSTATUS")
	for _, p := range parts {
		status := "ok"
		if !p.Complete {
			status = "no footer"
		} else if len(p.Problems) > 0 {
			status = "damaged"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", p.File, fmtTime(p.First), p.Duration, p.Events, fmtBytes(p.BytesOnDisk), status)
	}
	tw.Flush()
}

func printSummary(w io.Writer, s *capture.Summary) {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "%s:\t"+format+"\n", append([]any{k}, args...)...)
	}
	if s.File != "" {
		row("File", "%s", s.File)
	} else {
		row("Files", "%d", s.Files)
	}
	row("Format", "%s", s.Format)
	if h := s.Host; h != nil {
		row("Host", "%s", h.Hostname)
		var parts []string
		if k := strings.TrimSpace(h.Kernel + " " + h.Arch); k != "" {
			parts = append(parts, k)
		}
		if h.CPUs > 0 {
			parts = append(parts, fmt.Sprintf("%d CPUs", h.CPUs))
		}
		if h.MemoryBytes > 0 {
			parts = append(parts, fmtBytes(int64(h.MemoryBytes))+" memory")
		}
		if len(parts) > 0 {
			row("Machine", "%s", strings.Join(parts, ", "))
		}
		if h.OS != "" {
			row("OS", "%s", h.OS)
		}
		if h.BootTime != 0 {
			row("Booted", "%s", fmtTime(time.Unix(0, int64(h.BootTime)).UTC()))
		}
	} else if len(s.Hosts) > 0 {
		row("Hosts", "%v", s.Hosts)
	}
	if s.Source != "" {
		row("Source", "%s (written by %s)", s.Source, s.Writer)
	}
	if s.SetID != "" {
		row("Rotation set", "%s, file %d", s.SetID, s.Seq)
	}
	row("Time span", "%s .. %s (%s)", fmtTime(s.First), fmtTime(s.Last), s.Duration)
	row("Events", "%d in %d blocks", s.Events, s.Blocks)
	row("Size", "%s on disk, %.2f bytes/event, compression %.1fx (%s decoded)",
		fmtBytes(s.BytesOnDisk), s.BytesPerEvent, s.Compression, fmtBytes(s.RawBytes))
	row("Processes", "%d in the process table", s.Processes)
	if sc := s.Snapshot; sc != nil {
		row("Snapshot", "%d processes, %d fds, %d users, %d groups at the start", sc.Processes, sc.FDs, sc.Users, sc.Groups)
	}
	row("Drops", "%d in the kernel, %d in userspace", s.Drops.Kernel, s.Drops.User)
	if s.Complete {
		row("Complete", "yes")
	} else {
		row("Complete", "no: a writer died; `forensics repair` rebuilds the footer")
	}
	tw.Flush()
	for _, p := range s.Problems {
		fmt.Fprintf(w, "Problem: %s\n", p)
	}
	if len(s.Types) > 0 {
		fmt.Fprintln(w, "Event types:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		for _, t := range s.Types {
			fmt.Fprintf(tw, "  %s %s\t%d\t%.1f%%\t\n", t.Dir, t.Type, t.Count, t.Percent)
		}
		tw.Flush()
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339Nano)
}

func fmtBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
