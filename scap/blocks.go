package scap

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// cursor reads little-endian fields from a block body. The first short
// read sets err; later reads return zero values, so a decoder checks err
// once per entry.
type cursor struct {
	b   []byte
	off int
	err error
}

func (c *cursor) left() int { return len(c.b) - c.off }

func (c *cursor) need(n int) bool {
	if c.err != nil {
		return false
	}
	if n < 0 || c.left() < n {
		c.err = fmt.Errorf("%w: entry runs past the block end (need %d bytes at body offset %d, have %d)",
			ErrCorrupt, n, c.off, c.left())
		return false
	}
	return true
}

func (c *cursor) u8() uint8 {
	if !c.need(1) {
		return 0
	}
	v := c.b[c.off]
	c.off++
	return v
}

func (c *cursor) u16() uint16 {
	if !c.need(2) {
		return 0
	}
	v := binary.LittleEndian.Uint16(c.b[c.off:])
	c.off += 2
	return v
}

func (c *cursor) u32() uint32 {
	if !c.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(c.b[c.off:])
	c.off += 4
	return v
}

func (c *cursor) u64() uint64 {
	if !c.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(c.b[c.off:])
	c.off += 8
	return v
}

func (c *cursor) i64() int64 { return int64(c.u64()) }

func (c *cursor) bytes(n int) []byte {
	if !c.need(n) {
		return nil
	}
	v := c.b[c.off : c.off+n]
	c.off += n
	return v
}

// str16 reads a u16 length and that many bytes (not NUL-terminated).
func (c *cursor) str16() string { return string(c.bytes(int(c.u16()))) }

func (c *cursor) addr4() netip.Addr {
	b := c.bytes(4)
	if b == nil {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(b))
}

func (c *cursor) addr16() netip.Addr {
	b := c.bytes(16)
	if b == nil {
		return netip.Addr{}
	}
	return netip.AddrFrom16([16]byte(b))
}

// entryEnd validates an entry length field: the entry spans [start,
// start+n) of the body and must hold at least what was read so far.
func (c *cursor) entryEnd(start, n int, what string) int {
	if c.err != nil {
		return c.off
	}
	end := start + n
	if n < 0 || end > len(c.b) {
		c.err = fmt.Errorf("%w: %s length %d at body offset %d runs past the block end", ErrCorrupt, what, n, start)
		return c.off
	}
	if c.off > end {
		c.err = fmt.Errorf("%w: %s at body offset %d is %d bytes long, its fields take %d", ErrCorrupt, what, start, n, c.off-start)
		return c.off
	}
	return end
}

// tail returns a copy of body[c.off:end] (nil when empty) and moves to end.
func (c *cursor) tail(end int) []byte {
	if c.err != nil || end <= c.off {
		return nil
	}
	v := append([]byte(nil), c.b[c.off:end]...)
	c.off = end
	return v
}

// decodeMI decodes a machine info block body.
func decodeMI(body []byte) (*MachineInfo, error) {
	c := cursor{b: body}
	mi := &MachineInfo{
		NumCPUs:     c.u32(),
		MemoryBytes: c.u64(),
		MaxPID:      c.u64(),
	}
	host := c.bytes(128)
	for i, ch := range host {
		if ch == 0 {
			host = host[:i]
			break
		}
	}
	mi.Hostname = string(host)
	mi.BootTime = c.u64()
	mi.Flags = c.u64()
	mi.Reserved3 = c.u64()
	mi.Reserved4 = c.u64()
	if c.err != nil {
		return nil, fmt.Errorf("machine info: %w", c.err)
	}
	return mi, nil
}

