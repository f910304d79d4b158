package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"forensics/capture"
	"forensics/chisels"
)

func newChiselCmd(stdout, _ io.Writer) *cobra.Command {
	var (
		output, since, until, write string
		top                         int
	)
	cmd := &cobra.Command{
		Use:   "chisel list | chisel [flags] NAME [ARGS...] CAPTURE [FILTER]",
		Short: "Run sysdig's chisels (top files, processes, connections, netstat, ps, ...) on a capture",
		Long: `chisel runs one of sysdig's chisels, the ready-made investigations, on a
capture, offline: top-N tables (topprocs_net, topfiles_bytes, topconns,
topscalls, fdbytes_by FIELD, ...), the state the capture starts with (ps,
lsof, netstat, lscontainers), and printers of what processes read and wrote
(echo_fds, spy_file, spy_ip, spy_port, stdout, iobytes, ...). Columns and
order are sysdig 0.29.3's; ` + "`forensics chisel list`" + ` lists them with their
arguments.

Each chisel is a pass of the query engine: its own filter ANDed with FILTER
(sysdig's filter language), over the events of CAPTURE between --since and
--until. -n sets the number of rows of a top table (0: all). Values a
capture cannot give (CPU time without procinfo events, latency without enter
events) are reported as missing, not as zeros.`,
		Example: `  forensics chisel list
  forensics chisel topfiles_bytes incident.zst
  forensics chisel topprocs_net -n 5 /var/lib/forensics/ "proc.name!=sshd"
  forensics chisel fdbytes_by fd.sport incident.zst
  forensics chisel spy_port 80 incident.zst
  forensics chisel around 500 --write out.zst incident.zst "proc.name=nc"
  forensics chisel -o json topconns incident.zst`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] == "list" {
				return listChisels(stdout, output == outputJSON)
			}
			ch, err := chisels.Find(args[0])
			if err != nil {
				return withCode(exitUsage, err)
			}
			chArgs, capArg, filter, err := splitChiselArgs(ch, args[1:])
			if err != nil {
				return err
			}
			c, err := capture.Open(capArg)
			if err != nil {
				return err
			}
			defer c.Close()
			env := &chisels.Env{Capture: c, Filter: filter, Out: stdout, JSON: output == outputJSON, AroundOut: write}
			if cmd.Flags().Changed("top") {
				env.Top = top
				if top == 0 {
					env.Top = -1
				}
			}
			if env.Since, env.Until, err = timeRange(since, until, captureStart(c)); err != nil {
				return err
			}
			err = ch.Run(cmd.Context(), env, chArgs)
			if errors.Is(err, chisels.ErrArgs) || errors.Is(err, chisels.ErrFilter) {
				return withCode(exitUsage, err)
			}
			if errors.Is(err, io.ErrClosedPipe) {
				return nil
			}
			return err
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "start time: RFC 3339, HH:MM:SS, or +DURATION from the capture's start")
	cmd.Flags().StringVar(&until, "until", "", "end time, as --since")
	cmd.Flags().IntVarP(&top, "top", "n", 0, "rows of a top table (default: the chisel's; 0: all)")
	cmd.Flags().StringVarP(&write, "write", "w", "", "the capture file `around` writes")
	addOutputFlag(cmd, &output)
	return cmd
}

// splitChiselArgs splits the words after the chisel's name into its
// arguments, the capture and the filter. The required arguments come
// first; an optional one is taken only when the word does not name a
// capture (a file, a directory or a glob that matches).
func splitChiselArgs(ch *chisels.Chisel, words []string) (args []string, capArg, filter string, err error) {
	req := ch.Required()
	if len(words) < req+1 {
		return nil, "", "", usageErrorf("%s needs %d argument(s) and a CAPTURE (forensics chisel list)", ch.Name, req)
	}
	args = append(args, words[:req]...)
	i := req
	for k := req; k < len(ch.Args) && i < len(words)-1; k++ {
		if _, err := capture.Resolve([]string{words[i]}); err == nil {
			break
		}
		args = append(args, words[i])
		i++
	}
	capArg = words[i]
	rest := words[i+1:]
	if len(rest) > 1 {
		return nil, "", "", usageErrorf("too many arguments: %q (quote the FILTER)", strings.Join(rest, " "))
	}
	if len(rest) == 1 {
		filter = rest[0]
	}
	return args, capArg, filter, nil
}

func listChisels(w io.Writer, asJSON bool) error {
	all := chisels.List()
	if asJSON {
		return printJSON(w, all)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	cat := ""
	for _, c := range all {
		if c.Category != cat {
			if cat != "" {
				fmt.Fprintln(tw)
			}
			cat = c.Category
			fmt.Fprintf(tw, "Category: %s\n", cat)
		}
		var as []string
		for _, a := range c.Args {
			if a.Optional {
				as = append(as, "["+a.Name+"]")
			} else {
				as = append(as, a.Name)
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, strings.Join(as, " "), c.Short)
	}
	return tw.Flush()
}
