package recorder

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"forensics/event"
)

// sysDef describes how one x86_64 syscall becomes a libs exit event: the
// source of each parameter of the event's current layout, in layout order.
// The eBPF side learns from the sources what user memory to read.
//
// Sources:
//
//	ret          the return value
//	aN           argument N (fd and pid parameters sign-extend the int)
//	sN           the NUL-terminated user string argument N points to
//	rN           the buffer argument N points to, ret bytes (snaplen at most)
//	wN:M         the buffer argument N points to, argument M bytes (snaplen at most)
//	vN  mN       the data of the iovec array / msghdr argument N points to
//	saN:M        the sockaddr argument N points to, argument M bytes long
//	pN:K         int K of the int pair argument N points to (pipe fds)
//	oflags:N     open flags of argument N (PPM_O_*, O_F_CREATED from the file)
//	how:F        field F (flags, mode, resolve) of openat2's open_how
//	cflags:N     clone flags of argument N (PPM_CL_*); cflags:fork, cflags:vfork,
//	             cflags:clone3 for the syscalls whose flags are implicit or in a struct
//	fcntl:N      fcntl command of argument N (PPM_FCNTL_*)
//	dev ino      device and inode of the file the returned fd (or pipe) refers to
//	tuple        the socket's tuple, local end first (connect, send)
//	rtuple       the socket's tuple, peer first (accept, recv)
//	t:NAME       a field of the thread after clone or execve (see taskParam)
//	0            zero
//	na           not available
type sysDef struct {
	name   string
	nr     uint16
	params string
}

