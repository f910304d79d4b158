package recorder

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"forensics/event"
	"forensics/state"
)

// procWalk reads the system's state from procfs (root is "/proc" outside
// tests) into m: users and groups, every thread, and the open fds of every
// process. Processes that vanish during the walk are skipped.
type procWalk struct {
	root    string
	etc     string
	bootNs  uint64 // boot time, ns since epoch
	clkTck  uint64
	sockets map[uint64]event.FD // socket inode -> what the fd is
	noEnv   bool
}

func (w *procWalk) run(m *state.Machine) {
	w.users(m)
	w.groups(m)
	w.sockets = w.readSockets()
	ents, err := os.ReadDir(w.root)
	if err != nil {
		return
	}
	for _, e := range ents {
		pid, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil {
			continue
		}
		w.process(m, pid)
	}
}

func (w *procWalk) users(m *state.Machine) {
	forEachLine(filepath.Join(w.etc, "passwd"), func(l string) {
		f := strings.Split(l, ":")
		if len(f) < 7 {
			return
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil {
			return
		}
		m.AddUser(event.User{UID: uint32(uid), GID: uint32(gid), Name: f[0], Home: f[5], Shell: f[6]})
	})
}

func (w *procWalk) groups(m *state.Machine) {
	forEachLine(filepath.Join(w.etc, "group"), func(l string) {
		f := strings.Split(l, ":")
		if len(f) < 3 {
			return
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return
		}
		m.AddGroup(event.Group{GID: uint32(gid), Name: f[0]})
	})
}

func forEachLine(path string, fn func(string)) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fn(sc.Text())
	}
}

func (w *procWalk) process(m *state.Machine, pid int64) {
	dir := filepath.Join(w.root, strconv.FormatInt(pid, 10))
	base, ok := w.thread(dir, pid, pid)
	if !ok {
		return
	}
	m.AddThread(base)
	tasks, _ := os.ReadDir(filepath.Join(dir, "task"))
	for _, t := range tasks {
		tid, err := strconv.ParseInt(t.Name(), 10, 64)
		if err != nil || tid == pid {
			continue
		}
		if p, ok := w.thread(filepath.Join(dir, "task", t.Name()), pid, tid); ok {
			// Threads share the process's program and memory.
			p.Exe, p.ExePath, p.Args, p.Env, p.Cwd = base.Exe, base.ExePath, base.Args, base.Env, base.Cwd
			m.AddThread(p)
		}
	}
	w.fds(m, dir, pid)
}

// thread reads one thread's entry from its procfs directory.
func (w *procWalk) thread(dir string, pid, tid int64) (event.Process, bool) {
	p := event.Process{Tid: tid, Pid: pid, LoginUID: 0xffffffff}
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return p, false
	}
	// pid (comm) state ppid pgrp session tty_nr ... starttime(22)
	if i := bytes.LastIndexByte(stat, ')'); i > 0 {
		if j := bytes.IndexByte(stat, '('); j >= 0 && j < i {
			p.Comm = string(stat[j+1 : i])
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) > 19 {
			p.Pgid, _ = strconv.ParseInt(f[2], 10, 64)
			p.Sid, _ = strconv.ParseInt(f[3], 10, 64)
			tty, _ := strconv.ParseUint(f[4], 10, 32)
			p.TTY = uint32(tty)
			start, _ := strconv.ParseUint(f[19], 10, 64)
			if w.clkTck > 0 {
				p.StartTs = w.bootNs + start*(1e9/w.clkTck)
			}
			p.PFMinor, _ = strconv.ParseUint(f[7], 10, 64)
			p.PFMajor, _ = strconv.ParseUint(f[9], 10, 64)
		}
	}
	forEachLine(filepath.Join(dir, "status"), func(l string) {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			return
		}
		num := func(i int) uint64 {
			if i >= len(f) {
				return 0
			}
			n, _ := strconv.ParseUint(f[i], 10, 64)
			return n
		}
		hexNum := func() uint64 { n, _ := strconv.ParseUint(f[0], 16, 64); return n }
		switch k {
		case "PPid":
			p.PTid = int64(num(0))
		case "Uid":
			p.UID = uint32(num(1))
		case "Gid":
			p.GID = uint32(num(1))
		case "NSpid":
			p.VTid = int64(num(len(f) - 1))
		case "NStgid":
			p.VPid = int64(num(len(f) - 1))
		case "NSpgid":
			p.VPgid = int64(num(len(f) - 1))
		case "CapInh":
			p.CapInheritable = hexNum()
		case "CapPrm":
			p.CapPermitted = hexNum()
		case "CapEff":
			p.CapEffective = hexNum()
		case "VmSize":
			p.VMSizeKB = uint32(num(0))
		case "VmRSS":
			p.VMRSSKB = uint32(num(0))
		case "VmSwap":
			p.VMSwapKB = uint32(num(0))
		}
	})
	if b, err := os.ReadFile(filepath.Join(dir, "loginuid")); err == nil {
		if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32); err == nil {
			p.LoginUID = uint32(v)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil && len(b) > 0 {
		parts := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
		p.Exe, p.Args = parts[0], parts[1:]
	}
	if p.Exe == "" {
		p.Exe = p.Comm
	}
	if b, err := os.ReadFile(filepath.Join(dir, "environ")); err == nil && len(b) > 0 && !w.noEnv {
		p.Env = strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	}
	p.ExePath, _ = os.Readlink(filepath.Join(dir, "exe"))
	p.ExePath = strings.TrimSuffix(p.ExePath, " (deleted)")
	p.Cwd, _ = os.Readlink(filepath.Join(dir, "cwd"))
	p.Root, _ = os.Readlink(filepath.Join(dir, "root"))
	var st syscall.Stat_t
	if syscall.Stat(filepath.Join(dir, "exe"), &st) == nil {
		p.ExeIno = st.Ino
		p.ExeInoCtime = uint64(st.Ctim.Nano())
		p.ExeInoMtime = uint64(st.Mtim.Nano())
	}
	p.Cgroups = readCgroups(filepath.Join(dir, "cgroup"))
	p.Container = state.ContainerID(p.Cgroups)
	forEachLine(filepath.Join(dir, "limits"), func(l string) {
		if strings.HasPrefix(l, "Max open files") {
			if f := strings.Fields(l[len("Max open files"):]); len(f) > 0 {
				p.FDLimit, _ = strconv.ParseInt(f[0], 10, 64)
			}
		}
	})
	return p, true
}

