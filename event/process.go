package event

import "net/netip"

// Process is one process (thread) incarnation: a thread from its creation,
// or its last execve, until its next execve or its exit. Each capture file
// carries the table of every incarnation its events refer to.
type Process struct {
	Key            ProcKey
	ParentKey      ProcKey // the parent's incarnation at this one's start, 0 if unknown
	Tid            int64
	Pid            int64
	PTid           int64 // parent thread id
	Sid            int64
	Pgid           int64
	VTid           int64 // thread id inside its pid namespace
	VPid           int64
	Comm           string
	Exe            string   // argv[0]
	ExePath        string   // the executable's full path
	Args           []string // argv[1:]
	Env            []string
	Cwd            string
	Root           string
	Cgroups        []string // "subsys=path"
	Container      string   // container id derived from the cgroups, "" on the host
	UID            uint32
	GID            uint32
	LoginUID       uint32 // 0xFFFFFFFF when unset
	TTY            uint32
	Flags          uint32 // PPM_CL_* clone flags
	FDLimit        int64
	CapInheritable uint64
	CapPermitted   uint64
	CapEffective   uint64
	ExeIno         uint64
	ExeFlags       uint32 // execve_flags: EXE_WRITABLE, EXE_UPPER_LAYER, ...
	PidNSStart     uint64 // pidns_init_start_ts
	StartTs        uint64 // ns since epoch; 0 when it predates the capture
	ExitTs         uint64 // ns since epoch; 0 while alive
	VPgid          int64  // process group id inside the pid namespace
	VMSizeKB       uint32
	VMRSSKB        uint32
	VMSwapKB       uint32
	PFMajor        uint64
	PFMinor        uint64
	ExeInoCtime    uint64
	ExeInoMtime    uint64
}

// User is an entry of the user table.
type User struct {
	UID       uint32
	GID       uint32
	Name      string
	Home      string
	Shell     string
	Container string
}

// Group is an entry of the group table.
type Group struct {
	GID       uint32
	Name      string
	Container string
}

// ProcFDs is the fd table of one process incarnation.
type ProcFDs struct {
	Proc ProcKey
	FDs  []FD
}

// Snapshot is the system state at the start of a capture file: what a reader
// needs to analyse that file alone.
type Snapshot struct {
	Processes []Process
	FDs       []ProcFDs
	Users     []User
	Groups    []Group
}

// Host describes the machine a capture was taken on.
type Host struct {
	Hostname    string
	Kernel      string // uname -r
	OS          string // e.g. "Debian GNU/Linux 12"
	Arch        string
	MachineID   string
	BootTime    uint64 // ns since epoch
	CPUs        uint32
	MemoryBytes uint64
	MaxPid      int64
	Interfaces  []Interface
}

// Interface is a network interface address of the host (a .scap IL entry).
type Interface struct {
	Name      string
	Addr      netip.Addr
	Netmask   netip.Addr
	Broadcast netip.Addr
	LinkSpeed uint64 // bits/s, 0 when unknown
}
