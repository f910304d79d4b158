package scap

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

// evBlock returns a complete EV_V2 block of a close exit.
func evBlock(ts uint64) []byte {
	b := evBody{typ: 5, params: [][]byte{le64(0), le64(3)}}.bytes()
	binary.LittleEndian.PutUint64(b[2:], ts)
	return mkBlock(BlockEVV2, b)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func gz(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readAll reads a whole stream with a Reader: every section and a clone of
// every event.
func readAll(t testing.TB, data []byte, name string) ([]*Section, []*Event, Stats, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), name)
	if err != nil {
		return nil, nil, Stats{}, err
	}
	defer r.Close()
	secs := []*Section{r.Section()}
	var evs []*Event
	var ev Event
	for {
		err := r.Next(&ev)
		switch {
		case err == io.EOF:
			return secs, evs, r.Stats(), nil
		case err == ErrNewSection:
			secs = append(secs, r.Section())
			continue
		case err != nil:
			return secs, evs, r.Stats(), err
		}
		evs = append(evs, ev.Clone())
	}
}

func TestReaderErrors(t *testing.T) {
	le := binary.LittleEndian
	good := cat(shb(1, 2), evBlock(1), evBlock(2))
	withLen := func(b []byte, off int, n uint32) []byte {
		b = append([]byte(nil), b...)
		le.PutUint32(b[off+4:], n)
		return b
	}
	swapped := append([]byte(nil), shb(1, 0)...)
	copy(swapped[8:], []byte{0x1a, 0x2b, 0x3c, 0x4d})
	badTrailer := cat(shb(1, 2), mkBlock(BlockMI, make([]byte, 180)), evBlock(1))
	le.PutUint32(badTrailer[28+188:], 1)
	evTrailer := cat(shb(1, 2), evBlock(1), evBlock(2))
	le.PutUint32(evTrailer[28+56:], 7)
	shortPL := cat(shb(1, 2), mkBlock(BlockPLV9, le.AppendUint32(nil, 200)), evBlock(1))
	big := cat(shb(1, 2), mkBlock(BlockEVV2, make([]byte, 70000)))
	corruptGz := gz(t, good)
	corruptGz[len(corruptGz)-6] ^= 0xff // the CRC
	cases := []struct {
		name   string
		data   []byte
		events int
		err    error
		offset int64
		skips  uint64
		trail  uint64
	}{
		{"good", good, 2, nil, 0, 0, 0},
		{"gzip", gz(t, good), 2, nil, 0, 0, 0},
		{"minor 0", cat(shb(1, 0), evBlock(1)), 1, nil, 0, 0, 0},
		{"no events", shb(1, 2), 0, nil, 0, 0, 0},
		{"empty", nil, 0, ErrNotScap, 0, 0, 0},
		{"text", []byte("hello, world, this is not a capture"), 0, ErrNotScap, 0, 0, 0},
		{"big-endian", swapped, 0, ErrByteOrder, 0, 0, 0},
		{"bad magic", cat(shb(1, 2)[:8], []byte{1, 2, 3, 4}, shb(1, 2)[12:]), 0, ErrNotScap, 0, 0, 0},
		{"major 2", cat(shb(2, 0), evBlock(1)), 0, ErrVersion, 0, 0, 0},
		{"truncated header", shb(1, 2)[:3], 0, ErrTruncated, 0, 0, 0},
		{"truncated shb", shb(1, 2)[:20], 0, ErrTruncated, 0, 0, 0},
		{"short shb", mkBlock(BlockSHB, le.AppendUint32(nil, shbMagic)), 0, ErrCorrupt, 0, 0, 0},
		{"length not a multiple of 4", withLen(good, 28, 58), 0, ErrCorrupt, 28, 0, 0},
		{"length below 12", withLen(good, 28, 8), 0, ErrCorrupt, 28, 0, 0},
		{"length over the limit", withLen(good, 28, 1<<30), 0, ErrCorrupt, 28, 0, 0},
		{"event block over 64 KiB", big, 0, ErrCorrupt, 28, 0, 0},
		{"event past the end", good[:len(good)-5], 1, ErrTruncated, 28 + 60, 0, 0},
		{"metadata trailer", badTrailer, 0, ErrCorrupt, 28, 0, 0},
		{"event trailer is a warning", evTrailer, 2, nil, 0, 0, 1},
		{"short process list", shortPL, 0, ErrCorrupt, 28, 0, 0},
		{"unknown blocks skipped", cat(shb(1, 2), mkBlock(0x999, []byte{1}), evBlock(1), mkBlock(0x998, nil), evBlock(2)), 2, nil, 0, 2, 0},
		{"metadata among events skipped", cat(shb(1, 2), evBlock(1), mkBlock(BlockMI, make([]byte, 180)), evBlock(2)), 2, nil, 0, 1, 0},
		{"bad event", cat(shb(1, 2), evBlock(1), mkBlock(BlockEVV2, evBody{typ: 5, evLen: 9}.bytes())), 1, ErrCorrupt, 28 + 60, 0, 0},
		{"gzip checksum", corruptGz, 2, ErrCorrupt, -1, 0, 0},
		{"gzip cut", gz(t, good)[:30], 0, ErrTruncated, -1, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, evs, st, err := readAll(t, c.data, "test.scap")
			if len(evs) != c.events {
				t.Errorf("%d events, want %d", len(evs), c.events)
			}
			if c.err == nil {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				if !errors.Is(err, c.err) {
					t.Fatalf("error %v, want %v", err, c.err)
				}
				var pe *PosError
				if !errors.As(err, &pe) || pe.File != "test.scap" || (c.offset >= 0 && pe.Offset != c.offset) {
					t.Fatalf("error %v: want a *PosError for test.scap at %d", err, c.offset)
				}
				if !strings.Contains(err.Error(), "test.scap: ") {
					t.Errorf("message %q lacks the file name", err)
				}
			}
			if st.SkippedBlocks != c.skips || st.TrailerMismatches != c.trail {
				t.Errorf("skipped %d blocks, %d trailer mismatches; want %d, %d", st.SkippedBlocks, st.TrailerMismatches, c.skips, c.trail)
			}
		})
	}
}