// syscallDefs is the x86_64 table. default marks the syscalls of the
// default set: every event type the official Falco rules and the chisels
// use, plus what the state machine needs to name fds and processes.
var syscallDefs = []struct {
	sysDef
	def bool
}{
	{sysDef{"read", 0, "ret r1 a0 a2"}, true},
	{sysDef{"write", 1, "ret r1 a0 a2"}, true},
	{sysDef{"open", 2, "ret s0 oflags:1 a2 dev ino"}, true},
	{sysDef{"close", 3, "ret a0"}, true},
	{sysDef{"stat", 4, "ret s0"}, false},
	{sysDef{"fstat", 5, "ret a0"}, false},
	{sysDef{"lstat", 6, "ret s0"}, false},
	{sysDef{"lseek", 8, "ret a0 a1 a2"}, false},
	{sysDef{"mprotect", 10, "ret a0 a1 a2"}, false},
	{sysDef{"ioctl", 16, "ret a0 a1 a2"}, false},
	{sysDef{"pread64", 17, "ret r1 a0 a2 a3"}, true},
	{sysDef{"pwrite64", 18, "ret r1 a0 a2 a3"}, true},
	{sysDef{"readv", 19, "ret na v1 a0"}, true},
	{sysDef{"writev", 20, "ret v1 a0 na"}, true},
	{sysDef{"access", 21, "ret s0 a1"}, false},
	{sysDef{"pipe", 22, "ret p0:0 p0:1 ino"}, true},
	{sysDef{"dup", 32, "ret a0"}, true},
	{sysDef{"dup2", 33, "ret a0 a1"}, true},
	{sysDef{"sendfile", 40, "ret na a0 a1 a3"}, false},
	{sysDef{"socket", 41, "ret a0 a1 a2 na"}, true},
	{sysDef{"connect", 42, "ret tuple a0 sa1:2"}, true},
	{sysDef{"accept", 43, "ret rtuple 0 0 0"}, true},
	{sysDef{"sendto", 44, "ret r1 a0 a2 tuple"}, true},
	{sysDef{"recvfrom", 45, "ret r1 rtuple a0 a2"}, true},
	{sysDef{"sendmsg", 46, "ret m1 a0 na tuple"}, true},
	{sysDef{"recvmsg", 47, "ret na m1 rtuple na a0"}, true},
	{sysDef{"shutdown", 48, "ret a0 a1"}, true},
	{sysDef{"bind", 49, "ret sa1:2 a0"}, true},
	{sysDef{"listen", 50, "ret a0 a1"}, true},
	{sysDef{"socketpair", 53, "ret p3:0 p3:1 0 0 a0 a1 a2"}, true},
	{sysDef{"clone", 56, cloneParams("cflags:0")}, true},
	{sysDef{"fork", 57, cloneParams("cflags:fork")}, true},
	{sysDef{"vfork", 58, cloneParams("cflags:vfork")}, true},
	{sysDef{"execve", 59, execParams + " t:filename"}, true},
	{sysDef{"kill", 62, "ret a0 a1"}, true},
	{sysDef{"fcntl", 72, "ret a0 fcntl:1 a2"}, true},
	{sysDef{"flock", 73, "ret a0 a1"}, false},
	{sysDef{"getcwd", 79, "ret r0"}, false},
	{sysDef{"chdir", 80, "ret s0"}, true},
	{sysDef{"fchdir", 81, "ret a0"}, true},
	{sysDef{"rename", 82, "ret s0 s1"}, true},
	{sysDef{"mkdir", 83, "ret s0 a1"}, true},
	{sysDef{"rmdir", 84, "ret s0"}, true},
	{sysDef{"creat", 85, "ret s0 a1 dev ino 0"}, true},
	{sysDef{"link", 86, "ret s0 s1"}, true},
	{sysDef{"unlink", 87, "ret s0"}, true},
	{sysDef{"symlink", 88, "ret s0 s1"}, true},
	{sysDef{"chmod", 90, "ret s0 a1"}, true},
	{sysDef{"fchmod", 91, "ret a0 a1"}, true},
	{sysDef{"chown", 92, "ret s0 a1 a2"}, true},
	{sysDef{"fchown", 93, "ret a0 a1 a2"}, true},
	{sysDef{"lchown", 94, "ret s0 a1 a2"}, true},
	{sysDef{"ptrace", 101, "ret na na a0 a1"}, true},
	{sysDef{"getuid", 102, "ret"}, false},
	{sysDef{"getgid", 104, "ret"}, false},
	{sysDef{"setuid", 105, "ret a0"}, true},
	{sysDef{"setgid", 106, "ret a0"}, true},
	{sysDef{"geteuid", 107, "ret"}, false},
	{sysDef{"getegid", 108, "ret"}, false},
	{sysDef{"setpgid", 109, "ret a0 a1"}, true},
	{sysDef{"setsid", 112, "ret"}, true},
	{sysDef{"setreuid", 113, "ret a0 a1"}, true},
	{sysDef{"setregid", 114, "ret a0 a1"}, true},
	{sysDef{"setresuid", 117, "ret a0 a1 a2"}, true},
	{sysDef{"setresgid", 119, "ret a0 a1 a2"}, true},
	{sysDef{"capset", 126, "ret na na na"}, true},
	{sysDef{"mknod", 133, "ret s0 a1 a2"}, true},
	{sysDef{"prctl", 157, "ret a0 na a1"}, true},
	{sysDef{"chroot", 161, "ret s0"}, true},
	{sysDef{"mount", 165, "ret s0 s1 s2 a3"}, true},
	{sysDef{"umount2", 166, "ret s0 a1"}, true},
	{sysDef{"init_module", 175, "ret w0:1 a1 s2"}, true},
	{sysDef{"delete_module", 176, "ret s0 a1"}, true},
	{sysDef{"tkill", 200, "ret a0 a1"}, true},
	{sysDef{"getdents64", 217, "ret a0"}, false},
	{sysDef{"epoll_wait", 232, "ret a2"}, false},
	{sysDef{"tgkill", 234, "ret a0 a1 a2"}, true},
	{sysDef{"openat", 257, "ret a0 s1 oflags:2 a3 dev ino"}, true},
	{sysDef{"mkdirat", 258, "ret a0 s1 a2"}, true},
	{sysDef{"mknodat", 259, "ret a0 s1 a2 a3"}, true},
	{sysDef{"fchownat", 260, "ret a0 s1 a2 a3 a4"}, true},
	{sysDef{"newfstatat", 262, "ret a0 s1 a3"}, false},
	{sysDef{"unlinkat", 263, "ret a0 s1 a2"}, true},
	{sysDef{"renameat", 264, "ret a0 s1 a2 s3"}, true},
	{sysDef{"linkat", 265, "ret a0 s1 a2 s3 a4"}, true},
	{sysDef{"symlinkat", 266, "ret s0 a1 s2"}, true},
	{sysDef{"fchmodat", 268, "ret a0 s1 a2"}, true},
	{sysDef{"unshare", 272, "ret cflags:0"}, true},
	{sysDef{"splice", 275, "ret a0 a2 a4 a5"}, false},
	{sysDef{"timerfd_create", 283, "ret a0 a1"}, true},
	{sysDef{"accept4", 288, "ret rtuple 0 0 0 a3"}, true},
	{sysDef{"signalfd4", 289, "ret a3 a0 0"}, true},
	{sysDef{"eventfd2", 290, "ret a1 a0"}, true},
	{sysDef{"epoll_create1", 291, "ret a0"}, true},
	{sysDef{"dup3", 292, "ret a0 a1 oflags:2"}, true},
	{sysDef{"pipe2", 293, "ret p0:0 p0:1 ino oflags:1"}, true},
	{sysDef{"inotify_init1", 294, "ret a0"}, true},
	{sysDef{"preadv", 295, "ret na v1 a0 a3"}, true},
	{sysDef{"pwritev", 296, "ret v1 a0 na a3"}, true},
	{sysDef{"recvmmsg", 299, "ret a0 na na na na"}, true},
	{sysDef{"sendmmsg", 307, "ret a0 na na na"}, true},
	{sysDef{"setns", 308, "ret a0 cflags:1"}, true},
	{sysDef{"process_vm_readv", 310, "ret a0 na"}, true},
	{sysDef{"process_vm_writev", 311, "ret a0 na"}, true},
	{sysDef{"finit_module", 313, "ret a0 s1 a2"}, true},
	{sysDef{"renameat2", 316, "ret a0 s1 a2 s3 a4"}, true},
	{sysDef{"seccomp", 317, "ret a0 a1"}, false},
	{sysDef{"memfd_create", 319, "ret s0 a1"}, true},
	{sysDef{"bpf", 321, "ret a0"}, true},
	{sysDef{"execveat", 322, execParams}, true},
	{sysDef{"userfaultfd", 323, "ret a0"}, true},
	{sysDef{"copy_file_range", 326, "ret a2 na a0 na a4"}, false},
	{sysDef{"io_uring_setup", 425, "ret a0 na na na na na na"}, true},
	{sysDef{"pidfd_open", 434, "ret a0 a1"}, true},
	{sysDef{"clone3", 435, cloneParams("cflags:clone3")}, true},
	{sysDef{"close_range", 436, "ret a0 a1 a2"}, true},
	{sysDef{"openat2", 437, "ret a0 s1 how:flags how:mode how:resolve dev ino"}, true},
	{sysDef{"pidfd_getfd", 438, "ret a0 a1 a2"}, true},
}

