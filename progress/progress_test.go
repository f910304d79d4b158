package progress

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

func TestNewNotTerminal(t *testing.T) {
	t.Setenv(EnvNoProgress, "")
	file, err := os.CreateTemp(t.TempDir(), "progress")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()

	tests := []struct {
		name string
		w    io.Writer
		opts []Option
	}{
		{"buffer", &bytes.Buffer{}, nil},
		{"regular file", file, nil},
		{"nil writer", nil, nil},
		{"buffer quiet", &bytes.Buffer{}, []Option{Quiet(true)}},
		{"buffer quiet wins over force", &bytes.Buffer{}, []Option{Force(true), Quiet(true)}},
		{"buffer force off", &bytes.Buffer{}, []Option{Force(false)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, unit := range []Unit{Bytes, Events, Blocks} {
				rep := New(tt.w, 100, "reading", unit, tt.opts...)
				if _, ok := rep.(nop); !ok {
					t.Fatalf("New(%s) = %T, want the no-op reporter", unit, rep)
				}
				exercise(rep)
			}
			if b, ok := tt.w.(*bytes.Buffer); ok && b.Len() > 0 {
				t.Errorf("wrote %q, want nothing", b.String())
			}
		})
	}
	if fi, err := file.Stat(); err != nil || fi.Size() != 0 {
		t.Errorf("regular file: size %d (err %v), want 0", fi.Size(), err)
	}
}

func TestEnvDisables(t *testing.T) {
	tests := []struct {
		value string
		off   bool
	}{
		{"", false},
		{"0", false},
		{"false", false},
		{"1", true},
		{"true", true},
		{"yes", true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Setenv(EnvNoProgress, tt.value)
			var buf bytes.Buffer
			rep := New(&buf, 10, "x", Events, Force(true))
			exercise(rep)
			_, isNop := rep.(nop)
			if isNop != tt.off {
				t.Errorf("%s=%q: no-op reporter %v, want %v", EnvNoProgress, tt.value, isNop, tt.off)
			}
			if tt.off && buf.Len() > 0 {
				t.Errorf("%s=%q: wrote %q, want nothing", EnvNoProgress, tt.value, buf.String())
			}
		})
	}
}

func TestForceDraws(t *testing.T) {
	t.Setenv(EnvNoProgress, "")
	tests := []struct {
		name  string
		total int64
		unit  Unit
		want  string
	}{
		{"bytes known", 1 << 20, Bytes, "reading"},
		{"bytes unknown", 0, Bytes, "reading"},
		{"events known", 1000, Events, "events"},
		{"events unknown", -1, Events, "events"},
		{"blocks known", 10, Blocks, "blocks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			rep := New(&buf, tt.total, "reading", tt.unit, Force(true))
			if _, ok := rep.(nop); ok {
				t.Fatal("New with Force returned the no-op reporter")
			}
			rep.Add(7)
			if !strings.Contains(buf.String(), tt.want) {
				t.Errorf("after Add: wrote %q, want it to contain %q", buf.String(), tt.want)
			}
			drawn := buf.Len()
			rep.Finish()
			if buf.Len() <= drawn || !strings.HasSuffix(buf.String(), "\r") {
				t.Errorf("Finish did not clear the bar: wrote %q", buf.String())
			}
			// Nothing is drawn after Finish.
			n := buf.Len()
			exercise(rep)
			if buf.Len() != n {
				t.Errorf("wrote %q after Finish", buf.String()[n:])
			}
		})
	}
}

func TestBarCount(t *testing.T) {
	t.Setenv(EnvNoProgress, "")
	var buf bytes.Buffer
	rep := New(&buf, 100, "", Events, Force(true))
	b := rep.(*bar)
	rep.Add(40)
	if b.shown != 40 {
		t.Errorf("shown %d after Add(40), want 40", b.shown)
	}
	// Past the total, the bar stays just short of it until Finish.
	b.next = 0
	rep.Add(100)
	if b.done != 140 || b.shown != 99 {
		t.Errorf("done %d shown %d after Add(100), want 140 and 99", b.done, b.shown)
	}
	rep.SetTotal(1000)
	if b.total != 1000 || b.shown != 140 {
		t.Errorf("total %d shown %d after SetTotal(1000), want 1000 and 140", b.total, b.shown)
	}
	rep.Describe("later")
	rep.SetTotal(0)
	if b.total != 0 || b.shown != 140 {
		t.Errorf("total %d shown %d after SetTotal(0), want 0 and 140", b.total, b.shown)
	}
	if !strings.Contains(buf.String(), "later") {
		t.Errorf("bar not redrawn with its new description: %q", buf.String())
	}
	rep.Finish()
}

