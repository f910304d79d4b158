package fields

import (
	"encoding/binary"
	"fmt"
	"forensics/render"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"forensics/event"
)

// Extractors of the evt.* fields: the event header, its classification
// (facts29.go) and its return value and parameters.

func evtNum(c *Ctx) (Value, bool) { return Uint(c.Ev.Num), true }

// evtTime renders a timestamp as HH:MM:SS.nnnnnnnnn in local time, the
// default form of sysdig's time column.
func evtTime(ns uint64) string {
	return time.Unix(0, int64(ns)).Local().Format("15:04:05.000000000")
}

func appendTime(dst []byte, c *Ctx) ([]byte, bool) {
	return appendClockNs(dst, time.Unix(0, int64(c.Ev.Ts)).Local()), true
}

// appendClockNs appends t as "15:04:05.000000000" without going through a
// layout (it is on every line of the default output).
func appendClockNs(dst []byte, t time.Time) []byte {
	h, m, s := t.Clock()
	ns := t.Nanosecond()
	var b [18]byte
	b[0], b[1], b[2] = byte('0'+h/10), byte('0'+h%10), ':'
	b[3], b[4], b[5] = byte('0'+m/10), byte('0'+m%10), ':'
	b[6], b[7], b[8] = byte('0'+s/10), byte('0'+s%10), '.'
	for i := 17; i >= 9; i-- {
		b[i] = byte('0' + ns%10)
		ns /= 10
	}
	return append(dst, b[:]...)
}

// appendInfo is evt.info (for 0.29.3 the same as evt.args) appended.
func appendInfo(dst []byte, c *Ctx) ([]byte, bool) { return appendArgs(dst, c) }

func appendArgs(dst []byte, c *Ctx) ([]byte, bool) {
	return render.Default.AppendArgsScratch(dst, c.Ev, c, &c.scratch), true
}

func extTime(c *Ctx) (Value, bool) { return Str(evtTime(c.Ev.Ts)), true }

func extTimeS(c *Ctx) (Value, bool) {
	return Str(time.Unix(0, int64(c.Ev.Ts)).Local().Format("15:04:05")), true
}

// extISO8601 renders the time in UTC: sysdig 0.29.3 prints it with a
// literal +0000 whatever the local zone.
func extISO8601(c *Ctx) (Value, bool) {
	return Str(time.Unix(0, int64(c.Ev.Ts)).UTC().Format("2006-01-02T15:04:05.000000000") + "+0000"), true
}

func extDatetime(c *Ctx) (Value, bool) {
	return Str(time.Unix(0, int64(c.Ev.Ts)).Local().Format("2006-01-02 15:04:05.000000000")), true
}

func extDatetimeS(c *Ctx) (Value, bool) {
	return Str(time.Unix(0, int64(c.Ev.Ts)).Local().Format("2006-01-02 15:04:05")), true
}

func extRawtime(c *Ctx) (Value, bool)   { return AbsTime(c.Ev.Ts), true }
func extRawtimeS(c *Ctx) (Value, bool)  { return AbsTime(c.Ev.Ts / 1e9), true }
func extRawtimeNS(c *Ctx) (Value, bool) { return AbsTime(c.Ev.Ts % 1e9), true }

// reltime is the time since the capture's first event.
func reltime(c *Ctx) (int64, bool) {
	if c.Tables == nil {
		return 0, false
	}
	return int64(c.Ev.Ts - c.Tables.Start), true
}

func extReltime(c *Ctx) (Value, bool) {
	r, ok := reltime(c)
	return RelTime(r), ok
}

func extReltimeS(c *Ctx) (Value, bool) {
	r, ok := reltime(c)
	return RelTime(r / 1e9), ok
}

func extReltimeNS(c *Ctx) (Value, bool) {
	r, ok := reltime(c)
	return RelTime(r % 1e9), ok
}

func extDir(c *Ctx) (Value, bool) { return Str(c.Ev.Dir().String()), true }

// typeName is evt.type: the name in 0.29.3's table, the system call of a
// generic event, our table's name for newer types.
func typeName(ev *event.Event) (string, bool) {
	if ev.Type == 0 || ev.Type == 1 {
		sc, ok := syscallOf(ev)
		return sc.name, ok
	}
	return factOf(ev.Type).name, true
}

// syscallOf returns the system call of a generic event, by its ID
// parameter.
func syscallOf(ev *event.Event) (syscallFact, bool) {
	id, ok := event.Int(ev.Param(0), false)
	if !ok || id < 0 || id >= int64(len(syscalls29)) {
		return syscallFact{}, false
	}
	return syscalls29[id], true
}

func extType(c *Ctx) (Value, bool) {
	n, ok := typeName(c.Ev)
	return Str(n), ok
}

