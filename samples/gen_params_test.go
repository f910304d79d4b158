package samples

import (
	"encoding/binary"
	"hash/fnv"
	"net/netip"
	"strings"

	"forensics/event"
)

// This file holds the generator's vocabulary: the event types it emits, the
// libs flag values it uses and the encoders of parameters in the libs wire
// encoding (integers little-endian, strings NUL-terminated, lists of
// NUL-terminated strings, packed socket addresses).

// snaplen bounds the I/O data kept in read and write events, as the drivers
// do (and as the file's header says).
const snaplen = 80

// Event types (ids of the libs event table, see ../event/table_gen.go).
const (
	typeCloseX    event.Type = 5
	typeReadX     event.Type = 7
	typeWriteX    event.Type = 9
	typeSocketX   event.Type = 19
	typeConnectX  event.Type = 23
	typeProcExit  event.Type = 186
	typeCloneX    event.Type = 223
	typeAcceptX   event.Type = 247
	typeExecveX   event.Type = 293
	typeUnlinkatX event.Type = 303
	typeOpenatX   event.Type = 307
	typeChmodX    event.Type = 315
	typeAccept4X  event.Type = 389
)

// PPM_O_* file flags (not the Linux values).
const (
	oRDONLY    uint32 = 1 << 0
	oWRONLY    uint32 = 1 << 1
	oRDWR      uint32 = oRDONLY | oWRONLY
	oCREAT     uint32 = 1 << 2
	oAPPEND    uint32 = 1 << 3
	oEXCL      uint32 = 1 << 5
	oNONBLOCK  uint32 = 1 << 6
	oTRUNC     uint32 = 1 << 8
	oDIRECTORY uint32 = 1 << 10
	oCLOEXEC   uint32 = 1 << 12
)

// Other libs values.
const (
	atFDCWD = -100 // openat/unlinkat dirfd meaning the cwd
	afINET  = 2    // PPM_AF_INET

	sockStream = 1 // SOCK_STREAM
	ipprotoTCP = 6
	sockNonblk = 0o4000 // Linux SOCK_NONBLOCK, as accept4's flags carry it

	// PPM_CL_CHILD_CLEARTID|PPM_CL_CHILD_SETTID: glibc's fork().
	forkFlags uint32 = 1<<23 | 1<<24

	exeWritable uint32 = 1 // execve_flags EXE_WRITABLE

	// Capability sets: every capability of kernel 6.1 (0..40), or none.
	capsAll  uint64 = 1<<41 - 1
	capsNone uint64 = 0

	fdLimit = 1024 // RLIMIT_NOFILE soft limit of every process here
)

func pI64(v int64) []byte  { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func pU64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func pU32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func pI32(v int32) []byte  { return pU32(uint32(v)) }
func pU8(v uint8) []byte   { return []byte{v} }

// pStr encodes a CHARBUF or FSPATH: the string and a NUL.
func pStr(s string) []byte { return append([]byte(s), 0) }

// pList encodes exec args, env and cgroups: each string NUL-terminated.
func pList(items []string) []byte {
	var b []byte
	for _, s := range items {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
}

// pData is an I/O buffer as the drivers keep it: its first snaplen bytes.
func pData(buf []byte) []byte { return append([]byte(nil), buf[:min(len(buf), snaplen)]...) }

// pSockaddr encodes an AF_INET sockaddr: family, address, port (host order).
func pSockaddr(ap netip.AddrPort) []byte {
	b := append([]byte{afINET}, ap.Addr().AsSlice()...)
	return binary.LittleEndian.AppendUint16(b, ap.Port())
}

// pTuple encodes an AF_INET socktuple: family, source address and port,
// destination address and port.
func pTuple(src, dst netip.AddrPort) []byte {
	b := append([]byte{afINET}, src.Addr().AsSlice()...)
	b = binary.LittleEndian.AppendUint16(b, src.Port())
	b = append(b, dst.Addr().AsSlice()...)
	return binary.LittleEndian.AppendUint16(b, dst.Port())
}

// tcpTuple is the fd enrichment's tuple of a TCP connection.
func tcpTuple(src, dst netip.AddrPort) event.Tuple {
	return event.Tuple{L4: event.L4TCP, SIP: src.Addr(), SPort: src.Port(), DIP: dst.Addr(), DPort: dst.Port()}
}

// devOf is the device (new_encode_dev) of the file system holding path:
// devpts, devtmpfs, procfs or the root file system on sda1.
func devOf(path string) uint32 {
	switch {
	case strings.HasPrefix(path, "/dev/pts/"):
		return 25
	case strings.HasPrefix(path, "/dev/"):
		return 5
	case strings.HasPrefix(path, "/proc/"):
		return 22
	}
	return 8<<8 | 1
}

// inodeOf gives each path a stable, plausible inode number.
func inodeOf(path string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(path))
	return 130_000 + h.Sum64()%3_800_000
}

// fileFD is the enrichment of an fd open on a file or directory.
func fileFD(num int64, path string, flags uint32) event.FD {
	t := event.FDFile
	if flags&oDIRECTORY != 0 {
		t = event.FDDirectory
	}
	return event.FD{Num: num, Type: t, Name: path, OpenFlags: flags, Dev: devOf(path), Ino: inodeOf(path)}
}

// listenFD is the enrichment of a TCP socket listening on addr: a server
// socket has only the destination side of its tuple.
func listenFD(num int64, addr netip.AddrPort) event.FD {
	return event.FD{Num: num, Type: event.FDIPv4Server, Role: event.RoleServer, Name: addr.String(),
		Tuple: event.Tuple{L4: event.L4TCP, DIP: addr.Addr(), DPort: addr.Port()}}
}

// noFD is the enrichment of events that refer to no fd.
func noFD() event.FD { return event.FD{Num: event.NoFD} }
