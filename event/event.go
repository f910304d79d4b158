package event

import (
	"encoding/binary"
	"math"
	"net/netip"
)

// Flags are per-event flags.
type Flags uint8

const (
	// FlagStateOnly marks an event kept only because it changes state (the
	// scap SCAP_DF_STATE_ONLY flag, sysdig's "fatfile" mode). Readers use it
	// for state and do not show it.
	FlagStateOnly Flags = 1 << 0
)

// ProcKey names one process incarnation in a capture's process table. Keys
// are assigned by the state machine and never reused within a capture; 0 is
// "unknown".
type ProcKey uint64

// NoFD is FD.Num for events that do not refer to a file descriptor.
const NoFD int64 = math.MinInt64

// Event is one captured event. Params and the strings in FD may point into
// a reader's buffers: they stay valid until the reader moves on, so copy
// with [Event.Clone] to keep an event.
type Event struct {
	Num   uint64 // sequence number within the capture, from 1
	Ts    uint64 // nanoseconds since the Unix epoch
	CPU   uint16
	Tid   int64
	Type  Type
	Flags Flags
	// Params holds each parameter as the libs drivers encode it. A nil or
	// empty parameter is "not available" (<NA>).
	Params [][]byte
	// Merged counts the trailing Params that were not recorded with this
	// event but taken from its enter event: old captures split a syscall's
	// arguments between enter and exit, and the importer completes the exit
	// as current drivers write it. An export writes Params[:len-Merged].
	Merged uint8
	// FD is the enrichment of the fd the event refers to, resolved when the
	// event was recorded or imported. FD.Num is NoFD when there is none.
	FD FD
	// Proc is the issuing process incarnation in the process table.
	Proc ProcKey
}

// Recorded returns the parameters as they were recorded, without the ones
// merged from the enter event.
func (e *Event) Recorded() [][]byte { return e.Params[:len(e.Params)-int(e.Merged)] }

// Dir returns the event's direction.
func (e *Event) Dir() Dir { return e.Type.Dir() }

// Info returns the event's layout, or nil for an unknown type.
func (e *Event) Info() *Info { return Lookup(e.Type) }

// Param returns the raw bytes of parameter i, or nil when absent.
func (e *Event) Param(i int) []byte {
	if i < 0 || i >= len(e.Params) {
		return nil
	}
	return e.Params[i]
}

// ParamByName returns the raw bytes of the named parameter of the event's
// layout, or nil when the type is unknown or the parameter absent.
func (e *Event) ParamByName(name string) []byte {
	info := e.Info()
	if info == nil {
		return nil
	}
	return e.Param(info.Param(name))
}

// Int decodes a little-endian integer parameter of 1, 2, 4 or 8 bytes,
// sign-extending when signed is true. ok is false for other lengths.
func Int(p []byte, signed bool) (v int64, ok bool) {
	switch len(p) {
	case 1:
		if signed {
			return int64(int8(p[0])), true
		}
		return int64(p[0]), true
	case 2:
		u := binary.LittleEndian.Uint16(p)
		if signed {
			return int64(int16(u)), true
		}
		return int64(u), true
	case 4:
		u := binary.LittleEndian.Uint32(p)
		if signed {
			return int64(int32(u)), true
		}
		return int64(u), true
	case 8:
		return int64(binary.LittleEndian.Uint64(p)), true
	}
	return 0, false
}

// Clone returns a deep copy of e that owns all its memory.
func (e *Event) Clone() *Event {
	c := *e
	c.Params = make([][]byte, len(e.Params))
	n := 0
	for _, p := range e.Params {
		n += len(p)
	}
	buf := make([]byte, 0, n)
	for i, p := range e.Params {
		if p == nil {
			continue
		}
		start := len(buf)
		buf = append(buf, p...)
		c.Params[i] = buf[start:len(buf):len(buf)]
	}
	c.FD.Name = string([]byte(e.FD.Name))
	return &c
}

// FDType is the kind of a file descriptor. The values follow libscap's
// scap_fd_type, with FDNone for "no fd" and FILE_V2 folded into FDFile.
type FDType uint8