// decodeIL decodes an interface list block body (IL, IL_INT or IL_V2).
func decodeIL(id uint32, body []byte) ([]Interface, error) {
	c := cursor{b: body}
	var out []Interface
	for c.left() >= 4 {
		var n int // IL_V2 entry length, excluding itself; 0 means "no length"
		if id == BlockILV2 {
			n = int(c.u32())
		}
		start := c.off
		var it Interface
		it.Type = c.u16()
		nameLen := int(c.u16())
		switch it.Type {
		case IfIPv4, IfIPv4NoLinkSpeed:
			it.Addr, it.Netmask, it.Bcast = c.addr4(), c.addr4(), c.addr4()
		case IfIPv6, IfIPv6NoLinkSpeed:
			it.Addr, it.Netmask, it.Bcast = c.addr16(), c.addr16(), c.addr16()
		default:
			return nil, fmt.Errorf("interface %d: %w: unknown interface type %d", len(out), ErrCorrupt, it.Type)
		}
		if it.Type == IfIPv4 || it.Type == IfIPv6 {
			it.LinkSpeed = c.u64()
		}
		it.Name = string(c.bytes(nameLen))
		if n != 0 {
			it.Extra = c.tail(c.entryEnd(start, n, "interface entry"))
		}
		if c.err != nil {
			return nil, fmt.Errorf("interface %d: %w", len(out), c.err)
		}
		out = append(out, it)
	}
	return out, nil
}

// decodeUL decodes a user list block body (UL, UL_INT or UL_V2).
func decodeUL(id uint32, body []byte) ([]User, []Group, error) {
	c := cursor{b: body}
	var users []User
	var groups []Group
	for n := 0; c.left() >= 4; n++ {
		start := c.off
		var sub int
		if id == BlockULV2 {
			sub = int(c.u32()) // includes itself; 0 means "no length"
		}
		var extra []byte
		typ := c.u8()
		if typ == 0 {
			u := User{UID: c.u32(), GID: c.u32(), Name: c.str16(), Home: c.str16(), Shell: c.str16()}
			if sub != 0 {
				extra = c.tail(c.entryEnd(start, sub, "user entry"))
			}
			u.Extra = extra
			users = append(users, u)
		} else {
			g := Group{GID: c.u32(), Name: c.str16()}
			if sub != 0 {
				extra = c.tail(c.entryEnd(start, sub, "group entry"))
			}
			g.Extra = extra
			groups = append(groups, g)
		}
		if c.err != nil {
			return nil, nil, fmt.Errorf("user list entry %d: %w", n, c.err)
		}
	}
	return users, groups, nil
}

// pre010Tail is the size of the PL V9 fields libs before 0.10 wrote after
// root (loginuid u32, exe_writable u8, three capability sets u64). An
// entry with at most this many bytes after root is in that layout, which
// lacks pidns_init_start_ts and tty (libscap's own heuristic).
const pre010Tail = 4 + 1 + 3*8

// decodePL decodes a process list block body of any version.
func decodePL(id uint32, body []byte) ([]Thread, error) {
	v := plVersion(id)
	c := cursor{b: body}
	var out []Thread
	for c.left() >= 4 {
		start := c.off
		t := NewThread()
		var sub int
		if v == 9 {
			sub = int(c.u32()) // includes itself
		}
		t.Tid, t.Pid, t.PTid = c.i64(), c.i64(), c.i64()
		if v >= 6 {
			t.Sid = c.i64()
		}
		if v >= 8 {
			t.VPgid = c.i64()
		}
		t.Comm = c.str16()
		t.Exe = c.str16()
		if v >= 7 {
			t.ExePath = c.str16()
		}
		t.Args = c.str16()
		t.Cwd = c.str16()
		t.FDLimit = c.i64()
		t.Flags = c.u32()
		t.UID = c.u32()
		t.GID = c.u32()
		if v >= 2 {
			t.VMSizeKB, t.VMRSSKB, t.VMSwapKB = c.u32(), c.u32(), c.u32()
			t.PFMajor, t.PFMinor = c.u64(), c.u64()
			if v >= 3 {
				t.Env = c.str16()
			}
			if v >= 4 {
				t.VTid, t.VPid = c.i64(), c.i64()
				t.Cgroups = c.str16()
			}
			if v >= 5 {
				t.Root = c.str16()
			}
		}
		if v == 9 && sub != 0 {
			end := c.entryEnd(start, sub, "thread entry")
			decodePLTail(&c, &t, end)
			t.Extra = c.tail(end)
		}
		if c.err != nil {
			return nil, fmt.Errorf("thread entry %d (PL v%d): %w", len(out), v, c.err)
		}
		out = append(out, t)
	}
	return out, nil
}

