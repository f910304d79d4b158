package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

type parseCase struct {
	src   string
	tree  string // dump() of the result
	print string // canonical String(); "" = same as src
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			e, err := Parse(c.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.src, err)
			}
			if got := dump(e); got != c.tree {
				t.Errorf("tree\n got %s\nwant %s", got, c.tree)
			}
			want := c.print
			if want == "" {
				want = c.src
			}
			if got := e.String(); got != want {
				t.Errorf("String()\n got %q\nwant %q", got, want)
			}
			roundTrip(t, c.src, e)
		})
	}
}

func TestParseOperators(t *testing.T) {
	runParseCases(t, []parseCase{
		{"proc.name = cat", `[proc.name = b"cat"]`, ""},
		{"proc.name == cat", `[proc.name == b"cat"]`, ""},
		{"proc.name != cat", `[proc.name != b"cat"]`, ""},
		{"evt.num < 10", `[evt.num < b"10"]`, ""},
		{"evt.num <= 10", `[evt.num <= b"10"]`, ""},
		{"evt.num > 10", `[evt.num > b"10"]`, ""},
		{"evt.num >= 10", `[evt.num >= b"10"]`, ""},
		{"fd.name contains /etc", `[fd.name contains b"/etc"]`, ""},
		{"fd.name icontains /ETC", `[fd.name icontains b"/ETC"]`, ""},
		{"evt.buffer bcontains 2f62696e", `[evt.buffer bcontains b"2f62696e"]`, ""},
		{"fd.name startswith /etc/", `[fd.name startswith b"/etc/"]`, ""},
		{"evt.buffer bstartswith 7f454c46", `[evt.buffer bstartswith b"7f454c46"]`, ""},
		{"fd.name endswith .conf", `[fd.name endswith b".conf"]`, ""},
		{"fd.name glob /etc/*.conf", `[fd.name glob b"/etc/*.conf"]`, ""},
		{"fd.name iglob /ETC/*", `[fd.name iglob b"/ETC/*"]`, ""},
		{`proc.cmdline regex "^curl .*"`, `[proc.cmdline regex q"^curl .*"]`, ""},
		{"proc.name in (bash, sh)", `[proc.name in (b"bash" b"sh")]`, ""},
		{"proc.name intersects (bash, sh)", `[proc.name intersects (b"bash" b"sh")]`, ""},
		{"fd.name pmatch (/var/run, /etc)", `[fd.name pmatch (b"/var/run" b"/etc")]`, ""},
		{"proc.name exists", `[proc.name exists]`, ""},
	})
}

func TestParseBlanksAroundOperators(t *testing.T) {
	runParseCases(t, []parseCase{
		// Symbolic operators need no blanks.
		{"proc.name=cat", `[proc.name = b"cat"]`, "proc.name = cat"},
		{"proc.name==cat", `[proc.name == b"cat"]`, "proc.name == cat"},
		{"proc.name!=cat", `[proc.name != b"cat"]`, "proc.name != cat"},
		{"evt.num<5", `[evt.num < b"5"]`, "evt.num < 5"},
		{"evt.num<=5", `[evt.num <= b"5"]`, "evt.num <= 5"},
		{"evt.num>5", `[evt.num > b"5"]`, "evt.num > 5"},
		{"evt.num>=5", `[evt.num >= b"5"]`, "evt.num >= 5"},
		{"evt.rawres<-1", `[evt.rawres < b"-1"]`, "evt.rawres < -1"},
		// The direction values "<" and ">" are bare strings.
		{"evt.dir=<", `[evt.dir = b"<"]`, "evt.dir = <"},
		{"evt.dir = >", `[evt.dir = b">"]`, ""},
		// List operators may touch their "(".
		{"proc.name in(a,b)", `[proc.name in (b"a" b"b")]`, "proc.name in (a, b)"},
		{"proc.name intersects(a)", `[proc.name intersects (b"a")]`, "proc.name intersects (a)"},
		{"fd.name pmatch(/a)", `[fd.name pmatch (b"/a")]`, "fd.name pmatch (/a)"},
		// Any blank works after a word operator; blanks everywhere.
		{"fd.name contains\t/etc", `[fd.name contains b"/etc"]`, "fd.name contains /etc"},
		{"fd.name\ncontains\n/etc", `[fd.name contains b"/etc"]`, "fd.name contains /etc"},
		{" \t\r\n\bproc.name = a \t\r\n\b", `[proc.name = b"a"]`, "proc.name = a"},
		{"proc.name   =   a", `[proc.name = b"a"]`, "proc.name = a"},
		{"proc.name exists and fd.num>=0", `(and [proc.name exists] [fd.num >= b"0"])`, "proc.name exists and fd.num >= 0"},
		{"(proc.name exists)", `[proc.name exists]`, "proc.name exists"},
	})
}

