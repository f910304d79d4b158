package scap

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"forensics/event"
	"forensics/internal/testenv"
)

// corpusFiles returns the .scap files of the shared corpus, sorted.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	dir := testenv.Shared(t, "corpus/scap")
	files, err := filepath.Glob(filepath.Join(dir, "*.scap"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		testenv.Missing(t, "no .scap files in %s", dir)
	}
	sort.Strings(files)
	return files
}

// corpusFile returns the path of one corpus file.
func corpusFile(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(testenv.Shared(t, "corpus/scap"), name)
	if _, err := os.Stat(p); err != nil {
		testenv.Missing(t, "corpus file %s", p)
	}
	return p
}

// plainBytes returns the decompressed content of a capture file, with the
// standard library's gunzip (independent of the Reader's).
func plainBytes(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// walkBlock is one block seen by the independent walker.
type walkBlock struct {
	id       uint32
	off, len int
}

// walkCounts is what the independent walker counts.
type walkCounts struct {
	blocks    []walkBlock
	events    map[event.Type]uint64 // event blocks of types < MaxType
	threads   int
	fdLists   int
	fds       int
	users     int
	groups    int
	ifaces    int
	sections  int
	modernPL  bool // some PL_V9 entry has the libs >= 0.10 fields
	legacyPL  bool // a PL block older than V9 or a pre-0.10 V9 entry
	eventBody int  // bytes of event blocks
}

// walk counts blocks, events and metadata entries of a plain stream
// without the package's decoders: block headers, the event type u16 at its
// fixed offset, and per-version field-size tables for the entries.
func walk(t testing.TB, data []byte) walkCounts {
	t.Helper()
	le := binary.LittleEndian
	w := walkCounts{events: map[event.Type]uint64{}}
	for off := 0; off < len(data); {
		if len(data)-off < 12 {
			t.Fatalf("walk: %d stray bytes at %d", len(data)-off, off)
		}
		id, n := le.Uint32(data[off:]), int(le.Uint32(data[off+4:]))
		if n < 12 || off+n > len(data) || le.Uint32(data[off+n-4:]) != uint32(n) {
			t.Fatalf("walk: bad block %#x of length %d at %d", id, n, off)
		}
		w.blocks = append(w.blocks, walkBlock{id, off, n})
		body := data[off+8 : off+n-4]
		switch id {
		case 0x0A0D0D0A:
			w.sections++
		case 0x204, 0x216, 0x221, 0x8010ABCD:
			w.countEvent(le.Uint16(body[2+20:]))
			w.eventBody += n
		case 0x208, 0x217, 0x222:
			w.countEvent(le.Uint16(body[6+20:]))
			w.eventBody += n
		case 0x201:
		case 0x205, 0x219:
			w.ifaces += walkIfaces(body, id == 0x219)
		case 0x206, 0x220:
			u, g := walkUsers(body, id == 0x220)
			w.users, w.groups = w.users+u, w.groups+g
		case 0x203, 0x218:
			w.fdLists++
			w.fds += walkFDs(t, body[8:], id == 0x218)
		default:
			spec, ok := plSpecs[id]
			if !ok {
				t.Fatalf("walk: unexpected block %#x in the corpus", id)
			}
			n, modern := walkThreads(t, body, spec)
			w.threads += n
			if modern {
				w.modernPL = true
			} else {
				w.legacyPL = true
			}
		}
		off += n
	}
	return w
}

func (w *walkCounts) countEvent(typ uint16) {
	if event.Type(typ) < event.MaxType {
		w.events[event.Type(typ)]++
	}
}

// plSpecs gives the fixed fields of a PL entry per block id: q = 8 bytes,
// d = 4, s = u16 length + bytes. V9 starts with its length.
var plSpecs = map[uint32]string{
	0x211: "qqqssssqddd" + "dddqq" + "s" + "qqs" + "s",
	0x212: "qqqqssssqddd" + "dddqq" + "s" + "qqs" + "s",
	0x213: "qqqqsssssqddd" + "dddqq" + "s" + "qqs" + "s",
	0x214: "qqqqqsssssqddd" + "dddqq" + "s" + "qqs" + "s",
	0x215: "Lqqqqqsssssqddd" + "dddqq" + "s" + "qqs" + "s",
}

// walkThreads counts PL entries; modern reports whether the V9 entries
// carry more than the 29 bytes libs < 0.10 wrote after root.
func walkThreads(t testing.TB, body []byte, spec string) (n int, modern bool) {
	le := binary.LittleEndian
	for p := 0; len(body)-p >= 4; n++ {
		start, subLen := p, 0
		for _, f := range spec {
			switch f {
			case 'L':
				subLen = int(le.Uint32(body[p:]))
				p += 4
			case 'q':
				p += 8
			case 'd':
				p += 4
			case 's':
				p += 2 + int(le.Uint16(body[p:]))
			}
		}
		if subLen > 0 {
			modern = start+subLen-p > 29
			p = start + subLen
		}
		if p > len(body) {
			t.Fatalf("walk: thread entry %d runs past its block", n)
		}
	}
	return n, modern
}

func walkFDs(t testing.TB, body []byte, v2 bool) int {
	le := binary.LittleEndian
	n := 0
	for p := 0; len(body)-p >= 4; n++ {
		if v2 {
			p += int(le.Uint32(body[p:]))
			continue
		}
		typ := body[p+16]
		p += 17
		str := func() { p += 2 + int(le.Uint16(body[p:])) }
		switch typ {
		case 3:
			p += 13
		case 4:
			p += 37
		case 5:
			p += 7
		case 6:
			p += 19
		case 8:
			p += 16
			str()
		case 16:
			p += 4
			str()
		default:
			str()
		}
		if p > len(body) {
			t.Fatalf("walk: fd entry %d runs past its block", n)
		}
	}
	return n
}

func walkUsers(body []byte, v2 bool) (users, groups int) {
	le := binary.LittleEndian
	for p := 0; len(body)-p >= 4; {
		if v2 {
			if body[p+4] == 0 {
				users++
			} else {
				groups++
			}
			p += int(le.Uint32(body[p:]))
			continue
		}
		typ := body[p]
		p++
		str := func() { p += 2 + int(le.Uint16(body[p:])) }
		if typ == 0 {
			users++
			p += 8
			str()
			str()
			str()
		} else {
			groups++
			p += 4
			str()
		}
	}
	return users, groups
}

func walkIfaces(body []byte, v2 bool) int {
	le := binary.LittleEndian
	n := 0
	for p := 0; len(body)-p >= 4; n++ {
		if v2 {
			p += 4 + int(le.Uint32(body[p:]))
			continue
		}
		size := map[uint16]int{1: 24, 2: 60, 3: 16, 4: 52}[le.Uint16(body[p:])]
		p += size + int(le.Uint16(body[p+2:]))
	}
	return n
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

func fmtTypes(m map[event.Type]uint64) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, int(k))
	}
	sort.Ints(keys)
	var b bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&b, "%d:%d ", k, m[event.Type(k)])
	}
	return b.String()
}