// bindTypeIs binds evt.type.is.NAME: 1 for the events of the first event
// type of that name and the type after it (its exit), else 0. That is
// sysdig 0.29.3's rule: evt.type.is.switch names the old switch layout
// (146) and matches none of the switch events of a capture (152), and
// evt.type.is.accept matches the oldest accept layout only.
func bindTypeIs(arg string, hasArg bool) (Extractor, error) {
	first, ok := firstTypeNamed(arg)
	if !ok {
		return nil, fmt.Errorf("no event type is named %q", arg)
	}
	return func(c *Ctx) (Value, bool) {
		if t := c.Ev.Type; t == first || t == first+1 {
			return Uint(1), true
		}
		return Uint(0), true
	}, nil
}

// firstTypeNamed returns the lowest event type whose name is name.
func firstTypeNamed(name string) (event.Type, bool) {
	if name == "" {
		return 0, false
	}
	for t := event.Type(2); t < event.MaxType; t++ {
		if factOf(t).name == name {
			return t, true
		}
	}
	return 0, false
}

func extCPU(c *Ctx) (Value, bool) { return Int(int64(c.Ev.CPU)), true }

// eventCategory is evt.category: the event's category, or for the I/O
// categories the kind of its fd (file, net, ipc; unknown when the fd is).
func eventCategory(c *Ctx) string {
	ev := c.Ev
	if ev.Type == 0 || ev.Type == 1 {
		if sc, ok := syscallOf(ev); ok {
			return sc.cat.String()
		}
		return cOther.String()
	}
	f := factOf(ev.Type)
	if f.flags&fIO != 0 {
		v, _ := fdOf(c)
		if v.fd == nil {
			return "unknown"
		}
		switch v.fd.Type {
		case event.FDFile, event.FDDirectory:
			return "file"
		case event.FDIPv4Sock, event.FDIPv6Sock, event.FDIPv4Server, event.FDIPv6Server:
			return "net"
		case event.FDFIFO, event.FDUnixSock, event.FDEvent, event.FDSignalFD, event.FDInotify:
			return "ipc"
		}
		return "unknown"
	}
	return f.cat.String()
}

func extCategory(c *Ctx) (Value, bool) { return Str(eventCategory(c)), true }

// resParam returns the event's return value parameter as libsinsp finds
// it: the parameter named res, or on an exit event the fd an fd-creating
// call returned (its first parameter, named fd).
func resParam(ev *event.Event) (p []byte, pi event.ParamInfo, ok bool) {
	info := ev.Info()
	if info == nil {
		return nil, pi, false
	}
	k := info.Param("res")
	if k < 0 && ev.Dir() == event.DirExit && len(info.Params) > 0 && info.Params[0].Name == "fd" {
		k = 0
	}
	if k < 0 {
		return nil, pi, false
	}
	p = ev.Param(k)
	if len(p) == 0 {
		return nil, pi, false
	}
	return p, info.Params[k], true
}

// rawRes decodes the return value as libsinsp reads it, an int64 (an
// unsigned 64-bit result such as mmap's reads as negative above 2^63).
func rawRes(ev *event.Event) (int64, bool) {
	p, pi, ok := resParam(ev)
	if !ok {
		return 0, false
	}
	return event.Int(p, pi.Type.Signed() || len(p) == 8)
}

func extRawres(c *Ctx) (Value, bool) {
	r, ok := rawRes(c.Ev)
	return Int(r), ok
}

// hexResults are the return values sysdig prints in hex (PF_HEX): the
// addresses brk, mmap and mmap2 return.
var hexResults = map[string]bool{"brk": true, "mmap": true, "mmap2": true}

// extRes is evt.res: SUCCESS when the return value is not negative;
// otherwise the errno name for an ERRNO or FD result whose code sysdig
// knows, else the value as the parameter prints (decimal; hex for the
// addresses of brk and mmap).
func extRes(c *Ctx) (Value, bool) {
	p, pi, ok := resParam(c.Ev)
	if !ok {
		return Value{}, false
	}
	r, ok := event.Int(p, pi.Type.Signed() || len(p) == 8)
	if !ok {
		return Value{}, false
	}
	if r >= 0 {
		return Str("SUCCESS"), true
	}
	switch pi.Type {
	case event.PTErrno, event.PTFD, event.PTFD32:
		if n := render.ErrnoName(r); n != "" {
			return Str(n), true
		}
	}
	if hexResults[factOf(c.Ev.Type).name] {
		return Str(strings.ToUpper(strconv.FormatUint(uint64(r), 16))), true
	}
	if !pi.Type.Signed() {
		u, _ := event.Int(p, false)
		if len(p) == 8 {
			return Str(strconv.FormatUint(uint64(u), 10)), true
		}
		return Str(strconv.FormatInt(u, 10)), true
	}
	return Str(strconv.FormatInt(r, 10)), true
}