// execParams are the sources of execve's and execveat's exit (execve adds
// the filename).
const execParams = "ret t:exe t:args t:tid t:pid t:ptid t:cwd t:fdlimit 0 0 0 0 0 t:comm t:cgroups t:env t:tty " +
	"t:vpgid t:loginuid 0 t:cap_inheritable t:cap_permitted t:cap_effective t:exe_ino t:exe_ino_ctime " +
	"t:exe_ino_mtime t:uid t:trusted_exepath t:pgid t:gid"

// cloneParams are the sources of a clone-family exit with the given flags.
func cloneParams(flags string) string {
	return "ret t:exe t:args t:tid t:pid t:ptid t:cwd t:fdlimit 0 0 0 0 0 t:comm t:cgroups " + flags +
		" t:uid t:gid t:vtid t:vpid 0"
}

// Source kinds of a parameter.
const (
	srcNA = iota
	srcZero
	srcRet
	srcArg
	srcChunk   // a captured chunk, as is
	srcPair    // int K of a captured int pair
	srcOFlags  // open flags
	srcHow     // a field of open_how
	srcCFlags  // clone flags
	srcFcntl   // fcntl command
	srcDev     // from the file info
	srcIno     // from the file info
	srcTuple   // local end first
	srcRTuple  // peer first
	srcTask    // a thread field
	srcSockadd // a sockaddr chunk, converted
)

