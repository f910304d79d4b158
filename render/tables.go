package render

import (
	"encoding/binary"
	"strconv"
	"sync"

	"forensics/event"
)

// Flag is one entry of a flag or enum table.
type Flag struct {
	Name  string
	Value uint32
}

// Table returns the named flag or enum table ("file_flags", the Table of an
// event.ParamInfo) with its entries in libs' declaration order, or nil when
// the name is unknown. The slice must not be modified.
func Table(name string) []Flag { return flagTables[name] }

// TableNames returns the names of every flag and enum table.
func TableNames() []string {
	out := make([]string, 0, len(flagTables))
	for n := range flagTables {
		out = append(out, n)
	}
	return out
}

// AppendFlagNames appends the names sysdig 0.29.3 resolves for value v in
// table, joined by '|', or nothing when no name applies. It walks the table
// in order until it reaches an entry whose value is v itself: each earlier
// entry whose bits are all set in what is left of v is emitted and its bits
// cleared (a zero entry never matches there); the entry equal to v, if
// any, is emitted last. So 4097 in file_flags gives O_RDONLY|O_CLOEXEC, 0
// gives O_NONE, and an enum value gives its name (after the names of any
// earlier entries that are bit subsets of it).
func AppendFlagNames(dst []byte, table []Flag, v uint32) []byte {
	val := v
	sep := false
	i := 0
	for ; i < len(table) && table[i].Value != v; i++ {
		f := table[i]
		if f.Value != 0 && val != 0 && val&f.Value == f.Value {
			if sep {
				dst = append(dst, '|')
			}
			dst = append(dst, f.Name...)
			sep = true
			val &^= f.Value
		}
	}
	if i < len(table) {
		if sep {
			dst = append(dst, '|')
		}
		dst = append(dst, table[i].Name...)
	}
	return dst
}

// ErrnoName returns the name sysdig 0.29.3 gives a negative return value
// ("ENOENT" for -2), or "" when the value is not negative or the code is
// not one it names. Like libsinsp it looks at the low 32 bits only.
func ErrnoName(v int64) string {
	c := int32(v)
	if v >= 0 || c >= 0 {
		return ""
	}
	return errnoNames[-c]
}

// SignalName returns the name of signal sig ("SIGKILL"), or "".
func SignalName(sig uint8) string { return signalNames[sig] }

// SyscallName returns the name of a portable ppm_sc syscall code.
func SyscallName(code uint16) (string, bool) {
	if int(code) >= len(syscallNames) {
		return "", false
	}
	return syscallNames[code], true
}

// EventName returns evt.type as sysdig 0.29.3 prints it: the syscall name
// (from the ID parameter) for generic "syscall" events, 0.29.3's name where
// it differs from our table (pread, pwrite, accept for old accept4 exits),
// and the table's name otherwise.
func EventName(ev *event.Event) string {
	if ev.Type == 0 || ev.Type == 1 {
		if p := ev.Param(0); len(p) == 2 {
			if name, ok := SyscallName(binary.LittleEndian.Uint16(p)); ok {
				return name
			}
		}
		return "<unknown>"
	}
	return typeName(ev.Type)
}

// typeName is the name sysdig 0.29.3 gives an event type.
func typeName(t event.Type) string {
	if n, ok := eventNames[t]; ok {
		return n
	}
	if info := event.Lookup(t); info != nil {
		return info.Name
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// MaxType0293 bounds the event types sysdig 0.29.3 knows (its
// PPM_EVENT_MAX). Reading a capture, it skips events of other types
// altogether: they are neither printed nor counted by evt.num.
const MaxType0293 event.Type = 336

// Hidden reports whether sysdig 0.29.3 leaves ev out of its output: events
// kept only for state (SCAP_DF_STATE_ONLY), internal meta events (see
// Internal) and events of types it does not know.
func Hidden(ev *event.Event) bool {
	return ev.Flags&event.FlagStateOnly != 0 || ev.Type >= MaxType0293 || Internal(ev)
}

// Internal reports the meta events of category EC_INTERNAL that sysdig
// never prints: drop, scapevent, procinfo, the container events (old and
// JSON forms), k8s,
// mesos and infrastructure events.
func Internal(ev *event.Event) bool { return InternalType(ev.Type) }

// InternalType reports whether events of type t are internal (see
// Internal).
func InternalType(t event.Type) bool {
	switch t {
	case 148, 149, 196, 228, 234, 260, 270, 272, 286, 324:
		return true
	}
	return false
}

// numFmt is a libs print format (ppm_print_format) of an integer parameter.
type numFmt uint8

const (
	fmtDec numFmt = iota
	fmtHex
	fmtOct
)

// paramKey names a parameter of an event: the event's evt.type name in our
// table, or "#N" for one event type, and the parameter name.
type paramKey struct{ event, param string }

// paramOverride is what data/params.tsv says about one parameter.
type paramOverride struct {
	fmt  numFmt
	typ  event.ParamType // 0: the table's type
	name string          // "": the table's name
}

// paramDesc is how one parameter of an event prints.
type paramDesc struct {
	name  string
	typ   event.ParamType
	fmt   numFmt
	table string
	dirfd int
}

// describe returns how parameter k of ev prints under sysdig 0.29.3
// (info is ev's layout): a lookup in descTable.
func describe(ev *event.Event, info *event.Info, k int) paramDesc {
	if info == nil || k >= len(info.Params) {
		return paramDesc{typ: event.PTByteBuf, dirfd: -1}
	}
	if t := descTable(); int(ev.Type) < len(t) && k < len(t[ev.Type]) {
		return t[ev.Type][k]
	}
	return describeParam(ev.Type, info, k)
}

// descTable holds describeParam's answer for every parameter of every
// event type the table knows. It is constant data, computed on first use
// rather than per printed parameter.
var descTable = sync.OnceValue(func() [][]paramDesc {
	out := make([][]paramDesc, event.MaxType)
	for t := range event.MaxType {
		info := event.Lookup(t)
		if info == nil {
			continue
		}
		out[t] = make([]paramDesc, len(info.Params))
		for k := range info.Params {
			out[t][k] = describeParam(t, info, k)
		}
	}
	return out
})

// describeParam works out how parameter k (< len(info.Params)) of events
// of type t prints: the event table's name and type, unless
// data/params.tsv says otherwise for the type or its name.
func describeParam(t event.Type, info *event.Info, k int) paramDesc {
	pi := &info.Params[k]
	d := paramDesc{name: pi.Name, typ: pi.Type, table: pi.Table, dirfd: pi.DirFD}
	o, ok := paramOverrides[paramKey{"#" + strconv.Itoa(int(t)), pi.Name}]
	if !ok {
		o, ok = paramOverrides[paramKey{info.Name, pi.Name}]
	}
	if ok {
		d.fmt = o.fmt
		if o.typ != 0 {
			d.typ = o.typ
		}
		if o.name != "" {
			d.name = o.name
		}
	}
	return d
}
