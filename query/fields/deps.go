package fields

import (
	"slices"
	"strconv"
	"strings"

	"forensics/event"
)

// Dep says what a field's value depends on. The filter engine uses it to
// compare once per distinct input instead of once per event: a
// comparison on proc.name is decided once per process, one on fd.name
// once per entry of a block's fd name dictionary.
type Dep uint8

const (
	// DepEvent: anything about the event (the default).
	DepEvent Dep = iota
	// DepProc: only the event's process incarnation, the class of the
	// event (ProcClass) and the capture's tables; never the event's time,
	// parameters or fd.
	DepProc
	// DepType: the value is TypeName of the event's type, except on
	// generic events (IsGeneric), whose name is a parameter.
	DepType
	// DepFDName: the value is FDNameValue of the event's fd name column
	// entry, the empty string, or missing, except on the event types for
	// which FDNameElsewhere is true, whose value may come from their
	// parameters.
	DepFDName
	// DepTypeOnly: the value is a function of the event's type alone,
	// generic events included (evt.dir, evt.is_io, ...): a comparison is
	// decided once per type on an event carrying only the type.
	DepTypeOnly
	// DepFDType: the value is FDTypeValue of the event's fd type column
	// or missing, except on the event types for which FDTypeElsewhere is
	// true.
	DepFDType
	// DepFDNum: the value is the event's fd number column whenever
	// FDIsColumn holds for it, or missing on the event types without an
	// fd.
	DepFDNum
)

// typeOnly are the fields whose extractors read nothing but the event
// type (see extDir, extIsIO, flagTest, extIODir).
var typeOnly = []string{"evt.dir", "evt.is_io", "evt.is_io_read", "evt.is_io_write", "evt.io_dir", "evt.is_wait"}

// procOnly are the fields whose value is a function of the process
// incarnation alone (see proc and procField): not the parent's or the
// main thread's fields, which sysdig resolves at the event's time.
var procOnly = []string{
	"proc.name", "proc.exe", "proc.exepath", "proc.cmdline", "proc.exeline", "proc.pid", "proc.tty",
	"thread.ismain", "user.uid", "user.name", "user.homedir", "user.shell", "group.gid", "group.name",
	"container.id", "container.name", "container.image",
}

// narrowReads are the event.Parts read by the fields that have no
// narrower Dep and read less than every part: the event's number, counts,
// return value and raw parameters read no part (not evt.arg, whose pids
// are resolved to the thread alive at the event's time); the I/O fields
// read the fd but not the time; most fd fields read one of the fd's
// parts. TestFieldReads checks each entry.
var narrowReads = map[string]event.Parts{
	"evt.num": 0, "evt.cpu": event.PartTs, "evt.count": 0, "evt.count.error": 0, "evt.count.exit": 0, "evt.rawarg": 0,
	"evt.res": 0, "evt.rawres": 0, "evt.failed": 0,
	"evt.buflen": event.PartFDDetail, "evt.buffer": event.PartFDDetail, "evt.is_syslog": event.PartFDDetail,
	"fd.directory": event.PartFDName, "fd.filename": event.PartFDName,
	"fd.dev": event.PartFDMeta, "fd.dev.major": event.PartFDMeta, "fd.dev.minor": event.PartFDMeta, "fd.ino": event.PartFDMeta,
}

// tupleFields are the fd fields that read the fd's tuple and no other
// part (TestFieldReads checks them).
var tupleFields = []string{"fd.sport", "fd.dport", "fd.sip", "fd.dip", "fd.cip", "fd.rip", "fd.lip", "fd.cport",
	"fd.rport", "fd.lport", "fd.sproto", "fd.cproto", "fd.rproto", "fd.lproto", "fd.l4proto", "fd.is_server",
	"fd.sockfamily", "fd.ip", "fd.port", "fd.net", "fd.cnet", "fd.snet", "fd.lnet", "fd.rnet", "fd.proto"}

// withDeps sets the Dep of the fields that have one, the Append of those
// that have one, and FDOnly and Reads.
func withDeps(fs []*Field) []*Field {
	deps := map[string]Dep{"fd.name": DepFDName, "evt.type": DepType, "fd.type": DepFDType, "fd.num": DepFDNum}
	for _, n := range procOnly {
		deps[n] = DepProc
	}
	for _, n := range typeOnly {
		deps[n] = DepTypeOnly
	}
	apps := map[string]func([]byte, *Ctx) ([]byte, bool){
		"evt.time": appendTime, "evt.outputtime": appendTime, "evt.info": appendInfo, "evt.args": appendArgs,
		// The rest of sysdig's default line: Value is 128 bytes, and
		// copying it out of an extractor and into AppendText cost a tenth
		// of printing a line.
		"evt.num":    func(dst []byte, c *Ctx) ([]byte, bool) { return strconv.AppendUint(dst, c.Ev.Num, 10), true },
		"evt.cpu":    func(dst []byte, c *Ctx) ([]byte, bool) { return strconv.AppendInt(dst, int64(c.Ev.CPU), 10), true },
		"thread.tid": func(dst []byte, c *Ctx) ([]byte, bool) { return strconv.AppendInt(dst, c.Ev.Tid, 10), true },
		"evt.dir":    func(dst []byte, c *Ctx) ([]byte, bool) { return append(dst, c.Ev.Dir().String()...), true },
		"evt.type": func(dst []byte, c *Ctx) ([]byte, bool) {
			if n, ok := typeName(c.Ev); ok {
				return append(dst, n...), true
			}
			return dst, false
		},
		"proc.name": func(dst []byte, c *Ctx) ([]byte, bool) {
			if p := proc(c); p != nil {
				return append(dst, comm(p)...), true
			}
			return dst, false
		},
	}
	for _, f := range fs {
		// Every fd field reads the fd through fdOf (or fdName), which finds
		// none on an event whose type has none; fd.name_changed alone is
		// false rather than missing there.
		f.FDOnly = strings.HasPrefix(f.Name, "fd.") && f.Name != "fd.name_changed"
		f.Dep = deps[f.Name]
		f.Append = apps[f.Name]
		// The narrower Deps read no time (DepProc: the process
		// incarnation, not the thread alive at the event), nor does
		// fdOf; only DepFDName of them reads the fd's details.
		f.Reads = event.AllParts
		if r, ok := narrowReads[f.Name]; ok {
			f.Reads = r
		} else if slices.Contains(tupleFields, f.Name) {
			f.Reads = event.PartFDTuple
		}
		if f.Dep != DepEvent || f.FDOnly {
			f.Reads &^= event.PartTs
		}
		if f.Dep != DepEvent && f.Dep != DepProc {
			f.Reads &^= event.PartProc
		}
		if f.Dep != DepEvent || f.FDOnly {
			f.Reads &^= event.PartMerged // only printing the parameters reads it
		}
		switch f.Dep {
		case DepEvent:
		case DepFDName:
			f.Reads &^= event.PartFDTuple | event.PartFDMeta
		default:
			f.Reads &^= event.PartFDDetail
		}
	}
	return fs
}

