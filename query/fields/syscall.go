package fields

import (
	"sync"

	"forensics/event"
)

// The registry of the syscall event source: the evt.*, proc.*, thread.*,
// fd.*, user.*, group.*, container.* and fs.path.* fields. Each prints
// what sysdig 0.29.3 prints for it (TestOracleCorpus checks them against
// sysdig on the corpus; its comments record where sysdig prints what a
// capture cannot know). fd.ino, fd.nameraw, proc.pexe, proc.pexepath,
// proc.aexe, proc.aexepath, proc.acmdline and fs.path.* are not in sysdig
// 0.29.3; they follow current libs (fields.md §3).

var (
	syscallOnce   sync.Once
	syscallSource *Source
)

// Syscall returns the registry of the syscall event source. It is built
// once and shared; it must not be modified.
func Syscall() *Source {
	syscallOnce.Do(func() {
		syscallSource = NewSource("syscall", withDeps(append(append(syscallFields(), falcoFields()...), moreFields()...)))
	})
	return syscallSource
}

// field registers a field without argument.
func field(name string, t Type, desc string, e Extractor) *Field {
	return &Field{Name: name, Type: t, Desc: desc, Bind: simple(e)}
}

// argField registers a field that takes an argument.
func argField(name string, t Type, mode ArgMode, flags Flags, desc string, bind func(string, bool) (Extractor, error)) *Field {
	return &Field{Name: name, Type: t, Desc: desc, Arg: mode, Flags: flags, Bind: bind}
}