func TestParsePrecedence(t *testing.T) {
	runParseCases(t, []parseCase{
		{"a and b or not c and d", `(or (and ref:a ref:b) (and (not ref:c) ref:d))`, ""},
		{"a or b and c", `(or ref:a (and ref:b ref:c))`, ""},
		{"a and b and c", `(and ref:a ref:b ref:c)`, ""},
		{"a or b or c", `(or ref:a ref:b ref:c)`, ""},
		{"(a or b) and c", `(and (or ref:a ref:b) ref:c)`, ""},
		{"a and (b or c)", `(and ref:a (or ref:b ref:c))`, ""},
		// Parentheses that group like the precedence are kept as nesting.
		{"(a and b) and c", `(and (and ref:a ref:b) ref:c)`, ""},
		{"a or (b or c)", `(or ref:a (or ref:b ref:c))`, ""},
		{"(a and b) or c", `(or (and ref:a ref:b) ref:c)`, "a and b or c"},
		{"((a))", `ref:a`, "a"},
		{"not a", `(not ref:a)`, ""},
		{"not a and b", `(and (not ref:a) ref:b)`, ""},
		{"not (a and b)", `(not (and ref:a ref:b))`, ""},
		{"not(a and b)", `(not (and ref:a ref:b))`, "not (a and b)"},
		{"not not a", `ref:a`, "a"},
		{"not not not a", `(not ref:a)`, "not a"},
		{"not(not a)", `(not (not ref:a))`, "not (not a)"},
		{"not not(a)", `ref:a`, "a"},
		{"a and not(b)", `(and ref:a (not ref:b))`, "a and not b"},
		{"a and(b)", `(and ref:a ref:b)`, "a and b"},
		{"a or(b)", `(or ref:a ref:b)`, "a or b"},
		{"(a)or(b)", `(or ref:a ref:b)`, "a or b"},
		{"(a)and(b or c)", `(and ref:a (or ref:b ref:c))`, "a and (b or c)"},
		{"a or(b) and c", `(or ref:a (and ref:b ref:c))`, "a or b and c"},
		{"not proc.name = a", `(not [proc.name = b"a"])`, ""},
		{"not proc.name in (a) and fd.num = 3", `(and (not [proc.name in (b"a")]) [fd.num = b"3"])`, ""},
		// Words that begin with keywords are identifiers.
		{"nothing", `ref:nothing`, ""},
		{"order and android", `(and ref:order ref:android)`, ""},
		{"notable or andy", `(or ref:notable ref:andy)`, ""},
		{"not.a.field exists", `[not.a.field exists]`, ""},
	})
}

func TestParseValues(t *testing.T) {
	runParseCases(t, []parseCase{
		// Bare strings take anything but blanks ( ) , = and quotes.
		{"fd.name = /usr/lib/x86_64-linux-gnu/libc.so.6", `[fd.name = b"/usr/lib/x86_64-linux-gnu/libc.so.6"]`, ""},
		{"proc.args endswith \\", `[proc.args endswith b"\\"]`, ""},
		{"fd.name = [a]*!<>;%&", `[fd.name = b"[a]*!<>;%&"]`, ""},
		{"proc.name = caf\u00e9", `[proc.name = b"café"]`, ""},
		{"proc.name = and", `[proc.name = b"and"]`, ""},
		{"proc.name = tolower", `[proc.name = b"tolower"]`, ""},
		{"fd.name = 80", `[fd.name = b"80"]`, ""},
		// Numbers.
		{"evt.num = 42", `[evt.num = b"42"]`, ""},
		{"evt.num > 42", `[evt.num > b"42"]`, ""},
		{"evt.num > +42", `[evt.num > b"+42"]`, ""},
		{"evt.num > -42", `[evt.num > b"-42"]`, ""},
		{"evt.num > 4.5", `[evt.num > b"4.5"]`, ""},
		{"evt.num > 4.", `[evt.num > b"4."]`, ""},
		{"evt.num > 1e+10", `[evt.num > b"1e+10"]`, ""},
		{"evt.num > 2.5E-3", `[evt.num > b"2.5E-3"]`, ""},
		{"evt.num > 0x1F", `[evt.num > b"0x1F"]`, ""},
		{"evt.num > 0XaBc", `[evt.num > b"0XaBc"]`, ""},
		{"(evt.num > 5)", `[evt.num > b"5"]`, "evt.num > 5"},
		// Quoted strings and their escapes.
		{`fd.name = "/tmp/a b"`, `[fd.name = q"/tmp/a b"]`, ""},
		{`fd.name = '/tmp/a b'`, `[fd.name = q"/tmp/a b"]`, `fd.name = "/tmp/a b"`},
		{`fd.name = ""`, `[fd.name = q""]`, ""},
		{`fd.name = "plain"`, `[fd.name = q"plain"]`, ""},
		{`x.y = "\b\f\n\r\t"`, `[x.y = q"\b\f\n\r\t"]`, ""},
		{`x.y = "a\\b"`, `[x.y = q"a\\b"]`, ""},
		{`x.y = "a\/b"`, `[x.y = q"a/b"]`, `x.y = "a/b"`},
		{`x.y = "\x41\x7f\xff"`, `[x.y = q"A\x7f\xff"]`, `x.y = "A\x7f\xff"`},
		{`x.y = "say \"hi\""`, `[x.y = q"say \"hi\""]`, ""},
		{`x.y = 'it\'s'`, `[x.y = q"it's"]`, `x.y = "it's"`},
		{`x.y = "it's"`, `[x.y = q"it's"]`, ""},
		{`x.y = 'say "hi"'`, `[x.y = q"say \"hi\""]`, `x.y = "say \"hi\""`},
		// The legacy "\ " escape decodes to a backslash, as in libsinsp.
		{`proc.args contains "\ "`, `[proc.args contains q"\\"]`, `proc.args contains "\\"`},
		{"x.y = \"a\nb\"", `[x.y = q"a\nb"]`, `x.y = "a\nb"`},
		{`x.y = "(a, b) = c"`, `[x.y = q"(a, b) = c"]`, ""},
		{`x.y = "a"and b`, `(and [x.y = q"a"] ref:b)`, `x.y = "a" and b`},
	})
}

