package render

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"

	"forensics/event"
)

// BufferMode selects how BYTEBUF parameters (I/O data, exec arguments)
// print, as sysdig's buffer options do.
type BufferMode uint8

const (
	// BufferDots is sysdig's default: printable ASCII kept, every other
	// byte shown as '.'.
	BufferDots BufferMode = iota
	// BufferASCII is -A: a leading newline, printable characters and line
	// breaks kept ("\r" and "\r\n" become "\n"), everything else dropped.
	BufferASCII
	// BufferHex is -x: rows of "\n\t0xOOOO:" and eight 16-bit big-endian
	// groups, then a final newline.
	BufferHex
	// BufferHexASCII is -X: -x with each row followed by its ASCII.
	BufferHexASCII
	// BufferBase64 is -b: standard base64.
	BufferBase64
)

// DefaultMaxBufLen is the length sysdig cuts rendered buffers to when it
// prints events without -v (its max_evt_output_len).
const DefaultMaxBufLen = 80

// Options says how parameters render.
type Options struct {
	Buffer BufferMode
	// MaxBufLen, in BufferDots mode, cuts a rendered buffer longer than
	// MaxBufLen characters to MaxBufLen, the last three replaced by "...".
	// 0 means no limit (sysdig -v).
	MaxBufLen int
}

// Default is sysdig's default output: dots buffers cut to 80 characters.
var Default = Options{Buffer: BufferDots, MaxBufLen: DefaultMaxBufLen}

// Resolver supplies the state sysdig resolves parameters against. Every
// method is about the moment just after ev, since sysdig renders an event
// after parsing it. A nil Resolver resolves nothing but the event's own fd
// (ev.FD).
type Resolver interface {
	// FD returns the entry of descriptor fd in the fd table of the thread
	// that issued ev. It is asked only for descriptors other than the
	// event's own, which render takes from ev.FD.
	FD(ev *event.Event, fd int64) (event.FD, bool)
	// Comm returns the command name (comm) of thread tid, when sysdig's
	// thread table would hold it.
	Comm(ev *event.Event, tid int64) (string, bool)
	// User and Group return the names of a user and a group id as seen by
	// the thread that issued ev.
	User(ev *event.Event, uid uint32) (string, bool)
	Group(ev *event.Event, gid uint32) (string, bool)
	// Cwd returns the working directory of the process that issued ev;
	// relative paths resolve against it.
	Cwd(ev *event.Event) (string, bool)
}

// AppendArgs appends evt.args with the Default options.
func AppendArgs(dst []byte, ev *event.Event, r Resolver) []byte {
	return Default.AppendArgs(dst, ev, r)
}

// AppendInfo appends evt.info with the Default options.
func AppendInfo(dst []byte, ev *event.Event, r Resolver) []byte {
	return Default.AppendInfo(dst, ev, r)
}

// Param renders parameter k with the Default options.
func Param(ev *event.Event, k int, r Resolver, raw bool) string {
	return Default.Param(ev, k, r, raw)
}

// AppendArgs appends evt.args: "name=value " or "name=value(resolved) " for
// every recorded parameter (those merged from the enter event are left
// out, as sysdig never saw them), nothing for generic syscall events.
func (o Options) AppendArgs(dst []byte, ev *event.Event, r Resolver) []byte {
	return o.AppendArgsScratch(dst, ev, r, nil)
}

// Scratch is memory that rendering a parameter needs for a moment. A
// caller rendering many events passes the same one to every call of
// AppendArgsScratch and so allocates nothing per event.
type Scratch struct{ val, res []byte }

// AppendArgsScratch is AppendArgs with the scratch memory s (nil: its
// own).
func (o Options) AppendArgsScratch(dst []byte, ev *event.Event, r Resolver, s *Scratch) []byte {
	if ev.Type == 0 || ev.Type == 1 {
		return dst
	}
	info := ev.Info()
	if info == nil {
		return dst
	}
	p := printer{o: o, ev: ev, info: info, r: r}
	if s != nil {
		p.val, p.res = s.val, s.res
	}
	for k := range ev.Recorded() {
		d := describe(ev, info, k)
		p.render(k, d)
		dst = append(dst, d.name...)
		dst = append(dst, '=')
		dst = append(dst, p.val...)
		if len(p.res) > 0 {
			dst = append(dst, '(')
			dst = append(dst, p.res...)
			dst = append(dst, ')')
		}
		dst = append(dst, ' ')
	}
	if s != nil {
		s.val, s.res = p.val[:0], p.res[:0]
	}
	return dst
}