// extFailed is evt.failed: the return value is negative; false when the
// event has none.
func extFailed(c *Ctx) (Value, bool) {
	r, ok := rawRes(c.Ev)
	return Bool(ok && r < 0), true
}

func flagTest(f factFlags) Extractor {
	return func(c *Ctx) (Value, bool) { return Bool(factOf(c.Ev.Type).flags&f != 0), true }
}

// extIsIO: the event reads or writes an fd.
func extIsIO(c *Ctx) (Value, bool) {
	return Bool(factOf(c.Ev.Type).flags&(fRead|fWrite) != 0), true
}

// extIODir is evt.io_dir: write or read for I/O events (write for the
// calls that do both, such as copy_file_range).
func extIODir(c *Ctx) (Value, bool) {
	f := factOf(c.Ev.Type).flags
	switch {
	case f&fWrite != 0:
		return Str("write"), true
	case f&fRead != 0:
		return Str("read"), true
	}
	return Value{}, false
}

// extBuflen is evt.buflen: the byte count of a successful I/O event (the
// exit of an EC_IO_* event on a known fd).
func extBuflen(c *Ctx) (Value, bool) {
	ev := c.Ev
	if v, _ := fdOf(c); ev.Dir() != event.DirExit || factOf(ev.Type).flags&fIO == 0 || v.fd == nil {
		return Value{}, false
	}
	r, ok := rawRes(ev)
	if !ok || r < 0 {
		return Value{}, false
	}
	return Uint(uint64(r)), true
}

// extBuffer is evt.buffer: the data parameter of the I/O events.
func extBuffer(c *Ctx) (Value, bool) {
	info := c.Ev.Info()
	if info == nil {
		return Value{}, false
	}
	k := info.Param("data")
	if k < 0 || info.Params[k].Type != event.PTByteBuf || k >= len(c.Ev.Params) || c.Ev.Params[k] == nil {
		return Value{}, false
	}
	return BufVal(c.Ev.Params[k]), true
}

// extIsSyslog is evt.is_syslog: an event writing to an fd whose name has
// /dev/log in it.
func extIsSyslog(c *Ctx) (Value, bool) {
	if factOf(c.Ev.Type).flags&fWrite == 0 {
		return Bool(false), true
	}
	v, ok := fdOf(c)
	return Bool(ok && v.fd != nil && strings.Contains(v.fd.Name, "/dev/log")), true
}

func extCount(c *Ctx) (Value, bool) { return Uint(1), true }

// extCountError is evt.count.error: 1 for a failed event, missing for
// the others.
func extCountError(c *Ctx) (Value, bool) {
	if r, ok := rawRes(c.Ev); ok && r < 0 {
		return Uint(1), true
	}
	return Value{}, false
}

// extCountExit is evt.count.exit: 1 for an exit event, missing for the
// others.
func extCountExit(c *Ctx) (Value, bool) {
	if c.Ev.Dir() == event.DirExit {
		return Uint(1), true
	}
	return Value{}, false
}

// Parameters by name or index: evt.rawarg, evt.arg, evt.args, evt.info.
// These are the plain renderings; package query wires sysdig's own
// rendering (package render) in their place.

// paramRef names a parameter: by name, or by position when idx >= 0.
type paramRef struct {
	name string
	idx  int
	// byType, of a reference by name, is the name's index in each event
	// type's parameters (-1: none), found once at binding rather than by
	// name for every event.
	byType []int8
}

func parseParamRef(arg string, byIndex bool) (paramRef, error) {
	if arg == "" {
		return paramRef{}, fmt.Errorf("a parameter name is required")
	}
	if byIndex {
		if n, err := strconv.Atoi(arg); err == nil && n >= 0 {
			return paramRef{idx: n}, nil
		}
	}
	if !knownParamName(arg) {
		return paramRef{}, fmt.Errorf("no event has a parameter %q", arg)
	}
	r := paramRef{name: arg, idx: -1, byType: make([]int8, event.MaxType)}
	for t := range r.byType {
		r.byType[t] = -1
		if info := event.Lookup(event.Type(t)); info != nil {
			r.byType[t] = int8(info.Param(arg))
		}
	}
	return r, nil
}

// knownParamName reports whether some event layout has a parameter name.
func knownParamName(name string) bool {
	_, ok := RawArgType(name)
	return ok
}

// RawArgType returns the value type of evt.rawarg.NAME: the type of the
// first event-table parameter with that name, as libsinsp types it.
func RawArgType(name string) (Type, bool) {
	for _, info := range event.All() {
		for _, p := range info.Params {
			if p.Name == name {
				return paramValueType(p.Type), true
			}
		}
	}
	return 0, false
}

