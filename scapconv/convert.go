package scapconv

import (
	"strings"

	"forensics/event"
	"forensics/scap"
	"forensics/state"
)

// threadToProcess maps a PL entry to a process record.
func threadToProcess(t *scap.Thread) event.Process {
	p := event.Process{
		Tid: t.Tid, Pid: t.Pid, PTid: t.PTid, Sid: t.Sid, VPgid: t.VPgid, Pgid: t.Pgid,
		VTid: t.VTid, VPid: t.VPid,
		Comm: t.Comm, Exe: t.Exe, ExePath: t.ExePath, Cwd: t.Cwd, Root: t.Root,
		Args: splitList(t.Args), Env: splitList(t.Env), Cgroups: splitList(t.Cgroups),
		UID: t.UID, GID: t.GID, LoginUID: t.LoginUID, TTY: t.TTY, Flags: t.Flags, FDLimit: t.FDLimit,
		CapInheritable: t.CapInheritable, CapPermitted: t.CapPermitted, CapEffective: t.CapEffective,
		ExeIno: t.ExeIno, ExeInoCtime: t.ExeInoCtime, ExeInoMtime: t.ExeInoMtime, PidNSStart: t.PidNSInit,
		VMSizeKB: t.VMSizeKB, VMRSSKB: t.VMRSSKB, VMSwapKB: t.VMSwapKB, PFMajor: t.PFMajor, PFMinor: t.PFMinor,
	}
	for bit, on := range map[uint32]bool{exeWritable: t.ExeWritable, exeUpperLayer: t.ExeUpperLayer,
		exeFromMemfd: t.ExeFromMemfd, exeLowerLayer: t.ExeLowerLayer} {
		if on {
			p.ExeFlags |= bit
		}
	}
	return p
}

// execve_flags bits (PPM_EXE_*).
const (
	exeWritable   = 1
	exeUpperLayer = 2
	exeFromMemfd  = 4
	exeLowerLayer = 8
)

// processToThread maps a process record back to a PL entry.
func processToThread(p *event.Process) scap.Thread {
	t := scap.NewThread()
	t.Tid, t.Pid, t.PTid, t.Sid, t.VPgid, t.Pgid = p.Tid, p.Pid, p.PTid, p.Sid, p.VPgid, p.Pgid
	t.VTid, t.VPid = p.VTid, p.VPid
	t.Comm, t.Exe, t.ExePath, t.Cwd, t.Root = p.Comm, p.Exe, p.ExePath, p.Cwd, p.Root
	t.Args, t.Env, t.Cgroups = joinList(p.Args), joinList(p.Env), joinList(p.Cgroups)
	t.UID, t.GID, t.LoginUID, t.TTY, t.Flags, t.FDLimit = p.UID, p.GID, p.LoginUID, p.TTY, p.Flags, p.FDLimit
	t.CapInheritable, t.CapPermitted, t.CapEffective = p.CapInheritable, p.CapPermitted, p.CapEffective
	t.ExeIno, t.ExeInoCtime, t.ExeInoMtime, t.PidNSInit = p.ExeIno, p.ExeInoCtime, p.ExeInoMtime, p.PidNSStart
	t.VMSizeKB, t.VMRSSKB, t.VMSwapKB, t.PFMajor, t.PFMinor = p.VMSizeKB, p.VMRSSKB, p.VMSwapKB, p.PFMajor, p.PFMinor
	t.ExeWritable = p.ExeFlags&exeWritable != 0
	t.ExeUpperLayer = p.ExeFlags&exeUpperLayer != 0
	t.ExeFromMemfd = p.ExeFlags&exeFromMemfd != 0
	t.ExeLowerLayer = p.ExeFlags&exeLowerLayer != 0
	return t
}

// splitList splits a NUL-separated list as scap stores it. A trailing NUL
// ends the last element; an empty string is an empty list.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\x00")
	return strings.Split(s, "\x00")
}

// joinList is the inverse of splitList for lists read from scap: elements
// each followed by a NUL.
func joinList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return strings.Join(l, "\x00") + "\x00"
}

// fdFromScap maps an FDL entry to the fd state, naming it as sysdig does.
func fdFromScap(f *scap.FD) event.FD {
	out := event.FD{Num: f.Num, Ino: f.Ino, Name: f.Name, OpenFlags: f.OpenFlags, Dev: f.Dev}
	switch f.Type {
	case scap.FDFileV2:
		out.Type = event.FDFile
	default:
		out.Type = event.FDType(f.Type)
	}
	switch out.Type {
	case event.FDIPv4Sock, event.FDIPv6Sock:
		out.Tuple = event.Tuple{L4: event.L4Proto(f.L4Proto), SIP: f.SIP, DIP: f.DIP, SPort: f.SPort, DPort: f.DPort}
		out.Name = state.TupleName(&out.Tuple)
	case event.FDIPv4Server, event.FDIPv6Server:
		out.Role = event.RoleServer
		out.Tuple = event.Tuple{L4: event.L4Proto(f.L4Proto), DIP: f.IP, DPort: f.Port}
		out.Name = state.Endpoint(f.IP, f.Port)
	case event.FDUnixSock:
		out.Tuple = event.Tuple{SrcPtr: f.Source, DstPtr: f.Dest}
	}
	return out
}

// fdToScap maps fd state back to an FDL entry.
func fdToScap(f *event.FD) scap.FD {
	out := scap.FD{Num: f.Num, Ino: f.Ino, Type: uint8(f.Type), Name: f.Name, L4Proto: uint8(f.Tuple.L4)}
	switch f.Type {
	case event.FDFile:
		out.Type = scap.FDFileV2
		out.OpenFlags, out.Dev = f.OpenFlags, f.Dev
	case event.FDIPv4Sock, event.FDIPv6Sock:
		out.SIP, out.DIP, out.SPort, out.DPort, out.Name = f.Tuple.SIP, f.Tuple.DIP, f.Tuple.SPort, f.Tuple.DPort, ""
	case event.FDIPv4Server, event.FDIPv6Server:
		out.IP, out.Port, out.Name = f.Tuple.DIP, f.Tuple.DPort, ""
	case event.FDUnixSock:
		out.Source, out.Dest = f.Tuple.SrcPtr, f.Tuple.DstPtr
	}
	if f.Type >= event.FDBPF {
		// sysdig 0.29 refuses the fd types libs added after FILE_V2 (bpf,
		// userfaultfd, io_uring, memfd, pidfd) in an FDL block: they go
		// out as unsupported fds.
		out.Type = uint8(event.FDUnsupported)
	}
	return out
}