// AppendInfo appends evt.info. For 0.29.3 it is evt.args, except that
// writes to /dev/log decode as syslog messages, which render does not do.
func (o Options) AppendInfo(dst []byte, ev *event.Event, r Resolver) []byte {
	return o.AppendArgs(dst, ev, r)
}

// Param returns parameter k (an index into ev.Params) as evt.arg[k] and
// evt.arg.NAME print it: the resolved form when there is one (the fd's
// "<f>/etc/passwd", "ENOENT", "O_RDONLY|O_CLOEXEC", a pid's comm), the
// value otherwise. With raw it is evt.rawarg.NAME: the plain value, numbers
// in decimal whatever their print format, strings and buffers up to their
// first NUL. A missing parameter gives "".
func (o Options) Param(ev *event.Event, k int, r Resolver, raw bool) string {
	if k < 0 || k >= len(ev.Params) {
		return ""
	}
	info := ev.Info()
	d := describe(ev, info, k)
	if raw {
		return rawValue(ev.Params[k], d)
	}
	p := printer{o: o, ev: ev, info: info, r: r}
	p.render(k, d)
	if len(p.res) > 0 {
		return string(p.res)
	}
	return string(p.val)
}

// rawValue is evt.rawarg: the parameter's typed value.
func rawValue(b []byte, d paramDesc) string {
	switch d.typ {
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath, event.PTByteBuf:
		if i := strings.IndexByte(string(b), 0); i >= 0 {
			b = b[:i]
		}
		return string(b)
	}
	if size := d.typ.FixedSize(); size > 0 && size <= 8 && len(b) == size {
		v, _ := event.Int(b, d.typ.Signed())
		if d.typ.Signed() {
			return strconv.FormatInt(v, 10)
		}
		return strconv.FormatUint(uint64(v), 10)
	}
	p := printer{o: Options{}, ev: &event.Event{Params: [][]byte{b}, FD: event.FD{Num: event.NoFD}}}
	d.dirfd = -1
	p.render(0, d)
	return string(p.val)
}

// printer renders one parameter into val (the value) and res (the
// resolved form, empty when there is none).
type printer struct {
	o    Options
	ev   *event.Event
	info *event.Info
	r    Resolver
	val  []byte
	res  []byte
}