func TestParseLists(t *testing.T) {
	runParseCases(t, []parseCase{
		{"proc.name in ()", `[proc.name in ()]`, ""},
		{"proc.name in ( )", `[proc.name in ()]`, "proc.name in ()"},
		{"proc.name in (a)", `[proc.name in (b"a")]`, ""},
		{`proc.name in (a, b, "c d")`, `[proc.name in (b"a" b"b" q"c d")]`, ""},
		{`proc.name in (  a  ,b,'c'  )`, `[proc.name in (b"a" b"b" q"c")]`, `proc.name in (a, b, "c")`},
		{"proc.name in (shell_binaries, sh)", `[proc.name in (b"shell_binaries" b"sh")]`, ""},
		{"fd.sport in (80, 443, 8080)", `[fd.sport in (b"80" b"443" b"8080")]`, ""},
		{"proc.name in\n(\na,\nb\n)", `[proc.name in (b"a" b"b")]`, "proc.name in (a, b)"},
		{`x.y in ("", '')`, `[x.y in (q"" q"")]`, `x.y in ("", "")`},
		// A whole-RHS identifier names a Falco list.
		{"proc.name in shell_binaries", `[proc.name in listref:shell_binaries]`, ""},
		{"proc.name intersects my_list2", `[proc.name intersects listref:my_list2]`, ""},
		{"fd.name pmatch dirs and a", `(and [fd.name pmatch listref:dirs] ref:a)`, ""},
	})
}

func TestParseFieldArgs(t *testing.T) {
	runParseCases(t, []parseCase{
		{"proc.aname[2] = bash", `[proc.aname["2"] = b"bash"]`, ""},
		{"proc.apid[1] > 0", `[proc.apid["1"] > b"0"]`, ""},
		{"evt.arg[0] = 3", `[evt.arg["0"] = b"3"]`, ""},
		{"proc.env[HOME] = /root", `[proc.env["HOME"] = b"/root"]`, ""},
		{`proc.env["my key"] exists`, `[proc.env["my key"] exists]`, ""},
		{`proc.env['my key'] exists`, `[proc.env["my key"] exists]`, `proc.env["my key"] exists`},
		{`proc.env["HOME"] exists`, `[proc.env["HOME"] exists]`, `proc.env[HOME] exists`},
		{`proc.env[""] exists`, `[proc.env[""] exists]`, ""},
		{"container.mount[/var/run/docker.sock] exists", `[container.mount["/var/run/docker.sock"] exists]`, ""},
		{"jevt.value[/a/b(c),=d] = x", `[jevt.value["/a/b(c),=d"] = b"x"]`, ""},
		{"k8s.pod.label[app]=nginx", `[k8s.pod.label["app"] = b"nginx"]`, "k8s.pod.label[app] = nginx"},
		{"proc.aname[2]in(a)", `[proc.aname["2"] in (b"a")]`, "proc.aname[2] in (a)"},
		// Dotted names are one token; the registry splits arguments off.
		{"evt.arg.fd = 3", `[evt.arg.fd = b"3"]`, ""},
		{"thread.cgroup.cpuacct = /", `[thread.cgroup.cpuacct = b"/"]`, ""},
		{"evt.type.is.open = 1", `[evt.type.is.open = b"1"]`, ""},
		{"k8s.pod.label.app = x", `[k8s.pod.label.app = b"x"]`, ""},
		{"a_1.b_2.C3 exists", `[a_1.b_2.C3 exists]`, ""},
	})
}