// TestErrorsAreFinal: after an error, Next keeps returning it.
func TestErrorsAreFinal(t *testing.T) {
	data := cat(shb(1, 2), evBlock(1), evBlock(2))
	r, err := NewReader(bytes.NewReader(data[:len(data)-10]), "f")
	if err != nil {
		t.Fatal(err)
	}
	var ev Event
	if err := r.Next(&ev); err != nil {
		t.Fatal(err)
	}
	e1, e2 := r.Next(&ev), r.Next(&ev)
	if !errors.Is(e1, ErrTruncated) || e1 != e2 {
		t.Fatalf("%v then %v", e1, e2)
	}
	if msg := e1.Error(); msg != "f: offset 88: scap capture truncated: stream ends inside block 0x216 of 60 bytes" {
		t.Errorf("message %q", msg)
	}
}

// TestSections reads concatenated captures: plain, and gzip members one
// after the other.
func TestSections(t *testing.T) {
	s1 := fullSection()
	s2 := &Section{Length: -1, Machine: &MachineInfo{NumCPUs: 2, Hostname: "second"}}
	var one, two bytes.Buffer
	for _, x := range []struct {
		out *bytes.Buffer
		sec *Section
		n   int
	}{{&one, s1, 3}, {&two, s2, 2}} {
		w, err := NewWriter(x.out, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteSection(x.sec); err != nil {
			t.Fatal(err)
		}
		for i := range x.n {
			if err := w.WriteEvent(&Event{Ts: uint64(i), Type: 5, Params: [][]byte{le64(0), le64(3)}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	empty := writeSection(t, &Section{Length: -1}, Options{})
	for _, c := range []struct {
		name string
		data []byte
		secs int
	}{
		{"plain", cat(one.Bytes(), two.Bytes()), 2},
		{"gzip members", cat(gz(t, one.Bytes()), gz(t, two.Bytes())), 2},
		{"empty section between", cat(one.Bytes(), empty, two.Bytes()), 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(c.data), c.name)
			if err != nil {
				t.Fatal(err)
			}
			var ev Event
			var perSection []int
			n := 0
			for {
				err := r.Next(&ev)
				if err == io.EOF {
					break
				}
				if errors.Is(err, ErrNewSection) {
					perSection = append(perSection, n)
					n = 0
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			perSection = append(perSection, n)
			if len(perSection) != c.secs || perSection[0] != 3 || perSection[len(perSection)-1] != 2 {
				t.Fatalf("events per section %v", perSection)
			}
			last := r.Section()
			if last.Index != c.secs-1 || last.Machine.Hostname != "second" || r.Stats().Sections != c.secs {
				t.Fatalf("last section %+v", last)
			}
		})
	}
	// Copy keeps the sections.
	data := cat(one.Bytes(), empty, two.Bytes())
	secs, evs, _, err := readAll(t, rewrite(t, data, Options{}), "copy")
	if err != nil || len(secs) != 3 || len(evs) != 5 {
		t.Fatalf("copy: %v, %d sections, %d events", err, len(secs), len(evs))
	}
	compareSections(t, []*Section{s1, {Index: 1, Length: -1}, {Index: 2, Length: -1, Machine: s2.Machine}}, secs)
}

// TestCopyContext: Copy stops when its context is cancelled.
func TestCopyContext(t *testing.T) {
	data := cat(shb(1, 2), evBlock(1), evBlock(2))
	r, err := NewReader(bytes.NewReader(data), "f")
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(io.Discard, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Copy(ctx, w, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("Copy: %v", err)
	}
}

// TestBigBlocks reads metadata blocks larger than the Reader's buffer,
// whole and cut.
func TestBigBlocks(t *testing.T) {
	th := fullSection().Threads[0]
	th.Env = strings.Repeat("E=1\x00", 1000)
	s := &Section{Length: -1}
	for i := range 1000 {
		th.Tid = int64(i + 1)
		s.Threads = append(s.Threads, th)
	}
	data := cat(writeSection(t, s, Options{}), evBlock(1))
	if len(data) < 3*readBufSize {
		t.Fatalf("only %d bytes", len(data))
	}
	secs, evs, _, err := readAll(t, data, "big")
	if err != nil || len(evs) != 1 {
		t.Fatalf("%v, %d events", err, len(evs))
	}
	compareSections(t, []*Section{s}, secs)
	_, _, _, err = readAll(t, data[:2*readBufSize], "big")
	var pe *PosError
	if !errors.Is(err, ErrTruncated) || !errors.As(err, &pe) || pe.Offset != 28 {
		t.Fatalf("cut: %v", err)
	}
	huge := cat(shb(1, 2), binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, BlockPLV9), 200<<20), make([]byte, 100))
	if _, _, _, err := readAll(t, huge, "huge"); !errors.Is(err, ErrTruncated) {
		t.Fatalf("a 200 MiB length over 100 bytes: %v", err)
	}
}
