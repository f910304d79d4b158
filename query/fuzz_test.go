package query

import (
	"bytes"
	"slices"
	"testing"

	"forensics/event"
	"forensics/format"
	"forensics/index"
	"forensics/internal/eventgen"
	"forensics/query/fields"
)

// FuzzEval: any filter that compiles, evaluated and printed over any event
// (random types, parameters of every encoding and random lengths, fd
// enrichment, unknown processes), never panics, and the block evaluator
// (vector.go) selects exactly the events Match selects.
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
		"evt.is_io=true and evt.dir=< and fd.type=file",
		"not evt.is_io_read=true or evt.io_dir=write or evt.is_wait=true",
		"fd.type in (pipe, unix) or fd.type!=ipv4 or not fd.type exists",
		"fd.num > 0 and fd.num != 4 or fd.num in (-1, 3) or not fd.num exists",
	} {
		f.Add(s, uint64(1))
	}
	reg := fields.Syscall()
	tables := fields.NewMemTables()
	f.Fuzz(func(t *testing.T, src string, seed uint64) {
		flt, err := Compile(src, reg, nil)
		if err != nil {
			return
		}
		pr, _ := NewPrinter("*%evt.num %proc.name %fd.name %evt.info %evt.args", reg)
		g := eventgen.New(seed, 1_700_000_000_000_000_000)
		g.AddProcesses(tables.Procs, tables.ByTid)
		var evs []*event.Event
		for i := 0; i < 50; i++ {
			ev := g.Random()
			if i%2 == 0 {
				ev = g.Realistic()
			}
			evs = append(evs, ev)
			c := &fields.Ctx{Ev: ev, Tables: tables}
			flt.Match(c)
			if pr != nil {
				pr.Append(nil, c)
				pr.AppendJSON(nil, c)
			}
		}
		checkBlockEval(t, flt, evs, tables)
	})
}

// checkBlockEval writes evs to a capture in memory and checks that the
// block evaluator selects the rows Match selects on the decoded events.
func checkBlockEval(t *testing.T, flt *Filter, evs []*event.Event, tables *fields.Tables) {
	t.Helper()
	var buf bytes.Buffer
	w, err := format.NewWriter(&buf, "fuzz", format.Header{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := w.Write(ev); err != nil {
			return // an event the format refuses (over a limit)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := format.NewFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "fuzz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br, err := f.NewBlockReader()
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	var blk format.Block
	var ev event.Event
	fc := &fields.Ctx{Ev: &ev, Tables: tables}
	for i := range f.Index.Blocks {
		if err := br.Read(i, &blk); err != nil {
			t.Fatal(err)
		}
		var want, all []int32
		for r := 0; r < blk.Len(); r++ {
			if err := blk.Event(r, &ev); err != nil {
				t.Fatal(err)
			}
			if flt.Match(fc) {
				want = append(want, int32(r))
			}
			all = append(all, int32(r))
		}
		bc := newBlockCtx(&fields.Ctx{Ev: &event.Event{}, Tables: tables}, flt.leaves)
		bc.reset(&blk)
		got := flt.root.filter(bc, all)
		if bc.err != nil {
			t.Fatal(bc.err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: block evaluation selects rows %v, Match %v", flt.Source, got, want)
		}
		// And as a run does: the comparisons of the type alone with the
		// selection, then the rest of the filter.
		b := &batch{blk: &blk}
		bc = newBlockCtx(&fields.Ctx{Ev: &event.Event{}, Tables: tables}, flt.leaves)
		if err := filterBlock(b, bc, index.Selection{}, Options{Filter: flt, StateOnly: true}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(b.rows, want) && (len(b.rows) > 0 || len(want) > 0) {
			t.Fatalf("%s: a run's block evaluation selects rows %v, Match %v", flt.Source, b.rows, want)
		}
	}
}
