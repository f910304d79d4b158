package rules_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"forensics/capture"
	"forensics/internal/testenv"
	"forensics/query"
	"forensics/query/fields"
	"forensics/rules"
	"forensics/samples"
)

// match is one alert: the rule and its output fields.
type match struct {
	rule   string
	fields map[string]any
}

// replay runs rules over the sample incident, first match per event.
func replay(t *testing.T, rs *rules.Ruleset) []match {
	t.Helper()
	return replayFile(t, rs, samples.WriteIncident)
}

// replayFile runs rules over the sample capture that write makes.
func replayFile(t *testing.T, rs *rules.Ruleset, write func(dir string) (string, error)) []match {
	t.Helper()
	path, err := write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eng := rs.Engine(rules.Selection{MinPriority: rules.Debug})
	var out []match
	err = query.Run(context.Background(), c, query.Options{}, func(fc *fields.Ctx) error {
		eng.Match(fc, func(r *rules.Rule) {
			m := match{rule: r.Name, fields: map[string]any{}}
			if err := json.Unmarshal(r.AppendOutputFields(nil, fc), &m.fields); err != nil {
				t.Errorf("%s: output fields: %v", r.Name, err)
			}
			out = append(out, m)
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// expect checks the alerts rule by rule, in order, with key output fields.
func expect(t *testing.T, got []match, want []match) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d alerts, want %d:", len(got), len(want))
		for _, g := range got {
			t.Logf("  %s %v", g.rule, g.fields)
		}
	}
	for i := range min(len(got), len(want)) {
		if got[i].rule != want[i].rule {
			t.Errorf("alert %d: rule %q, want %q", i, got[i].rule, want[i].rule)
			continue
		}
		for k, v := range want[i].fields {
			if g := fmt.Sprint(got[i].fields[k]); g != fmt.Sprint(v) {
				t.Errorf("alert %d (%s): %s = %q, want %q", i, want[i].rule, k, g, v)
			}
		}
	}
}

// TestIncidentOfficialRules replays the official falco_rules.yaml (and
// then all three official files) over the sample incident.
func TestIncidentOfficialRules(t *testing.T) {
	dir := testenv.Shared(t, "corpus/rules")
	f := samples.IncidentFacts()
	shadow := match{"Read sensitive file untrusted", map[string]any{
		"fd.name": f.ShadowFile, "proc.name": f.Cat.Comm, "proc.cmdline": "cat " + f.ShadowFile,
		"proc.pname": "bash", "proc.aname[2]": "sudo", "user.name": "root", "user.loginuid": f.Cat.LoginUID,
		"proc.exepath": f.Cat.ExePath, "evt.type": "openat", "proc.tty": f.TTY}}
	rs, _, err := rules.Load(rules.Options{}, filepath.Join(dir, "falco_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, replay(t, rs), []match{shadow})

	rs, _, err = rules.Load(rules.Options{}, filepath.Join(dir, "falco_rules.yaml"),
		filepath.Join(dir, "falco-incubating_rules.yaml"), filepath.Join(dir, "falco-sandbox_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, replay(t, rs), []match{
		shadow,
		{"Write below binary dir", map[string]any{"fd.name": f.DroppedFile, "proc.name": "payload",
			"proc.exepath": f.PayloadFile, "user.name": "root"}},
		{"Schedule Cron Jobs", map[string]any{"fd.name": f.CronFile, "proc.name": "payload", "user.name": "root"}},
	})
}

// TestRecordedOfficialRules replays the official falco_rules.yaml over
// the capture the recorder made of samples/record-incident.sh: the rules
// the script plays for it fire, each with its key fields.
func TestRecordedOfficialRules(t *testing.T) {
	dir := testenv.Shared(t, "corpus/rules")
	rs, _, err := rules.Load(rules.Options{}, filepath.Join(dir, "falco_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	shadow := func(proc string) match {
		return match{"Read sensitive file untrusted", map[string]any{"fd.name": "/etc/shadow", "proc.name": proc,
			"evt.type": "openat", "user.name": "root"}}
	}
	logs := match{"Clear Log Activities", map[string]any{"fd.name": "/var/log/forensics-sample.log", "proc.name": "bash"}}
	expect(t, replayFile(t, rs, samples.WriteRecorded), []match{
		shadow("dumpcreds"),
		logs, logs,
		{"Create Symlink Over Sensitive Files", map[string]any{"evt.type": "symlinkat", "proc.name": "ln"}},
		{"Search Private Keys or Passwords", map[string]any{"evt.type": "execve", "proc.name": "find"}},
		shadow("cat"),
	})

	// With the incubating and sandbox rules too, the rest of the script
	// shows: writes below /usr/bin and /etc/cron.d, a file below /dev, a
	// setuid chmod, the shell history removed, reconnaissance.
	rs, _, err = rules.Load(rules.Options{}, filepath.Join(dir, "falco_rules.yaml"),
		filepath.Join(dir, "falco-incubating_rules.yaml"), filepath.Join(dir, "falco-sandbox_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, m := range replayFile(t, rs, samples.WriteRecorded) {
		counts[m.rule]++
	}
	want := map[string]int{"Clear Log Activities": 2, "Delete or rename shell history": 2, "Read sensitive file untrusted": 2,
		"Basic Interactive Reconnaissance": 1, "Create Symlink Over Sensitive Files": 1, "Create files below dev": 1,
		"Modify binary dirs": 1, "Schedule Cron Jobs": 1, "Search Private Keys or Passwords": 1,
		"Set Setuid or Setgid bit": 1, "Write below binary dir": 1}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("alerts by rule %v, want %v", counts, want)
	}
}

// TestIncidentDefaultRules replays the built-in ruleset over the sample
// incident: every step of the attack raises its alert.
func TestIncidentDefaultRules(t *testing.T) {
	l := rules.NewLoader(rules.Options{})
	if err := l.LoadData(rules.DefaultName, rules.Default()); err != nil {
		t.Fatal(err)
	}
	rs, err := l.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if ws := l.Warnings(); len(ws) > 0 {
		t.Errorf("the built-in rules have warnings: %v", ws)
	}
	f := samples.IncidentFacts()
	expect(t, replay(t, rs), []match{
		{"Interactive root shell through sudo", map[string]any{"proc.pname": "sudo", "user.name": "root",
			"user.loginuid": f.RootShell.LoginUID, "user.loginname": f.User}},
		{"Sensitive file read by unexpected program", map[string]any{"fd.name": f.ShadowFile, "proc.name": "cat",
			"user.loginuid": 1000}},
		{"Download by shell command", map[string]any{"fd.name": f.DownloadConn, "proc.name": "curl"}},
		{"Hidden file created in temporary directory", map[string]any{"fd.name": f.KitFile, "proc.name": "curl"}},
		{"Hidden file created in temporary directory", map[string]any{"fd.name": f.PayloadFile, "proc.name": "tar"}},
		{"File made executable in temporary directory", map[string]any{"fs.path.name": f.PayloadFile, "proc.name": "chmod"}},
		{"Program run from temporary or hidden directory", map[string]any{"proc.exepath": f.PayloadFile, "user.loginuid": 1000}},
		{"Write below binary directory", map[string]any{"fd.name": f.DroppedFile, "proc.exepath": f.PayloadFile}},
		{"Cron job installed", map[string]any{"fd.name": f.CronFile, "proc.name": "payload"}},
		{"Outbound connection from untrusted program", map[string]any{"fd.name": f.C2Conn, "fd.sport": f.C2Server.Port(),
			"proc.exepath": f.PayloadFile}},
	})
}

// TestRunMultiMatchesMatch: deciding the rules a block at a time
// (query.RunMulti, as replay does) raises the alerts Engine.Match raises
// event by event, on both samples with every official rules file.
func TestRunMultiMatchesMatch(t *testing.T) {
	dir := testenv.Shared(t, "corpus/rules")
	rs, _, err := rules.Load(rules.Options{}, filepath.Join(dir, "falco_rules.yaml"),
		filepath.Join(dir, "falco-incubating_rules.yaml"), filepath.Join(dir, "falco-sandbox_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []rules.Matching{rules.MatchFirst, rules.MatchAll} {
		eng := rs.Engine(rules.Selection{MinPriority: rules.Debug, Matching: m})
		for _, write := range []func(string) (string, error){samples.WriteIncident, samples.WriteRecorded} {
			path, err := write(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			c, err := capture.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			var want, got []string
			err = query.Run(context.Background(), c, query.Options{}, func(fc *fields.Ctx) error {
				eng.Match(fc, func(r *rules.Rule) { want = append(want, fmt.Sprint(fc.Ev.Num, r.Name)) })
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = query.RunMulti(context.Background(), c, query.Options{}, eng.Filters(), func(fc *fields.Ctx, which []int) error {
				eng.Matched(which, func(r *rules.Rule) { got = append(got, fmt.Sprint(fc.Ev.Num, r.Name)) })
				return nil
			})
			c.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: block-wise %v, event-wise %v", path, got, want)
			}
		}
	}
}
