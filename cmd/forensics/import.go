package main

import (
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
	"github.com/spf13/cobra"

	"forensics/format"
	"forensics/progress"
	"forensics/scapconv"
)

func newImportCmd(stdout, _ io.Writer) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "import IN.scap OUT",
		Short: "Convert a sysdig or Falco .scap capture into a forensics capture",
		Long: `import reads a .scap file written by sysdig or Falco (gzip-compressed or
plain, any format version from 1.0 to 1.2, concatenated captures too) and
writes a forensics capture file. The process, fd and user lists of the
.scap seed the state machine, which then resolves every event's fd and
process, as sysdig would while reading; old captures' exit events get the
arguments of their enter events. Nothing is dropped: enter events, state-only
events and the parameters as recorded are all kept, so an export back to
.scap reads the same in sysdig.

A damaged .scap still gives every event before the damage: OUT is written
and complete, and import exits 1 naming the offset where it stopped.

Any command also reads a .scap directly wherever it takes a CAPTURE.`,
		Example: `  forensics import incident.scap incident.zst
  forensics import -o json old.scap.gz old.zst`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, out := args[0], args[1]
			bar := newProgress(cmd, fileSize(in), "importing", progress.Bytes)
			st, err := scapconv.ImportFile(cmd.Context(), in, out,
				&format.WriterOptions{Level: importLevel, BlockEvents: importBlockEvents, FooterProcessesOnly: true}, func(r io.Reader) io.Reader { return progress.NewReader(r, bar) })
			bar.Finish()
			if st == nil {
				return err
			}
			size := fileSize(out)
			if output == outputJSON {
				if jerr := printJSON(stdout, struct {
					*scapconv.Stats
					Output string `json:"output"`
					Bytes  int64  `json:"bytes"`
					Error  string `json:"error,omitempty"`
				}{st, out, size, errString(err)}); jerr != nil {
					return jerr
				}
			} else {
				fmt.Fprintf(stdout, "%s: %d events in %d section(s) -> %s (%s, %.2f bytes/event)\n",
					in, st.Events, st.Sections, out, fmtBytes(size), float64(size)/float64(max(st.Events, 1)))
				if s := st.Scap; s.SkippedTypes+s.SkippedBlocks+s.RecoveredNParams > 0 {
					fmt.Fprintf(stdout, "  skipped %d events of unknown types and %d unknown blocks; %d v1 events of types the table lacks had their parameter count searched\n",
						s.SkippedTypes, s.SkippedBlocks, s.RecoveredNParams)
				}
			}
			if err != nil {
				if _, serr := os.Stat(out); serr == nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "forensics: %s holds the %d events before the damage\n", out, st.Events)
				}
				return withCode(exitNegative, err)
			}
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// importLevel is the zstd level of imports: they run once, offline, so
// they compress harder than the recorder.
const importLevel = zstd.SpeedBestCompression

// importBlockEvents makes import blocks larger than the recorder's: fewer
// per-block dictionaries, and still about 150 blocks per 10 million events
// for time-range reads to skip.
const importBlockEvents = 65536

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
