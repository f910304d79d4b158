package rules

import (
	"context"
	"path/filepath"
	"testing"

	"forensics/capture"
	"forensics/event"
	"forensics/index"
	"forensics/internal/testenv"
	"forensics/query"
	"forensics/query/fields"
)

// BenchmarkReplay measures rule replay in events per second of the
// capture (502Error.scap, 22381 events, imported once): the official
// falco_rules.yaml, the built-in ruleset, and no rules with no filter
// (every event decoded and handed over: the cost of reading alone).
// The engine's type filter lets query.Run hand over only the events of
// the rules' types. One decoding worker; run with -cpu 1 for one core (make bench-replay
// does, on a capture 100 times larger).
func BenchmarkReplay(b *testing.B) {
	scap := testenv.Shared(b, "corpus/scap/502Error.scap")
	c, err := capture.Open(scap)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	events := c.Events()
	official := filepath.Join(testenv.Shared(b, "corpus/rules"), "falco_rules.yaml")
	for _, bc := range []struct {
		name  string
		load  func(l *Loader) error
		rules bool
	}{
		{"falco_rules", func(l *Loader) error { return l.LoadPath(official) }, true},
		{"builtin", func(l *Loader) error { return l.LoadData(DefaultName, Default()) }, true},
		{"no-rules-every-event", nil, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var eng *Engine
			var opts query.Options
			opts.Workers = 1
			if bc.rules {
				l := NewLoader(Options{})
				if err := bc.load(l); err != nil {
					b.Fatal(err)
				}
				rs, err := l.Compile()
				if err != nil {
					b.Fatal(err)
				}
				eng = rs.Engine(Selection{MinPriority: Debug})
				if opts.Filter, err = eng.Filter(); err != nil {
					b.Fatal(err)
				}
			}
			alerts := 0
			b.ResetTimer()
			for b.Loop() {
				err := query.Run(context.Background(), c, opts, func(fc *fields.Ctx) error {
					if eng != nil {
						alerts += eng.Match(fc, func(*Rule) {})
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkMatch measures the rules alone: the events of 502Error.scap
// decoded once into memory, then every event through the engine with the
// official falco_rules.yaml (events/s of rule evaluation, type index
// included).
func BenchmarkMatch(b *testing.B) {
	scap := testenv.Shared(b, "corpus/scap/502Error.scap")
	c, err := capture.Open(scap)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var evs []*event.Event
	it := c.Iter(index.Selection{})
	var ev event.Event
	for it.Next(&ev) {
		evs = append(evs, ev.Clone())
	}
	if err := it.Err(); err != nil {
		b.Fatal(err)
	}
	it.Close()
	tables := fields.NewTables(c.Files[0])
	official := filepath.Join(testenv.Shared(b, "corpus/rules"), "falco_rules.yaml")
	rs, _, err := Load(Options{}, official)
	if err != nil {
		b.Fatal(err)
	}
	eng := rs.Engine(Selection{MinPriority: Debug})
	fc := &fields.Ctx{Tables: tables}
	b.ResetTimer()
	for b.Loop() {
		for _, e := range evs {
			fc.Ev = e
			eng.Match(fc, func(*Rule) {})
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
