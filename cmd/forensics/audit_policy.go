package main

import (
	"bufio"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"forensics/audit/policy"
	"forensics/query"
	"forensics/query/fields"
)

func newAuditPolicyCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		policyPath, output string
		summaryOnly        bool
	)
	cmd := &cobra.Command{
		Use:   "policy --policy audit-policy.yaml INPUT...",
		Short: "Show what an audit policy would keep of an audit log, and how much smaller the log would be",
		Long: `policy evaluates a Kubernetes audit Policy (audit.k8s.io/v1, the file of
kube-apiserver --audit-policy-file) against the events of audit logs, as
the API server would have: the first matching rule decides the level
(None, Metadata, Request, RequestResponse); omitStages (the policy's and
the rule's) drop stages; users, userGroups, verbs, namespaces, resources
(group, resources with resource/subresource, *, resource/* and
*/subresource, resourceNames) and nonResourceURLs (exact, or a prefix
ending in *) select requests.

For each event it prints the event, the level it was logged at, what the
policy would log (a level, or dropped and why) and the deciding rule with
its line; then a summary: events and bytes kept and dropped, by level and
by rule, and how much the log would shrink (bodies removed for lower
levels, managedFields for omitManagedFields). An event logged at a lower
level than the policy asks is counted as short: the log cannot say what
the higher level would have held.

The policy is validated first: a mistake is reported with its line, and
the exit status is 2. INPUT is an audit log (JSON lines, plain or gzipped,
or a directory of them) or a capture written by audit serve.`,
		Example: `  forensics audit policy --policy /etc/kubernetes/audit-policy.yaml audit.log
  forensics audit policy --policy policy.yaml --summary audit.log.gz
  forensics audit policy --policy policy.yaml -o json audit.log | jq .summary`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if policyPath == "" {
				return usageErrorf("--policy FILE is required")
			}
			p, err := policy.Load(policyPath)
			if err != nil {
				return usageErrorf("%v", err)
			}
			rep := newPolicyReport(p)
			w := bufio.NewWriter(stdout)
			defer w.Flush()
			for _, in := range args {
				st, err := query.RunAudit(cmd.Context(), in, query.AuditOptions{Bad: badLines(stderr, 20)}, func(c *fields.Ctx) error {
					row := rep.add(c)
					if !summaryOnly && output != outputJSON {
						return rep.printRow(w, row)
					}
					if !summaryOnly {
						rep.rows = append(rep.rows, row)
					}
					return nil
				})
				if err == nil {
					err = noAuditEvents(st)
				}
				if err != nil {
					return fmt.Errorf("%s: %w", in, err)
				}
			}
			if output == outputJSON {
				w.Flush()
				return printJSON(stdout, rep.json(summaryOnly))
			}
			return rep.printSummary(w)
		},
	}
	cmd.Flags().StringVar(&policyPath, "policy", "", "the audit Policy file (YAML)")
	cmd.Flags().BoolVar(&summaryOnly, "summary", false, "print only the summary, not each event")
	addOutputFlag(cmd, &output)
	return cmd
}

// policyRow is the verdict on one event.
type policyRow struct {
	Num       uint64 `json:"num"`
	AuditID   string `json:"audit_id"`
	Stage     string `json:"stage"`
	Verb      string `json:"verb"`
	User      string `json:"user"`
	Target    string `json:"target"`
	Was       string `json:"logged_at"`
	Level     string `json:"policy_level"`
	Kept      bool   `json:"kept"`
	Why       string `json:"why,omitempty"` // why dropped: level None, or stage omitted
	Rule      int    `json:"rule"`          // 1-based, 0 for none
	Line      int    `json:"rule_line,omitempty"`
	Short     bool   `json:"short,omitempty"`
	Bytes     int    `json:"bytes"`
	BytesKept int    `json:"bytes_after"`
}

type ruleCount struct {
	Rule   int    `json:"rule"`
	Line   int    `json:"line"`
	Level  string `json:"level"`
	Events int    `json:"events"`
	Kept   int    `json:"kept"`
}

type policyReport struct {
	p                    *policy.Policy
	rows                 []policyRow
	events, kept         int
	droppedNone, omitted int
	short                int
	bytesIn, bytesOut    int64
	byLevel              map[string]int
	byRule               []ruleCount // index 0: no rule
}

func newPolicyReport(p *policy.Policy) *policyReport {
	r := &policyReport{p: p, byLevel: map[string]int{}}
	r.byRule = append(r.byRule, ruleCount{Level: string(policy.LevelNone)})
	for i, rl := range p.Rules {
		r.byRule = append(r.byRule, ruleCount{Rule: i + 1, Line: rl.Line, Level: string(rl.Level)})
	}
	return r
}

