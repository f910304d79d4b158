package fields

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"

	"forensics/event"
)

// Extractors of the fd.* fields. The fd an event refers to is the one
// the capture stored with it (event.FD), chosen as sysdig 0.29.3 chooses
// it: the enter event's fd for the calls that use one, the new fd for
// the calls that create one (sinsp-state-facts.md §1).

// Thread-less events: libsinsp gives these meta events no thread, so no
// proc.*, user.* or fd.* field applies to them.
var threadless = map[string]bool{"container": true, "useradded": true, "userdeleted": true,
	"groupadded": true, "groupdeleted": true, "asyncevent": true, "pluginevent": true}

// So have the events of thread 0 (the idle task's switch events): sysdig
// keeps no thread for it.
func isThreadless(ev *event.Event) bool {
	return ev.Tid == 0 || threadlessType(ev.Type)
}

// threadlessType reports whether events of type t are thread-less. Every
// proc.*, user.* and fd.* value asks, so the types of sysdig's table are
// answered from an array rather than by hashing their names.
func threadlessType(t event.Type) bool {
	if t < maxType29 {
		return threadless29[t]
	}
	return threadless[factOf(t).name]
}

var threadless29 = func() (a [maxType29]bool) {
	for t := range a {
		a[t] = threadless[facts29[t].name]
	}
	return a
}()

// fdRelated reports whether the fd.* fields apply to the event: it
// creates, uses or destroys an fd (in sysdig 0.29.3's event table) and
// has a thread.
func fdRelated(ev *event.Event) bool {
	return factOf(ev.Type).flags&fFD != 0 && !isThreadless(ev)
}

// fdKnown reports whether the event's fd is in the process's fd table
// (libsinsp has an fdinfo for it).
func fdKnown(ev *event.Event) bool {
	return ev.FD.Num != event.NoFD && ev.FD.Type != event.FDNone
}

// fdView is the fd an fd-related event refers to.
type fdView struct {
	num int64     // fd.num: -1 when the event has none yet
	fd  *event.FD // nil when the fd is not in the table
}

// pairCreators are the calls that create two fds at once; libsinsp
// leaves the second one as the event's fd.
var pairCreators = map[string]event.FDType{"pipe": event.FDFIFO, "pipe2": event.FDFIFO, "socketpair": event.FDUnixSock}

// fdOf returns the fd of an fd-related event, false for other events.
func fdOf(c *Ctx) (fdView, bool) {
	ev := c.Ev
	if !fdRelated(ev) {
		return fdView{}, false
	}
	f := factOf(ev.Type)
	if ev.Dir() == event.DirEnter {
		v := fdView{num: -1}
		if f.flags&fUsesFD != 0 {
			if n, ok := event.Int(ev.Param(0), true); ok {
				v.num = n
			}
			if fdKnown(ev) && ev.FD.Num == v.num {
				v.fd = &ev.FD
			}
		}
		return v, true
	}
	if f.name == "setsockopt" {
		// Its enter event names no fd and its exit sets none: libsinsp
		// leaves the enter's -1.
		return fdView{num: -1}, true
	}
	if ev.FD.Num != event.NoFD {
		v := fdView{num: ev.FD.Num}
		if fdKnown(ev) {
			v.fd = &ev.FD
		}
		return v, true
	}
	if t, ok := pairCreators[f.name]; ok {
		if r, ok := rawRes(ev); ok && r >= 0 {
			if n, ok := paramInt(ev, "fd2"); ok {
				return fdView{num: n, fd: &event.FD{Num: n, Type: t}}, true
			}
		}
	}
	return fdView{num: -1}, true
}

// paramInt decodes a named integer parameter of the event.
func paramInt(ev *event.Event, name string) (int64, bool) {
	p, pi, ok := lookupParam(ev, paramRef{name: name, idx: -1})
	if !ok {
		return 0, false
	}
	return event.Int(p, pi.Type.Signed())
}

// paramStr returns a named string parameter of the event.
func paramStr(ev *event.Event, name string) (string, bool) {
	p, _, ok := lookupParam(ev, paramRef{name: name, idx: -1})
	if !ok {
		return "", false
	}
	return cstr(p), true
}

func extFDNum(c *Ctx) (Value, bool) {
	v, ok := fdOf(c)
	return Int(v.num), ok
}

