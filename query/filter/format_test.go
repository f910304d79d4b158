package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	cases := []struct {
		src  string
		want string // dumpFormat
	}{
		{"%proc.name", `|%proc.name`},
		{"plain text", `|"plain text"`},
		{"*%proc.name", `*|%proc.name`},
		{"*", `*`},
		{"**x", `*|"*x"`},
		{"a*%proc.name", `|"a*"|%proc.name`},
		{"%evt.num %proc.name (%thread.tid)", `|%evt.num|" "|%proc.name|" ("|%thread.tid|")"`},
		{"user=%user.name command=%proc.cmdline", `|"user="|%user.name|" command="|%proc.cmdline`},
		{"%evt.arg.name", `|%evt.arg.name`},
		{"%proc.aname[2]", `|%proc.aname["2"]`},
		{"gparent=%proc.aname[2] ggparent=%proc.aname[3]", `|"gparent="|%proc.aname["2"]|" ggparent="|%proc.aname["3"]`},
		{"%proc.env[HOME]", `|%proc.env["HOME"]`},
		{`%proc.env["my key"]`, `|%proc.env["my key"]`},
		{"%jevt.value[/requestObject/spec/volumes])", `|%jevt.value["/requestObject/spec/volumes"]|")"`},
		{"%20proc.name|", `|%20proc.name|"|"`},
		{"%5evt.num", `|%5evt.num`},
		{"%tolower(proc.name)", `|%tolower(proc.name)`},
		{"%toupper(basename(proc.exepath)) end", `|%toupper(basename(proc.exepath))|" end"`},
		{"%tolower( proc.name )", `|%tolower(proc.name)`},
		{"%10len(proc.args)", `|%10len(proc.args)`},
		// A token ends where a field name cannot continue.
		{"%proc.name.", `|%proc.name|"."`},
		{"%proc.name. x", `|%proc.name|". x"`},
		{"%proc.name/%proc.pid", `|%proc.name|"/"|%proc.pid`},
		{"%ka.target.name/%ka.target.resource", `|%ka.target.name|"/"|%ka.target.resource`},
		{"(%proc.name)", `|"("|%proc.name|")"`},
		{"%fd.name\"", `|%fd.name|"\""`},
		{"%proc.name:%proc.pid", `|%proc.name|":"|%proc.pid`},
		{"%proc.name-x", `|%proc.name|"-x"`},
		{"%proc.name_x", `|%proc.name_x`},
		// A "[" without a well-formed argument stays text.
		{"%proc.name[", `|%proc.name|"["`},
		{"%proc.name[%proc.pid]", `|%proc.name|"["|%proc.pid|"]"`},
		{"%proc.name[]", `|%proc.name|"[]"`},
		{"%proc.name[a b]", `|%proc.name|"[a b]"`},
		{`%proc.name["a`, `|%proc.name|"[\"a"`},
		{"%proc.name [x]", `|%proc.name|" [x]"`},
		{"100 percent: %evt.num\nnext line", `|"100 percent: "|%evt.num|"\nnext line"`},
		{"é %proc.name ü", `|"é "|%proc.name|" ü"`},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			f, err := ParseFormat(c.src)
			if err != nil {
				t.Fatalf("ParseFormat(%q): %v", c.src, err)
			}
			if got := dumpFormat(f); got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
			roundTripFormat(t, c.src, f)
		})
	}
}

func TestParseFormatPositions(t *testing.T) {
	f, err := ParseFormat("*a=%proc.name %20tolower(fd.name)")
	if err != nil {
		t.Fatal(err)
	}
	type pos struct{ part, field int }
	var got []pos
	for _, p := range f.Parts {
		fp := -1
		if p.Field != nil {
			fp = p.Field.Pos
		}
		got = append(got, pos{p.Pos, fp})
	}
	want := []pos{{1, -1}, {3, 4}, {13, -1}, {14, 25}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("positions %v, want %v", got, want)
	}
	if f.Parts[3].Width != 20 {
		t.Errorf("width %d", f.Parts[3].Width)
	}
	var names []string
	for _, fr := range f.Fields() {
		names = append(names, dumpField(fr))
	}
	if !reflect.DeepEqual(names, []string{"proc.name", "tolower(fd.name)"}) {
		t.Errorf("Fields %v", names)
	}
}

func TestParseFormatErrors(t *testing.T) {
	cases := []struct {
		src  string
		want string
	}{
		{"", `col 1: empty format string`},
		{"%", `col 1: a format cannot end with "%" (there is no escape for a literal "%")`},
		{"50%", `col 3: a format cannot end with "%"...`},
		{"50% done", `col 4: expected a field name after "%", found " " (there is no escape for a literal "%")`},
		{"%%", `col 2: expected a field name after "%", found "%"...`},
		{"%20", `col 4: expected a field after "%20", found end of input`},
		{"%20 x", `col 4: expected a field name after "%", found " "...`},
		{"%99999999999999999999999proc.name", `col 2: field width 99999999999999999999999 is larger than 65535`},
		{"%65536proc.name", `col 2: field width 65536 is larger than 65535`},
		{"%proc", `col 2: expected a field name after "%", found "proc" (a field name has at least two dot-separated parts)`},
		{"x %foo bar", `col 4: expected a field name after "%", found "foo"...`},
		{"%foo(proc.name)", `col 2: unknown transformer "foo"...`},
		{"%val(proc.name)", `col 2: val() is not allowed here`},
		{"%join(proc.args)", `col 2: the multi-argument transformer "join" is not supported`},
		{"%tolower(proc.name", `col 19: expected ")" to close "tolower(" at col 2, found end of input`},
		{"%tolower(x)", `col 10: expected a field or a transformer inside "tolower(", found "x"`},
		{"%tolower(proc.name[x)", `col 19: expected ")" to close "tolower(" at col 2, found "["`},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			f, err := ParseFormat(c.src)
			if err == nil {
				t.Fatalf("ParseFormat(%q) = %s, want an error", c.src, dumpFormat(f))
			}
			checkSyntaxError(t, c.src, err)
			got := err.Error()
			if prefix, ok := strings.CutSuffix(c.want, "..."); ok {
				if !strings.HasPrefix(got, prefix) {
					t.Fatalf("error\n got %s\nwant %s", got, c.want)
				}
			} else if got != c.want {
				t.Fatalf("error\n got %s\nwant %s", got, c.want)
			}
		})
	}
	if _, err := ParseFormat(""); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty format: %v does not wrap ErrEmpty", err)
	}
	deep := "%" + strings.Repeat("tolower(", MaxDepth+1) + "proc.name" + strings.Repeat(")", MaxDepth+1)
	if _, err := ParseFormat(deep); !errors.Is(err, ErrTooDeep) {
		t.Errorf("deep transformers: %v", err)
	}
	ok := "%" + strings.Repeat("tolower(", MaxDepth) + "proc.name" + strings.Repeat(")", MaxDepth)
	if _, err := ParseFormat(ok); err != nil {
		t.Errorf("%d transformers: %v", MaxDepth, err)
	}
}

func TestFormatStringHandBuilt(t *testing.T) {
	f := Format{Parts: []FormatPart{
		{Text: "x="},
		{Field: &FieldRef{Name: "proc.env", Arg: "50%", HasArg: true}, Width: 3},
		{Field: &FieldRef{Name: "fd.name", Transformers: []string{"basename"}}},
	}}
	if got, want := f.String(), `x=%3proc.env["50%"]%basename(fd.name)`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	roundTripFormat(t, "hand-built", f)
}
