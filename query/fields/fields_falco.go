package fields

import (
	"strings"

	"forensics/event"
)

// Fields the official Falco rules use that sysdig 0.29.3 lacks, after
// current libs (fields.md §3): the open-flag tests and the container and
// Kubernetes metadata a capture cannot know (always missing, as
// container.image).

func falcoFields() []*Field {
	return []*Field{
		field("evt.is_open_read", TBool, "true for open, openat, openat2 and open_by_handle_at events whose flags have the read bit (O_RDONLY or O_RDWR)", openFlagTest(oRead)),
		field("evt.is_open_write", TBool, "true for open-family events whose flags have the write bit (O_WRONLY or O_RDWR)", openFlagTest(oWrite)),
		field("evt.is_open_exec", TBool, "true for open-family and creat events that create a file (O_CREAT or O_TMPFILE) with a mode that has an execute bit", extIsOpenExec),
		field("evt.is_open_create", TBool, "true for open-family events that created the file (O_F_CREATED), or a successful O_TMPFILE open", extIsOpenCreate),
		field("fd.connected", TBool, "true when the fd is a connected socket (the process holds the client or the server end of a connection)", extFDConnected),
		argField("fd.net", TIP, ArgNone, NoTransformer, "filter only: the server address of the fd (the client's when there is none) is in a network, fd.net=10.0.0.0/8 (libs tests either end)", simple(extFDNet)),
		argField("fd.cnet", TIP, ArgNone, NoTransformer, "filter only: the client address is in a network", simple(extFDCIP)),
		argField("fd.snet", TIP, ArgNone, NoTransformer, "filter only: the server address is in a network", simple(extFDSIP)),
		argField("fd.lnet", TIP, ArgNone, NoTransformer, "filter only: the local address is in a network", simple(extFDLIP)),
		argField("fd.rnet", TIP, ArgNone, NoTransformer, "filter only: the remote address is in a network", simple(extFDRIP)),
		field("fd.cip.name", TString, "domain name of the client address: missing, a capture has no DNS names", missing),
		field("fd.sip.name", TString, "domain name of the server address: missing, a capture has no DNS names", missing),
		field("fd.lip.name", TString, "domain name of the local address: missing, a capture has no DNS names", missing),
		field("fd.rip.name", TString, "domain name of the remote address: missing, a capture has no DNS names", missing),
		field("fd.name_changed", TBool, "true when the event gave an unconnected socket a peer: a sendto, sendmsg, recvfrom or recvmsg exit with an address on an IP socket (an approximation of libs' name change tracking)", extFDNameChanged),
		field("proc.sname", TString, "name of the session leader (the process whose pid is the session id)", extSName),
		field("proc.exe_ino", TInt, "inode of the executable", procInt(func(p *event.Process) (int64, bool) { return int64(p.ExeIno), p.ExeIno != 0 })),
		field("proc.exe_ino.ctime", TAbsTime, "change time of the executable's inode, ns since the epoch", procTime(func(p *event.Process) uint64 { return p.ExeInoCtime })),
		field("proc.exe_ino.mtime", TAbsTime, "modification time of the executable's inode, ns since the epoch", procTime(func(p *event.Process) uint64 { return p.ExeInoMtime })),
		field("proc.exe_ino.ctime_duration_proc_start", TAbsTime, "ns from the executable's inode change to the process start (small: the file was just written)", procTime(func(p *event.Process) uint64 {
			if p.ExeInoCtime == 0 || p.StartTs < p.ExeInoCtime {
				return 0
			}
			return p.StartTs - p.ExeInoCtime
		})),
		field("container.start_ts", TAbsTime, "start of the container: the start of its pid namespace's init, ns since the epoch; missing on the host", procTime(func(p *event.Process) uint64 {
			if p.Container == "" {
				return 0
			}
			return p.PidNSStart
		})),
		field("proc.duration", TRelTime, "ns since the process (its thread) was created; missing when it predates the capture", extProcDuration),
		field("proc.is_vpgid_leader", TBool, "true when the process leads its process group (vpgid = vpid)", extIsVPgidLeader),
		field("proc.is_exe_writable", TBool, "true when the executable was writable by the user that ran it (execve flag EXE_WRITABLE)", exeFlag(exeWritable)),
		field("proc.is_exe_upper_layer", TBool, "true when the executable lives in an overlayfs upper layer (a file written into a container)", exeFlag(exeUpperLayer)),
		field("proc.is_exe_lower_layer", TBool, "true when the executable lives in an overlayfs lower layer", exeFlag(exeLowerLayer)),
		field("proc.is_exe_from_memfd", TBool, "true when the executable is a memfd (fileless execution)", exeFlag(exeFromMemfd)),
		field("thread.cap_permitted", TString, "permitted capabilities of the thread, as names (CAP_CHOWN CAP_SYS_ADMIN ...)", capField(func(p *event.Process) uint64 { return p.CapPermitted })),
		field("thread.cap_effective", TString, "effective capabilities of the thread, as names", capField(func(p *event.Process) uint64 { return p.CapEffective })),
		field("thread.cap_inheritable", TString, "inheritable capabilities of the thread, as names", capField(func(p *event.Process) uint64 { return p.CapInheritable })),
		field("container.image.repository", TString, "image repository of the container: missing, a capture has no container metadata", missing),
		field("container.image.tag", TString, "image tag of the container: missing, a capture has no container metadata", missing),
		field("container.privileged", TBool, "whether the container is privileged: missing, a capture has no container metadata", missing),
		field("k8s.ns.name", TString, "Kubernetes namespace of the pod: missing, a capture has no container metadata", missing),
		field("k8s.pod.name", TString, "Kubernetes pod name: missing, a capture has no container metadata", missing),
	}
}