// src is one parameter's source, compiled from its token.
type src struct {
	kind  uint8
	arg   uint8 // argument or chunk id
	k     uint8 // pair index, open_how field, clone-flags variant, task field
	ptype event.ParamType
}

// Argument capture kinds the eBPF program knows (record.bpf.c ARG_*).
const (
	argNone     = 0
	argStr      = 1
	argBufRet   = 2
	argSockaddr = 3
	argInt2     = 4
	argIOV      = 5
	argMsghdr   = 6
	argBufArg   = 7
	argSockPLen = 8
)

// Specials the eBPF program knows (record.bpf.c SP_*).
const (
	spNone     = 0
	spFileRet  = 1
	spSockArg0 = 2
	spSockRet  = 3
	spExec     = 4
	spClone    = 5
	spPipe     = 6
)

// Clone flag variants of cflags.
const (
	cfArg = iota
	cfFork
	cfVfork
	cfClone3
)

// sysSpec is a compiled sysDef.
type sysSpec struct {
	name    string
	nr      uint16
	typ     event.Type
	srcs    []src
	conf    bpfConf
	isExec  bool
	isClone bool
}

// bpfConf mirrors struct conf of record.bpf.c.
type bpfConf struct {
	On      uint8
	Special uint8
	Kind    [6]uint8
	LenArg  [6]uint8
	Pad     [2]uint8
}

// exitLayout returns the current exit layout of the named event.
func exitLayout(name string) *event.Info {
	for _, in := range event.ByName(name) {
		if in.Status == event.StatusCurrent && in.Dir() == event.DirExit {
			return in
		}
	}
	return nil
}