// render fills p.val and p.res for parameter k described by d.
func (p *printer) render(k int, d paramDesc) {
	p.val, p.res = p.val[:0], p.res[:0]
	b := p.ev.Param(k)
	typ := d.typ
	if len(b) == 0 {
		// 0.29.3 has no common rule for empty parameters: an empty
		// buffer or string prints as nothing, the rest as NULL.
		switch typ {
		case event.PTByteBuf, event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
		default:
			p.val = append(p.val, "NULL"...)
		}
		return
	}
	if typ == event.PTDyn {
		if alts, ok := dynTables[d.table]; ok && int(b[0]) < len(alts) {
			typ = alts[b[0]]
			b = b[1:]
		}
	}
	switch typ {
	case event.PTInt8, event.PTInt16, event.PTInt32, event.PTInt64,
		event.PTUint8, event.PTUint16, event.PTUint32, event.PTUint64:
		p.val = appendNum(p.val, typ, d.fmt, b)
	case event.PTFD:
		fd := fixedInt(b, 8, true)
		p.val = strconv.AppendInt(p.val, fd, 10)
		p.res = p.appendFD(p.res, fd)
	case event.PTPID:
		pid := fixedInt(b, 8, true)
		p.val = strconv.AppendInt(p.val, pid, 10)
		if p.r != nil {
			if comm, ok := p.r.Comm(p.ev, pid); ok {
				p.res = append(p.res, comm...)
			}
		}
	case event.PTErrno:
		v := fixedInt(b, 8, true)
		p.val = strconv.AppendInt(p.val, v, 10)
		p.res = append(p.res, ErrnoName(v)...)
	case event.PTCharBuf:
		p.val = append(p.val, cString(b)...)
	case event.PTFSPath, event.PTFSRelPath:
		p.renderPath(b, d)
	case event.PTByteBuf:
		p.val = p.o.appendBuffer(p.val, b)
	case event.PTSockAddr:
		p.val = appendSockAddr(p.val, b)
	case event.PTSockTuple:
		p.val = appendSockTuple(p.val, b)
	case event.PTFDList:
		p.renderFDList(b)
	case event.PTSyscallID:
		id := uint16(fixedInt(b, 2, false))
		if name, ok := SyscallName(id); ok {
			p.val = strconv.AppendUint(p.val, uint64(id), 10)
			p.res = append(p.res, name...)
		} else {
			p.val = append(p.val, "<unknown syscall>"...)
		}
	case event.PTSigType:
		sig := uint8(fixedInt(b, 1, false))
		p.val = strconv.AppendUint(p.val, uint64(sig), 10)
		p.res = append(p.res, SignalName(sig)...)
	case event.PTRelTime:
		v := uint64(fixedInt(b, 8, false))
		if v == math.MaxUint64 {
			p.val = append(p.val, "none"...)
			break
		}
		p.val = strconv.AppendUint(p.val, v, 10)
		p.res = strconv.AppendFloat(p.res, float64(v)/1e9, 'g', 6, 64)
		p.res = append(p.res, 's')
	case event.PTAbsTime:
		p.val = appendAbsTime(p.val, uint64(fixedInt(b, 8, false)))
	case event.PTFlags8, event.PTFlags16, event.PTFlags32,
		event.PTEnumFlags8, event.PTEnumFlags16, event.PTEnumFlags32:
		v := uint32(fixedInt(b, typ.FixedSize(), false))
		p.val = strconv.AppendUint(p.val, uint64(v), 10)
		p.res = AppendFlagNames(p.res, flagTables[d.table], v)
	case event.PTMode:
		v := uint32(fixedInt(b, 4, false))
		p.val = appendNum(p.val, event.PTUint32, d.fmt, b)
		p.res = AppendFlagNames(p.res, flagTables[d.table], v)
	case event.PTUID, event.PTGID:
		v := uint32(fixedInt(b, 4, false))
		if v == math.MaxUint32 {
			p.val = append(p.val, "-1"...)
			p.res = append(p.res, "<NONE>"...)
			break
		}
		p.val = strconv.AppendInt(p.val, int64(int32(v)), 10)
		var name string
		var ok bool
		if p.r != nil {
			if typ == event.PTUID {
				name, ok = p.r.User(p.ev, v)
			} else {
				name, ok = p.r.Group(p.ev, v)
			}
		}
		if ok {
			p.res = appendSanitized(p.res, name)
		} else {
			p.res = append(p.res, "<NA>"...)
		}
	case event.PTSigSet:
		v := uint32(fixedInt(b, 4, false))
		first := true
		for sig := 0; sig < 32; sig++ {
			if v&(1<<sig) == 0 {
				continue
			}
			if name := SignalName(uint8(sig + 1)); name != "" {
				if !first {
					p.val = append(p.val, ' ')
				}
				p.val = append(p.val, name...)
				first = false
			}
		}
	case event.PTDyn:
		p.val = append(p.val, "INVALID DYNAMIC PARAMETER"...)
	default:
		// 0.29.3 renders no other type.
		p.val = append(p.val, "(n.a.)"...)
	}
}

// fixedInt decodes a little-endian integer of size bytes; a shorter
// parameter is zero-extended, a longer one cut.
func fixedInt(b []byte, size int, signed bool) int64 {
	var buf [8]byte
	copy(buf[:size], b)
	v, _ := event.Int(buf[:size], signed)
	return v
}

// appendNum formats an integer parameter as libsinsp's SET_NUMERIC_FORMAT
// printf formats do: decimal with the C promotion rules (UINT32 and UINT64
// print signed), hex upper-case without 0x, octal with a leading 0.
func appendNum(dst []byte, typ event.ParamType, f numFmt, b []byte) []byte {
	size := typ.FixedSize()
	raw := fixedInt(b, size, typ.Signed())
	// bits is the value as the unsigned C argument of %X/%o: ints narrower
	// than 64 bits are promoted to int, then read as unsigned int.
	var bits uint64
	var dec int64
	switch typ {
	case event.PTInt8, event.PTInt16, event.PTInt32:
		dec = raw
		bits = uint64(uint32(int32(raw)))
	case event.PTUint8, event.PTUint16:
		dec = raw
		bits = uint64(raw)
	case event.PTUint32:
		dec = int64(int32(uint32(raw)))
		bits = uint64(uint32(raw))
	default: // 64-bit
		dec = raw
		bits = uint64(raw)
	}
	switch f {
	case fmtHex:
		return append(dst, strings.ToUpper(strconv.FormatUint(bits, 16))...)
	case fmtOct:
		if bits == 0 {
			return append(dst, '0')
		}
		dst = append(dst, '0')
		return strconv.AppendUint(dst, bits, 8)
	}
	return strconv.AppendInt(dst, dec, 10)
}