// PPM open flags (render's file_flags).
const (
	oRead      = 0x1
	oWrite     = 0x2
	oCreat     = 0x4
	oTmpfile   = 0x2000
	oFCreated  = 0x4000
	modeExecXs = 0o111
)

// openFamily are the calls evt.is_open_* look at.
var openFamily = map[string]bool{"open": true, "openat": true, "openat2": true, "open_by_handle_at": true}

func missing(*Ctx) (Value, bool) { return Value{}, false }

// openFlags returns the flags of an open-family event: its flags
// parameter, else those its fd was opened with.
func openFlags(ev *event.Event) (uint32, bool) {
	if !openFamily[factOf(ev.Type).name] {
		return 0, false
	}
	if f, ok := paramInt(ev, "flags"); ok {
		return uint32(f), true
	}
	if fdKnown(ev) {
		return ev.FD.OpenFlags, true
	}
	return 0, true
}

func openFlagTest(bit uint32) Extractor {
	return func(c *Ctx) (Value, bool) {
		f, ok := openFlags(c.Ev)
		return Bool(ok && f&bit != 0), true
	}
}

func extIsOpenExec(c *Ctx) (Value, bool) {
	ev := c.Ev
	f, ok := openFlags(ev)
	creat := factOf(ev.Type).name == "creat"
	if !ok && !creat {
		return Bool(false), true
	}
	if !creat && f&(oCreat|oTmpfile) == 0 {
		return Bool(false), true
	}
	mode, ok := paramInt(ev, "mode")
	return Bool(ok && mode&modeExecXs != 0), true
}

func extIsOpenCreate(c *Ctx) (Value, bool) {
	f, ok := openFlags(c.Ev)
	if !ok {
		return Bool(false), true
	}
	if f&oFCreated != 0 {
		return Bool(true), true
	}
	res, ok := rawRes(c.Ev)
	return Bool(f&oTmpfile != 0 && ok && res >= 0), true
}