// decodePLTail reads the optional PL V9 fields after root, each only when
// the entry (ending at end) has room for it.
func decodePLTail(c *cursor, t *Thread, end int) {
	room := func(n int) bool { return c.err == nil && c.off+n <= end }
	if end-c.off > pre010Tail {
		if room(8) {
			t.PidNSInit = c.u64()
		}
		if room(4) {
			t.TTY = c.u32()
		}
	}
	if room(4) {
		t.LoginUID = c.u32()
	}
	if room(1) {
		t.ExeWritable = c.u8() != 0
	}
	if room(8) {
		t.CapInheritable = c.u64()
	}
	if room(8) {
		t.CapPermitted = c.u64()
	}
	if room(8) {
		t.CapEffective = c.u64()
	}
	if room(1) {
		t.ExeUpperLayer = c.u8() != 0
	}
	if room(8) {
		t.ExeIno = c.u64()
	}
	if room(8) {
		t.ExeInoCtime = c.u64()
	}
	if room(8) {
		t.ExeInoMtime = c.u64()
	}
	if room(1) {
		t.ExeFromMemfd = c.u8() != 0
	}
	if room(1) {
		t.ExeLowerLayer = c.u8() != 0
	}
	if room(8) {
		t.Pgid = c.i64()
	}
}

// decodeFDL decodes an fd list block body (FDL, FDL_INT or FDL_V2).
func decodeFDL(id uint32, body []byte) (FDList, error) {
	c := cursor{b: body}
	l := FDList{Tid: c.i64()}
	if c.err != nil {
		return l, fmt.Errorf("fd list: %w", c.err)
	}
	for c.left() >= 4 {
		fd, err := decodeFD(&c, id == BlockFDLV2)
		if err != nil {
			return l, fmt.Errorf("fd list of tid %d, entry %d: %w", l.Tid, len(l.FDs), err)
		}
		l.FDs = append(l.FDs, fd)
	}
	return l, nil
}

// decodeFD decodes one FDL entry; v2 entries start with their length.
func decodeFD(c *cursor, v2 bool) (FD, error) {
	start := c.off
	var sub int
	if v2 {
		sub = int(c.u32()) // includes itself; 0 means "no length"
	}
	var fd FD
	fd.Num = c.i64()
	fd.Ino = c.u64()
	fd.Type = c.u8()
	switch fd.Type {
	case FDIPv4Sock:
		fd.SIP, fd.DIP = c.addr4(), c.addr4()
		fd.SPort, fd.DPort = c.u16(), c.u16()
		fd.L4Proto = c.u8()
	case FDIPv6Sock:
		fd.SIP, fd.DIP = c.addr16(), c.addr16()
		fd.SPort, fd.DPort = c.u16(), c.u16()
		fd.L4Proto = c.u8()
	case FDIPv4Server:
		fd.IP, fd.Port, fd.L4Proto = c.addr4(), c.u16(), c.u8()
	case FDIPv6Server:
		fd.IP, fd.Port, fd.L4Proto = c.addr16(), c.u16(), c.u8()
	case FDUnixSock:
		fd.Source, fd.Dest = c.u64(), c.u64()
		fd.Name = c.str16()
	case FDFileV2:
		fd.OpenFlags = c.u32()
		fd.Name = c.str16()
		if sub != 0 && c.off+4 <= start+sub {
			fd.Dev = c.u32()
		}
	case FDUnknown:
	case FDFile, FDDirectory, FDFIFO, FDEvent, FDUnsupported, FDSignalFD, FDEventPoll,
		FDInotify, FDTimerFD, FDNetlink, FDBPF, FDUserfaultFD, FDIOUring, FDMemFD, FDPidFD:
		fd.Name = c.str16()
	default:
		if sub == 0 {
			return fd, fmt.Errorf("%w: fd %d has unknown type %d and no entry length to skip it", ErrCorrupt, fd.Num, fd.Type)
		}
	}
	if sub != 0 {
		fd.Extra = c.tail(c.entryEnd(start, sub, "fd entry"))
	}
	return fd, c.err
}