// cString returns b up to its first NUL.
func cString(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// printable reports whether c is printable ASCII (C isprint in the C
// locale).
func printable(c byte) bool { return c >= 0x20 && c <= 0x7e }

// appendSanitized appends s without its non-printable bytes (libsinsp's
// sanitize_string and strcpy_sanitized).
func appendSanitized(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			break
		}
		if printable(s[i]) {
			dst = append(dst, s[i])
		}
	}
	return dst
}

// typeChar is the fd type letter of fd.typechar and of "<f>" in rendered
// fds.
func typeChar(t event.FDType) byte {
	switch t {
	case event.FDFile:
		return 'f'
	case event.FDDirectory:
		return 'd'
	case event.FDIPv4Sock, event.FDIPv4Server:
		return '4'
	case event.FDIPv6Sock, event.FDIPv6Server:
		return '6'
	case event.FDUnixSock, event.FDUserfaultFD:
		return 'u'
	case event.FDFIFO:
		return 'p'
	case event.FDEvent:
		return 'e'
	case event.FDSignalFD:
		return 's'
	case event.FDEventPoll:
		return 'l'
	case event.FDInotify:
		return 'i'
	case event.FDTimerFD:
		return 't'
	case event.FDNetlink:
		return 'n'
	case event.FDBPF:
		return 'b'
	case event.FDIOUring:
		return 'r'
	case event.FDMemFD:
		return 'm'
	case event.FDPidFD:
		return 'P'
	case event.FDUnsupported:
		return 'X'
	case event.FDNone:
		return 'o'
	}
	return '?'
}

// lookupFD finds descriptor fd of the issuing thread: the event's own fd
// from its enrichment, any other through the resolver.
func (p *printer) lookupFD(fd int64) (event.FD, bool) {
	if p.ev.FD.Num == fd && p.ev.FD.Type != event.FDNone {
		return p.ev.FD, true
	}
	if p.r != nil {
		return p.r.FD(p.ev, fd)
	}
	return event.FD{}, false
}

// appendFD appends the resolved form of an fd value (render_fd): "<f>name"
// for a known descriptor ("<4t>" for a TCP socket), AT_FDCWD, or an errno
// name for a negative value.
func (p *printer) appendFD(dst []byte, fd int64) []byte {
	switch {
	case fd >= 0:
		f, ok := p.lookupFD(fd)
		if !ok {
			return dst
		}
		dst = append(dst, '<', typeChar(f.Type))
		switch f.Type {
		case event.FDIPv4Sock, event.FDIPv6Sock, event.FDIPv4Server, event.FDIPv6Server:
			switch f.Tuple.L4 {
			case event.L4TCP:
				dst = append(dst, 't')
			case event.L4UDP:
				dst = append(dst, 'u')
			case event.L4ICMP:
				dst = append(dst, 'i')
			case event.L4Raw:
				dst = append(dst, 'r')
			}
		}
		dst = append(dst, '>')
		return appendSanitized(dst, f.Name)
	case fd == -100:
		return append(dst, "AT_FDCWD"...)
	}
	return append(dst, ErrnoName(fd)...)
}

// renderPath renders an FSPATH or FSRELPATH: the path without its
// non-printable bytes, and, for a relative path, the absolute path made
// from the working directory or the dirfd's directory.
func (p *printer) renderPath(b []byte, d paramDesc) {
	path := cString(b)
	p.val = appendSanitized(p.val, string(path))
	if string(path) == "<NA>" {
		return
	}
	if len(path) > 0 && path[0] == '/' {
		return // concatenate_paths resolves nothing for absolute paths
	}
	base := p.baseDir(d)
	p.res = append(p.res, base...)
	p.res = appendCleanPath(p.res, len(p.res)-len(base), path)
}

