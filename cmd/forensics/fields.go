package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"forensics/query/fields"
)

func newFieldsCmd(stdout, _ io.Writer) *cobra.Command {
	var output, source string
	cmd := &cobra.Command{
		Use:   "fields [--source syscall|k8s_audit]",
		Short: "List the fields filters and output formats can use",
		Long: `fields lists every field of an event source, with its type and meaning:
the names that filters (query, chisels, rules) compare and that -p output
formats print.`,
		Example: `  forensics fields
  forensics fields --source k8s_audit
  forensics fields -o json | jq -r '.[].name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var src *fields.Source
			switch source {
			case "syscall", "":
				src = fields.Syscall()
			case "k8s_audit":
				src = fields.K8sAudit()
			default:
				return usageErrorf("--source %q: the sources are syscall and k8s_audit", source)
			}
			type row struct {
				Name string `json:"name"`
				Type string `json:"type"`
				Arg  string `json:"argument,omitempty"`
				Desc string `json:"description"`
			}
			var rows []row
			for _, f := range src.All() {
				if f.Flags&fields.Hidden != 0 {
					continue
				}
				r := row{Name: f.Name, Type: f.Type.String(), Desc: f.Desc}
				switch f.Arg &^ fields.ArgRequired {
				case fields.ArgIndex:
					r.Arg = "[N]"
				case fields.ArgKey:
					r.Arg = "[KEY] or .KEY"
				}
				rows = append(rows, r)
			}
			if output == outputJSON {
				return printJSON(stdout, rows)
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			for _, r := range rows {
				fmt.Fprintf(tw, "%s%s\t%s\t%s\n", r.Name, r.Arg, r.Type, r.Desc)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&source, "source", "syscall", "event source: syscall or k8s_audit (Kubernetes audit logs)")
	addOutputFlag(cmd, &output)
	return cmd
}
