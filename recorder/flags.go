package recorder

import (
	"encoding/binary"
)

// Linux values translated into the PPM values the libs event table uses
// (ppm_events_public.h; the names render prints are in render's tables).

type bitMap struct{ linux, ppm uint64 }

var openFlagMap = []bitMap{
	{0o100, 1 << 2},       // O_CREAT
	{0o2000, 1 << 3},      // O_APPEND
	{0o10000, 1 << 4},     // O_DSYNC
	{0o200, 1 << 5},       // O_EXCL
	{0o4000, 1 << 6},      // O_NONBLOCK
	{0o4000000, 1 << 7},   // __O_SYNC
	{0o1000, 1 << 8},      // O_TRUNC
	{0o40000, 1 << 9},     // O_DIRECT
	{0o200000, 1 << 10},   // O_DIRECTORY
	{0o100000, 1 << 11},   // O_LARGEFILE
	{0o2000000, 1 << 12},  // O_CLOEXEC
	{0o20000000, 1 << 13}, // __O_TMPFILE
}

const (
	ppmORdonly   = 1 << 0
	ppmOWronly   = 1 << 1
	ppmORdwr     = 3
	ppmOCreated  = 1 << 14
	fmodeCreated = 1 << 20 // FMODE_CREATED in f_mode
)

// openFlags converts open(2) flags; withMode adds the access mode (open,
// not pipe2 or dup3).
func openFlags(v uint64, withMode bool) uint32 {
	var out uint64
	if withMode {
		switch v & 3 {
		case 0:
			out = ppmORdonly
		case 1:
			out = ppmOWronly
		case 2:
			out = ppmORdwr
		}
	}
	for _, m := range openFlagMap {
		if v&m.linux != 0 {
			out |= m.ppm
		}
	}
	return uint32(out)
}

var cloneFlagMap = []bitMap{
	{0x400, 1 << 0},       // CLONE_FILES
	{0x200, 1 << 1},       // CLONE_FS
	{0x80000000, 1 << 2},  // CLONE_IO
	{0x08000000, 1 << 3},  // CLONE_NEWIPC
	{0x40000000, 1 << 4},  // CLONE_NEWNET
	{0x20000, 1 << 5},     // CLONE_NEWNS
	{0x20000000, 1 << 6},  // CLONE_NEWPID
	{0x04000000, 1 << 7},  // CLONE_NEWUTS
	{0x8000, 1 << 8},      // CLONE_PARENT
	{0x100000, 1 << 9},    // CLONE_PARENT_SETTID
	{0x2000, 1 << 10},     // CLONE_PTRACE
	{0x800, 1 << 11},      // CLONE_SIGHAND
	{0x40000, 1 << 12},    // CLONE_SYSVSEM
	{0x10000, 1 << 13},    // CLONE_THREAD
	{0x800000, 1 << 14},   // CLONE_UNTRACED
	{0x100, 1 << 15},      // CLONE_VM
	{0x10000000, 1 << 20}, // CLONE_NEWUSER
	{0x200000, 1 << 23},   // CLONE_CHILD_CLEARTID
	{0x1000000, 1 << 24},  // CLONE_CHILD_SETTID
	{0x80000, 1 << 25},    // CLONE_SETTLS
	{0x4000, 1 << 27},     // CLONE_VFORK
	{0x02000000, 1 << 28}, // CLONE_NEWCGROUP
}

func cloneFlags(v uint64) uint32 {
	var out uint64
	for _, m := range cloneFlagMap {
		if v&m.linux != 0 {
			out |= m.ppm
		}
	}
	return uint32(out)
}

// fcntlCmds maps Linux fcntl commands to PPM_FCNTL_*.
var fcntlCmds = map[uint64]uint8{
	0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 8, 7: 9, 8: 10, 9: 12, 10: 13, 11: 15,
	15: 0x15, 16: 0x16, 36: 0x1e, 37: 0x1f, 38: 0x20,
	1024: 0x17, 1025: 0x18, 1026: 0x1b, 1029: 0x19, 1030: 0x1a, 1031: 0x1c, 1032: 0x1d,
}

func fcntlCmd(v uint64) uint8 { return fcntlCmds[v] }

// appendSockaddr converts a kernel struct sockaddr into a SOCKADDR
// parameter; it appends nothing for an unknown family.
func appendSockaddr(dst, sa []byte) []byte {
	if len(sa) < 2 {
		return dst
	}
	switch binary.LittleEndian.Uint16(sa) {
	case 2: // AF_INET
		if len(sa) < 8 {
			return dst
		}
		dst = append(dst, 2)
		dst = append(dst, sa[4:8]...)
		return binary.LittleEndian.AppendUint16(dst, binary.BigEndian.Uint16(sa[2:4]))
	case 10: // AF_INET6
		if len(sa) < 24 {
			return dst
		}
		dst = append(dst, 10)
		dst = append(dst, sa[8:24]...)
		return binary.LittleEndian.AppendUint16(dst, binary.BigEndian.Uint16(sa[2:4]))
	case 1: // AF_UNIX
		path := sa[2:]
		for i, c := range path {
			if c == 0 && i > 0 {
				path = path[:i]
				break
			}
		}
		if len(path) > 0 && path[0] == 0 {
			path = path[1:] // abstract socket: its name follows the NUL
		}
		dst = append(dst, 1)
		dst = append(dst, path...)
		return append(dst, 0)
	}
	return dst
}