// paramValueType is the Value kind a parameter of type t decodes to.
func paramValueType(t event.ParamType) Type {
	switch t {
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath, event.PTDouble:
		return TString
	case event.PTIPv4Addr, event.PTIPv6Addr:
		return TIP
	case event.PTPort:
		return TPort
	case event.PTBool:
		return TBool
	case event.PTRelTime:
		return TRelTime
	case event.PTAbsTime:
		return TAbsTime
	}
	if t.FixedSize() > 0 {
		if t.Signed() {
			return TInt
		}
		return TUint
	}
	return TBytes
}

// lookupParam returns the raw bytes and type of a parameter of ev.
func lookupParam(ev *event.Event, r paramRef) ([]byte, event.ParamInfo, bool) {
	info := ev.Info()
	if info == nil {
		return nil, event.ParamInfo{}, false
	}
	k := r.idx
	switch {
	case k >= 0:
	case r.byType != nil:
		k = int(r.byType[ev.Type]) // ev.Type < MaxType: it has an Info
	default:
		k = info.Param(r.name)
	}
	if k < 0 || k >= len(info.Params) {
		return nil, event.ParamInfo{}, false
	}
	p := ev.Param(k)
	if len(p) == 0 {
		return nil, event.ParamInfo{}, false
	}
	return p, info.Params[k], true
}

// decodeParam decodes a raw parameter by its type: integers
// little-endian (signed per the type), strings up to their NUL, addresses
// and ports, other encodings as their bytes.
func decodeParam(p []byte, pi event.ParamInfo) (Value, bool) {
	switch vt := paramValueType(pi.Type); vt {
	case TString:
		if pi.Type == event.PTDouble {
			if len(p) != 8 {
				return Value{}, false
			}
			return Str(strconv.FormatFloat(math.Float64frombits(binary.LittleEndian.Uint64(p)), 'g', -1, 64)), true
		}
		return Str(cstr(p)), true
	case TIP:
		a, ok := netip.AddrFromSlice(p)
		if !ok {
			return Value{}, false
		}
		return IPVal(a), true
	case TBytes:
		return BufVal(p), true
	default:
		v, ok := event.Int(p, pi.Type.Signed())
		if !ok {
			return Value{}, false
		}
		switch vt {
		case TInt:
			return Int(v), true
		case TPort:
			return Port(uint16(v)), true
		case TBool:
			return Bool(v != 0), true
		case TRelTime:
			return RelTime(v), true
		case TAbsTime:
			return AbsTime(uint64(v)), true
		}
		return Uint(uint64(v)), true
	}
}

// cstr returns a NUL-terminated string's text.
func cstr(p []byte) string {
	for i, b := range p {
		if b == 0 {
			return string(p[:i])
		}
	}
	return string(p)
}

func bindRawArg(arg string, hasArg bool) (Extractor, error) {
	r, err := parseParamRef(arg, false)
	if err != nil {
		return nil, err
	}
	return func(c *Ctx) (Value, bool) {
		p, pi, ok := lookupParam(c.Ev, r)
		if !ok {
			return Value{}, false
		}
		return decodeParam(p, pi)
	}, nil
}

// argText is the plain text of a parameter: its decoded value as a
// string.
func argText(p []byte, pi event.ParamInfo) (string, bool) {
	v, ok := decodeParam(p, pi)
	if !ok {
		return "", false
	}
	return v.String(), true
}

func bindArg(arg string, hasArg bool) (Extractor, error) {
	r, err := parseParamRef(arg, true)
	if err != nil {
		return nil, err
	}
	return func(c *Ctx) (Value, bool) {
		info := c.Ev.Info()
		if info == nil {
			return Value{}, false
		}
		k := r.idx
		if k < 0 {
			k = info.Param(r.name)
		}
		if k < 0 || k >= len(c.Ev.Params) {
			return Value{}, false
		}
		if len(c.Ev.Params[k]) == 0 {
			// An empty buffer is an empty value (cat_write.scap #205
			// < read data=); an empty number is none.
			if k < len(info.Params) && info.Params[k].Type == event.PTByteBuf {
				return Str(""), true
			}
			return Value{}, false
		}
		return Str(render.Param(c.Ev, k, c, false)), true
	}, nil
}

// extArgs is evt.args: every recorded parameter as name=value, each
// followed by a space, rendered as sysdig renders them.
func extArgs(c *Ctx) (Value, bool) {
	return Str(string(render.AppendArgs(nil, c.Ev, c))), true
}

// extInfo is evt.info: evt.args, or the event's special form.
func extInfo(c *Ctx) (Value, bool) {
	return Str(string(render.AppendInfo(nil, c.Ev, c))), true
}
