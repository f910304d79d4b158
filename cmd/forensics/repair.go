package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"forensics/format"
	"forensics/progress"
)

func newRepairCmd(stdout, _ io.Writer) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "repair CAPTURE",
		Short: "Rebuild the index and footer of a capture file whose writer died",
		Long: `repair rebuilds the footer of a capture file from its blocks: the block
index, the process table, the event-type counts, the drop counters and the
zstd seek table. Every complete block is kept; a block cut short by the
writer's death is cut off (and reported). Blocks that fail their checksum
stay in the file, outside the index. The file is changed in place.

An intact file is left alone.`,
		Example: `  forensics repair /var/lib/forensics/forensics-000042-20261126T050247Z.zst
  forensics verify capture.zst || forensics repair capture.zst`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			bar := newProgress(cmd, fileSize(path), "repairing", progress.Bytes)
			res, err := format.Repair(cmd.Context(), path, bar.Add)
			bar.Finish()
			if err != nil {
				return err
			}
			if output == outputJSON {
				return printJSON(stdout, res)
			}
			if !res.Repaired {
				fmt.Fprintf(stdout, "%s: intact, nothing to repair (%d events in %d blocks)\n", path, res.Events, res.Blocks)
				return nil
			}
			fmt.Fprintf(stdout, "%s: footer rebuilt: %d events in %d blocks kept", path, res.Events, res.Blocks)
			if res.Truncated > 0 {
				fmt.Fprintf(stdout, ", %d bytes cut from the end", res.Truncated)
			}
			fmt.Fprintln(stdout)
			for _, p := range res.Problems {
				if p.Kind == format.ProblemNoFooter {
					continue
				}
				fmt.Fprintf(stdout, "  %s\n", p)
			}
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// fileSize returns the size of the file at path, 0 if unknown.
func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}