func TestDelay(t *testing.T) {
	t.Setenv(EnvNoProgress, "")
	var buf bytes.Buffer
	// Not forced: newBar is what New returns on a terminal.
	rep := newBar(&buf, 100, "slow", Bytes, false)
	rep.Add(10)
	rep.Describe("slower")
	rep.SetTotal(200)
	rep.Finish()
	if buf.Len() > 0 {
		t.Errorf("a bar finished before its delay wrote %q, want nothing", buf.String())
	}
}

func TestNopAllocs(t *testing.T) {
	rep := New(&bytes.Buffer{}, 100, "x", Events)
	allocs := testing.AllocsPerRun(1000, func() {
		rep.Add(1)
		rep.SetTotal(200)
		rep.Describe("y")
	})
	if allocs != 0 {
		t.Errorf("no-op reporter: %v allocations per run, want 0", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() {
		New(io.Discard, 100, "x", Bytes).Finish()
	})
	if allocs != 0 {
		t.Errorf("New without a terminal: %v allocations per run, want 0", allocs)
	}
}

func TestReaderWriter(t *testing.T) {
	t.Setenv(EnvNoProgress, "")
	data := bytes.Repeat([]byte("forensics"), 1000)

	src := bytes.NewReader(data)
	if r := NewReader(src, Nop()); r != io.Reader(src) {
		t.Errorf("NewReader with Nop wraps the reader")
	}
	if r := NewReader(src, nil); r != io.Reader(src) {
		t.Errorf("NewReader with nil wraps the reader")
	}
	var dst bytes.Buffer
	if w := NewWriter(&dst, Nop()); w != io.Writer(&dst) {
		t.Errorf("NewWriter with Nop wraps the writer")
	}

	rep := &counter{}
	got, err := io.ReadAll(NewReader(iotest.HalfReader(bytes.NewReader(data)), rep))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadAll through NewReader: %d bytes, err %v", len(got), err)
	}
	if rep.n != int64(len(data)) {
		t.Errorf("reader reported %d bytes, want %d", rep.n, len(data))
	}

	rep = &counter{}
	if _, err := NewWriter(&dst, rep).Write(data); err != nil {
		t.Fatal(err)
	}
	if rep.n != int64(len(data)) || !bytes.Equal(dst.Bytes(), data) {
		t.Errorf("writer reported %d bytes and wrote %d, want %d", rep.n, dst.Len(), len(data))
	}
}

func TestUnitString(t *testing.T) {
	tests := []struct {
		u    Unit
		want string
	}{
		{Bytes, "bytes"}, {Events, "events"}, {Blocks, "blocks"}, {Unit(9), "Unit(9)"},
	}
	for _, tt := range tests {
		if got := tt.u.String(); got != tt.want {
			t.Errorf("Unit(%d).String() = %q, want %q", int(tt.u), got, tt.want)
		}
	}
}

// exercise calls every method of rep once, ending with Finish.
func exercise(rep Reporter) {
	rep.Add(10)
	rep.SetTotal(200)
	rep.Describe("still reading")
	rep.Add(500)
	rep.Finish()
	rep.Add(1)
	rep.SetTotal(5)
	rep.Describe("after")
	rep.Finish()
}

// counter is a Reporter that counts.
type counter struct{ n int64 }

func (c *counter) Add(n int64)     { c.n += n }
func (c *counter) SetTotal(int64)  {}
func (c *counter) Describe(string) {}
func (c *counter) Finish()         {}

func BenchmarkAdd(b *testing.B) {
	b.Setenv(EnvNoProgress, "")
	b.Run("nop", func(b *testing.B) {
		rep := New(io.Discard, int64(b.N), "x", Events)
		b.ReportAllocs()
		for b.Loop() {
			rep.Add(1)
		}
		rep.Finish()
	})
	b.Run("bar", func(b *testing.B) {
		rep := New(io.Discard, 0, "x", Events, Force(true))
		b.ReportAllocs()
		for b.Loop() {
			rep.Add(1)
		}
		rep.Finish()
	})
}