// ProcClass classifies an event for the DepProc fields: events of one
// process incarnation and one class have the same values. sysdig keeps no
// thread for thread 0 and for the threadless events (class 1), and looks
// the thread of a switch event up without creating it (class 2).
func ProcClass(tid int64, t event.Type) uint8 {
	switch {
	case tid == 0 || threadlessType(t):
		return 1
	case factOf(t).name == "switch":
		return 2
	}
	return 0
}

// FDNameValue is fd.name for an event whose fd has the raw name s.
func FDNameValue(s string) string { return sanitize(s) }

// FDNameElsewhere reports whether fd.name of an event of type t may be
// derived from its parameters (the path of an open call, the tuple of an
// accept or connect) instead of its fd name column; see creatorName. Only
// exit events derive one: an enter event's fd.name is its column's or
// missing.
func FDNameElsewhere(t event.Type) bool {
	if t.Dir() != event.DirExit {
		return false
	}
	switch factOf(t).name {
	case "open", "creat", "openat", "accept", "connect":
		return true
	}
	return false
}

// FDIsColumn reports whether the fd the fd fields of ev see is its fd
// columns' (ev.FD), judging by what Block.FDProbe fills: the event's type,
// thread, fd number and type and first parameter. When it is false the
// fd may be one its parameters make, or none, and the event must be
// compared in full.
func FDIsColumn(ev *event.Event) bool {
	v, ok := fdOf(&Ctx{Ev: ev})
	return ok && v.fd == &ev.FD
}

// FDIsColumnByColumns reports whether, for the events of type t,
// FDIsColumn is decided by their columns alone: true when the thread is
// not 0, the fd number is not event.NoFD and the fd type is not
// event.FDNone. So it is for the exit events of the calls with an fd but
// setsockopt (see fdOf), which read no parameter to find their fd unless
// it is not the columns'. A filter then needs no FDProbe for them.
func FDIsColumnByColumns(t event.Type) bool {
	f := factOf(t)
	return t.Dir() == event.DirExit && f.flags&fFD != 0 && !threadlessType(t) && f.name != "setsockopt"
}

// FDNameIsColumnByColumns is FDIsColumnByColumns for FDNameIsColumn.
func FDNameIsColumnByColumns(t event.Type) bool {
	return FDIsColumnByColumns(t) && factOf(t).name != "connect"
}

// FDNameIsColumn reports whether fd.name of ev is its fd name column's
// (FDNameValue of ev.FD.Name), judging as FDIsColumn does.
func FDNameIsColumn(ev *event.Event) bool {
	// A failed connect's name is the tuple it tried (see fdName), which
	// needs the event's result.
	return FDIsColumn(ev) && !(factOf(ev.Type).name == "connect" && ev.Dir() == event.DirExit)
}

// FDTypeValue is fd.type of an event whose fd has type t; false when t
// has no name (the event has no fd), and fd.type is missing.
func FDTypeValue(t event.FDType) (string, bool) {
	s, ok := fdTypeNames[t]
	return s, ok
}

// FDTypeElsewhere reports whether fd.type of an event of type t may come
// from something other than its fd type column: the exits of the calls
// that create two fds, whose second fd the event names (see fdOf).
func FDTypeElsewhere(t event.Type) bool {
	if t.Dir() != event.DirExit {
		return false
	}
	_, ok := pairCreators[factOf(t).name]
	return ok
}

// FDRelatedType reports whether events of type t can refer to an fd; the
// FDOnly fields are missing on the others.
func FDRelatedType(t event.Type) bool { return factOf(t).flags&fFD != 0 }

// IsGeneric reports whether events of type t are generic system calls,
// whose evt.type is the name of the call in their ID parameter.
func IsGeneric(t event.Type) bool { return t == 0 || t == 1 }

// TypeName is evt.type of an event of type t that is not generic.
func TypeName(t event.Type) string { return factOf(t).name }

// TypesNamed returns the event types whose events evt.type can name
// name: the types of that name and, when a system call of that name has
// no event type of its own, the generic ones.
func TypesNamed(name string) []event.Type {
	var out []event.Type
	for _, info := range event.All() {
		if !IsGeneric(info.Type) && TypeName(info.Type) == name {
			out = append(out, info.Type)
		}
	}
	if len(out) == 0 {
		for _, sc := range syscalls29 {
			if sc.name == name {
				return append(out, 0, 1)
			}
		}
	}
	return out
}