func TestParseTransformers(t *testing.T) {
	runParseCases(t, []parseCase{
		{"tolower(proc.name) = bash", `[tolower(proc.name) = b"bash"]`, ""},
		{"toupper(proc.name) = BASH", `[toupper(proc.name) = b"BASH"]`, ""},
		{"b64(evt.buffer) contains x", `[b64(evt.buffer) contains b"x"]`, ""},
		{"basename(proc.exepath) = sh", `[basename(proc.exepath) = b"sh"]`, ""},
		{"len(proc.args) > 3", `[len(proc.args) > b"3"]`, ""},
		{"toupper(basename(proc.exepath)) = SH", `[toupper(basename(proc.exepath)) = b"SH"]`, ""},
		{"toupper( basename( proc.exepath ) ) = SH", `[toupper(basename(proc.exepath)) = b"SH"]`, "toupper(basename(proc.exepath)) = SH"},
		{"tolower(proc.env[HOME]) exists", `[tolower(proc.env["HOME"]) exists]`, ""},
		{"tolower(proc.name) in (a, b)", `[tolower(proc.name) in (b"a" b"b")]`, ""},
		{"not tolower(proc.name) = x", `(not [tolower(proc.name) = b"x"])`, ""},
		// val() and transformers on the right.
		{"proc.name = val(proc.pname)", `[proc.name = val:proc.pname]`, ""},
		{"proc.name=val( proc.pname )", `[proc.name = val:proc.pname]`, "proc.name = val(proc.pname)"},
		{"proc.name != val(proc.aname[1])", `[proc.name != val:proc.aname["1"]]`, ""},
		{"evt.num > val(evt.count)", `[evt.num > val:evt.count]`, ""},
		{"proc.name in val(proc.pname)", `[proc.name in val:proc.pname]`, ""},
		{"proc.name = tolower(proc.pname)", `[proc.name = val:tolower(proc.pname)]`, ""},
		{"len(proc.name) > len(proc.pname)", `[len(proc.name) > val:len(proc.pname)]`, ""},
		{"tolower(proc.name) = toupper(basename(proc.exe))", `[tolower(proc.name) = val:toupper(basename(proc.exe))]`, ""},
		{"proc.name in tolower(proc.pname)", `[proc.name in val:tolower(proc.pname)]`, ""},
	})
}

func TestParseModifiers(t *testing.T) {
	runParseCases(t, []parseCase{
		{"proc.cmdline contains anyof (curl, wget)", `[proc.cmdline contains anyof (b"curl" b"wget")]`, ""},
		{"proc.cmdline contains allof (curl, wget)", `[proc.cmdline contains allof (b"curl" b"wget")]`, ""},
		{"proc.name startswith oneof (a, b)", `[proc.name startswith oneof (b"a" b"b")]`, ""},
		{"fd.name glob anyof ('/etc/*', \"/tmp/*\")", `[fd.name glob anyof (q"/etc/*" q"/tmp/*")]`, `fd.name glob anyof ("/etc/*", "/tmp/*")`},
		{"proc.name = anyof (a)", `[proc.name = anyof (b"a")]`, ""},
		{"proc.name=anyof(a)", `[proc.name = anyof (b"a")]`, "proc.name = anyof (a)"},
		{"proc.name != allof ()", `[proc.name != allof ()]`, ""},
		{"proc.cmdline icontains anyof tools", `[proc.cmdline icontains anyof listref:tools]`, ""},
		{"proc.cmdline regex anyof (\"a.*\", b)", `[proc.cmdline regex anyof (q"a.*" b"b")]`, `proc.cmdline regex anyof ("a.*", b)`},
		// Without a list after it a modifier word is an ordinary value.
		{"proc.name = anyof", `[proc.name = b"anyof"]`, ""},
		{"proc.name = anyof and b", `(and [proc.name = b"anyof"] ref:b)`, ""},
		{"proc.name = oneof or b", `(or [proc.name = b"oneof"] ref:b)`, ""},
		{"(proc.name = allof)", `[proc.name = b"allof"]`, "proc.name = allof"},
		{"proc.name contains anyofx", `[proc.name contains b"anyofx"]`, ""},
		{`proc.name = "anyof"`, `[proc.name = q"anyof"]`, ""},
	})
}

func TestParseMacroRefs(t *testing.T) {
	runParseCases(t, []parseCase{
		{"spawned_process", `ref:spawned_process`, ""},
		{"spawned_process and container", `(and ref:spawned_process ref:container)`, ""},
		{"open_write and not proc.name in (shell_binaries)", `(and ref:open_write (not [proc.name in (b"shell_binaries")]))`, ""},
		{"(never_true)", `ref:never_true`, "never_true"},
		{"not never_true", `(not ref:never_true)`, ""},
		{"exists", `ref:exists`, ""},
		{"in or contains", `(or ref:in ref:contains)`, ""},
		{"M1 and m_2", `(and ref:M1 ref:m_2)`, ""},
	})
}