// fdTypeNames are the fd.type strings; the other kinds have none.
var fdTypeNames = map[event.FDType]string{
	event.FDFile: "file", event.FDDirectory: "directory", event.FDIPv4Sock: "ipv4", event.FDIPv6Sock: "ipv6",
	event.FDIPv4Server: "ipv4", event.FDIPv6Server: "ipv6", event.FDFIFO: "pipe", event.FDUnixSock: "unix",
	event.FDEvent: "event", event.FDSignalFD: "signalfd", event.FDEventPoll: "eventpoll", event.FDInotify: "inotify",
	event.FDTimerFD: "timerfd", event.FDNetlink: "netlink", event.FDBPF: "bpf", event.FDUserfaultFD: "userfaultfd",
	event.FDIOUring: "io_uring", event.FDMemFD: "memfd", event.FDPidFD: "pidfd",
}

// fdTypeChars are the fd.typechar letters (chisels.md §4). FDUnsupported
// is what the state machine gives a socket of a family libsinsp does not
// know, which sysdig 0.29.3 keeps as an fd of unknown type ('o'); its own
// UNSUPPORTED letter 'X' only appears for such entries of a .scap fd
// list.
var fdTypeChars = map[event.FDType]string{
	event.FDNone: "o", event.FDFile: "f", event.FDDirectory: "d", event.FDIPv4Sock: "4", event.FDIPv6Sock: "6",
	event.FDIPv4Server: "4", event.FDIPv6Server: "6", event.FDFIFO: "p", event.FDUnixSock: "u", event.FDEvent: "e",
	event.FDUnsupported: "o", event.FDSignalFD: "s", event.FDEventPoll: "l", event.FDInotify: "i",
	event.FDTimerFD: "t", event.FDNetlink: "n", event.FDBPF: "b", event.FDUserfaultFD: "u", event.FDIOUring: "r",
	event.FDMemFD: "m", event.FDPidFD: "P",
}

// creatorTypeChars guess the letter of an fd that is not in the table
// from the call that creates such fds (the same for its enter and exit).
var creatorTypeChars = map[string]string{
	"open": "f", "openat": "f", "openat2": "f", "creat": "f", "socket": "4", "accept": "4", "pipe": "p",
	"eventfd": "e", "signalfd": "s", "timerfd_create": "t", "inotify_init": "i",
}

func extFDType(c *Ctx) (Value, bool) {
	v, ok := fdOf(c)
	if !ok || v.fd == nil {
		return Value{}, false
	}
	s, ok := fdTypeNames[v.fd.Type]
	return Str(s), ok
}

func extFDTypeChar(c *Ctx) (Value, bool) {
	v, ok := fdOf(c)
	if !ok {
		return Value{}, false
	}
	if v.fd != nil {
		if s, ok := fdTypeChars[v.fd.Type]; ok {
			return Str(s), true
		}
		return Str("?"), true
	}
	if c.Ev.Type < maxType29 {
		if s, ok := creatorTypeChars[factOf(c.Ev.Type).name]; ok {
			return Str(s), true
		}
	}
	return Str("o"), true
}

// sanitize drops what sysdig does not print in a name: control
// characters, DEL and every byte above 0x7f.
func sanitize(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			var b strings.Builder
			b.WriteString(s[:i])
			for ; i < len(s); i++ {
				if c := s[i]; c >= 0x20 && c < 0x7f {
					b.WriteByte(c)
				}
			}
			return b.String()
		}
	}
	return s
}

// fdName is fd.name: the fd's name; for an fd not in the table, what its
// creator call names (the path a failed open tried, the tuple of a failed
// connect), the empty string on other exit events, missing on enter
// events. A failed connect shows its tuple whatever the table says.
func fdName(c *Ctx) (string, bool) {
	v, ok := fdOf(c)
	if !ok {
		return "", false
	}
	ev := c.Ev
	if v.fd != nil && !(factOf(ev.Type).name == "connect" && ev.Dir() == event.DirExit && failed(ev)) {
		return sanitize(v.fd.Name), true
	}
	return creatorName(c)
}

func failed(ev *event.Event) bool {
	r, ok := rawRes(ev)
	return ok && r < 0
}

// creatorName is the name sysdig derives for an fd it does not have.
func creatorName(c *Ctx) (string, bool) {
	ev := c.Ev
	if ev.Dir() == event.DirEnter {
		return "", false
	}
	switch factOf(ev.Type).name {
	case "open", "creat":
		name, ok := paramStr(ev, "name")
		if !ok {
			return "", true
		}
		return resolvePath(cwdOf(c), name), true
	case "openat":
		if ev.Type == 103 {
			// The old openat exit: sysdig takes the name from its enter
			// event only when the call succeeded.
			return "", false
		}
		name, ok := paramStr(ev, "name")
		if !ok {
			return "", true
		}
		if strings.HasPrefix(name, "/") {
			return resolvePath("", name), true
		}
		if dirfd, ok := paramInt(ev, "dirfd"); ok && dirfd != atFDCWD {
			return "<UNKNOWN>" + resolvePath("", name), true
		}
		return resolvePath(cwdOf(c), name), true
	case "accept", "connect":
		p, _, ok := lookupParam(ev, paramRef{name: "tuple", idx: -1})
		if !ok {
			return "NULL", true
		}
		return tupleText(p), true
	}
	return "", true
}

