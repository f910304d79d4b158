package query

import (
	"testing"

	"forensics/event"
	"forensics/internal/eventgen"
	"forensics/query/fields"
)

// FuzzEval: any filter that compiles, evaluated and printed over any event
// (random types, parameters of every encoding and random lengths, fd
// enrichment, unknown processes), never panics.
func FuzzEval(f *testing.F) {
	for _, s := range []string{
		"evt.type=open and fd.name contains /etc",
		"proc.aname[2] in (bash, sshd) or evt.arg.fd > 3",
		"evt.rawarg.res < 0 and not fd.typechar=f",
		"fd.sip in (10.0.0.0/8) and fd.sport > 1024",
		"toupper(proc.name) glob 'B*' and evt.buffer bcontains 2f",
		"proc.name = val(proc.pname) or user.name exists",
		"fd.name pmatch (/var/run, /tmp) and evt.info icontains x",
		"evt.args contains anyof (a, b) and len(proc.cmdline) > 3",
	} {
		f.Add(s, uint64(1))
	}
	reg := fields.Syscall()
	tables := &fields.Tables{Procs: map[event.ProcKey]*event.Process{}, Users: map[uint32]*event.User{},
		Groups: map[uint32]*event.Group{}, ByTid: map[int64][]*event.Process{}}
	f.Fuzz(func(t *testing.T, src string, seed uint64) {
		flt, err := Compile(src, reg, nil)
		if err != nil {
			return
		}
		pr, _ := NewPrinter("*%evt.num %proc.name %fd.name %evt.info %evt.args", reg)
		g := eventgen.New(seed, 1_700_000_000_000_000_000)
		for _, p := range g.Processes() {
			p := p
			tables.Procs[p.Key] = &p
			tables.ByTid[p.Tid] = []*event.Process{&p}
		}
		for i := 0; i < 50; i++ {
			ev := g.Random()
			if i%2 == 0 {
				ev = g.Realistic()
			}
			c := &fields.Ctx{Ev: ev, Tables: tables}
			flt.Match(c)
			if pr != nil {
				pr.Append(nil, c)
				pr.AppendJSON(nil, c)
			}
		}
	})
}