func TestParsePositions(t *testing.T) {
	src := "  a and not (fd.name = x) or tolower(proc.env[HOME]) in (p, 'q')"
	//      0123456789012345678901234567890123456789012345678901234567890123
	e, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	or := e.(*Or)
	and := or.Terms[0].(*And)
	not := and.Terms[1].(*Not)
	chk := not.X.(*Check)
	chk2 := or.Terms[1].(*Check)
	list := chk2.Value.(*List)
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"or", or.Pos(), 2},
		{"and", and.Pos(), 2},
		{"ref", and.Terms[0].Pos(), 2},
		{"not", not.Pos(), 8},
		{"check", chk.Pos(), 13},
		{"check field", chk.Field.Pos, 13},
		{"literal", chk.Value.Pos(), 23},
		{"transformed check", chk2.Pos(), 29},
		{"transformed field", chk2.Field.Pos, 37},
		{"list", list.Pos(), 56},
		{"item 0", list.Items[0].Pos, 57},
		{"item 1", list.Items[1].Pos, 60},
	} {
		if c.got != c.want {
			t.Errorf("%s: Pos %d, want %d", c.what, c.got, c.want)
		}
	}
	e, err = Parse("x.y = val(a.b) and z.w in lst")
	if err != nil {
		t.Fatal(err)
	}
	and = e.(*And)
	fv := and.Terms[0].(*Check).Value.(*FieldValue)
	if fv.Pos() != 6 || fv.Field.Pos != 10 {
		t.Errorf("val: Pos %d, field Pos %d; want 6, 10", fv.Pos(), fv.Field.Pos)
	}
	if lr := and.Terms[1].(*Check).Value.(*ListRef); lr.Pos() != 26 {
		t.Errorf("list ref Pos %d, want 26", lr.Pos())
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		src  string
		want string // the whole Error() text, or a prefix ending in "..."
	}{
		{"proc.name = ", `col 13: expected a value after "=", found end of input`},
		{"proc.name =", `col 12: expected a value after "=", found end of input`},
		{"proc.name contains", `col 19: expected a value after "contains", found end of input`},
		{"proc.name contains ", `col 20: expected a value after "contains", found end of input`},
		{"(proc.name = a", `col 15: expected ")" to close "(" at col 1, found end of input`},
		{"proc.name = a b", `col 15: unexpected "b": expected "and", "or" or end of input`},
		{"and proc.name=a", `col 1: expected a field check, a macro name, "not" or "(", found keyword "and"`},
		{`proc.name = "abc`, `col 13: unterminated quoted string: no closing " before the end of input`},
		{`proc.name = 'abc`, `col 13: unterminated quoted string: no closing ' before the end of input`},
		{`proc.name = "abc\"`, `col 13: unterminated quoted string: no closing " before the end of input`},
		{`proc.name = "abc\`, `col 13: unterminated quoted string...`},
		{`proc.name = "a\qb"`, `col 15: invalid escape \q in quoted string...`},
		{`proc.name = "a\'b"`, `col 15: invalid escape \' in a "-quoted string`},
		{`proc.name = 'a\"b'`, `col 15: invalid escape \" in a '-quoted string`},
		{`proc.name = "a\x4"`, `col 15: invalid escape \x4" in quoted string: \x needs two hex digits`},
		{`proc.name = "a\xzz"`, `col 15: invalid escape \xz in quoted string: \x needs two hex digits`},
		{`proc.name in (a, "b\u")`, `col 20: invalid escape \u in quoted string...`},
		{"", `col 1: empty filter...`},
		{" \t\n", `col 4: empty filter...`},
		{"proc.name", `col 10: expected an operator after "proc.name", found end of input`},
		{"proc.name foo", `col 11: expected an operator (=, !=, <, contains, in, exists, ...) after "proc.name", found "foo"`},
		{"proc.name containsx y", `col 11: expected an operator...`},
		{"proc.name contains(x)", `col 19: expected a blank after "contains", found "("`},
		{"proc.name existsx", `col 11: expected an operator...`},
		{"proc.name in", `col 13: expected a list after "in", found end of input`},
		{"proc.name in x.y", `col 15: unexpected ".y": expected "and", "or" or end of input`},
		{"proc.name inx", `col 11: expected an operator...`},
		{"proc.name in (a", `col 16: expected "," or ")" to close "(" at col 14, found end of input`},
		{"proc.name in (a b)", `col 17: expected "," or ")" in the list opened at col 14, found "b"`},
		{"proc.name in (a,)", `col 17: expected a list item after ",", found ")"`},
		{"proc.name in (,a)", `col 15: expected a list item or ")", found ","`},
		{"proc.name in (", `col 15: expected a list item or ")" to close "(" at col 14, found end of input`},
		{"proc.name in 5", `col 14: expected a list "(...)" or a list name after "in", found "5"`},
		{"evt.num < abc", `col 11: expected a number or a field value (val(...), a transformer) after "<", found "abc"`},
		{"evt.num < 1.5e10", `col 11: expected a number...`},
		{"evt.num < 10ms", `col 11: expected a number...`},
		{"evt.num < 0x", `col 11: expected a number...`},
		{"evt.num < 0xZZ", `col 11: expected a number...`},
		{"evt.num < 1and x", `col 11: expected a number...`},
		{`evt.num < "5"`, `col 11: expected a number or a field value (val(...), a transformer) after "<", found a quoted string`},
		{"proc.name = )", `col 13: expected a value after "=", found ")"`},
		{"proc.name = ,", `col 13: expected a value after "=", found ","`},
		{"a or", `col 5: expected an expression after "or", found end of input`},
		{"a and", `col 6: expected an expression after "and", found end of input`},
		{"a and ", `col 7: expected a field check, a macro name, "not" or "(", found end of input`},
		{"a and \"x\"", `col 7: expected a field check, a macro name, "not" or "(", found a quoted string`},
		{"a or,b", `col 5: expected a blank or "(" after "or", found ","`},
		{"a orb", `col 3: unexpected "orb": expected "and", "or" or end of input...`},
		{"not", `col 4: expected an expression after "not", found end of input`},
		{"not ", `col 5: expected a field check, a macro name, "not" or "(", found end of input`},
		{"not,a", `col 4: expected a blank or "(" after "not", found ","`},
		{"(a", `col 3: expected ")" to close "(" at col 1, found end of input`},
		{"(a b)", `col 4: expected "and", "or" or ")" to close "(" at col 1, found "b"`},
		{"()", `col 2: expected a field check, a macro name, "not" or "(", found ")"`},
		{"a)", `col 2: unexpected ")": expected "and", "or" or end of input`},
		{"a or or", `col 6: expected a field check, a macro name, "not" or "(", found keyword "or"`},
		{"5 = x", `col 1: expected a field check, a macro name, "not" or "(", found "5"`},
		{"spawned_process = x", `col 17: unexpected "=": expected "and", "or" or end of input (a field name has at least two dot-separated parts...`},
		{"(proc = x)", `col 7: expected "and", "or" or ")" to close "(" at col 1, found "=" (a field name...`},
		{"proc.name. = x", `col 10: expected an operator...`},
		{"proc.aname [2] = x", `col 12: expected an operator...`},
		{"proc.env[ = x", `col 10: expected an argument (a quoted or bare string) after "proc.env[", found " "`},
		{"proc.env[", `col 10: expected an argument after "proc.env[", found end of input`},
		{"proc.env[HOME = x", `col 14: expected "]" to close "[" at col 9, found " "`},
		{"proc.env[HOME", `col 14: expected "]" to close "[" at col 9, found end of input`},
		{`proc.env["HOME] = x`, `col 10: unterminated quoted string...`},
		{"proc.env[] = x", `col 10: expected an argument (a quoted or bare string) after "proc.env[", found "]"`},
		// Transformers.
		{"foo(proc.name) = x", `col 1: unknown transformer "foo" (known: tolower, toupper, b64, basename, len)`},
		{"tolower(foo(proc.name)) = x", `col 9: unknown transformer "foo"...`},
		{"tolower(proc.name = x", `col 19: expected ")" to close "tolower(" at col 1, found "="`},
		{"tolower() = x", `col 9: expected a field or a transformer inside "tolower(", found ")"`},
		{"tolower(name) = x", `col 9: expected a field or a transformer inside "tolower(", found "name"`},
		{"tolower (proc.name) = x", `col 9: unexpected "(": expected "and", "or" or end of input`},
		{"val(proc.name) = x", `col 1: val() can only be used on the right-hand side of a comparison`},
		{"join(proc.args) = x", `col 1: the multi-argument transformer "join" is not supported`},
		{"tolower(proc.name) exists x", `col 27: unexpected "x"...`},
		{"proc.name = val(x)", `col 17: expected a field inside "val(", found "x"`},
		{"proc.name = val(proc.pname", `col 27: expected ")" to close "val(" at col 13, found end of input`},
		{"proc.name = val(tolower(proc.pname))", `col 17: expected a field inside "val(", found "tolower"`},
		{"proc.name = foo(proc.pname)", `col 13: unknown transformer "foo"...`},
		{"proc.name = concat(a.b, c.d)", `col 13: the multi-argument transformer "concat" is not supported`},
		{"proc.name = tolower(proc.pname", `col 31: expected ")" to close "tolower(" at col 13, found end of input`},
		{"evt.num > len(x)", `col 15: expected a field or a transformer inside "len(", found "x"`},
		{"proc.name in foo(x)", `col 14: unknown transformer "foo"...`},
		// Modifiers.
		{"proc.name contains anyof (a", `col 28: expected "," or ")" to close "(" at col 26, found end of input`},
		{"proc.name contains anyof 5", `col 26: unexpected "5": expected "and", "or" or end of input`},
		{"proc contains x", `col 6: unexpected "contains": expected "and", "or" or end of input (a field name has at least two dot-separated parts...`},
		{"proc[1] = x", `col 5: unexpected "[": expected "and", "or" or end of input (a field name...`},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			e, err := Parse(c.src)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", c.src, e)
			}
			se := checkSyntaxError(t, c.src, err)
			got := err.Error()
			if prefix, ok := strings.CutSuffix(c.want, "..."); ok {
				if !strings.HasPrefix(got, prefix) {
					t.Fatalf("error\n got %s\nwant %s", got, c.want)
				}
			} else if got != c.want {
				t.Fatalf("error\n got %s\nwant %s", got, c.want)
			}
			if !strings.HasPrefix(got, "col ") || se.Msg == "" {
				t.Fatalf("error %q has no column or message", got)
			}
		})
	}
}

