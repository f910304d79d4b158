package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"forensics/alert"
	"forensics/capture"
	"forensics/progress"
	"forensics/query"
	"forensics/query/fields"
	"forensics/rules"
)

func newReplayCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		rulesPaths, disableRules []string
		enableTags, disableTags  []string
		minPriority, configPath  string
		output                   string
		showWarnings, listRules  bool
	)
	cmd := &cobra.Command{
		Use:   "replay [flags] INPUT...",
		Short: "Run Falco rules over captures and print the alerts they raise",
		Long: `replay runs Falco rules over capture files as Falco would have run them
live, and prints the alerts as Falco prints them: text lines
"<time>: <Priority> <output>" or, with -o json, Falco's JSON objects
(time, rule, priority, source, tags, hostname, output, output_fields),
which falcosidekick accepts. A summary goes to stderr at the end: events
read, alerts by priority and by rule (with -o json, one JSON object).
--list-rules prints the rules that would run, and no INPUT is needed.

Rules files are Falco's, unchanged (--rules, repeatable; a directory gives
its *.yaml and *.yml files in name order). Without --rules, the config's
rules_files that exist are used, else the built-in ruleset
(forensics_rules.yaml). A rule whose condition needs a field forensics
lacks is skipped with a warning; a field only its output names prints <NA>.

--config takes a falco.yaml: its outputs (stdout_output, file_output,
syslog_output, program_output, http_output), json_output and the
json_include_* keys, time_format_iso_8601, priority, rule_matching, rules
(enable/disable selection) and append_output are honoured. An output that
fails is reported on stderr and retried; alerts wait for it.

INPUT is a capture file, a directory of rotated files, a glob or a .scap.
Only the blocks holding event types the rules look at are read. The
hostname of the alerts is the capture's host ($FALCO_HOSTNAME overrides).

INPUT may also be a Kubernetes audit log (JSON lines of audit.k8s.io
Events or EventLists, plain or gzipped, or a directory of them; recognised
by content) or a capture written by ` + "`forensics audit serve`" + `: the rules
of source k8s_audit run over it (k8s_audit_rules.yaml of Falco's k8saudit
plugin loads unchanged), and without --rules the built-in audit ruleset
(forensics_k8s_audit_rules.yaml: privileged pods, sensitive mounts, host
namespaces, exec/attach, admin bindings, configmaps with credentials,
secrets read by people, anonymous requests). Bad lines are reported on
stderr and skipped; an input with no audit event at all is an error.

Exit status: 0 when alerts were raised, 1 when none, 2 for bad arguments
or rules, 3 when reading failed or alerts could not be delivered.`,
		Example: `  forensics replay samples/incident.zst
  forensics replay --rules /etc/falco/falco_rules.yaml --min-priority warning cap.zst
  forensics replay --rules rules.d/ --disable-tags network -o json /var/lib/forensics/
  forensics replay --config falco.yaml incident.scap
  forensics replay --rules k8s_audit_rules.yaml /var/log/kubernetes/audit.log
  forensics replay -o json kube-audit.log.gz`,
		Args: func(cmd *cobra.Command, args []string) error {
			if listRules {
				return nil
			}
			return cobra.MinimumNArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := alert.DefaultConfig()
			if configPath != "" {
				var err error
				if cfg, err = alert.LoadConfig(configPath); err != nil {
					return usageErrorf("%v", err)
				}
			}
			if cmd.Flags().Changed("output") {
				cfg.JSONOutput = output == outputJSON
			}
			sel, err := replaySelection(cfg, minPriority, enableTags, disableTags, disableRules)
			if err != nil {
				return err
			}

			paths := rulesPaths
			if len(paths) == 0 {
				// As Falco, rules_files entries that do not exist are
				// dropped; with none left the built-in rules run.
				for _, p := range cfg.Files() {
					if _, err := os.Stat(p); err == nil {
						paths = append(paths, p)
					}
				}
				if len(cfg.Files()) > 0 && len(paths) == 0 {
					fmt.Fprintf(stderr, "forensics: none of the config's rules_files exists; running the built-in rules\n")
				}
			}
			// Each input runs the rules of its event source.
			sources := map[string]bool{}
			inputSources := make([]string, len(args))
			for i, in := range args {
				inputSources[i] = inputSource(in)
				sources[inputSources[i]] = true
			}
			if len(args) == 0 {
				sources[sourceSyscall], sources[sourceK8sAudit] = true, true
			}
			rs, warnings, err := loadRules(cfg.LoaderOptions(), paths, sources)
			if len(warnings) > 0 {
				if showWarnings {
					for _, w := range warnings {
						fmt.Fprintf(stderr, "warning: %s\n", w)
					}
				} else {
					fmt.Fprintf(stderr, "forensics: %d rules warnings (--show-warnings lists them)\n", len(warnings))
				}
			}
			if err != nil {
				if errors.Is(err, rules.ErrInvalid) || errors.Is(err, rules.ErrRead) {
					return usageErrorf("%v", err)
				}
				return err
			}
			engines := map[string]*rules.Engine{}
			var listed []*rules.Rule
			for _, src := range []string{sourceSyscall, sourceK8sAudit} {
				if !sources[src] {
					continue
				}
				sel.Source = src
				eng := rs.Engine(sel)
				engines[src] = eng
				listed = append(listed, eng.Rules...)
				if len(eng.Rules) == 0 && len(args) > 0 {
					return usageErrorf("no %s rule left to run for the %s inputs (%d rules loaded; check the rules files, --min-priority and the tag and rule selection)", src, src, len(rs.Rules))
				}
			}
			if len(listed) == 0 {
				return usageErrorf("no rule left to run (%d loaded; check --min-priority and the tag and rule selection)", len(rs.Rules))
			}
			if listRules {
				return printRules(stdout, listed, output == outputJSON)
			}
			var filt *query.Filter
			if eng := engines[sourceSyscall]; eng != nil {
				if filt, err = eng.Filter(); err != nil {
					return err
				}
			}

			sinks, err := cfg.Sinks(stdout)
			if err != nil {
				return usageErrorf("%v", err)
			}
			outs, err := alert.New(sinks, alert.Options{
				DrainTimeout: cfg.DrainTimeout(),
				Report: func(sink, msg string) {
					fmt.Fprintf(stderr, "forensics: %s output: %s\n", sink, msg)
				},
			})
			if err != nil {
				return usageErrorf("%v", err)
			}
			sum := replaySummary{byRule: map[string]int{}, byPriority: map[rules.Priority]int{}}
			start := time.Now()
			runErr := replayInputs(cmd, args, inputSources, engines, filt, cfg, outs, &sum, stderr)
			stats, closeErr := outs.Close(cmd.Context())
			sum.elapsed = time.Since(start)
			if output == outputJSON {
				err = sum.printJSON(stderr, stats)
			} else {
				sum.print(stderr, stats)
			}
			if err := errors.Join(runErr, closeErr, err); err != nil {
				return err
			}
			if sum.alerts == 0 {
				return withCode(exitNegative, nil)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&rulesPaths, "rules", "r", nil, "Falco rules file or directory (repeatable, loaded in order); default: the built-in ruleset")
	f.StringVar(&minPriority, "min-priority", "", "leave out rules less severe than this priority (emergency ... debug)")
	f.StringSliceVar(&enableTags, "enable-tags", nil, "run only the rules with one of these tags (also those marked enabled: false)")
	f.StringSliceVar(&disableTags, "disable-tags", nil, "do not run the rules with these tags")
	f.StringArrayVar(&disableRules, "disable-rule", nil, "do not run this rule (a name; * matches any text); repeatable")
	f.StringVar(&configPath, "config", "", "falco.yaml for outputs and rule selection")
	f.BoolVar(&showWarnings, "show-warnings", false, "list the rules warnings (skipped rules, unused macros, ...)")
	f.BoolVar(&listRules, "list-rules", false, "print the rules that would run (name, priority, source, tags, where defined) and exit")
	addOutputFlag(cmd, &output)
	return cmd
}

// replaySelection is the config's rule selection, then the command line's:
// --min-priority replaces priority; --enable-tags disables every rule and
// enables those with the tags; --disable-tags and --disable-rule come last.
func replaySelection(cfg *alert.Config, minPriority string, enableTags, disableTags, disableRules []string) (rules.Selection, error) {
	sel, err := cfg.Selection()
	if err != nil {
		return sel, usageErrorf("%v", err)
	}
	if minPriority != "" {
		if sel.MinPriority, err = rules.ParsePriority(minPriority); err != nil {
			return sel, usageErrorf("--min-priority: %v", err)
		}
	}
	if len(enableTags) > 0 {
		sel.Steps = append(sel.Steps, rules.Step{Rule: "*"})
		for _, t := range enableTags {
			sel.Steps = append(sel.Steps, rules.Step{Enable: true, Tag: t})
		}
	}
	for _, t := range disableTags {
		sel.Steps = append(sel.Steps, rules.Step{Tag: t})
	}
	for _, r := range disableRules {
		sel.Steps = append(sel.Steps, rules.Step{Rule: r})
	}
	return sel, nil
}

// loadRules loads rules files in order, or the built-in rulesets of the
// sources.
func loadRules(opts rules.Options, paths []string, sources map[string]bool) (*rules.Ruleset, []rules.LoadWarning, error) {
	l := rules.NewLoader(opts)
	if len(paths) == 0 && sources[sourceSyscall] {
		if err := l.LoadData(rules.DefaultName, rules.Default()); err != nil {
			return nil, l.Warnings(), err
		}
	}
	if len(paths) == 0 && sources[sourceK8sAudit] {
		if err := l.LoadData(rules.DefaultK8sAuditName, rules.DefaultK8sAudit()); err != nil {
			return nil, l.Warnings(), err
		}
	}
	for _, p := range paths {
		if err := l.LoadPath(p); err != nil {
			return nil, l.Warnings(), err
		}
	}
	rs, err := l.Compile()
	return rs, l.Warnings(), err
}

type replaySummary struct {
	events, examined uint64
	alerts           int
	byRule           map[string]int
	byPriority       map[rules.Priority]int
	elapsed          time.Duration
}

// raise builds the alert rule r raises on the event in fc, hands it to
// the outputs and counts it.
func (s *replaySummary) raise(b *alert.Builder, cfg *alert.Config, outs *alert.Outputs, r *rules.Rule, fc *fields.Ctx) {
	a := b.Build(r, fc)
	outs.Send(a, cfg.Format(a))
	s.alerts++
	s.byRule[r.Name]++
	s.byPriority[r.Priority]++
}

// replayInputs runs the engine of each input's source over it, in turn.
func replayInputs(cmd *cobra.Command, inputs, sources []string, engines map[string]*rules.Engine, filt *query.Filter, cfg *alert.Config,
	outs *alert.Outputs, sum *replaySummary, stderr io.Writer) error {
	for i, in := range inputs {
		if sources[i] == sourceK8sAudit {
			if err := replayAudit(cmd, in, engines[sourceK8sAudit], cfg, outs, sum, stderr); err != nil {
				return err
			}
			continue
		}
		eng := engines[sourceSyscall]
		c, err := capture.Open(in)
		if err != nil {
			return err
		}
		host := os.Getenv("FALCO_HOSTNAME")
		if host == "" && len(c.Files) > 0 {
			host = c.Files[0].Header.Host.Hostname
		}
		if host == "" {
			host, _ = os.Hostname()
		}
		b, err := alert.NewBuilder(host, cfg.TimeISO8601)
		if err != nil {
			c.Close()
			return err
		}
		total := c.Events()
		sum.events += total
		bar := newProgress(cmd, int64(total), "replaying", progress.Events)
		var last uint64
		// The rules are decided a block at a time (query.RunMulti); fn
		// sees the events some rule matches.
		examined, err := query.RunMulti(cmd.Context(), c, query.Options{Filter: filt}, eng.Filters(),
			func(fc *fields.Ctx, which []int) error {
				if n := fc.Ev.Num; n-last >= 4096 {
					bar.Add(int64(n - last))
					last = n
				}
				eng.Matched(which, func(r *rules.Rule) { sum.raise(b, cfg, outs, r, fc) })
				return nil
			})
		sum.examined += examined
		bar.Finish()
		c.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
	}
	return nil
}

func (s *replaySummary) print(w io.Writer, stats []alert.Stats) {
	fmt.Fprintf(w, "Events read: %d (%d of the rules' event types) in %.2fs\n", s.events, s.examined, s.elapsed.Seconds())
	fmt.Fprintf(w, "Alerts: %d\n", s.alerts)
	if s.alerts > 0 {
		var parts []string
		for p := rules.Emergency; p <= rules.Debug; p++ {
			if n := s.byPriority[p]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s: %d", p, n))
			}
		}
		fmt.Fprintf(w, "Alerts by priority: %s\n", strings.Join(parts, ", "))
		names := make([]string, 0, len(s.byRule))
		for n := range s.byRule {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool {
			if s.byRule[names[i]] != s.byRule[names[j]] {
				return s.byRule[names[i]] > s.byRule[names[j]]
			}
			return names[i] < names[j]
		})
		fmt.Fprintln(w, "Alerts by rule:")
		for _, n := range names {
			fmt.Fprintf(w, "  %6d  %s\n", s.byRule[n], n)
		}
	}
	for _, st := range stats {
		if st.Retries > 0 || st.Lost > 0 || st.Rejected > 0 {
			fmt.Fprintf(w, "Output %s: %d sent, %d retries, %d rejected, %d lost\n", st.Sink, st.Sent, st.Retries, st.Rejected, st.Lost)
		}
	}
}

