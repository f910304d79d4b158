package query

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"forensics/event"
	"forensics/internal/eventgen"
	"forensics/query/fields"
	"forensics/query/filter"
)

// testSource is a small registry over a fake event: enough to test the
// engine without the syscall registry.
func testSource() *fields.Source {
	str := func(name string, get func(c *fields.Ctx) (string, bool)) *fields.Field {
		return &fields.Field{Name: name, Type: fields.TString, Bind: func(string, bool) (fields.Extractor, error) {
			return func(c *fields.Ctx) (fields.Value, bool) {
				s, ok := get(c)
				return fields.Str(s), ok
			}, nil
		}}
	}
	return fields.NewSource("test", []*fields.Field{
		str("evt.type", func(c *fields.Ctx) (string, bool) { return c.Ev.Type.String(), true }),
		str("fd.name", func(c *fields.Ctx) (string, bool) { return c.Ev.FD.Name, c.Ev.FD.Num != event.NoFD }),
		str("proc.name", func(c *fields.Ctx) (string, bool) { return "bash", true }),
		{Name: "evt.num", Type: fields.TUint, Bind: func(string, bool) (fields.Extractor, error) {
			return func(c *fields.Ctx) (fields.Value, bool) { return fields.Uint(c.Ev.Num), true }, nil
		}},
		{Name: "fd.sip", Type: fields.TIP, Bind: func(string, bool) (fields.Extractor, error) {
			return func(c *fields.Ctx) (fields.Value, bool) {
				return fields.IPVal(c.Ev.FD.Tuple.SIP), c.Ev.FD.Tuple.SIP.IsValid()
			}, nil
		}},
		{Name: "proc.aname", Type: fields.TString, Arg: fields.ArgIndex, Bind: func(arg string, has bool) (fields.Extractor, error) {
			return func(c *fields.Ctx) (fields.Value, bool) {
				if has {
					return fields.Str(map[string]string{"0": "bash", "1": "sshd"}[arg]), true
				}
				return fields.ListVal([]string{"bash", "sshd", "systemd"}), true
			}, nil
		}},
	})
}