func TestParseErrorSentinels(t *testing.T) {
	for _, c := range []struct {
		src  string
		want error
	}{
		{"", ErrEmpty},
		{"   ", ErrEmpty},
		{strings.Repeat("(", 101) + "a" + strings.Repeat(")", 101), ErrTooDeep},
		{"join(proc.args) = x", ErrUnsupported},
		{"getopt(proc.args) = x", ErrUnsupported},
	} {
		_, err := Parse(c.src)
		checkSyntaxError(t, c.src, err)
		if !errors.Is(err, c.want) {
			t.Errorf("Parse(%.30q): error %v does not wrap %v", c.src, err, c.want)
		}
	}
	_, err := Parse("a b")
	if errors.Is(err, ErrEmpty) || errors.Is(err, ErrTooDeep) || errors.Is(err, ErrUnsupported) {
		t.Errorf("plain syntax error %v wraps a specific sentinel", err)
	}
}

func TestParseDepth(t *testing.T) {
	nest := func(n int, inner string) string {
		return strings.Repeat("(", n) + inner + strings.Repeat(")", n)
	}
	// MaxDepth levels are fine, one more is an error at the innermost "(".
	if _, err := Parse(nest(MaxDepth, "a")); err != nil {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}
	_, err := Parse(nest(MaxDepth+1, "a"))
	se := checkSyntaxError(t, nest(MaxDepth+1, "a"), err)
	if !errors.Is(err, ErrTooDeep) || se.Pos != MaxDepth {
		t.Fatalf("%d levels: %v (pos %d)", MaxDepth+1, err, se.Pos)
	}
	// Huge inputs fail fast instead of overflowing the stack.
	for _, src := range []string{
		nest(1_000_000, "a"),
		strings.Repeat("(", 1_000_000),
		strings.Repeat("not(", 1_000_000),
		strings.Repeat("a and (", 100_000),
		strings.Repeat("tolower(", 1_000_000) + "proc.name" + strings.Repeat(")", 1_000_000) + " = x",
		"x.y = " + strings.Repeat("tolower(", 1_000_000) + "proc.name" + strings.Repeat(")", 1_000_000),
	} {
		_, err := Parse(src)
		if !errors.Is(err, ErrTooDeep) {
			t.Fatalf("Parse(%.20q...): %v, want ErrTooDeep", src, err)
		}
	}
	// not(...) and transformer calls count as levels.
	if _, err := Parse(strings.Repeat("not(", MaxDepth) + "a" + strings.Repeat(")", MaxDepth)); err != nil {
		t.Fatalf("%d not( levels: %v", MaxDepth, err)
	}
	deepT := strings.Repeat("tolower(", MaxDepth) + "proc.name" + strings.Repeat(")", MaxDepth) + " = x"
	if _, err := Parse(deepT); err != nil {
		t.Fatalf("%d transformers: %v", MaxDepth, err)
	}
	if _, err := Parse("(" + deepT + ")"); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("%d transformers inside a group: %v, want ErrTooDeep", MaxDepth, err)
	}
	// Long flat inputs and long runs of "not" are not nesting.
	flat := strings.Repeat("a and ", 200_000) + "a"
	e, err := Parse(flat)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.(*And).Terms); n != 200_001 {
		t.Fatalf("flat and: %d terms", n)
	}
	e, err = Parse(strings.Repeat("not ", 200_001) + "a")
	if err != nil {
		t.Fatal(err)
	}
	if dump(e) != "(not ref:a)" {
		t.Fatalf("200001 nots: %s", dump(e))
	}
	list := "x.y in (" + strings.Repeat("a, ", 200_000) + "a)"
	if e, err := Parse(list); err != nil || len(e.(*Check).Value.(*List).Items) != 200_001 {
		t.Fatalf("long list: %v", err)
	}
}