func extFDConnected(c *Ctx) (Value, bool) {
	v, ok := fdOf(c)
	if !ok || v.fd == nil {
		return Value{}, false
	}
	switch v.fd.Type {
	case event.FDIPv4Sock, event.FDIPv6Sock, event.FDUnixSock:
		return Bool(v.fd.Role == event.RoleClient || v.fd.Role == event.RoleServer), true
	}
	return Bool(false), true
}

// execve flags (render's execve_flags).
const (
	exeWritable   = 0x1
	exeUpperLayer = 0x2
	exeFromMemfd  = 0x4
	exeLowerLayer = 0x8
)

func exeFlag(bit uint32) Extractor {
	return procField(func(c *Ctx, p *event.Process) (Value, bool) {
		if isFake(p) {
			return Value{}, false
		}
		return Bool(p.ExeFlags&bit != 0), true
	})
}

var extIsVPgidLeader = procField(func(c *Ctx, p *event.Process) (Value, bool) {
	if isFake(p) || p.VPid <= 0 || p.VPgid <= 0 {
		return Value{}, false
	}
	return Bool(p.VPgid == p.VPid), true
})

// extProcDuration goes back over the incarnations an execve started to
// the thread's creation.
var extProcDuration = procField(func(c *Ctx, p *event.Process) (Value, bool) {
	start := p.StartTs
	if c.Tables != nil {
		start = c.Tables.threadStart(p)
	}
	if start == 0 || start > c.Ev.Ts {
		return Value{}, false
	}
	return RelTime(int64(c.Ev.Ts - start)), true
})

// capNames are the Linux capabilities by bit.
var capNames = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
	"CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
	"CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"}

func capField(get func(p *event.Process) uint64) Extractor {
	return procField(func(c *Ctx, p *event.Process) (Value, bool) {
		if isFake(p) {
			return Value{}, false
		}
		set := get(p)
		var names []string
		for i, n := range capNames {
			if set&(1<<i) != 0 {
				names = append(names, n)
			}
		}
		return Str(strings.Join(names, " ")), true
	})
}

// peerCalls carry a peer address on unconnected sockets.
var peerCalls = map[string]bool{"sendto": true, "sendmsg": true, "recvfrom": true, "recvmsg": true}

func extFDNameChanged(c *Ctx) (Value, bool) {
	ev := c.Ev
	if ev.Dir() != event.DirExit || !peerCalls[factOf(ev.Type).name] {
		return Bool(false), true
	}
	v, ok := fdOf(c)
	if !ok || ipSocket(v) == nil {
		return Bool(false), true
	}
	for _, name := range []string{"tuple", "addr"} {
		if p, _, ok := lookupParam(ev, paramRef{name: name, idx: -1}); ok && len(p) > 0 {
			return Bool(true), true
		}
	}
	return Bool(false), true
}

var extSName = procField(func(c *Ctx, p *event.Process) (Value, bool) {
	if c.Tables == nil || p.Sid <= 0 {
		return Value{}, false
	}
	leader := c.Tables.Live(p.Sid, c.Ev.Ts)
	if leader == nil {
		return Value{}, false
	}
	return Str(comm(leader)), true
})

func procInt(get func(p *event.Process) (int64, bool)) Extractor {
	return procField(func(c *Ctx, p *event.Process) (Value, bool) {
		v, ok := get(p)
		if isFake(p) || !ok {
			return Value{}, false
		}
		return Int(v), true
	})
}

// procTime extracts a time of the process; 0 is missing.
func procTime(get func(p *event.Process) uint64) Extractor {
	return procField(func(c *Ctx, p *event.Process) (Value, bool) {
		v := get(p)
		if isFake(p) || v == 0 {
			return Value{}, false
		}
		return AbsTime(v), true
	})
}

// extFDNet is the server address, else the client's: one address, so
// that it compares with networks.
func extFDNet(c *Ctx) (Value, bool) {
	if v, ok := extFDSIP(c); ok {
		return v, true
	}
	return extFDCIP(c)
}
