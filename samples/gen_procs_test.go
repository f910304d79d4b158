package samples

import (
	"fmt"
	"maps"
	"net/netip"
	"path"

	"forensics/event"
)

// This file holds the process helpers (fork, execve, exit) and the system
// calls on fds. Each helper emits the exit event the drivers would record,
// with its parameters and fd enrichment, and keeps the thread's state (its
// incarnation and fd table) as a state machine would.

// proc is the generator's state of one thread: its current incarnation,
// its fd table and its memory counters.
type proc struct {
	event.Process
	cpu    uint16
	fds    map[int64]event.FD
	vmSize uint32 // kB
	vmRSS  uint32 // kB
}

// fd returns the enrichment of fd num, which must be open.
func (p *proc) fd(num int64) event.FD {
	fd, ok := p.fds[num]
	if !ok {
		panic(fmt.Sprintf("%s[%d]: fd %d is not open", p.Comm, p.Tid, num))
	}
	return fd
}

// setCreds sets the uid and gid, with every capability for root and none
// for others.
func (p *proc) setCreds(uid, gid uint32) {
	p.UID, p.GID = uid, gid
	caps := capsNone
	if uid == 0 {
		caps = capsAll
	}
	p.CapPermitted, p.CapEffective = caps, caps
}

// image is what an execve installs.
type image struct {
	filename string // the path given to execve
	path     string // the executable the kernel resolved
	exe      string // argv[0]
	args     []string
	comm     string
	env      []string
	flags    uint32 // execve_flags
	setuid   bool   // a set-user-id root program
	ctime    uint64 // of the executable's inode
	mtime    uint64
	vmSize   uint32 // kB once started
	vmRSS    uint32
	libs     []string // shared libraries the loader opens
}

// fork makes parent fork a child with thread id tid: the parent's clone
// event, the child's incarnation, the child's clone event.
func (s *stream) fork(parent *proc, tid int64) *proc {
	start := s.now
	s.emit(parent, typeCloneX, noFD(), cloneParams(parent, tid)...)
	child := &proc{Process: parent.Process, cpu: uint16(tid % 2), fds: maps.Clone(parent.fds),
		vmSize: parent.vmSize, vmRSS: parent.vmRSS}
	c := &child.Process
	c.Key, c.ParentKey = s.g.newKey(), parent.Key
	c.Tid, c.Pid, c.VTid, c.VPid, c.PTid = tid, tid, tid, tid, parent.Tid
	c.Flags = forkFlags
	c.StartTs, c.ExitTs = start, 0
	s.put(c)
	s.emit(child, typeCloneX, noFD(), cloneParams(child, 0)...)
	return child
}

// cloneParams are the 21 parameters of a clone exit emitted by p; res is
// the child's tid in the parent and 0 in the child.
func cloneParams(p *proc, res int64) [][]byte {
	return [][]byte{
		pI64(res), pStr(p.Exe), pList(p.Args), pI64(p.Tid), pI64(p.Pid), pI64(p.PTid), pStr(p.Cwd),
		pI64(p.FDLimit), pU64(0), pU64(uint64(p.vmRSS / 4)), pU32(p.vmSize), pU32(p.vmRSS), pU32(0),
		pStr(p.Comm), pList(p.Cgroups), pU32(forkFlags), pU32(p.UID), pU32(p.GID),
		pI64(p.VTid), pI64(p.VPid), pU64(p.PidNSStart),
	}
}

// exec makes p execute img: the old incarnation ends, a new one starts,
// the fds opened with O_CLOEXEC close, and the dynamic loader opens the
// image's libraries.
func (s *stream) exec(p *proc, img image) {
	old := p.Process
	old.ExitTs = s.now
	s.put(&old)

	p.Key = s.g.newKey()
	p.Comm, p.Exe, p.ExePath, p.Args, p.Env = img.comm, img.exe, img.path, img.args, img.env
	p.ExeIno, p.ExeFlags = inodeOf(img.path), img.flags
	if img.setuid {
		p.setCreds(0, p.GID)
	}
	p.StartTs, p.ExitTs = s.now, 0
	p.vmSize, p.vmRSS = img.vmSize, img.vmRSS
	maps.DeleteFunc(p.fds, func(_ int64, fd event.FD) bool { return fd.OpenFlags&oCLOEXEC != 0 })
	s.put(&p.Process)
	s.emit(p, typeExecveX, noFD(), execveParams(p, img)...)
	s.loadLibs(p, img.libs)
}

// execveParams are the 31 parameters of a successful execve exit.
func execveParams(p *proc, img image) [][]byte {
	return [][]byte{
		pI64(0), pStr(p.Exe), pList(p.Args), pI64(p.Tid), pI64(p.Pid), pI64(p.PTid), pStr(p.Cwd),
		pU64(uint64(p.FDLimit)), pU64(0), pU64(uint64(p.vmRSS / 4)), pU32(p.vmSize), pU32(p.vmRSS), pU32(0),
		pStr(p.Comm), pList(p.Cgroups), pList(p.Env), pU32(p.TTY), pI64(p.Pgid), pU32(p.LoginUID),
		pU32(p.ExeFlags), pU64(p.CapInheritable), pU64(p.CapPermitted), pU64(p.CapEffective),
		pU64(p.ExeIno), pU64(img.ctime), pU64(img.mtime), pU32(p.UID), pStr(p.ExePath), pI64(p.Pgid),
		pU32(p.GID), pStr(img.filename),
	}
}