func TestWalkAndFields(t *testing.T) {
	e, err := Parse("m1 and (tolower(proc.name) = val(proc.pname) or not fd.name[x] in (a)) and evt.num > len(proc.args) and not m2")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *And:
			kinds = append(kinds, "and")
		case *Or:
			kinds = append(kinds, "or")
		case *Not:
			kinds = append(kinds, "not")
		case *Check:
			kinds = append(kinds, "check:"+x.Field.Name)
		case *Ref:
			kinds = append(kinds, "ref:"+x.Name)
		}
		return true
	})
	want := []string{"and", "ref:m1", "or", "check:proc.name", "not", "check:fd.name", "check:evt.num", "not", "ref:m2"}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("Walk order\n got %v\nwant %v", kinds, want)
	}
	// Returning false prunes.
	var visited int
	Walk(e, func(x Expr) bool {
		visited++
		_, isOr := x.(*Or)
		_, isNot := x.(*Not)
		return !isOr && !isNot
	})
	if visited != 5 { // and, m1, or, check, not
		t.Errorf("pruned walk visited %d nodes, want 5", visited)
	}
	Walk(nil, func(Expr) bool { t.Fatal("called on nil"); return true })

	var names []string
	for _, f := range Fields(e) {
		names = append(names, dumpField(f))
	}
	wantF := []string{"tolower(proc.name)", "proc.pname", `fd.name["x"]`, "evt.num", "len(proc.args)"}
	if !reflect.DeepEqual(names, wantF) {
		t.Errorf("Fields\n got %v\nwant %v", names, wantF)
	}
	if f := Fields(&Ref{Name: "x"}); f != nil {
		t.Errorf("Fields of a macro reference: %v", f)
	}
}

