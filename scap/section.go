package scap

import "net/netip"

// Section is one section of a capture: its header and the metadata blocks
// between the header and the first event. A stream holds one section, or
// several when captures were concatenated.
type Section struct {
	Index  int   // 0 for the first section of the stream
	Offset int64 // of the section header block, in the decompressed stream
	Major  uint16
	Minor  uint16
	// Length is the SHB section_length; -1 (unknown) in every known file.
	Length int64
	// Options holds the raw pcapng options that followed the fixed SHB
	// fields, if any (rare; the Writer writes them back as they are).
	Options []byte

	Machine    *MachineInfo // nil when the section has no MI block
	Interfaces []Interface  // from the last IL block (libscap keeps the last)
	Users      []User       // from the last UL block
	Groups     []Group      // from the last UL block
	Threads    []Thread     // every PL block's entries, in file order
	FDs        []FDList     // one per FDL block, in file order

	// Blocks lists every block read before the first event, the section
	// header included, skipped unknown blocks too.
	Blocks []BlockRef
}

// BlockRef locates one block of the stream.
type BlockRef struct {
	ID     uint32
	Offset int64  // in the decompressed stream
	Length uint32 // block_total_length
}

// MachineInfo is the MI block (scap_machine_info, 180 bytes).
type MachineInfo struct {
	NumCPUs     uint32
	MemoryBytes uint64
	MaxPID      uint64
	Hostname    string // up to the first NUL of the 128-byte field
	BootTime    uint64 // boot_ts_epoch, ns since the epoch; 0 in older files
	Flags       uint64
	Reserved3   uint64
	Reserved4   uint64
}

// Interface types (scap_ifinfo type).
const (
	IfIPv4            uint16 = 1
	IfIPv6            uint16 = 2
	IfIPv4NoLinkSpeed uint16 = 3
	IfIPv6NoLinkSpeed uint16 = 4
)

// Interface is one entry of an IL block: an address of a network interface.
type Interface struct {
	Type      uint16 // IfIPv4 ... IfIPv6NoLinkSpeed
	Name      string
	Addr      netip.Addr // IPv4 for IfIPv4*, IPv6 for IfIPv6*
	Netmask   netip.Addr
	Bcast     netip.Addr
	LinkSpeed uint64 // 0 for the NoLinkSpeed types
	// Extra holds bytes an IL_V2 entry carries after the fields this
	// package knows (written by a newer libscap), kept verbatim.
	Extra []byte
}

// User is a user entry of a UL block.
type User struct {
	UID   uint32
	GID   uint32
	Name  string
	Home  string
	Shell string
	Extra []byte // unknown trailing bytes of a UL_V2 entry
}

// Group is a group entry of a UL block.
type Group struct {
	GID   uint32
	Name  string
	Extra []byte // unknown trailing bytes of a UL_V2 entry
}

// Thread is one entry of a PL block (scap_threadinfo). Fields a block
// version lacks keep libscap's defaults (see NewThread).
type Thread struct {
	Tid     int64
	Pid     int64
	PTid    int64
	Sid     int64 // PL V6+; -1 when absent
	VPgid   int64 // PL V8+; -1 when absent
	Comm    string
	Exe     string // argv[0]
	ExePath string // PL V7+
	// Args, Env and Cgroups are NUL-separated lists exactly as stored
	// (Args excludes argv[0]; Cgroups entries are "subsys=path").
	Args      string
	Cwd       string
	FDLimit   int64
	Flags     uint32 // PPM_CL_* bits
	UID       uint32
	GID       uint32
	VMSizeKB  uint32 // PL V2+
	VMRSSKB   uint32
	VMSwapKB  uint32
	PFMajor   uint64
	PFMinor   uint64
	Env       string // PL V3+
	VTid      int64  // PL V4+; -1 when absent
	VPid      int64  // PL V4+; -1 when absent
	Cgroups   string // PL V4+
	Root      string // PL V5+
	PidNSInit uint64 // pidns_init_start_ts; PL V9 (libs >= 0.10)
	TTY       uint32 // PL V9 (libs >= 0.10)
	LoginUID  uint32 // PL V9; 0xFFFFFFFF when absent
	// The remaining fields are PL V9 too, each present when the entry has
	// room for it.
	ExeWritable    bool
	CapInheritable uint64
	CapPermitted   uint64
	CapEffective   uint64
	ExeUpperLayer  bool
	ExeIno         uint64
	ExeInoCtime    uint64
	ExeInoMtime    uint64
	ExeFromMemfd   bool
	ExeLowerLayer  bool
	Pgid           int64 // -1 when absent
	// Extra holds bytes a PL V9 entry carries after Pgid (written by a
	// newer libscap), kept verbatim.
	Extra []byte
}

// NewThread returns a Thread holding libscap's defaults for the fields an
// older PL version lacks.
func NewThread() Thread {
	return Thread{Sid: -1, VPgid: -1, VTid: -1, VPid: -1, LoginUID: 0xFFFFFFFF, Pgid: -1}
}

// FD types (scap_fd_type).
const (
	FDUnknown     uint8 = 0
	FDFile        uint8 = 1
	FDDirectory   uint8 = 2
	FDIPv4Sock    uint8 = 3
	FDIPv6Sock    uint8 = 4
	FDIPv4Server  uint8 = 5
	FDIPv6Server  uint8 = 6
	FDFIFO        uint8 = 7
	FDUnixSock    uint8 = 8
	FDEvent       uint8 = 9
	FDUnsupported uint8 = 10
	FDSignalFD    uint8 = 11
	FDEventPoll   uint8 = 12
	FDInotify     uint8 = 13
	FDTimerFD     uint8 = 14
	FDNetlink     uint8 = 15
	FDFileV2      uint8 = 16
	FDBPF         uint8 = 17
	FDUserfaultFD uint8 = 18
	FDIOUring     uint8 = 19
	FDMemFD       uint8 = 20
	FDPidFD       uint8 = 21
)

// FDList is one FDL block: the fd table of one thread.
type FDList struct {
	Tid int64
	FDs []FD
}

// FD is one entry of an FDL block. Which fields are set depends on Type.
type FD struct {
	Num  int64
	Ino  uint64
	Type uint8 // FDFile ... FDPidFD, or a newer type (FDL_V2 only)
	// Name is the path or name of every type but the IP sockets (for
	// FDUnixSock the socket path).
	Name string
	// FDFileV2 only: the PPM_O_* open flags and the device (0 when the
	// entry has none).
	OpenFlags uint32
	Dev       uint32
	// FDIPv4Sock, FDIPv6Sock: the connection tuple.
	SIP, DIP     netip.Addr
	SPort, DPort uint16
	// FDIPv4Server, FDIPv6Server: the bound address.
	IP   netip.Addr
	Port uint16
	// IP sockets: scap_l4_proto (0 unknown, 1 n/a, 2 TCP, 3 UDP, 4 ICMP,
	// 5 raw).
	L4Proto uint8
	// FDUnixSock: the kernel pointers of both ends.
	Source, Dest uint64
	// Extra holds bytes an FDL_V2 entry carries after the fields this
	// package knows, and the whole payload of a type it does not know.
	Extra []byte
}
