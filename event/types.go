package event

import "fmt"

// Type is an event type: the ppm_event_code of the libs event table. Even
// codes are enter events, odd codes exit events; tracepoint and meta events
// only use the even code.
type Type uint16

// MaxType bounds the event codes this build knows (PPM_EVENT_MAX in libs).
// Codes at or above it are still stored and read back; they only lack a
// name.
const MaxType Type = 454

// Dir is an event's direction, as sysdig's evt.dir prints it.
type Dir uint8

const (
	DirEnter Dir = iota // ">"
	DirExit             // "<"
)

// String returns ">" or "<".
func (d Dir) String() string {
	if d == DirExit {
		return "<"
	}
	return ">"
}

// Dir returns the direction of the type: even codes enter, odd codes exit.
func (t Type) Dir() Dir {
	if t&1 == 1 {
		return DirExit
	}
	return DirEnter
}

// String returns the event's name as evt.type prints it, or "type(N)" for a
// code the table lacks.
func (t Type) String() string {
	if info := Lookup(t); info != nil {
		return info.Name
	}
	return fmt.Sprintf("type(%d)", uint16(t))
}

// ParamType is the encoding of one event parameter (enum ppm_param_type).
type ParamType uint8

// Parameter types, numbered as in libs' ppm_events_public.h. The encodings
// are in ../shared/reference/scap-format.md §9.
const (
	PTNone           ParamType = 0
	PTInt8           ParamType = 1
	PTInt16          ParamType = 2
	PTInt32          ParamType = 3
	PTInt64          ParamType = 4
	PTUint8          ParamType = 5
	PTUint16         ParamType = 6
	PTUint32         ParamType = 7
	PTUint64         ParamType = 8
	PTCharBuf        ParamType = 9
	PTByteBuf        ParamType = 10
	PTErrno          ParamType = 11
	PTSockAddr       ParamType = 12
	PTSockTuple      ParamType = 13
	PTFD             ParamType = 14
	PTPID            ParamType = 15
	PTFDList         ParamType = 16
	PTFSPath         ParamType = 17
	PTSyscallID      ParamType = 18
	PTSigType        ParamType = 19
	PTRelTime        ParamType = 20
	PTAbsTime        ParamType = 21
	PTPort           ParamType = 22
	PTL4Proto        ParamType = 23
	PTSockFamily     ParamType = 24
	PTBool           ParamType = 25
	PTIPv4Addr       ParamType = 26
	PTDyn            ParamType = 27
	PTFlags8         ParamType = 28
	PTFlags16        ParamType = 29
	PTFlags32        ParamType = 30
	PTUID            ParamType = 31
	PTGID            ParamType = 32
	PTDouble         ParamType = 33
	PTSigSet         ParamType = 34
	PTCharBufArr     ParamType = 35
	PTCharBufPairArr ParamType = 36
	PTIPv4Net        ParamType = 37
	PTIPv6Addr       ParamType = 38
	PTIPv6Net        ParamType = 39
	PTIPAddr         ParamType = 40
	PTIPNet          ParamType = 41
	PTMode           ParamType = 42
	PTFSRelPath      ParamType = 43
	PTEnumFlags8     ParamType = 44
	PTEnumFlags16    ParamType = 45
	PTEnumFlags32    ParamType = 46
	PTFD32           ParamType = 47
	PTPID32          ParamType = 48
)

// FixedSize returns the encoded size of a fixed-width parameter type, or 0
// for variable-length types.
func (p ParamType) FixedSize() int {
	switch p {
	case PTInt8, PTUint8, PTSigType, PTL4Proto, PTSockFamily, PTFlags8, PTEnumFlags8:
		return 1
	case PTInt16, PTUint16, PTSyscallID, PTPort, PTFlags16, PTEnumFlags16:
		return 2
	case PTInt32, PTUint32, PTBool, PTIPv4Addr, PTFlags32, PTUID, PTGID, PTSigSet,
		PTMode, PTEnumFlags32, PTFD32, PTPID32:
		return 4
	case PTInt64, PTUint64, PTErrno, PTFD, PTPID, PTRelTime, PTAbsTime, PTDouble:
		return 8
	case PTIPv6Addr:
		return 16
	}
	return 0
}

// Signed reports whether a fixed-width type holds a signed integer.
func (p ParamType) Signed() bool {
	switch p {
	case PTInt8, PTInt16, PTInt32, PTInt64, PTErrno, PTFD, PTPID, PTFD32, PTPID32:
		return true
	}
	return false
}

// Status says whether current drivers still emit an event layout.
type Status uint8

const (
	StatusCurrent Status = iota // what current drivers emit
	StatusTOCTOU                // an enter event current drivers still emit (TOCTOU mitigation)
	StatusOld                   // only found in older captures; converted on import
)

// EventFlags are the EF_* flags of the libs event table that generic logic
// uses (fd creation and use, I/O direction).
type EventFlags uint32

const (
	EFCreatesFD EventFlags = 1 << iota
	EFDestroysFD
	EFUsesFD
	EFReadsFromFD
	EFWritesToFD
	EFModifiesState
	EFLargePayload
	EFOldVersion
)

// ParamInfo describes one parameter of an event layout.
type ParamInfo struct {
	Name string
	Type ParamType
	// Table names the flag or enum table for FLAGS*, ENUMFLAGS*, MODE and
	// DYN parameters ("file_flags"), empty otherwise.
	Table string
	// DirFD is the index of the dirfd parameter that an FSRELPATH parameter
	// is relative to, or -1.
	DirFD int
}

// Info is one row of the event table.
type Info struct {
	Type   Type
	Enum   string // the PPME_ name without prefix, e.g. "SYSCALL_OPENAT_2_X"
	Name   string // the evt.type name, e.g. "openat"
	Status Status
	Flags  EventFlags
	Params []ParamInfo
}

// Dir returns the direction of the event.
func (i *Info) Dir() Dir { return i.Type.Dir() }

// Param returns the index of the parameter with the given name, or -1.
func (i *Info) Param(name string) int {
	for k := range i.Params {
		if i.Params[k].Name == name {
			return k
		}
	}
	return -1
}