func TestEval(t *testing.T) {
	reg := testSource()
	open := &event.Event{Num: 7, Type: 307, FD: event.FD{Num: 3, Name: "/etc/passwd",
		Tuple: event.Tuple{SIP: netip.MustParseAddr("10.1.2.3")}}}
	read := &event.Event{Num: 8, Type: 7, FD: event.FD{Num: event.NoFD}}
	tests := []struct {
		filter string
		open   bool
		read   bool
	}{
		{"evt.type=openat", true, false},
		{"evt.type in (openat, read)", true, true},
		{"fd.name contains /etc", true, false},
		{"fd.name != /tmp/x", true, false}, // missing on read: false, even for !=
		{"not fd.name = /tmp/x", true, true},
		{"fd.name exists", true, false},
		{"fd.name startswith /etc and evt.num > 6", true, false},
		{"fd.name endswith passwd or evt.num=8", true, true},
		{"fd.name glob '/etc/*'", true, false},
		{"fd.name glob '/e?c/[o-q]asswd'", true, false},
		{"fd.name iglob '/ETC/*'", true, false},
		{"fd.name regex '/etc/pass.*'", true, false},
		{"fd.name regex 'etc'", false, false}, // full match
		{"fd.name icontains PASSWD", true, false},
		{"fd.name pmatch (/etc, /usr)", true, false},
		{"fd.name pmatch (/et)", false, false},
		{"fd.name bcontains 706173", true, false}, // "pas"
		{"fd.name bstartswith 2f657463", true, false},
		{"evt.num in (1, 8)", false, true},
		{"evt.num <= 7", true, false},
		{"fd.sip = 10.1.2.3", true, false},
		{"fd.sip in (10.0.0.0/8)", true, false},
		{"proc.aname = sshd", true, true},
		{"proc.aname[1] = sshd", true, true},
		{"proc.aname in (bash, sshd)", false, false},
		{"proc.aname intersects (sshd)", true, true},
		{"proc.name = val(proc.aname[0])", true, true},
		{"toupper(proc.name) = BASH", true, true},
		{"len(fd.name) = 11", true, false},
		{"basename(fd.name) = passwd", true, false},
		{"fd.name contains anyof (shadow, passwd)", true, false},
		{"fd.name contains allof (shadow, passwd)", false, false},
	}
	for _, tt := range tests {
		f, err := Compile(tt.filter, reg, nil)
		if err != nil {
			t.Errorf("%s: %v", tt.filter, err)
			continue
		}
		if got := f.Match(&fields.Ctx{Ev: open}); got != tt.open {
			t.Errorf("%s on openat: %v", tt.filter, got)
		}
		if got := f.Match(&fields.Ctx{Ev: read}); got != tt.read {
			t.Errorf("%s on read: %v", tt.filter, got)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	reg := testSource()
	for _, tt := range []struct {
		filter string
		col    int
	}{
		{"proc.nme = bash", 1},
		{"evt.num > abc", 11},
		{"fd.sip contains 10", 1},
		{"evt.type = openat and spawned_process", 23},
	} {
		_, err := Compile(tt.filter, reg, nil)
		var ce *CompileError
		var se *filter.SyntaxError
		pos := -1
		switch {
		case errors.As(err, &ce):
			pos = ce.Pos
		case errors.As(err, &se):
			pos = se.Pos
		}
		if pos+1 != tt.col {
			t.Errorf("%s: error %v, want one at col %d", tt.filter, err, tt.col)
		}
	}
	if _, err := Compile("proc.name = ", reg, nil); !errors.Is(err, filter.ErrSyntax) {
		t.Errorf("syntax error: %v", err)
	}
}

func TestMacrosListsAndTypes(t *testing.T) {
	reg := testSource()
	env := &Env{Lists: map[string][]string{"shells": {"bash", "zsh"}}}
	macro, err := filter.Parse("evt.type in (openat, read) and proc.name in (shells)")
	if err != nil {
		t.Fatal(err)
	}
	env.Macros = map[string]filter.Expr{"opens": macro}
	f, err := Compile("opens and not fd.name = /tmp", reg, env)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(&fields.Ctx{Ev: &event.Event{Type: 307, FD: event.FD{Num: 3, Name: "/etc"}}}) {
		t.Fatal("macro with list did not match")
	}
	if f.Types == nil || f.Types.Len() < 2 || !f.Types.Has(307) || f.Types.Has(293) {
		t.Fatalf("types %v", f.Types)
	}
	f, _ = Compile("evt.type = openat or fd.name = x", reg, nil)
	if f.Types != nil {
		t.Fatal("an or with an untyped side must match every type")
	}
}

// TestComms checks the process names a filter needs, which the index uses
// to skip blocks.
func TestComms(t *testing.T) {
	reg := testSource()
	env := &Env{Lists: map[string][]string{"shells": {"bash", "zsh"}}}
	macro, _ := filter.Parse("proc.name in (shells)")
	env.Macros = map[string]filter.Expr{"shell_procs": macro}
	tests := []struct {
		src  string
		want []string // nil: any name
	}{
		{"proc.name=curl and evt.type=read", []string{"curl"}},
		{"proc.name in (a, b) or proc.name = c", []string{"a", "b", "c"}},
		{"shell_procs and proc.name != bash", []string{"bash", "zsh"}},
		{"shell_procs and proc.name = zsh", []string{"zsh"}},
		{"shell_procs and proc.name = sh", []string{}},
		{"proc.name = a or fd.name = x", nil},
		{"not proc.name = a", nil},
		{"proc.name contains a", nil},
		{"tolower(proc.name) = a", nil},
		{"proc.name = <NA>", []string{"", "<NA>"}},
	}
	for _, tt := range tests {
		f, err := Compile(tt.src, reg, env)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		if (f.Comms == nil) != (tt.want == nil) || !slices.Equal(f.Comms, tt.want) {
			t.Errorf("%s: names %q, want %q", tt.src, f.Comms, tt.want)
		}
	}
}

// An or of equalities on evt.type or fd.type, compiled as one in,
// selects what the same or compiled term by term does (kept so by an
// extra term that only repeats the first), event by event and block by
// block.
func TestEqualitiesAsIn(t *testing.T) {
	reg := fields.Syscall()
	g := eventgen.New(9, 1_700_000_000_000_000_000)
	tables := fields.NewMemTables()
	g.AddProcesses(tables.Procs, tables.ByTid)
	evs := g.Mixed(3000)
	for _, tc := range [][2]string{
		{"fd.type=ipv4 or fd.type=ipv6", "fd.type=ipv4 or fd.type=ipv6 or (fd.type=ipv4 and evt.num>0)"},
		{"evt.type=read or evt.type==openat or evt.type=mkdir", "evt.type=read or evt.type==openat or evt.type=mkdir or (evt.type=read and evt.num>0)"},
		{"fd.type=file or fd.type=directory or fd.type=''", "fd.type=file or fd.type=directory or fd.type='' or (fd.type=file and evt.num>0)"},
	} {
		in, err := Compile(tc[0], reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := in.root.(*checkNode); !ok {
			t.Errorf("%s: compiled as %T, not one comparison", tc[0], in.root)
		}
		ref, err := Compile(tc[1], reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		hits := 0
		for i, ev := range evs {
			c := &fields.Ctx{Ev: ev, Tables: tables}
			got, want := in.Match(c), ref.Match(c)
			if got != want {
				t.Fatalf("%s: event %d (type %d): %v, want %v", tc[0], i, ev.Type, got, want)
			}
			if got {
				hits++
			}
		}
		if hits == 0 {
			t.Errorf("%s: matches no event", tc[0])
		}
		checkBlockEval(t, in, evs, tables)
	}
	// Not rewritten: different fields, another operator, a transformer.
	for _, src := range []string{"fd.type=ipv4 or evt.type=read", "fd.type=ipv4 or fd.type!=file", "toupper(fd.type)=IPV4 or toupper(fd.type)=FILE", "proc.name=a or proc.name=b"} {
		f, err := Compile(src, reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := f.root.(*orNode); !ok {
			t.Errorf("%s: compiled as %T, want an or", src, f.root)
		}
	}
}

// A printer reads the parts its fields read: the default line every
// part, a format of process names and return values the process alone.
func TestPrinterReads(t *testing.T) {
	reg := fields.Syscall()
	for format, want := range map[string]event.Parts{
		DefaultFormat:                        event.AllParts,
		"%proc.name %evt.rawarg.res %fd.num": event.PartProc,
		"%fd.name %evt.type":                 event.PartFDName,
		"%fd.sport %fd.ino":                  event.PartFDTuple | event.PartFDMeta,
		"plain text only":                    0,
	} {
		p, err := NewPrinter(format, reg)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Reads(); got != want {
			t.Errorf("%q: reads %b, want %b", format, got, want)
		}
	}
}