func syscallFields() []*Field {
	return []*Field{
		// evt.*: the event.
		field("evt.num", TUint, "event number: the position of the event in the capture, from 1", evtNum),
		field("evt.time", TString, "event timestamp as local wall-clock time with nanoseconds, HH:MM:SS.nnnnnnnnn", extTime),
		field("evt.time.s", TString, "event timestamp as local wall-clock time without nanoseconds, HH:MM:SS", extTimeS),
		field("evt.time.iso8601", TString, "event timestamp in ISO 8601 with nanoseconds, in UTC: YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000", extISO8601),
		field("evt.datetime", TString, "event timestamp as local date and time with nanoseconds, YYYY-MM-DD HH:MM:SS.nnnnnnnnn", extDatetime),
		field("evt.datetime.s", TString, "event timestamp as local date and time without nanoseconds, YYYY-MM-DD HH:MM:SS", extDatetimeS),
		field("evt.rawtime", TAbsTime, "event timestamp in nanoseconds since the epoch", extRawtime),
		field("evt.rawtime.s", TAbsTime, "seconds part of the event timestamp (seconds since the epoch)", extRawtimeS),
		field("evt.rawtime.ns", TAbsTime, "nanoseconds part of the event timestamp", extRawtimeNS),
		field("evt.reltime", TRelTime, "nanoseconds since the first event of the capture", extReltime),
		field("evt.reltime.s", TRelTime, "seconds part of evt.reltime", extReltimeS),
		field("evt.reltime.ns", TRelTime, "nanoseconds part of evt.reltime", extReltimeNS),
		field("evt.outputtime", TString, "the time column of the default output line: the timestamp as evt.time prints it", extTime),
		field("evt.dir", TString, "event direction: > for enter events, < for exit events", extDir),
		field("evt.type", TString, "event name (open, execve, switch...); for generic events the name of the system call, <unknown> when sysdig has none", extType),
		argField("evt.type.is", TUint, ArgKey|ArgRequired, 0, "evt.type.is.NAME is 1 when the event's evt.type is NAME, else 0", bindTypeIs),
		field("evt.cpu", TInt, "number of the CPU the event happened on", extCPU),
		field("evt.category", TString, "event category: file, net, IPC, memory, process, sleep, system, signal, user, time, wait, scheduler, other or unknown; for I/O events the kind of their fd instead: file, net, ipc, or unknown when the fd is", extCategory),
		field("evt.args", TString, "every parameter of the event as name=value, each followed by a space", extArgs),
		field("evt.info", TString, "the event's parameters as the default output line shows them (as evt.args)", extInfo),
		argField("evt.arg", TString, ArgKey|ArgRequired, 0, "one parameter of the event as text, by name (evt.arg.fd) or position (evt.arg[0]); missing when the event has no such parameter", bindArg),
		argField("evt.rawarg", TInt, ArgKey|ArgRequired, NoTransformer, "one parameter of the event by name with its own type (integers signed or not as the parameter, strings, buffers; see RawArgType), for numeric comparisons such as evt.rawarg.res<0", bindRawArg),
		field("evt.buffer", TBytes, "the data buffer of I/O events (the data parameter of read, write, sendto, recvfrom...)", extBuffer),
		field("evt.buflen", TUint, "the byte count of a successful I/O exit event on a known fd (its return value)", extBuflen),
		field("evt.res", TString, "return value as text: SUCCESS when not negative, else the error name (ENOENT) or, for codes without one, the value", extRes),
		field("evt.rawres", TInt, "return value as a number (the res parameter, or the fd an fd-creating call returned)", extRawres),
		field("evt.failed", TBool, "true when the return value is negative", extFailed),
		field("evt.is_io", TBool, "true for events that read from or write to an fd", extIsIO),
		field("evt.is_io_read", TBool, "true for events that read from an fd", flagTest(fRead)),
		field("evt.is_io_write", TBool, "true for events that write to an fd", flagTest(fWrite)),
		field("evt.io_dir", TString, "read or write for I/O events", extIODir),
		field("evt.is_wait", TBool, "true for events that make the thread wait (sleep, poll, select, epoll_wait...)", flagTest(fWait)),
		field("evt.is_syslog", TBool, "true for events that write to an fd named /dev/log (syslog)", extIsSyslog),
		field("evt.count", TUint, "always 1, to count events", extCount),
		field("evt.count.error", TUint, "1 for events whose return value is negative, missing for the others", extCountError),
		field("evt.count.exit", TUint, "1 for exit events, missing for enter events", extCountExit),

		// proc.*, thread.*: the process table.
		field("proc.pid", TInt, "id of the process (thread group) of the thread that generated the event", extProcPID),
		field("proc.exe", TString, "first command-line argument (argv[0]) of the process", extProcExe),
		field("proc.name", TString, "name of the process: the kernel's comm, at most 15 characters", extName),
		argField("proc.args", TString, ArgIndex, 0, "arguments of the process after argv[0], space-separated; proc.args[N] is the N-th (from 0)", bindArgs),
		argField("proc.env", TString, ArgKey, 0, "environment of the process as NAME=value pairs, space-separated; proc.env[NAME] is the value of one variable", bindEnv),
		field("proc.cmdline", TString, "proc.name followed by the arguments", extCmdline),
		field("proc.exeline", TString, "proc.exe followed by the arguments", extExeline),
		field("proc.cwd", TString, "working directory of the process, ending with a slash", extCwd),
		field("proc.ppid", TInt, "pid of the parent of the process", extPPID),
		field("proc.pname", TString, "proc.name of the parent (the thread the event's thread was created by)", extPName),
		field("proc.pcmdline", TString, "proc.cmdline of the parent", extPCmdline),
		field("proc.pexe", TString, "proc.exe of the parent", extPExe),
		field("proc.pexepath", TString, "proc.exepath of the parent", extPExepath),
		field("proc.exepath", TString, "full path of the process's executable", extExepath),
		argField("proc.apid", TInt, ArgIndex, NoTransformer, "pid of an ancestor: proc.apid[1] the parent, [2] the grandparent...; [0] the process itself; without index, the list of every ancestor's (a filter matches any)", bindAncestor(func(c *Ctx, p *event.Process) Value { return Int(p.Pid) })),
		argField("proc.aname", TString, ArgIndex, NoTransformer, "proc.name of an ancestor, by level as proc.apid; without index, the list of every ancestor's (a filter matches any)", bindAncestor(func(c *Ctx, p *event.Process) Value { return Str(comm(p)) })),
		argField("proc.aexe", TString, ArgIndex, NoTransformer, "proc.exe of an ancestor, by level as proc.apid; without index, the list of every ancestor's", bindAncestor(func(c *Ctx, p *event.Process) Value { return Str(exe(p)) })),
		argField("proc.aexepath", TString, ArgIndex, NoTransformer, "proc.exepath of an ancestor, by level as proc.apid; without index, the list of every ancestor's", bindAncestor(func(c *Ctx, p *event.Process) Value { return Str(exepath(c, p)) })),
		argField("proc.acmdline", TString, ArgIndex, NoTransformer, "proc.cmdline of an ancestor, by level as proc.apid; without index, the list of every ancestor's", bindAncestor(func(c *Ctx, p *event.Process) Value { return Str(cmdline(p)) })),
		field("proc.loginshellid", TInt, "pid of the eldest shell (a name ending in sh) among the process and its ancestors: identifies an interactive session", extLoginShellID),
		field("proc.tty", TUint, "controlling terminal of the process, 0 for none", extTTY),
		field("proc.sid", TInt, "session id of the process", extSid),
		field("proc.vpid", TInt, "pid of the process in its pid namespace", extVPid),
		field("thread.tid", TInt, "id of the thread that generated the event", extThreadTID),
		field("thread.vtid", TInt, "id of the thread in its pid namespace", extVTid),
		field("thread.ismain", TBool, "true when the thread is the main thread of its process (tid = pid)", extIsMain),

		// fd.*: the fd the event refers to.
		field("fd.num", TInt, "number of the fd the event refers to (for fd-creating calls the new fd; -1 before it exists or when the call failed)", extFDNum),
		field("fd.type", TString, "kind of fd: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, timerfd, netlink, bpf, userfaultfd, io_uring, memfd, pidfd", extFDType),
		field("fd.typechar", TString, "kind of fd as one letter: f file, d directory, 4 ipv4, 6 ipv6, u unix, p pipe, e event, s signalfd, l eventpoll, i inotify, t timerfd, n netlink, b bpf, r io_uring, m memfd, P pidfd, o unknown", extFDTypeChar),
		field("fd.name", TString, "full name of the fd: the absolute path of a file, client:port->server:port of a connection, address:port of a listening socket, the path or pointers of a unix socket", extFDName),
		field("fd.nameraw", TString, "the path an open call was given, not made absolute", extFDNameRaw),
		field("fd.directory", TString, "directory of a file fd (the path itself for a directory fd)", extFDDirectory),
		field("fd.filename", TString, "file name of a file fd, without its directory", extFDFilename),
		argField("fd.ip", TIP, ArgNone, NoTransformer, "filter only: the client and the server address of the fd (a comparison matches either)", simple(extFDIP)),
		field("fd.cip", TIP, "client address of a connection", extFDCIP),
		field("fd.sip", TIP, "server address of a connection", extFDSIP),
		field("fd.lip", TIP, "local address of a connection (the end on the capture host)", extFDLIP),
		field("fd.rip", TIP, "remote address of a connection", extFDRIP),
		argField("fd.port", TPort, ArgNone, NoTransformer, "filter only: the client and the server port of the fd (a comparison matches either)", simple(extFDPort)),
		field("fd.cport", TPort, "client port of a connection", extFDCPort),
		field("fd.sport", TPort, "server port of a connection or listening socket", extFDSPort),
		field("fd.lport", TPort, "local port of a connection", extFDLPort),
		field("fd.rport", TPort, "remote port of a connection", extFDRPort),
		field("fd.l4proto", TString, "transport protocol of an IP socket: tcp, udp, icmp or raw", extFDL4Proto),
		field("fd.sockfamily", TString, "socket family: ip or unix", extFDSockFamily),
		field("fd.is_server", TBool, "true when the process is the server end: a listening socket, or a connection whose server address is the capture host's", extFDIsServer),
		field("fd.uid", TString, "unique id of the fd: the thread id followed by the fd number", extFDUID),
		field("fd.containername", TString, "container id (empty on the host), a colon and fd.name", extFDContainerName),
		field("fd.containerdirectory", TString, "container id (empty on the host), a colon and fd.directory", extFDContainerDirectory),
		field("fd.ino", TInt, "inode of the fd's file", extFDIno),
		field("fd.dev", TInt, "device (major and minor) of the fd's file; 0 when the capture does not tell", extFDDev),
		field("fd.dev.major", TInt, "major device number of the fd's file", extFDDevMajor),
		field("fd.dev.minor", TInt, "minor device number of the fd's file", extFDDevMinor),

		// user.*, group.*
		field("user.uid", TUint, "user id of the thread", extUID),
		field("user.name", TString, "name of the user, from the capture's user table", extUserName),
		field("user.homedir", TString, "home directory of the user", extHomedir),
		field("user.shell", TString, "login shell of the user", extShell),
		field("user.loginuid", TInt, "audit user id (auid), -1 when unset", extLoginUID),
		field("user.loginname", TString, "name of the audit user", extLoginName),
		field("group.gid", TUint, "group id of the thread", extGID),
		field("group.name", TString, "name of the group, from the capture's group table", extGroupName),

		// container.*
		field("container.id", TString, "id of the process's container (12 hex digits, from its cgroups), host on the host", extContainerID),
		field("container.name", TString, "name of the container: host on the host, the name the capture's container events give inside a container", extContainerName),
		field("container.image", TString, "image of the container, from the capture's container events (missing on the host)", extContainerImage),

		// fs.path.*: the paths file-system calls operate on.
		field("fs.path.name", TString, "absolute path a single-path call operates on (open*, creat, mkdir*, rmdir, unlink*, chmod, fchmodat, chown*, mknod*, umount*), relative paths resolved against the working directory", extFSPathName),
		field("fs.path.nameraw", TString, "the path of a single-path call as given", extFSPathNameRaw),
		field("fs.path.source", TString, "source path of a two-path call: the old path of rename*, the new link of link*, the link of symlink*", extFSPathSource),
		field("fs.path.sourceraw", TString, "fs.path.source as given", extFSPathSourceRaw),
		field("fs.path.target", TString, "target path of a two-path call: the new path of rename*, the linked file of link*, the content of a symlink (as written)", extFSPathTarget),
		field("fs.path.targetraw", TString, "fs.path.target as given", extFSPathTargetRaw),
	}
}