// baseDir is the directory a relative path parameter is relative to, with
// a trailing '/' (libsinsp's get_base_dir).
func (p *printer) baseDir(d paramDesc) string {
	cwd := ""
	if p.r != nil {
		if c, ok := p.r.Cwd(p.ev); ok {
			cwd = c
			if cwd != "" && !strings.HasSuffix(cwd, "/") {
				cwd += "/"
			}
		}
	}
	if d.typ != event.PTFSRelPath || d.dirfd < 0 || p.info == nil || d.dirfd >= len(p.info.Params) ||
		p.info.Params[d.dirfd].Type != event.PTFD {
		return cwd
	}
	dirfd := fixedInt(p.ev.Param(d.dirfd), 8, true)
	if dirfd == -100 {
		return cwd
	}
	f, ok := p.lookupFD(dirfd)
	if !ok || f.Name == "" {
		return ""
	}
	return string(appendSanitized(nil, f.Name)) + "/"
}

// appendCleanPath appends path to dst as libsinsp's copy_and_sanitize_path
// does after a base directory: "./" skipped, "../" and a final ".." go up
// one directory (never above dst[base+1]), repeated '/' collapse, invalid
// bytes become '.', and a trailing '/' is dropped.
func appendCleanPath(dst []byte, base int, path []byte) []byte {
	up := func() {
		if len(dst) <= base+1 {
			return
		}
		dst = dst[:len(dst)-1]
		for len(dst) >= base+1 && dst[len(dst)-1] != '/' {
			dst = dst[:len(dst)-1]
		}
	}
	at := func(i int) byte {
		if i < len(path) {
			return path[i]
		}
		return 0
	}
	for i := 0; i < len(path); {
		c := path[i]
		switch {
		case !printable(c):
			dst = append(dst, '.')
			i++
		case c == '.' && at(i+1) == '.' && at(i+2) == '/':
			up()
			i += 3
		case c == '.' && at(i+1) == '.':
			if at(i+2) == 0 {
				up()
				i += 2
			} else {
				dst = append(dst, '.', '.')
				i += 2
			}
		case c == '.' && at(i+1) == '/':
			i += 2
		case c == '.':
			if at(i+1) != 0 {
				dst = append(dst, '.')
			}
			i++
		case c == '/':
			if len(dst) > base && dst[len(dst)-1] == '/' {
				i++
			} else {
				dst = append(dst, '/')
				i++
			}
		default:
			dst = append(dst, c)
			i++
		}
	}
	if len(dst) > base+1 && dst[len(dst)-1] == '/' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// renderFDList renders an FDLIST: "fd:<typechar><hexflags>" items joined
// by spaces, '?' for descriptors the thread does not have.
func (p *printer) renderFDList(b []byte) {
	if len(b) < 2 {
		return
	}
	n := int(binary.LittleEndian.Uint16(b))
	pos := 2
	for j := 0; j < n && pos+10 <= len(b); j++ {
		fd := int64(binary.LittleEndian.Uint64(b[pos:]))
		flags := int16(binary.LittleEndian.Uint16(b[pos+8:]))
		tch := byte('?')
		if f, ok := p.lookupFD(fd); ok {
			tch = typeChar(f.Type)
		}
		if j > 0 {
			p.val = append(p.val, ' ')
		}
		p.val = strconv.AppendUint(p.val, uint64(fd), 10)
		p.val = append(p.val, ':', tch)
		p.val = strconv.AppendUint(p.val, uint64(uint32(int32(flags))), 16)
		pos += 10
	}
}

// appendAbsTime formats an ABSTIME in local time as 0.29.3 does:
// "YYYY-MM-DD HH:MM:SS." and the first eight digits of the nanoseconds
// (its snprintf cuts the ninth digit and the zone).
func appendAbsTime(dst []byte, v uint64) []byte {
	t := time.Unix(int64(v/1e9), 0).In(time.Local)
	dst = t.AppendFormat(dst, "2006-01-02 15:04:05.")
	ns := strconv.FormatUint(v%1e9, 10)
	ns = strings.Repeat("0", 9-len(ns)) + ns
	return append(dst, ns[:8]...)
}

// PPM socket families.
const (
	afUnix  = 1
	afInet  = 2
	afInet6 = 10
)

// appendSockAddr renders a SOCKADDR: "1.2.3.4:80", "::1:8080", a unix path,
// or "family N".
func appendSockAddr(dst []byte, b []byte) []byte {
	switch b[0] {
	case afUnix:
		return appendSanitized(dst, string(cString(b[1:])))
	case afInet:
		if len(b) != 7 {
			return append(dst, "INVALID IPv4"...)
		}
		dst = appendIPv4(dst, b[1:5])
		dst = append(dst, ':')
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b[5:])), 10)
	case afInet6:
		if len(b) != 19 {
			return append(dst, "INVALID IPv6"...)
		}
		dst = appendIPv6(dst, b[1:17])
		dst = append(dst, ':')
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b[17:])), 10)
	}
	dst = append(dst, "family "...)
	return strconv.AppendInt(dst, int64(int8(b[0])), 10)
}