func (r *policyReport) add(c *fields.Ctx) policyRow {
	ev := c.Audit.Value
	a := policy.AttributesOf(ev)
	d := r.p.Evaluate(&a)
	row := policyRow{Num: c.Ev.Num, AuditID: string(ev.GetStringBytes("auditID")), Stage: string(ev.GetStringBytes("stage")),
		Verb: a.Verb, User: a.User, Was: string(ev.GetStringBytes("level")), Level: string(d.Level), Rule: d.Rule + 1,
		Bytes: len(c.Audit.Raw) + 1}
	if row.Was == "" {
		row.Was = "?"
	}
	if a.Resource {
		row.Target = a.Kind
		if a.Subresource != "" {
			row.Target += "/" + a.Subresource
		}
		if a.Namespace != "" || a.Name != "" {
			row.Target += " " + a.Namespace + "/" + a.Name
		}
	} else {
		row.Target = a.Path
	}
	if d.Rule >= 0 {
		row.Line = r.p.Rules[d.Rule].Line
	}
	size, short := policy.Reduce(ev, d)
	row.Kept, row.Short = size > 0, short
	if row.Kept {
		row.BytesKept = size + 1
	} else if d.Level == policy.LevelNone {
		row.Why = "level None"
	} else {
		row.Why = "stage " + row.Stage + " omitted"
	}
	r.events++
	r.bytesIn += int64(row.Bytes)
	r.bytesOut += int64(row.BytesKept)
	rc := &r.byRule[row.Rule]
	rc.Events++
	switch {
	case row.Kept:
		r.kept++
		rc.Kept++
		r.byLevel[row.Level]++
	case d.Level == policy.LevelNone:
		r.droppedNone++
	default:
		r.omitted++
	}
	if short {
		r.short++
	}
	return row
}

func (r *policyReport) printRow(w io.Writer, row policyRow) error {
	verdict := "-> " + row.Level
	if !row.Kept {
		verdict = "-> dropped (" + row.Why + ")"
	} else if row.Short {
		verdict += " (short: logged at " + row.Was + ")"
	}
	rule := "no rule"
	if row.Rule > 0 {
		rule = fmt.Sprintf("rule %d (line %d)", row.Rule, row.Line)
	}
	_, err := fmt.Fprintf(w, "%d %s %s %s %s was=%s %s %s\n", row.Num, row.Stage, orNA(row.User), row.Verb, row.Target, row.Was, verdict, rule)
	return err
}

func orNA(s string) string {
	if s == "" {
		return "<NA>"
	}
	return s
}

func pct(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func (r *policyReport) printSummary(w io.Writer) error {
	bw := &errWriter{w: w}
	bw.printf("Policy %s: %d rules\n", r.p.File, len(r.p.Rules))
	bw.printf("Events: %d (%s)\n", r.events, fmtBytes(r.bytesIn))
	bw.printf("Kept: %d (%s); dropped: %d (level None: %d, stage omitted: %d)\n", r.kept, fmtBytes(r.bytesOut),
		r.events-r.kept, r.droppedNone, r.omitted)
	bw.printf("The log would shrink by %.1f%% (%s -> %s)\n", 100-pct(r.bytesOut, r.bytesIn), fmtBytes(r.bytesIn), fmtBytes(r.bytesOut))
	for _, l := range []policy.Level{policy.LevelRequestResponse, policy.LevelRequest, policy.LevelMetadata} {
		if n := r.byLevel[string(l)]; n > 0 {
			bw.printf("  %-16s %d events\n", l, n)
		}
	}
	if r.short > 0 {
		bw.printf("Short: %d events were logged at a lower level than the policy asks; the log cannot say what more they would hold\n", r.short)
	}
	bw.printf("By rule:\n")
	for _, rc := range r.byRule[1:] {
		bw.printf("  rule %2d (line %d, %s): %d events, %d kept\n", rc.Rule, rc.Line, rc.Level, rc.Events, rc.Kept)
	}
	bw.printf("  no rule (None): %d events\n", r.byRule[0].Events)
	return bw.err
}

func (r *policyReport) json(summaryOnly bool) any {
	out := map[string]any{"summary": map[string]any{
		"policy": r.p.File, "events": r.events, "kept": r.kept, "dropped_level_none": r.droppedNone,
		"dropped_stage_omitted": r.omitted, "short": r.short, "bytes": r.bytesIn, "bytes_after": r.bytesOut,
		"shrink_percent": 100 - pct(r.bytesOut, r.bytesIn), "by_level": r.byLevel, "by_rule": r.byRule,
	}}
	if !summaryOnly {
		rows := r.rows
		if rows == nil {
			rows = []policyRow{}
		}
		out["events"] = rows
	}
	return out
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