// readCgroups turns /proc/PID/cgroup ("id:subsys,subsys:path") into
// "subsys=path" entries, as the drivers report them.
func readCgroups(path string) []string {
	var out []string
	forEachLine(path, func(l string) {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 {
			return
		}
		if parts[1] == "" {
			out = append(out, "unified="+parts[2])
			return
		}
		for _, s := range strings.Split(parts[1], ",") {
			out = append(out, s+"="+parts[2])
		}
	})
	return out
}

// fds adds the open fds of process pid.
func (w *procWalk) fds(m *state.Machine, dir string, pid int64) {
	ents, err := os.ReadDir(filepath.Join(dir, "fd"))
	if err != nil {
		return
	}
	for _, e := range ents {
		num, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil {
			continue
		}
		path := filepath.Join(dir, "fd", e.Name())
		link, err := os.Readlink(path)
		if err != nil {
			continue
		}
		f := event.FD{Num: num}
		var st syscall.Stat_t
		if syscall.Stat(path, &st) == nil {
			f.Ino = st.Ino
			f.Dev = uint32(unix.Major(st.Dev)<<20 | unix.Minor(st.Dev))
		}
		switch {
		case strings.HasPrefix(link, "socket:["):
			if s, ok := w.sockets[f.Ino]; ok {
				s.Num, s.Ino = num, f.Ino
				f = s
			} else {
				f.Type = event.FDUnsupported
			}
		case strings.HasPrefix(link, "pipe:["):
			f.Type = event.FDFIFO
		case strings.HasPrefix(link, "anon_inode:"):
			f.Type = anonType(strings.Trim(strings.TrimPrefix(link, "anon_inode:"), "[]"))
			if f.Type == event.FDUnsupported {
				f.Name = link
			}
		case strings.HasPrefix(link, "/memfd:"):
			f.Type, f.Name = event.FDMemFD, strings.TrimPrefix(link, "/")
		default:
			f.Type, f.Name = event.FDFile, link
			if st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
				f.Type = event.FDDirectory
			}
		}
		forEachLine(filepath.Join(dir, "fdinfo", e.Name()), func(l string) {
			if v, ok := strings.CutPrefix(l, "flags:"); ok {
				if fl, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64); err == nil {
					f.OpenFlags = openFlags(fl, true)
				}
			}
		})
		m.AddFD(pid, f)
	}
}

func anonType(name string) event.FDType {
	switch name {
	case "eventfd":
		return event.FDEvent
	case "signalfd":
		return event.FDSignalFD
	case "eventpoll":
		return event.FDEventPoll
	case "inotify":
		return event.FDInotify
	case "timerfd":
		return event.FDTimerFD
	case "bpf-map", "bpf-prog", "bpf_link", "bpf-link":
		return event.FDBPF
	case "userfaultfd":
		return event.FDUserfaultFD
	case "io_uring":
		return event.FDIOUring
	case "pidfd":
		return event.FDPidFD
	}
	return event.FDUnsupported
}

