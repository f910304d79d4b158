package scap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"forensics/event"
)

func TestWriterBlockKinds(t *testing.T) {
	small := [][]byte{le64(1), []byte("x\x00")}
	huge := [][]byte{le64(1), bytes.Repeat([]byte{'a'}, 70000)}
	many := [][]byte{bytes.Repeat([]byte{'a'}, 40000), bytes.Repeat([]byte{'b'}, 40000)}
	if event.Lookup(322) == nil || event.Lookup(322).Flags&event.EFLargePayload == 0 {
		t.Fatal("the event table lacks pluginevent (322) with EFLargePayload")
	}
	cases := []struct {
		name  string
		ev    Event
		id    uint32
		kind  BlockKind
		flags uint32
	}{
		{"plain", Event{Type: 5, Params: small}, BlockEVV2, KindV2, 0},
		{"state only", Event{Type: 5, Flags: FlagStateOnly, Params: small}, BlockEVFV2, KindV2, FlagStateOnly},
		{"large by table", Event{Type: 322, Params: small}, BlockEVV2Large, KindLarge, 0},
		{"large by table, flags", Event{Type: 322, Flags: FlagStateOnly, Params: small}, BlockEVFV2Large, KindLarge, FlagStateOnly},
		{"large by hint", Event{Type: 5, Flags: FlagLarge, Params: small}, BlockEVV2Large, KindLarge, 0},
		{"large by hint, flags", Event{Type: 5, Flags: FlagLarge | FlagStateOnly, Params: small}, BlockEVFV2Large, KindLarge, FlagStateOnly},
		{"large by param size", Event{Type: 9, Params: huge}, BlockEVV2Large, KindLarge, 0},
		{"large by block size", Event{Type: 9, Params: many}, BlockEVV2Large, KindLarge, 0},
		{"no params", Event{Type: 5}, BlockEVV2, KindV2, 0},
		{"nil param", Event{Type: 5, Params: [][]byte{nil, le64(2)}}, BlockEVV2, KindV2, 0},
		{"type without a table entry", Event{Type: unknownOr(5), Params: small}, BlockEVV2, KindV2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			w, err := NewWriter(&out, Options{})
			if err != nil {
				t.Fatal(err)
			}
			c.ev.Ts, c.ev.Tid, c.ev.CPU = 10, -1, 7
			if err := w.WriteEvent(&c.ev); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			data := out.Bytes()
			if id := binary.LittleEndian.Uint32(data[28:]); id != c.id {
				t.Fatalf("block %#x, want %#x", id, c.id)
			}
			if n := binary.LittleEndian.Uint32(data[32:]); int(n) != len(data)-28 || n%4 != 0 {
				t.Fatalf("block length %d for %d bytes", n, len(data)-28)
			}
			_, evs, _, err := readAll(t, data, c.name)
			if err != nil || len(evs) != 1 {
				t.Fatalf("read back: %v, %d events", err, len(evs))
			}
			got := evs[0]
			if got.Kind != c.kind || got.Flags != c.flags || !sameEvent(got, &c.ev) {
				t.Fatalf("read back %+v", got)
			}
		})
	}
}

func TestWriterTruncates(t *testing.T) {
	long := strings.Repeat("x", 5000)
	s := &Section{
		Machine:    &MachineInfo{Hostname: long},
		Interfaces: []Interface{{Type: IfIPv4, Name: long}},
		Users:      []User{{Name: long, Home: "/h", Shell: "/s"}},
		Groups:     []Group{{Name: long}},
		Threads:    []Thread{{Comm: long, Exe: long, ExePath: long, Args: long, Cwd: long, Env: long, Cgroups: long, Root: long}},
		FDs:        []FDList{{FDs: []FD{{Type: FDFile, Name: long}, {Type: FDUnixSock, Name: long}, {Type: FDFileV2, Name: long}}}},
	}
	var out bytes.Buffer
	w, err := NewWriter(&out, Options{Gzip: true, GzipLevel: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSection(s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Truncated() != 15 {
		t.Errorf("%d strings truncated, want 15", w.Truncated())
	}
	secs, _, _, err := readAll(t, out.Bytes(), "trunc")
	if err != nil {
		t.Fatal(err)
	}
	got := secs[0]
	for name, c := range map[string]struct{ n, want int }{
		"hostname": {len(got.Machine.Hostname), limitHost},
		"ifname":   {len(got.Interfaces[0].Name), limitName},
		"user":     {len(got.Users[0].Name), limitCreds},
		"group":    {len(got.Groups[0].Name), limitCreds},
		"comm":     {len(got.Threads[0].Comm), limitPath},
		"args":     {len(got.Threads[0].Args), limitArgs},
		"env":      {len(got.Threads[0].Env), limitArgs},
		"fd name":  {len(got.FDs[0].FDs[2].Name), limitName},
	} {
		if c.n != c.want {
			t.Errorf("%s: %d bytes, want %d", name, c.n, c.want)
		}
	}
}

func TestWriterLifecycle(t *testing.T) {
	var out bytes.Buffer
	w, err := NewWriter(&out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := w.WriteEvent(&Event{Type: 5}); !errors.Is(err, ErrClosed) {
		t.Fatalf("WriteEvent after Close: %v", err)
	}
	secs, evs, _, err := readAll(t, out.Bytes(), "empty")
	if err != nil || len(secs) != 1 || len(evs) != 0 || out.Len() != 28 {
		t.Fatalf("an empty writer wrote %d bytes: %v", out.Len(), err)
	}
	if _, err := NewWriter(&out, Options{Gzip: true, GzipLevel: 42}); err == nil {
		t.Fatal("gzip level 42 accepted")
	}
	w, _ = NewWriter(failWriter{}, Options{})
	if err := w.WriteEvent(&Event{Type: 5, Params: [][]byte{make([]byte, 300<<10)}}); err == nil {
		if err := w.Flush(); err == nil {
			t.Fatal("no error from a failing writer")
		}
	}
}

// unknownOr returns a type the event table lacks, or def.
func unknownOr(def event.Type) event.Type {
	if typ, ok := unknownType(); ok {
		return event.Type(typ)
	}
	return def
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