// replayAudit runs the k8s_audit engine over an audit input.
func replayAudit(cmd *cobra.Command, in string, eng *rules.Engine, cfg *alert.Config, outs *alert.Outputs,
	sum *replaySummary, stderr io.Writer) error {
	host := os.Getenv("FALCO_HOSTNAME")
	if host == "" {
		host, _ = os.Hostname()
	}
	b, err := alert.NewBuilder(host, cfg.TimeISO8601)
	if err != nil {
		return err
	}
	st, err := query.RunAudit(cmd.Context(), in, query.AuditOptions{Bad: badLines(stderr, 20)}, func(fc *fields.Ctx) error {
		eng.Match(fc, func(r *rules.Rule) { sum.raise(b, cfg, outs, r, fc) })
		return nil
	})
	sum.events += st.Events
	sum.examined += st.Events
	if err == nil {
		err = noAuditEvents(st)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return nil
}

// printRules lists rules.
func printRules(w io.Writer, list []*rules.Rule, asJSON bool) error {
	type row struct {
		Name     string   `json:"name"`
		Priority string   `json:"priority"`
		Source   string   `json:"source"`
		Tags     []string `json:"tags"`
		Defined  string   `json:"defined"`
	}
	rows := []row{}
	for _, r := range list {
		rows = append(rows, row{r.Name, r.Priority.String(), r.Source, r.Tags, r.Pos.String()})
	}
	if asJSON {
		return printJSON(w, rows)
	}
	for _, r := range rows {
		if _, err := fmt.Fprintf(w, "%-13s %s  [%s]  (%s)\n", r.Priority, r.Name, strings.Join(r.Tags, ","), r.Defined); err != nil {
			return err
		}
	}
	return nil
}

func (s *replaySummary) printJSON(w io.Writer, stats []alert.Stats) error {
	byPriority := map[string]int{}
	for p, n := range s.byPriority {
		byPriority[p.String()] = n
	}
	if stats == nil {
		stats = []alert.Stats{}
	}
	return printJSON(w, map[string]any{
		"events": s.events, "examined": s.examined, "seconds": s.elapsed.Seconds(), "alerts": s.alerts,
		"by_priority": byPriority, "by_rule": s.byRule, "outputs": stats,
	})
}