// readSockets indexes the system's sockets by inode from /proc/net.
func (w *procWalk) readSockets() map[uint64]event.FD {
	out := map[uint64]event.FD{}
	net := filepath.Join(w.root, "net")
	for _, t := range []struct {
		file string
		l4   event.L4Proto
		v6   bool
	}{{"tcp", event.L4TCP, false}, {"tcp6", event.L4TCP, true}, {"udp", event.L4UDP, false}, {"udp6", event.L4UDP, true}} {
		var rows []sockRow
		listen := map[uint16]bool{}
		forEachLine(filepath.Join(net, t.file), func(l string) {
			f := strings.Fields(l)
			if len(f) < 10 || f[0] == "sl" {
				return
			}
			la, lp, ok1 := parseHexAddr(f[1])
			ra, rp, ok2 := parseHexAddr(f[2])
			ino, err := strconv.ParseUint(f[9], 10, 64)
			if !ok1 || !ok2 || err != nil || ino == 0 {
				return
			}
			st, _ := strconv.ParseUint(f[3], 16, 8)
			if st == 0x0A {
				listen[lp] = true
			}
			rows = append(rows, sockRow{la, lp, ra, rp, ino, st == 0x0A || (t.l4 == event.L4UDP && rp == 0)})
		})
		for _, r := range rows {
			fd := event.FD{Type: event.FDIPv4Sock}
			if t.v6 {
				fd.Type = event.FDIPv6Sock
			}
			fd.Tuple.L4 = t.l4
			switch {
			case r.server:
				fd.Type += 2 // the server variants follow the plain ones
				fd.Role = event.RoleServer
				fd.Tuple.DIP, fd.Tuple.DPort = r.la, r.lp
				fd.Name = state.Endpoint(r.la, r.lp)
			case listen[r.lp]:
				fd.Role = event.RoleServer
				fd.Tuple.SIP, fd.Tuple.SPort, fd.Tuple.DIP, fd.Tuple.DPort = r.ra, r.rp, r.la, r.lp
				fd.Name = state.TupleName(&fd.Tuple)
			default:
				fd.Role = event.RoleClient
				fd.Tuple.SIP, fd.Tuple.SPort, fd.Tuple.DIP, fd.Tuple.DPort = r.la, r.lp, r.ra, r.rp
				fd.Name = state.TupleName(&fd.Tuple)
			}
			out[r.ino] = fd
		}
	}
	forEachLine(filepath.Join(net, "unix"), func(l string) {
		f := strings.Fields(l)
		if len(f) < 7 || f[0] == "Num" {
			return
		}
		ino, err := strconv.ParseUint(f[6], 10, 64)
		if err != nil {
			return
		}
		fd := event.FD{Type: event.FDUnixSock}
		if len(f) > 7 {
			fd.Name = f[7]
		}
		ptr, _ := strconv.ParseUint(strings.TrimSuffix(f[0], ":"), 16, 64)
		fd.Tuple.SrcPtr = ptr
		if fd.Name == "" {
			fd.Name = strconv.FormatUint(ptr, 16) + "->0"
		}
		out[ino] = fd
	})
	return out
}

type sockRow struct {
	la     netip.Addr
	lp     uint16
	ra     netip.Addr
	rp     uint16
	ino    uint64
	server bool
}

// parseHexAddr parses "0100007F:1F90" (an address in the kernel's byte
// order, 32-bit words printed little-endian) into an address and port.
func parseHexAddr(s string) (netip.Addr, uint16, bool) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.Addr{}, 0, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	raw, err2 := hex.DecodeString(a)
	if err != nil || err2 != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.Addr{}, 0, false
	}
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	if len(raw) == 4 {
		return netip.AddrFrom4([4]byte(raw)), uint16(port), true
	}
	return netip.AddrFrom16([16]byte(raw)).Unmap(), uint16(port), true
}

// hostInfo describes this machine for the capture header.
func hostInfo(bootNs uint64) event.Host {
	h := event.Host{BootTime: bootNs, CPUs: uint32(runtime.NumCPU()), Arch: runtime.GOARCH}
	h.Hostname, _ = os.Hostname()
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		h.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	forEachLine("/etc/os-release", func(l string) {
		if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
			h.OS = strings.Trim(v, `"`)
		}
	})
	if b, err := os.ReadFile("/etc/machine-id"); err == nil {
		h.MachineID = strings.TrimSpace(string(b))
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		h.MemoryBytes = si.Totalram * uint64(si.Unit)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/pid_max"); err == nil {
		h.MaxPid, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	}
	return h
}