// loadLibs is the dynamic loader at work: the library cache, then each
// library's ELF header.
func (s *stream) loadLibs(p *proc, libs []string) {
	if len(libs) == 0 {
		return
	}
	s.openat(p, 3, "/etc/ld.so.cache", oRDONLY|oCLOEXEC, 0)
	s.close(p, 3)
	for _, lib := range libs {
		s.openat(p, 3, "/lib/x86_64-linux-gnu/"+lib, oRDONLY|oCLOEXEC, 0)
		s.readN(p, 3, elfHeader(), 832, 832)
		s.close(p, 3)
	}
}

// exit ends p with an exit code: the procexit event, then the
// incarnation's exit time.
func (s *stream) exit(p *proc, code int64) {
	end := s.now
	s.emit(p, typeProcExit, noFD(), pI64(code<<8), pI64(code), pU8(0), pU8(0), pI64(0))
	p.ExitTs = end
	clear(p.fds)
	s.put(&p.Process)
}

// openat opens the absolute path file as fd num.
func (s *stream) openat(p *proc, num int64, file string, flags, mode uint32) {
	s.open(p, num, atFDCWD, file, file, flags, mode)
}

// openatIn opens name relative to the directory open as dirfd.
func (s *stream) openatIn(p *proc, num, dirfd int64, name string, flags, mode uint32) {
	s.open(p, num, dirfd, name, path.Join(p.fd(dirfd).Name, name), flags, mode)
}

// open emits an openat whose name argument resolves to the absolute path
// file.
func (s *stream) open(p *proc, num, dirfd int64, name, file string, flags, mode uint32) {
	if _, busy := p.fds[num]; busy {
		panic(fmt.Sprintf("%s[%d]: fd %d is already open", p.Comm, p.Tid, num))
	}
	fd := fileFD(num, file, flags)
	p.fds[num] = fd
	s.emit(p, typeOpenatX, fd, pI64(num), pI64(dirfd), pStr(name), pU32(flags), pU32(mode), pU32(fd.Dev), pU64(fd.Ino))
}

// read reads buf from fd num, asking for size bytes.
func (s *stream) read(p *proc, num int64, buf []byte, size uint32) {
	s.readN(p, num, buf, len(buf), size)
}

// readN reads n bytes that begin with head from fd num.
func (s *stream) readN(p *proc, num int64, head []byte, n int, size uint32) {
	s.emit(p, typeReadX, p.fd(num), pI64(int64(n)), pData(head), pI64(num), pU32(size))
}

// write writes buf to fd num.
func (s *stream) write(p *proc, num int64, buf []byte) { s.writeN(p, num, buf, len(buf)) }

// writeN writes n bytes that begin with head to fd num.
func (s *stream) writeN(p *proc, num int64, head []byte, n int) {
	s.emit(p, typeWriteX, p.fd(num), pI64(int64(n)), pData(head), pI64(num), pU32(uint32(n)))
}

// close closes fd num.
func (s *stream) close(p *proc, num int64) {
	fd := p.fd(num)
	delete(p.fds, num)
	s.emit(p, typeCloseX, fd, pI64(0), pI64(num))
}

// socket creates a TCP socket as fd num; it has no address yet.
func (s *stream) socket(p *proc, num int64) {
	fd := event.FD{Num: num, Type: event.FDIPv4Sock}
	p.fds[num] = fd
	s.emit(p, typeSocketX, fd, pI64(num), pU32(afINET), pU32(sockStream), pU32(ipprotoTCP), pU32(0))
}

// connect connects the socket num from local to remote.
func (s *stream) connect(p *proc, num int64, local, remote netip.AddrPort) {
	fd := p.fd(num)
	fd.Role, fd.Name, fd.Tuple = event.RoleClient, connName(local, remote), tcpTuple(local, remote)
	p.fds[num] = fd
	s.emit(p, typeConnectX, fd, pI64(0), pTuple(local, remote), pI64(num), pSockaddr(remote))
}

// accept accepts, as fd num, a connection from client to server.
func (s *stream) accept(p *proc, num int64, client, server netip.AddrPort, backlog uint32) {
	fd := s.acceptedFD(p, num, client, server)
	s.emit(p, typeAcceptX, fd, pI64(num), pTuple(client, server), pU8(0), pU32(0), pU32(backlog))
}

// accept4 is accept with SOCK_NONBLOCK, as nginx calls it.
func (s *stream) accept4(p *proc, num int64, client, server netip.AddrPort, backlog uint32) {
	fd := s.acceptedFD(p, num, client, server)
	s.emit(p, typeAccept4X, fd, pI64(num), pTuple(client, server), pU8(0), pU32(0), pU32(backlog), pI32(sockNonblk))
}

func (s *stream) acceptedFD(p *proc, num int64, client, server netip.AddrPort) event.FD {
	fd := event.FD{Num: num, Type: event.FDIPv4Sock, Role: event.RoleServer, Name: connName(client, server),
		Tuple: tcpTuple(client, server)}
	p.fds[num] = fd
	return fd
}

// chmod changes the mode of file.
func (s *stream) chmod(p *proc, file string, mode uint32) {
	s.emit(p, typeChmodX, noFD(), pI64(0), pStr(file), pU32(mode))
}

// unlinkat deletes the absolute path file.
func (s *stream) unlinkat(p *proc, file string) {
	s.emit(p, typeUnlinkatX, noFD(), pI64(0), pI64(atFDCWD), pStr(file), pU32(0))
}

// elfHeader is the beginning of an x86-64 ELF file.
func elfHeader() []byte {
	return []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00\x01\x00\x00\x00")
}