func TestOps(t *testing.T) {
	for o := OpEq; o < opCount; o++ {
		got, ok := LookupOp(o.String())
		if !ok || got != o {
			t.Errorf("LookupOp(%q) = %v, %v", o.String(), got, ok)
		}
		// Every operator parses and prints back.
		src := "x.y " + o.String()
		switch {
		case o == OpExists:
		case o.IsOrdering():
			src += " 1"
		case o.IsList():
			src += " (a, b)"
		default:
			src += " v"
		}
		e, err := Parse(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if c := e.(*Check); c.Op != o || e.String() != src {
			t.Errorf("%s: op %v, printed %q", src, c.Op, e.String())
		}
		if o.TakesModifier() {
			src := "x.y " + o.String() + " anyof (a, b)"
			if e, err := Parse(src); err != nil || e.(*Check).Modifier != ModAnyOf || e.String() != src {
				t.Errorf("%s: %v %v", src, e, err)
			}
		}
	}
	for _, bad := range []string{"", "equals", "IN", "=~", "not"} {
		if _, ok := LookupOp(bad); ok {
			t.Errorf("LookupOp(%q) succeeded", bad)
		}
	}
	if OpInvalid.String() != "<invalid op>" || ModNone.String() != "" {
		t.Errorf("zero values print as %q, %q", OpInvalid.String(), ModNone.String())
	}
}

// TestPrintHandBuilt prints trees that Parse never makes, without panics,
// and quotes what cannot be bare.
func TestPrintHandBuilt(t *testing.T) {
	for _, c := range []struct {
		e    Expr
		want string
	}{
		{&Check{Field: FieldRef{Name: "a.b"}, Op: OpEq, Value: &Literal{Text: "x y"}}, `a.b = "x y"`},
		{&Check{Field: FieldRef{Name: "a.b"}, Op: OpEq, Value: &Literal{Text: ""}}, `a.b = ""`},
		{&Check{Field: FieldRef{Name: "a.b"}, Op: OpIn, Value: &List{Items: []ListItem{{Text: "a,b", Bare: true}, {Text: "c"}}}}, `a.b in ("a,b", "c")`},
		{&Check{Field: FieldRef{Name: "a.b", Arg: "x y]", HasArg: true}, Op: OpExists}, `a.b["x y]"] exists`},
		{&Check{Field: FieldRef{Name: "a.b"}, Op: OpEq}, `a.b = <nil>`},
		{&Not{X: &Not{X: &Ref{Name: "a"}}}, `not (not a)`},
		{&Not{}, `not <nil>`},
		{&And{Terms: []Expr{&Or{Terms: []Expr{&Ref{Name: "a"}, &Ref{Name: "b"}}}, &Ref{Name: "c"}}}, `(a or b) and c`},
		{&Or{Terms: []Expr{&And{Terms: []Expr{&Ref{Name: "a"}, &Ref{Name: "b"}}}, &Ref{Name: "c"}}}, `a and b or c`},
		{&Check{Field: FieldRef{Name: "a.b"}, Op: OpEq, Value: &Literal{Text: "\x00\x1b\"\\é\xff", Quoted: true}}, `a.b = "\x00\x1b\"\\é\xff"`},
	} {
		if got := c.e.String(); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}
