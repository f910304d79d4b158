package filter

import "testing"

// The seed corpora are in testdata/fuzz/FuzzParse and
// testdata/fuzz/FuzzParseFormat; f.Add adds a few more here.

// FuzzParse: no input panics; errors are well-formed *SyntaxErrors; a
// parsed filter prints to a string that parses to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"proc.name = cat",
		"a and b or not c and d",
		`proc.cmdline contains anyof (curl, "w get")`,
		"toupper(basename(proc.exepath)) = val(proc.pname)",
		`proc.env["my key"] exists and evt.num >= 0x10`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			if e != nil {
				t.Fatalf("Parse(%q) returned a tree and an error", src)
			}
			checkSyntaxError(t, src, err)
			return
		}
		roundTrip(t, src, e)
		_ = Fields(e)
	})
}

// FuzzParseFormat: the same for output format strings.
func FuzzParseFormat(f *testing.F) {
	for _, s := range []string{
		"*%evt.num %proc.name (%thread.tid) %20fd.name",
		"user=%user.name cmd=%tolower(proc.cmdline) gp=%proc.aname[2]",
		`%proc.env["a b"]%proc.name[%proc.pid]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fm, err := ParseFormat(src)
		if err != nil {
			checkSyntaxError(t, src, err)
			return
		}
		roundTripFormat(t, src, fm)
	})
}
