package scap

import (
	"encoding/binary"
	"fmt"

	"forensics/event"
)

// Event flags (scap_dump_flags) carried by EVF blocks.
const (
	// FlagStateOnly (SCAP_DF_STATE_ONLY): the event did not match the
	// capture filter and was kept only because it changes state; use it
	// for state tracking and do not show it.
	FlagStateOnly uint32 = 1
	// FlagLarge (SCAP_DF_LARGE) is an in-memory hint: the Writer puts an
	// event carrying it in a *_LARGE block and clears the bit.
	FlagLarge uint32 = 4
)

// Event is one event as a .scap file stores it.
//
// Params are the raw parameter values, in order, exactly as stored (see
// event.ParamType for the encodings). A Reader fills them without
// copying: they point into the Reader's buffer and stay valid only until
// the next call to Next. Use Clone to keep an event.
type Event struct {
	Ts     uint64 // ns since the Unix epoch
	Tid    int64
	CPU    uint16
	Type   event.Type
	Flags  uint32 // EVF flags (FlagStateOnly); 0 for EV blocks
	Params [][]byte

	Kind    BlockKind // v1, v2 or large, set by the Reader
	BlockID uint32    // the block type id, set by the Reader
	Offset  int64     // of the block in the decompressed stream, set by the Reader
}

// StateOnly reports whether the event carries SCAP_DF_STATE_ONLY.
func (e *Event) StateOnly() bool { return e.Flags&FlagStateOnly != 0 }

// Clone returns a copy of e that owns its parameter bytes.
func (e *Event) Clone() *Event {
	c := *e
	n := 0
	for _, p := range e.Params {
		n += len(p)
	}
	buf := make([]byte, 0, n)
	c.Params = make([][]byte, len(e.Params))
	for i, p := range e.Params {
		if p == nil {
			continue
		}
		s := len(buf)
		buf = append(buf, p...)
		c.Params[i] = buf[s:len(buf):len(buf)]
	}
	return &c
}

// Event header sizes: ts u64, tid u64, len u32, type u16 [, nparams u32].
const (
	hdrV1 = 22
	hdrV2 = 26
)

// Event types whose stored length is 3 bytes too long in old (v1)
// captures; libscap corrects it before recovering nparams.
const (
	typeNotification = 280
	typeInfra        = 286
)

// decodeStatus says what decodeEvent did besides filling the event.
type decodeStatus uint8

const (
	decoded          decodeStatus = iota
	skippedType                   // type >= event.MaxType: skip the event
	recoveredUnknown              // v1, type unknown to the table: nparams searched
	recoveredBeyond               // v1, more params than the table's count
)

// decodeEvent decodes an event block body (the bytes between the block
// header and the trailer, padding included) into ev. Params point into
// body.
func decodeEvent(id uint32, body []byte, ev *Event) (decodeStatus, error) {
	kind, hasFlags, ok := eventBlock(id)
	if !ok {
		return decoded, fmt.Errorf("%w: block id %#x is not an event block", ErrCorrupt, id)
	}
	hdr := hdrV2
	if kind == KindV1 {
		hdr = hdrV1
	}
	pre := 2
	if hasFlags {
		pre = 6
	}
	if len(body) < pre+hdr {
		return decoded, fmt.Errorf("%w: event block body of %d bytes is shorter than its %d-byte header", ErrCorrupt, len(body), pre+hdr)
	}
	le := binary.LittleEndian
	ev.CPU = le.Uint16(body)
	ev.Flags = 0
	if hasFlags {
		ev.Flags = le.Uint32(body[2:])
	}
	b := body[pre:]
	ev.Ts = le.Uint64(b)
	ev.Tid = int64(le.Uint64(b[8:]))
	n := int(le.Uint32(b[16:])) // event length, header included
	ev.Type = event.Type(le.Uint16(b[20:]))
	ev.Kind = kind
	ev.BlockID = id
	ev.Params = ev.Params[:0]
	if ev.Type >= event.MaxType {
		return skippedType, nil
	}
	if kind == KindV1 && (ev.Type == typeNotification || ev.Type == typeInfra) {
		n -= 3
	}
	if n < hdr || n > len(b) {
		return decoded, fmt.Errorf("%w: event length %d outside [%d, %d] (type %d)", ErrCorrupt, n, hdr, len(b), ev.Type)
	}
	b = b[:n]
	if kind == KindV1 {
		return decodeV1Params(b, ev)
	}
	w := 2
	if kind == KindLarge {
		w = 4
	}
	np := uint64(le.Uint32(b[22:]))
	if np*uint64(w) > uint64(n-hdrV2) {
		return decoded, fmt.Errorf("%w: %d parameter lengths do not fit an event of %d bytes (type %d)", ErrCorrupt, np, n, ev.Type)
	}
	ev.Params = growParams(ev.Params, int(np))
	lens := b[hdrV2:]
	pos := hdrV2 + int(np)*w
	for i := range ev.Params {
		var l int
		if w == 2 {
			l = int(le.Uint16(lens[2*i:]))
		} else {
			l = int(le.Uint32(lens[4*i:]))
		}
		if l > n-pos {
			return decoded, fmt.Errorf("%w: parameter %d of %d bytes runs past the event end (type %d, length %d)", ErrCorrupt, i, l, ev.Type, n)
		}
		ev.Params[i] = b[pos : pos+l : pos+l]
		pos += l
	}
	return decoded, nil
}

// decodeV1Params recovers the parameter count of a v1 event b (22-byte
// header, u16 lengths) and slices its parameters.
//
// libscap starts from the table's parameter count for the type and
// decreases it until 22 + 2n + sum(len[0..n)) equals the event length.
// That total grows strictly with n (each parameter adds its 2-byte length
// entry), so at most one n matches; this function finds it with one
// upward pass, which also covers types the table lacks (libscap would
// search from "the maximum the length allows" for them) and events with
// more parameters than the table lists (libscap fails; they are counted).
func decodeV1Params(b []byte, ev *Event) (decodeStatus, error) {
	le := binary.LittleEndian
	n := len(b)
	total := hdrV1
	np := -1
	for k := 0; ; k++ {
		if total == n {
			np = k
			break
		}
		if hdrV1+2*(k+1) > n {
			break
		}
		total += 2 + int(le.Uint16(b[hdrV1+2*k:]))
		if total > n {
			break
		}
	}
	if np < 0 {
		return decoded, fmt.Errorf("%w: cannot recover the parameter count of a v1 event (type %d, length %d)", ErrCorrupt, ev.Type, n)
	}
	st := decoded
	if info := event.Lookup(ev.Type); info == nil {
		st = recoveredUnknown
	} else if np > len(info.Params) {
		st = recoveredBeyond
	}
	ev.Params = growParams(ev.Params, np)
	pos := hdrV1 + 2*np
	for i := range ev.Params {
		l := int(le.Uint16(b[hdrV1+2*i:]))
		ev.Params[i] = b[pos : pos+l : pos+l]
		pos += l
	}
	return st, nil
}

// growParams returns p resized to n entries, reusing its array when it can.
func growParams(p [][]byte, n int) [][]byte {
	if cap(p) >= n {
		return p[:n]
	}
	return make([][]byte, n, n+n/4)
}
