package scap

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"forensics/event"
)

// TestWorkedExample writes the close-exit event of scap-format.md §6.5 and
// compares the block byte for byte.
func TestWorkedExample(t *testing.T) {
	const want = "16020000 3c000000 0100 15cd853dfe9c9717 9210000000000000 2e000000 0500" +
		"02000000 0800 0800 0000000000000000 0300000000000000 3c000000"
	wantBytes, err := hex.DecodeString(strings.ReplaceAll(want, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w, err := NewWriter(&out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev := &Event{Ts: 1700000000123456789, Tid: 4242, CPU: 1, Type: 5, Params: [][]byte{le64(0), le64(3)}}
	if err := w.WriteEvent(ev); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := out.Bytes()[28:] // after the section header
	if !bytes.Equal(got, wantBytes) {
		t.Fatalf("block\n got %x\nwant %x", got, wantBytes)
	}
	_, evs, _, err := readAll(t, out.Bytes(), "example")
	if err != nil || len(evs) != 1 || !sameEvent(evs[0], ev) || evs[0].Kind != KindV2 || evs[0].Offset != 28 {
		t.Fatalf("read back %v: %+v", err, evs)
	}
}

func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// evBody builds an event block body by hand: cpu, [flags], the header in
// the v1 or v2 form, the lengths (u16, or u32 when wide) and the params.
// evLen overrides the header's length when not 0.
type evBody struct {
	v1, wide, flags bool
	typ             uint16
	params          [][]byte
	evLen           int
	pad             int
}

func (e evBody) bytes() []byte {
	le := binary.LittleEndian
	w, hdr := 2, 26
	if e.wide {
		w = 4
	}
	if e.v1 {
		hdr = 22
	}
	n := hdr + w*len(e.params)
	for _, p := range e.params {
		n += len(p)
	}
	if e.evLen != 0 {
		n = e.evLen
	}
	b := le.AppendUint16(nil, 3)
	if e.flags {
		b = le.AppendUint32(b, FlagStateOnly)
	}
	b = le.AppendUint64(b, 1234)
	b = le.AppendUint64(b, 77)
	b = le.AppendUint32(b, uint32(n))
	b = le.AppendUint16(b, e.typ)
	if !e.v1 {
		b = le.AppendUint32(b, uint32(len(e.params)))
	}
	for _, p := range e.params {
		if e.wide {
			b = le.AppendUint32(b, uint32(len(p)))
		} else {
			b = le.AppendUint16(b, uint16(len(p)))
		}
	}
	for _, p := range e.params {
		b = append(b, p...)
	}
	return append(b, make([]byte, e.pad)...)
}

// anyStatus in a TestDecodeEvent case accepts any status but skippedType
// (for types whose table entry another package maintains).
const anyStatus decodeStatus = 255

// unknownType returns a type below MaxType that the event table lacks;
// ok is false when it knows them all.
func unknownType() (typ uint16, ok bool) {
	for t := event.MaxType - 1; t > 0; t-- {
		if event.Lookup(t) == nil {
			return uint16(t), true
		}
	}
	return 0, false
}

func TestDecodeEvent(t *testing.T) {
	p8, p4, s := le64(5), []byte{1, 2, 3, 4}, []byte("/etc/passwd\x00")
	closeX := uint16(5) // res, fd
	openX := uint16(3)  // six params in the table
	nOpen := len(event.Lookup(event.Type(openX)).Params)
	unknown, haveUnknown := unknownType()
	cases := []struct {
		name    string
		id      uint32
		body    []byte
		nparams int
		flags   uint32
		status  decodeStatus // -1: any status but skippedType
		err     error
	}{
		{"v2", BlockEVV2, evBody{typ: closeX, params: [][]byte{p8, p8}}.bytes(), 2, 0, decoded, nil},
		{"v2 padded", BlockEVV2, evBody{typ: closeX, params: [][]byte{p8, p4}, pad: 3}.bytes(), 2, 0, decoded, nil},
		{"v2 empty params", BlockEVV2, evBody{typ: closeX, params: [][]byte{{}, {}}}.bytes(), 2, 0, decoded, nil},
		{"evf v2", BlockEVFV2, evBody{flags: true, typ: closeX, params: [][]byte{p8}}.bytes(), 1, FlagStateOnly, decoded, nil},
		{"large", BlockEVV2Large, evBody{wide: true, typ: 322, params: [][]byte{p4, s}}.bytes(), 2, 0, decoded, nil},
		{"evf large", BlockEVFV2Large, evBody{wide: true, flags: true, typ: 322, params: [][]byte{p4}}.bytes(), 1, FlagStateOnly, decoded, nil},
		{"v1 full", BlockEV, evBody{v1: true, typ: closeX, params: [][]byte{p8, p8}}.bytes(), 2, 0, decoded, nil},
		{"v1 fewer than the table", BlockEV, evBody{v1: true, typ: openX, params: [][]byte{p8, s, p4, p4}}.bytes(), 4, 0, decoded, nil},
		{"v1 no params", BlockEV, evBody{v1: true, typ: 2}.bytes(), 0, 0, decoded, nil},
		{"v1 evf", BlockEVF, evBody{v1: true, flags: true, typ: closeX, params: [][]byte{p8}}.bytes(), 1, FlagStateOnly, decoded, nil},
		{"v1 int id", BlockEVInt, evBody{v1: true, typ: closeX, params: [][]byte{p8}}.bytes(), 1, 0, decoded, nil},
		{"v1 notification len+3", BlockEV, evBody{v1: true, typ: 280, params: [][]byte{p8, s}, evLen: 22 + 4 + 8 + len(s) + 3, pad: 3}.bytes(), 2, 0, anyStatus, nil},
		{"v1 infra len+3", BlockEV, evBody{v1: true, typ: 286, params: [][]byte{p8, s, s, s}, evLen: 22 + 8 + 8 + 3*len(s) + 3, pad: 1}.bytes(), 4, 0, anyStatus, nil},
		{"v1 unknown type", BlockEV, evBody{v1: true, typ: unknown, params: [][]byte{p8, {}, s, p4}}.bytes(), 4, 0, recoveredUnknown, nil},
		{"v1 beyond the table", BlockEV, evBody{v1: true, typ: openX, params: make([][]byte, nOpen+2)}.bytes(), nOpen + 2, 0, recoveredBeyond, nil},
		{"type at MaxType", BlockEVV2, evBody{typ: uint16(event.MaxType), params: [][]byte{p8}}.bytes(), 0, 0, skippedType, nil},
		{"v1 type above MaxType", BlockEV, evBody{v1: true, typ: 0xffff}.bytes(), 0, 0, skippedType, nil},
		{"short body", BlockEVV2, make([]byte, 27), 0, 0, decoded, ErrCorrupt},
		{"short evf body", BlockEVFV2, make([]byte, 31), 0, 0, decoded, ErrCorrupt},
		{"len below header", BlockEVV2, evBody{typ: closeX, evLen: 25}.bytes(), 0, 0, decoded, ErrCorrupt},
		{"len past block", BlockEVV2, evBody{typ: closeX, params: [][]byte{p8}, evLen: 100}.bytes(), 0, 0, decoded, ErrCorrupt},
		{"param past len", BlockEVV2, evBody{typ: closeX, params: [][]byte{p8, p8}, evLen: 26 + 4 + 12}.bytes(), 0, 0, decoded, ErrCorrupt},
		{"nparams too many", BlockEVV2, append(evBody{typ: closeX}.bytes()[:24], 0xff, 0xff, 0xff, 0x7f), 0, 0, decoded, ErrCorrupt},
		{"v1 no match", BlockEV, evBody{v1: true, typ: closeX, params: [][]byte{p8}, evLen: 22 + 2 + 8 + 1, pad: 1}.bytes(), 0, 0, decoded, ErrCorrupt},
		{"not an event block", BlockPLV9, evBody{typ: closeX}.bytes(), 0, 0, decoded, ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.status == recoveredUnknown && !haveUnknown {
				t.Skip("the event table knows every type")
			}
			var ev Event
			st, err := decodeEvent(c.id, c.body, &ev)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("error %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st != c.status && !(c.status == anyStatus && st != skippedType) {
				t.Fatalf("status %d, want %d", st, c.status)
			}
			if st == skippedType {
				return
			}
			if len(ev.Params) != c.nparams || ev.Flags != c.flags || ev.Ts != 1234 || ev.Tid != 77 || ev.CPU != 3 {
				t.Fatalf("got %d params, flags %d, ts %d, tid %d, cpu %d", len(ev.Params), ev.Flags, ev.Ts, ev.Tid, ev.CPU)
			}
			// Every param must be a full-capacity-clipped slice, so an
			// append by a caller cannot overwrite the next one.
			for i, p := range ev.Params {
				if cap(p) != len(p) {
					t.Fatalf("param %d: cap %d, len %d", i, cap(p), len(p))
				}
			}
		})
	}
}

// TestDecodeV1MatchesLibscap checks the one-pass parameter count against a
// literal transcription of libscap's loop (start at the table's count and
// decrease) on every count a random length array allows.
func TestDecodeV1MatchesLibscap(t *testing.T) {
	le := binary.LittleEndian
	rng := rand.New(rand.NewPCG(1, 2))
	for seed := range 4000 {
		lens := []int{seed % 7, (seed / 7) % 3, 0, seed % 5, 8, (seed / 11) % 9, 1, 2}
		np := seed % (len(lens) + 1)
		params := make([][]byte, np)
		for i := range params {
			params[i] = bytes.Repeat([]byte{byte(seed)}, lens[i])
		}
		b := evBody{v1: true, typ: 3, params: params}.bytes()[2:]
		if seed%2 == 1 { // random lengths and data after the header
			for i := hdrV1; i < len(b); i++ {
				b[i] = byte(rng.IntN(4))
			}
		}
		n := int(le.Uint32(b[16:]))
		want := -1
		for k := len(event.Lookup(3).Params); k >= 0; k-- {
			if hdrV1+2*k > n {
				continue
			}
			total := hdrV1 + 2*k
			for i := 0; i < k; i++ {
				total += int(le.Uint16(b[hdrV1+2*i:]))
			}
			if total < n {
				break
			}
			if total == n {
				want = k
				break
			}
		}
		var ev Event
		ev.Type = 3
		st, err := decodeV1Params(b[:n], &ev)
		if want < 0 && err == nil && st == recoveredBeyond {
			continue // libscap refuses what has more params than its table
		}
		if (err == nil) != (want >= 0) || (err == nil && len(ev.Params) != want) {
			t.Fatalf("seed %d: got %d params (%v), libscap %d", seed, len(ev.Params), err, want)
		}
	}
}
