package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"forensics/capture"
	"forensics/index"
	"forensics/progress"
	"forensics/scap"
	"forensics/scapconv"
)

// exportFormats lists the formats export writes today.
var exportFormats = []string{"scap"}

func newExportCmd(stdout, _ io.Writer) *cobra.Command {
	var formatName string
	var gzip bool
	cmd := &cobra.Command{
		Use:   "export --format FORMAT CAPTURE OUT",
		Short: "Write a capture in another format (scap for sysdig and Falco)",
		Long: `export writes a capture in another format.

--format scap writes a scap 1.2 file that sysdig and Falco read with their
full state: the machine and interface info, the user, process and fd lists
of the capture's start, then every event with the parameters it was
recorded with (so a capture imported from .scap exports back to what sysdig
printed before).`,
		Example: `  forensics export --format scap capture.zst capture.scap
  forensics export --format scap --gzip /var/lib/forensics/ day.scap.gz
  sysdig -r capture.scap "proc.name=curl"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if formatName != "scap" {
				return usageErrorf("--format %q is not supported yet (supported: %v)", formatName, exportFormats)
			}
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
			fmt.Fprintf(stdout, "%s: %d events -> %s (%s)\n", args[0], n, out, fmtBytes(fileSize(out)))
			return nil
		},
	}
	cmd.Flags().StringVar(&formatName, "format", "", "output format: "+fmt.Sprint(exportFormats))
	cmd.Flags().BoolVar(&gzip, "gzip", false, "gzip the .scap (sysdig -z)")
	_ = cmd.MarkFlagRequired("format")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return exportFormats, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}