// atFDCWD is the dirfd value meaning "the working directory".
const atFDCWD = -100

// resolvePath makes a path absolute as sysdig 0.29.3 does
// (concatenate_paths): a relative path is appended to dir (which ends in
// a slash) and ".", ".." and repeated slashes are folded; characters that
// are not printable become dots.
func resolvePath(dir, path string) string {
	var out []byte
	if path == "" || path[0] != '/' {
		out = append(out, dir...)
	}
	i := 0
	for i < len(path) {
		switch {
		case path[i] == '/' && len(out) > 0 && out[len(out)-1] == '/':
			i++
		case path[i] == '.' && (i+1 == len(path) || path[i+1] == '/') && (len(out) == 0 || out[len(out)-1] == '/'):
			i++
			if i < len(path) {
				i++
			}
		case path[i] == '.' && i+1 < len(path) && path[i+1] == '.' && (i+2 == len(path) || path[i+2] == '/') &&
			(len(out) == 0 || out[len(out)-1] == '/'):
			// climb to the previous component, never above the root
			if len(out) > 1 {
				j := len(out) - 2
				for j > 0 && out[j] != '/' {
					j--
				}
				out = out[:j+1]
			}
			i += 2
			if i < len(path) {
				i++
			}
		default:
			c := path[i]
			if c < 0x20 || c >= 0x7f {
				c = '.'
			}
			out = append(out, c)
			i++
		}
	}
	if len(out) > 1 && out[len(out)-1] == '/' {
		out = out[:len(out)-1]
	}
	return string(out)
}

// tupleText renders a SOCKTUPLE parameter as sysdig prints it.
func tupleText(p []byte) string {
	if len(p) == 0 {
		return "NULL"
	}
	le := binary.LittleEndian
	switch p[0] {
	case 2: // AF_INET
		if len(p) >= 13 {
			return endpoint(netip.AddrFrom4([4]byte(p[1:5])), le.Uint16(p[5:])) + "->" +
				endpoint(netip.AddrFrom4([4]byte(p[7:11])), le.Uint16(p[11:]))
		}
	case 10: // AF_INET6
		if len(p) >= 37 {
			s := netip.AddrFrom16([16]byte(p[1:17]))
			d := netip.AddrFrom16([16]byte(p[19:35]))
			if s.Is4In6() && d.Is4In6() {
				s, d = s.Unmap(), d.Unmap()
			}
			return endpoint(s, le.Uint16(p[17:])) + "->" + endpoint(d, le.Uint16(p[35:]))
		}
	case 1: // AF_UNIX
		if len(p) >= 17 {
			return strconv.FormatUint(le.Uint64(p[1:]), 16) + "->" + strconv.FormatUint(le.Uint64(p[9:]), 16) + " " +
				sanitize(cstr(p[17:]))
		}
	}
	return ""
}

func endpoint(a netip.Addr, port uint16) string {
	return a.String() + ":" + strconv.Itoa(int(port))
}

func extFDName(c *Ctx) (Value, bool) {
	s, ok := fdName(c)
	return Str(s), ok
}

// extFDDirectory is fd.directory: the directory of a file, the name of a
// directory.
func extFDDirectory(c *Ctx) (Value, bool) {
	v, ok := fdOf(c)
	if !ok {
		return Value{}, false
	}
	if v.fd == nil {
		name, ok := creatorName(c)
		if !ok {
			return Value{}, false
		}
		if i := strings.LastIndexByte(name, '/'); i > 0 {
			if i < len(name)-1 {
				name = name[:i]
			}
			return Str(name), true
		}
		return Str("/"), true
	}
	switch v.fd.Type {
	case event.FDDirectory:
		return Str(sanitize(v.fd.Name)), true
	case event.FDFile:
		return Str(dirOf(sanitize(v.fd.Name))), true
	}
	return Value{}, false
}

// dirOf cuts a file name at its last slash, as sysdig does: "/a/b" is
// "/a", "/b" is "", a name without a slash is "/".
func dirOf(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return "/"
	}
	if i < len(name)-1 {
		return name[:i]
	}
	return name
}