// appendSockTuple renders a SOCKTUPLE: "sip:sport->dip:dport" (IPv4, or
// IPv6 where both ends are IPv4-mapped), IPv6 text with ports, or
// "srcptr->dstptr path" in hex for unix sockets.
func appendSockTuple(dst []byte, b []byte) []byte {
	port := func(dst []byte, p []byte) []byte {
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(p)), 10)
	}
	switch b[0] {
	case afInet:
		if len(b) != 13 {
			return append(dst, "INVALID IPv4"...)
		}
		dst = appendIPv4(dst, b[1:5])
		dst = port(append(dst, ':'), b[5:7])
		dst = appendIPv4(append(dst, "->"...), b[7:11])
		return port(append(dst, ':'), b[11:13])
	case afInet6:
		if len(b) != 37 {
			return append(dst, "INVALID IPv6"...)
		}
		sip, dip := b[1:17], b[19:35]
		if v4Mapped(sip) && v4Mapped(dip) {
			dst = appendIPv4(dst, sip[12:])
			dst = port(append(dst, ':'), b[17:19])
			dst = appendIPv4(append(dst, "->"...), dip[12:])
			return port(append(dst, ':'), b[35:37])
		}
		dst = appendIPv6(dst, sip)
		dst = port(append(dst, ':'), b[17:19])
		dst = appendIPv6(append(dst, "->"...), dip)
		return port(append(dst, ':'), b[35:37])
	case afUnix:
		if len(b) < 17 {
			return dst
		}
		dst = strconv.AppendUint(dst, binary.LittleEndian.Uint64(b[1:]), 16)
		dst = append(dst, "->"...)
		dst = strconv.AppendUint(dst, binary.LittleEndian.Uint64(b[9:]), 16)
		dst = append(dst, ' ')
		return appendSanitized(dst, string(cString(b[17:])))
	}
	dst = append(dst, "family "...)
	return strconv.AppendInt(dst, int64(int8(b[0])), 10)
}

// v4Mapped reports whether a 16-byte address is IPv4-mapped (::ffff:a.b.c.d)
// or all zero, which libsinsp also treats as IPv4.
func v4Mapped(a []byte) bool {
	for _, c := range a[:10] {
		if c != 0 {
			return false
		}
	}
	if a[10] == 0xff && a[11] == 0xff {
		return true
	}
	for _, c := range a[10:] {
		if c != 0 {
			return false
		}
	}
	return true
}

func appendIPv4(dst []byte, a []byte) []byte {
	for i := 0; i < 4; i++ {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = strconv.AppendUint(dst, uint64(a[i]), 10)
	}
	return dst
}

// appendIPv6 formats an IPv6 address as glibc's inet_ntop does: the longest
// run of two or more zero groups becomes "::", and an address whose first
// 96 bits are zero (other than :: and ::1), or an IPv4-mapped one, ends in
// dotted IPv4.
func appendIPv6(dst []byte, a []byte) []byte {
	var w [8]uint16
	for i := range w {
		w[i] = binary.BigEndian.Uint16(a[2*i:])
	}
	best, bestLen := -1, 0
	for i := 0; i < 8; {
		if w[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && w[j] == 0 {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	if bestLen < 2 {
		best = -1
	}
	for i := 0; i < 8; i++ {
		if best >= 0 && i >= best && i < best+bestLen {
			if i == best {
				dst = append(dst, ':')
			}
			continue
		}
		if i != 0 {
			dst = append(dst, ':')
		}
		if i == 6 && best == 0 && (bestLen == 6 || bestLen == 5 && w[5] == 0xffff) {
			return appendIPv4(dst, a[12:16])
		}
		dst = strconv.AppendUint(dst, uint64(w[i]), 16)
	}
	if best >= 0 && best+bestLen == 8 {
		dst = append(dst, ':')
	}
	return dst
}
