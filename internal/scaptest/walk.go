package scaptest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"testing"

	"forensics/event"
)

// Block is one block seen by the walker: its id and where it lies in the
// plain stream (Len includes the header and the trailing length).
type Block struct {
	ID       uint32
	Off, Len int
}

// Counts is what Walk counts in a plain stream.
type Counts struct {
	Blocks     []Block               // every block, in stream order
	BlockIDs   map[uint32]uint64     // blocks by id
	Events     map[event.Type]uint64 // event blocks by type, types < event.MaxType only
	Threads    int                   // process-list entries
	FDLists    int                   // fd-list blocks
	FDs        int                   // fd-list entries
	Users      int                   // user entries
	Groups     int                   // group entries
	Interfaces int                   // interface entries
	Sections   int                   // section header blocks
	ModernPL   bool                  // some PL_V9 entry has the libs >= 0.10 fields
	LegacyPL   bool                  // a PL block older than V9 or a pre-0.10 V9 entry
	EventBytes int                   // bytes of event blocks, headers and trailers included
}

// Walk counts blocks, events and metadata entries of a plain (not gzip)
// stream without package scap's decoders: block headers, the event type
// u16 at its fixed offset, and per-version field-size tables for the
// entries. It fails t on a malformed stream or a block id it does not know.
func Walk(t testing.TB, data []byte) Counts {
	t.Helper()
	le := binary.LittleEndian
	w := Counts{BlockIDs: map[uint32]uint64{}, Events: map[event.Type]uint64{}}
	off := 0
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("walk: malformed block at %d: %v", off, r)
		}
	}()
	for off < len(data) {
		if len(data)-off < 12 {
			t.Fatalf("walk: %d stray bytes at %d", len(data)-off, off)
		}
		id, n := le.Uint32(data[off:]), int(le.Uint32(data[off+4:]))
		if n < 12 || n > len(data)-off || le.Uint32(data[off+n-4:]) != uint32(n) {
			t.Fatalf("walk: bad block %#x of length %d at %d", id, n, off)
		}
		w.Blocks = append(w.Blocks, Block{id, off, n})
		w.BlockIDs[id]++
		body := data[off+8 : off+n-4]
		switch id {
		case 0x0A0D0D0A: // SHB
			w.Sections++
		case 0x204, 0x216, 0x221, 0x8010ABCD: // EV, EV_INT, EV_LARGE_PAYLOAD, EV_V2
			w.countEvent(le.Uint16(body[2+20:]))
			w.EventBytes += n
		case 0x208, 0x217, 0x222: // EVF, EVF_INT, EVF_V2
			w.countEvent(le.Uint16(body[6+20:]))
			w.EventBytes += n
		case 0x201: // MI
		case 0x205, 0x219: // IL, IL_V2
			w.Interfaces += walkIfaces(body, id == 0x219)
		case 0x206, 0x220: // UL, UL_V2
			u, g := walkUsers(body, id == 0x220)
			w.Users, w.Groups = w.Users+u, w.Groups+g
		case 0x203, 0x218: // FDL, FDL_V2
			w.FDLists++
			w.FDs += walkFDs(t, body[8:], id == 0x218)
		default:
			spec, ok := plSpecs[id]
			if !ok {
				t.Fatalf("walk: unexpected block %#x at %d", id, off)
			}
			n, modern := walkThreads(t, body, spec)
			w.Threads += n
			if modern {
				w.ModernPL = true
			} else {
				w.LegacyPL = true
			}
		}
		off += n
	}
	return w
}

func (w *Counts) countEvent(typ uint16) {
	if event.Type(typ) < event.MaxType {
		w.Events[event.Type(typ)]++
	}
}

// plSpecs gives the fixed fields of a PL entry per block id (PL_V5..PL_V9):
// q = 8 bytes, d = 4, s = u16 length + bytes, L = the entry's u32 length
// (V9 starts with it).
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

// walkFDs counts the entries of an fd list (body after its tid and count).
func walkFDs(t testing.TB, body []byte, v2 bool) int {
	le := binary.LittleEndian
	n := 0
	for p := 0; len(body)-p >= 4; n++ {
		if v2 {
			p += mustAdvance(le.Uint32(body[p:]))
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

// mustAdvance returns an entry length, and panics (Walk turns it into a
// test failure) on a zero one, which would never end the entry loop.
func mustAdvance(n uint32) int {
	if n == 0 {
		panic("entry of length 0")
	}
	return int(n)
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
			p += mustAdvance(le.Uint32(body[p:]))
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
		p += mustAdvance(uint32(size) + uint32(le.Uint16(body[p+2:])))
	}
	return n
}

// FormatTypes formats events-by-type counts as "type:count " pairs sorted
// by type, for comparing two maps and printing the difference.
func FormatTypes(m map[event.Type]uint64) string {
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