// extFDFilename is fd.filename: the last component of a file's name.
func extFDFilename(c *Ctx) (Value, bool) {
	v, ok := fdOf(c)
	if !ok || v.fd == nil || v.fd.Type != event.FDFile {
		return Value{}, false
	}
	name := sanitize(v.fd.Name)
	if i := strings.LastIndexByte(name, '/'); i >= 0 && i < len(name)-1 {
		return Str(name[i+1:]), true
	}
	return Str(name), true
}

// ipSocket returns the fd when it is an IPv4 or IPv6 socket (not a
// server socket).
func ipSocket(v fdView) *event.FD {
	if v.fd != nil && (v.fd.Type == event.FDIPv4Sock || v.fd.Type == event.FDIPv6Sock) {
		return v.fd
	}
	return nil
}

func isServerSock(v fdView) bool {
	return v.fd != nil && (v.fd.Type == event.FDIPv4Server || v.fd.Type == event.FDIPv6Server)
}

// extFDCIP is fd.cip: the client address of a connected socket.
func extFDCIP(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	if f := ipSocket(v); f != nil && f.Role != event.RoleNone && f.Tuple.SIP.IsValid() {
		return IPVal(f.Tuple.SIP), true
	}
	return Value{}, false
}

// extFDSIP is fd.sip: the server address of a connected socket.
func extFDSIP(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	if f := ipSocket(v); f != nil && f.Role != event.RoleNone && f.Tuple.DIP.IsValid() {
		return IPVal(f.Tuple.DIP), true
	}
	return Value{}, false
}

// extFDCPort is fd.cport: the client port of a connected socket. sysdig
// 0.29.3 prints 0 for a unix socket with a role (a missing break in its
// code): one connected or accepted, or listed in the capture's fd table
// (it gives those a role, the entries we keep with their kernel
// pointers); other fds have none.
func extFDCPort(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	if v.fd == nil {
		return Value{}, false
	}
	if f := ipSocket(v); f != nil && f.Role != event.RoleNone {
		return Port(f.Tuple.SPort), true
	}
	if f := v.fd; f.Type == event.FDUnixSock && (f.Role != event.RoleNone || f.Tuple.SrcPtr != 0 || f.Tuple.DstPtr != 0) {
		return Port(0), true
	}
	return Value{}, false
}

// extFDSPort is fd.sport: the server port of a connected or listening
// socket.
func extFDSPort(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	if isServerSock(v) {
		return Port(v.fd.Tuple.DPort), true
	}
	if f := ipSocket(v); f != nil && f.Role != event.RoleNone {
		return Port(f.Tuple.DPort), true
	}
	return Value{}, false
}

// localSide reports whether the source side of a connected socket is this
// host: its address is one of the capture host's interfaces, or
// unspecified (a socket bound to any address).
func localSide(c *Ctx, f *event.FD) bool {
	return f.Tuple.SIP.IsUnspecified() || c.Tables.isLocal(f.Tuple.SIP)
}

func extFDLIP(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	f := ipSocket(v)
	if f == nil || f.Role == event.RoleNone {
		return Value{}, false
	}
	if localSide(c, f) {
		return IPVal(f.Tuple.SIP), f.Tuple.SIP.IsValid()
	}
	return IPVal(f.Tuple.DIP), f.Tuple.DIP.IsValid()
}

func extFDRIP(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	f := ipSocket(v)
	if f == nil || f.Role == event.RoleNone {
		return Value{}, false
	}
	if localSide(c, f) {
		return IPVal(f.Tuple.DIP), f.Tuple.DIP.IsValid()
	}
	return IPVal(f.Tuple.SIP), f.Tuple.SIP.IsValid()
}

func extFDLPort(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	f := ipSocket(v)
	if f == nil || f.Role == event.RoleNone {
		return Value{}, false
	}
	if localSide(c, f) {
		return Port(f.Tuple.SPort), true
	}
	return Port(f.Tuple.DPort), true
}

func extFDRPort(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	f := ipSocket(v)
	if f == nil || f.Role == event.RoleNone {
		return Value{}, false
	}
	if localSide(c, f) {
		return Port(f.Tuple.DPort), true
	}
	return Port(f.Tuple.SPort), true
}

// extFDIP is the filter-only fd.ip: the client and server addresses, as
// a list; a comparison matches when either does.
func extFDIP(c *Ctx) (Value, bool) {
	var l []string
	if v, ok := extFDCIP(c); ok {
		l = append(l, v.String())
	}
	if v, ok := extFDSIP(c); ok {
		l = append(l, v.String())
	}
	return ListVal(l), len(l) > 0
}