const (
	FDNone        FDType = 0
	FDFile        FDType = 1
	FDDirectory   FDType = 2
	FDIPv4Sock    FDType = 3
	FDIPv6Sock    FDType = 4
	FDIPv4Server  FDType = 5
	FDIPv6Server  FDType = 6
	FDFIFO        FDType = 7
	FDUnixSock    FDType = 8
	FDEvent       FDType = 9
	FDUnsupported FDType = 10
	FDSignalFD    FDType = 11
	FDEventPoll   FDType = 12
	FDInotify     FDType = 13
	FDTimerFD     FDType = 14
	FDNetlink     FDType = 15
	FDBPF         FDType = 17
	FDUserfaultFD FDType = 18
	FDIOUring     FDType = 19
	FDMemFD       FDType = 20
	FDPidFD       FDType = 21
)

// Char returns the fd type letter that sysdig prints (fd.typechar): f file,
// 4 ipv4, 6 ipv6, u unix, p pipe, e eventfd, s signalfd, l eventpoll,
// i inotify, t timerfd, n netlink, b bpf, o unknown/other and so on.
func (t FDType) Char() byte {
	switch t {
	case FDFile, FDMemFD:
		return 'f'
	case FDDirectory:
		return 'd'
	case FDIPv4Sock, FDIPv4Server:
		return '4'
	case FDIPv6Sock, FDIPv6Server:
		return '6'
	case FDFIFO:
		return 'p'
	case FDUnixSock:
		return 'u'
	case FDEvent:
		return 'e'
	case FDSignalFD:
		return 's'
	case FDEventPoll:
		return 'l'
	case FDInotify:
		return 'i'
	case FDTimerFD:
		return 't'
	case FDNetlink:
		return 'n'
	case FDBPF:
		return 'b'
	case FDUserfaultFD:
		return 'u'
	case FDIOUring:
		return 'r'
	case FDPidFD:
		return 'P'
	}
	return 'o'
}

// FDRole says which end of a connection the process holds.
type FDRole uint8

const (
	RoleNone   FDRole = 0
	RoleClient FDRole = 1
	RoleServer FDRole = 2
)

// L4Proto is a transport protocol (scap_l4_proto).
type L4Proto uint8

const (
	L4Unknown L4Proto = 0
	L4NA      L4Proto = 1
	L4TCP     L4Proto = 2
	L4UDP     L4Proto = 3
	L4ICMP    L4Proto = 4
	L4Raw     L4Proto = 5
)

// Tuple is a connection's addresses. For sockets the client is on the
// source side (sysdig's "sip:sport->dip:dport"); a server socket that is
// only bound has just the destination side. Unix sockets keep their kernel
// pointers in SrcPtr and DstPtr.
type Tuple struct {
	L4     L4Proto
	SIP    netip.Addr
	DIP    netip.Addr
	SPort  uint16
	DPort  uint16
	SrcPtr uint64
	DstPtr uint64
}

// IsZero reports whether the tuple is empty.
func (t Tuple) IsZero() bool { return t == Tuple{} }

// Parts are members of an Event that a reader may leave unread (zero)
// when nothing it asks of the event reads them; see query.Options.Skip.
type Parts uint8

const (
	// PartTs is Ts and CPU: when and where the event happened.
	PartTs Parts = 1 << iota
	// PartProc is Proc, the process incarnation (Tid is always read).
	PartProc
	// PartFDName is FD.Name.
	PartFDName
	// PartFDTuple is FD.Tuple and FD.Role: the ends of a socket, and
	// which is the server's.
	PartFDTuple
	// PartFDMeta is FD's open flags, device and inode.
	PartFDMeta
	// PartMerged is Merged: which of Params came from the enter event,
	// read by what prints the parameters as recorded.
	PartMerged
	// PartFDDetail is all of FD but its number and type.
	PartFDDetail = PartFDName | PartFDTuple | PartFDMeta
	// AllParts are every part.
	AllParts = PartTs | PartProc | PartFDDetail | PartMerged
)

// FD is the state of one file descriptor: the enrichment stored with each fd
// event and the entries of the fd table in a capture's state snapshot.
type FD struct {
	Num       int64 // NoFD when the event has no fd
	Type      FDType
	Role      FDRole
	Name      string // what fd.name prints: a path, "sip:sport->dip:dport", ...
	Tuple     Tuple
	OpenFlags uint32 // PPM_O_* flags the file was opened with
	Dev       uint32
	Ino       uint64
}