// compile turns a sysDef into a sysSpec.
func compile(d sysDef) (*sysSpec, error) {
	info := exitLayout(d.name)
	if info == nil {
		return nil, fmt.Errorf("%w: %s has no current exit layout", ErrSyscall, d.name)
	}
	toks := strings.Fields(d.params)
	if len(toks) != len(info.Params) {
		return nil, fmt.Errorf("%w: %s: %d sources for %d parameters", ErrSyscall, d.name, len(toks), len(info.Params))
	}
	s := &sysSpec{name: d.name, nr: d.nr, typ: info.Type, isExec: d.name == "execve" || d.name == "execveat",
		isClone: info.Param("ptid") >= 0 && !strings.HasPrefix(d.name, "exec")}
	s.conf.On = 1
	setKind := func(n int, kind uint8, lenArg int) {
		s.conf.Kind[n] = kind
		s.conf.LenArg[n] = uint8(lenArg)
	}
	for i, t := range toks {
		sr := src{ptype: info.Params[i].Type}
		name, arg, _ := strings.Cut(t, ":")
		num := func(s string) (uint8, error) {
			v, err := strconv.Atoi(s)
			if err != nil || v < 0 || v > 5 {
				return 0, fmt.Errorf("%w: %s: bad argument in %q", ErrSyscall, d.name, t)
			}
			return uint8(v), nil
		}
		var err error
		switch {
		case t == "na":
			sr.kind = srcNA
		case t == "0":
			sr.kind = srcZero
		case t == "ret":
			sr.kind = srcRet
		case t == "dev" || t == "ino":
			sr.kind = map[string]uint8{"dev": srcDev, "ino": srcIno}[t]
			if d.name == "pipe" || d.name == "pipe2" {
				s.conf.Special = spPipe
			} else {
				s.conf.Special = spFileRet
			}
		case t == "tuple" || t == "rtuple":
			sr.kind = srcTuple
			if t == "rtuple" {
				sr.kind = srcRTuple
			}
			s.conf.Special = spSockArg0
			switch d.name {
			case "accept", "accept4":
				s.conf.Special = spSockRet
			case "sendto":
				// An unconnected socket's peer is the destination argument.
				setKind(4, argSockaddr, 5)
			case "recvfrom":
				setKind(4, argSockPLen, 5)
			}
		case name == "t":
			sr.kind = srcTask
			k, ok := taskFields[arg]
			if !ok {
				return nil, fmt.Errorf("%w: %s: unknown thread field %q", ErrSyscall, d.name, arg)
			}
			sr.k = k
			if s.isExec {
				s.conf.Special = spExec
				setKind(0, argStr, 0) // a failed execve still names its file
			} else {
				s.conf.Special = spClone
			}
		case name == "oflags":
			sr.kind = srcOFlags
			sr.arg, err = num(arg)
			if d.name == "dup3" || d.name == "pipe2" {
				sr.k = 1 // flags only, no access mode
			}
		case name == "how":
			sr.kind = srcHow
			sr.k = map[string]uint8{"flags": 0, "mode": 1, "resolve": 2}[arg]
			setKind(2, argBufArg, 3)
		case name == "cflags":
			sr.kind = srcCFlags
			switch arg {
			case "fork":
				sr.k = cfFork
			case "vfork":
				sr.k = cfVfork
			case "clone3":
				sr.k = cfClone3
				setKind(0, argBufArg, 1)
			default:
				sr.arg, err = num(arg)
			}
		case name == "fcntl":
			sr.kind = srcFcntl
			sr.arg, err = num(arg)
		case len(t) >= 2 && t[0] == 'a':
			sr.kind = srcArg
			sr.arg, err = num(t[1:])
		case len(t) >= 2 && (t[0] == 's' || t[0] == 'r' || t[0] == 'v' || t[0] == 'm') && !strings.HasPrefix(t, "sa"):
			sr.kind = srcChunk
			sr.arg, err = num(t[1:])
			setKind(int(sr.arg), map[byte]uint8{'s': argStr, 'r': argBufRet, 'v': argIOV, 'm': argMsghdr}[t[0]], 0)
		case t[0] == 'w' || strings.HasPrefix(t, "sa"):
			sr.kind = srcChunk
			kind := uint8(argBufArg)
			body := t[1:]
			if t[0] == 's' {
				sr.kind, kind, body = srcSockadd, argSockaddr, t[2:]
			}
			a, l, _ := strings.Cut(body, ":")
			if sr.arg, err = num(a); err == nil {
				var la uint8
				la, err = num(l)
				setKind(int(sr.arg), kind, int(la))
			}
		case t[0] == 'p':
			sr.kind = srcPair
			a, k, _ := strings.Cut(t[1:], ":")
			if sr.arg, err = num(a); err == nil {
				sr.k, err = num(k)
			}
			setKind(int(sr.arg), argInt2, 0)
		default:
			err = fmt.Errorf("%w: %s: unknown source %q", ErrSyscall, d.name, t)
		}
		if err != nil {
			return nil, err
		}
		s.srcs = append(s.srcs, sr)
	}
	return s, nil
}

// SyscallNames returns the syscalls the recorder can capture, sorted; the
// ones of the default set when def is true.
func SyscallNames(def bool) []string {
	var out []string
	for _, d := range syscallDefs {
		if !def || d.def {
			out = append(out, d.name)
		}
	}
	sort.Strings(out)
	return out
}

// selectSyscalls compiles the syscalls of a --syscalls value: "default",
// "all" or a comma-separated list of names.
func selectSyscalls(set string) ([]*sysSpec, error) {
	want := map[string]bool{}
	switch set {
	case "", "default":
		for _, d := range syscallDefs {
			want[d.name] = d.def
		}
	case "all":
		for _, d := range syscallDefs {
			want[d.name] = true
		}
	default:
		known := map[string]bool{}
		for _, d := range syscallDefs {
			known[d.name] = true
		}
		for _, n := range strings.Split(set, ",") {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			if !known[n] {
				return nil, fmt.Errorf("%w: %q (see forensics record --help for the list)", ErrUnknownSyscall, n)
			}
			want[n] = true
		}
		// The process and fd tables stay right only with these.
		for _, n := range []string{"clone", "clone3", "fork", "vfork", "execve", "execveat", "close"} {
			want[n] = true
		}
	}
	var out []*sysSpec
	for _, d := range syscallDefs {
		if !want[d.name] {
			continue
		}
		s, err := compile(d.sysDef)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