// extFDPort is the filter-only fd.port: the client and server ports, as
// a list.
func extFDPort(c *Ctx) (Value, bool) {
	var l []string
	if v, ok := extFDCPort(c); ok {
		l = append(l, v.String())
	}
	if v, ok := extFDSPort(c); ok {
		l = append(l, v.String())
	}
	return ListVal(l), len(l) > 0
}

var l4Names = map[event.L4Proto]string{event.L4TCP: "tcp", event.L4UDP: "udp", event.L4ICMP: "icmp", event.L4Raw: "raw"}

// extFDL4Proto is fd.l4proto: the transport of an IP socket; a socket
// without a role (neither connected nor accepted) has none unless raw.
func extFDL4Proto(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	if v.fd == nil {
		return Value{}, false
	}
	l4 := v.fd.Tuple.L4
	switch v.fd.Type {
	case event.FDIPv4Sock, event.FDIPv6Sock:
		if l4 != event.L4Raw && v.fd.Role == event.RoleNone {
			return Value{}, false
		}
	case event.FDIPv4Server, event.FDIPv6Server:
	default:
		return Value{}, false
	}
	s, ok := l4Names[l4]
	return Str(s), ok
}

func extFDSockFamily(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	if v.fd == nil {
		return Value{}, false
	}
	switch v.fd.Type {
	case event.FDIPv4Sock, event.FDIPv6Sock, event.FDIPv4Server, event.FDIPv6Server:
		return Str("ip"), true
	case event.FDUnixSock:
		return Str("unix"), true
	}
	return Value{}, false
}

// extFDIsServer is fd.is_server: a listening socket, or a connected one
// whose server side is this host.
func extFDIsServer(c *Ctx) (Value, bool) {
	v, ok := fdOf(c)
	if !ok || v.fd == nil {
		return Value{}, false
	}
	switch v.fd.Type {
	case event.FDIPv4Server, event.FDIPv6Server:
		return Bool(true), true
	case event.FDIPv4Sock, event.FDIPv6Sock:
		return Bool(c.Tables.isLocal(v.fd.Tuple.DIP)), true
	}
	return Bool(false), true
}

// extFDUID is fd.uid: the thread id followed by the fd number.
func extFDUID(c *Ctx) (Value, bool) {
	v, ok := fdOf(c)
	if !ok {
		return Value{}, false
	}
	return Str(strconv.FormatInt(c.Ev.Tid, 10) + strconv.FormatInt(v.num, 10)), true
}

// extFDContainerName is fd.containername: the container id (empty on the
// host), a colon and fd.name.
func extFDContainerName(c *Ctx) (Value, bool) {
	name, ok := fdName(c)
	if !ok {
		return Value{}, false
	}
	return Str(containerOf(c) + ":" + name), true
}

// extFDContainerDirectory is fd.containerdirectory: the container id, a
// colon and fd.directory.
func extFDContainerDirectory(c *Ctx) (Value, bool) {
	d, ok := extFDDirectory(c)
	if !ok {
		return Value{}, false
	}
	return Str(containerOf(c) + ":" + d.S), true
}

// extFDDev is fd.dev: the device of the fd's file; 0 when the capture
// does not tell (fds other than files, files from old fd lists).
func extFDDev(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	if v.fd == nil {
		return Value{}, false
	}
	return Int(int64(int32(v.fd.Dev))), true
}

func extFDDevMajor(c *Ctx) (Value, bool) {
	d, ok := extFDDev(c)
	return Int(int64(uint32(d.I) >> 20)), ok
}

func extFDDevMinor(c *Ctx) (Value, bool) {
	d, ok := extFDDev(c)
	return Int(int64(uint32(d.I) & 0xfffff)), ok
}

// extFDIno is fd.ino: the inode of the fd when known.
func extFDIno(c *Ctx) (Value, bool) {
	v, _ := fdOf(c)
	if v.fd == nil || v.fd.Ino == 0 {
		return Value{}, false
	}
	return Int(int64(v.fd.Ino)), true
}

// openCalls are the calls whose name parameter is the path they open.
var openCalls = map[string]bool{"open": true, "openat": true, "openat2": true, "creat": true}

// extFDNameRaw is fd.nameraw: the path an open call was given, as given.
func extFDNameRaw(c *Ctx) (Value, bool) {
	if _, ok := fdOf(c); !ok || !openCalls[factOf(c.Ev.Type).name] {
		return Value{}, false
	}
	s, ok := paramStr(c.Ev, "name")
	return Str(s), ok
}

// isLocal reports whether a is an address of the capture host.
func (t *Tables) isLocal(a netip.Addr) bool {
	if t == nil || !a.IsValid() {
		return false
	}
	return t.Local[a.Unmap()]
}
