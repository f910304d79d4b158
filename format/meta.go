package format

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"forensics/event"
	"forensics/format/internal/wire"
)

// Format version written by this build. A reader accepts any minor version
// of its major version and refuses other majors with ErrVersion.
const (
	VersionMajor = 1
	VersionMinor = 3
)

// fileMagic opens the header body.
var fileMagic = [8]byte{'F', 'O', 'R', 'E', 'N', 'S', 'I', 'C'}

// Header is the first frame of every capture file.
type Header struct {
	Major, Minor uint16
	SetID        string // shared by the files of one rotation set
	Seq          uint64 // position of the file in its set, from 1
	StartTs      uint64 // ns since epoch when the file was opened
	FirstNum     uint64 // number of the file's first event
	Writer       string // program and version that wrote the file
	Source       string // "ebpf", "scap:NAME", ...
	Snaplen      uint32
	Host         event.Host
}

func (h *Header) append(dst []byte) []byte {
	dst = append(dst, fileMagic[:]...)
	dst = binary.LittleEndian.AppendUint16(dst, VersionMajor)
	dst = binary.LittleEndian.AppendUint16(dst, VersionMinor)
	dst = wire.AppendString(dst, h.SetID)
	dst = wire.AppendUvarint(dst, h.Seq)
	dst = wire.AppendUvarint(dst, h.StartTs)
	dst = wire.AppendUvarint(dst, h.FirstNum)
	dst = wire.AppendString(dst, h.Writer)
	dst = wire.AppendString(dst, h.Source)
	dst = wire.AppendUvarint(dst, uint64(h.Snaplen))
	x := &h.Host
	dst = wire.AppendString(dst, x.Hostname)
	dst = wire.AppendString(dst, x.Kernel)
	dst = wire.AppendString(dst, x.OS)
	dst = wire.AppendString(dst, x.Arch)
	dst = wire.AppendString(dst, x.MachineID)
	dst = wire.AppendUvarint(dst, x.BootTime)
	dst = wire.AppendUvarint(dst, uint64(x.CPUs))
	dst = wire.AppendUvarint(dst, x.MemoryBytes)
	dst = wire.AppendVarint(dst, x.MaxPid)
	dst = wire.AppendUvarint(dst, uint64(len(x.Interfaces)))
	for _, in := range x.Interfaces {
		dst = wire.AppendString(dst, in.Name)
		dst = appendAddr(dst, in.Addr)
		dst = appendAddr(dst, in.Netmask)
		dst = appendAddr(dst, in.Broadcast)
		dst = wire.AppendUvarint(dst, in.LinkSpeed)
	}
	return dst
}

// decodeHeader parses a header body. Fields added by later minor versions
// are appended, so unknown trailing bytes are ignored.
func decodeHeader(p []byte) (*Header, error) {
	d := wire.NewDecoder(p)
	magic := d.Next(len(fileMagic))
	if magic == nil || [8]byte(magic) != fileMagic {
		return nil, ErrNotCapture
	}
	h := &Header{Major: d.U16(), Minor: d.U16()}
	if d.Err() == nil && h.Major != VersionMajor {
		return nil, fmt.Errorf("%w: %d.%d (this build reads %d.x)", ErrVersion, h.Major, h.Minor, VersionMajor)
	}
	h.SetID = d.String()
	h.Seq = d.Uvarint()
	h.StartTs = d.Uvarint()
	h.FirstNum = d.Uvarint()
	h.Writer = d.String()
	h.Source = d.String()
	h.Snaplen = uint32(d.Uint(1<<32 - 1))
	x := &h.Host
	x.Hostname = d.String()
	x.Kernel = d.String()
	x.OS = d.String()
	x.Arch = d.String()
	x.MachineID = d.String()
	x.BootTime = d.Uvarint()
	x.CPUs = uint32(d.Uint(1<<32 - 1))
	x.MemoryBytes = d.Uvarint()
	if d.Len() > 0 {
		x.MaxPid = d.Varint()
		if n := d.Count(4); n > 0 {
			x.Interfaces = make([]event.Interface, n)
			for i := range x.Interfaces {
				in := &x.Interfaces[i]
				in.Name = d.String()
				in.Addr, in.Netmask, in.Broadcast = decodeAddr(d), decodeAddr(d), decodeAddr(d)
				in.LinkSpeed = d.Uvarint()
			}
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrCorrupt, err)
	}
	return h, nil
}

// appendProcess appends one process record: a length prefix, then the
// fields. Later minor versions append fields; readers skip what they don't
// know.
func appendProcess(dst []byte, p *event.Process) []byte {
	return appendProcessSet(dst, p, 0)
}

// appendProcessSet appends a process record whose cgroups are set number
// set (1-based) of its table's cgroup sets instead of inline (set 0).
func appendProcessSet(dst []byte, p *event.Process, set int) []byte {
	var b []byte
	b = wire.AppendUvarint(b, uint64(p.Key))
	b = wire.AppendUvarint(b, uint64(p.ParentKey))
	b = wire.AppendVarint(b, p.Tid)
	b = wire.AppendVarint(b, p.Pid)
	b = wire.AppendVarint(b, p.PTid)
	b = wire.AppendVarint(b, p.Sid)
	b = wire.AppendVarint(b, p.Pgid)
	b = wire.AppendVarint(b, p.VTid)
	b = wire.AppendVarint(b, p.VPid)
	b = wire.AppendString(b, p.Comm)
	b = wire.AppendString(b, p.Exe)
	b = wire.AppendString(b, p.ExePath)
	b = wire.AppendStrings(b, p.Args)
	b = wire.AppendStrings(b, p.Env)
	b = wire.AppendString(b, p.Cwd)
	b = wire.AppendString(b, p.Root)
	if set == 0 {
		b = wire.AppendStrings(b, p.Cgroups)
	} else {
		b = wire.AppendStrings(b, nil)
	}
	b = wire.AppendString(b, p.Container)
	b = wire.AppendUvarint(b, uint64(p.UID))
	b = wire.AppendUvarint(b, uint64(p.GID))
	b = wire.AppendUvarint(b, uint64(p.LoginUID))
	b = wire.AppendUvarint(b, uint64(p.TTY))
	b = wire.AppendUvarint(b, uint64(p.Flags))
	b = wire.AppendVarint(b, p.FDLimit)
	b = wire.AppendUvarint(b, p.CapInheritable)
	b = wire.AppendUvarint(b, p.CapPermitted)
	b = wire.AppendUvarint(b, p.CapEffective)
	b = wire.AppendUvarint(b, p.ExeIno)
	b = wire.AppendUvarint(b, uint64(p.ExeFlags))
	b = wire.AppendUvarint(b, p.PidNSStart)
	b = wire.AppendUvarint(b, p.StartTs)
	b = wire.AppendUvarint(b, p.ExitTs)
	b = wire.AppendVarint(b, p.VPgid)
	b = wire.AppendUvarint(b, uint64(p.VMSizeKB))
	b = wire.AppendUvarint(b, uint64(p.VMRSSKB))
	b = wire.AppendUvarint(b, uint64(p.VMSwapKB))
	b = wire.AppendUvarint(b, p.PFMajor)
	b = wire.AppendUvarint(b, p.PFMinor)
	b = wire.AppendUvarint(b, p.ExeInoCtime)
	b = wire.AppendUvarint(b, p.ExeInoMtime)
	if set != 0 {
		b = wire.AppendUvarint(b, uint64(set))
	}
	return wire.AppendBytes(dst, b)
}

func decodeProcess(d *wire.Decoder, p *event.Process) {
	decodeProcessSets(d, p, nil)
}

// decodeProcessSets decodes a process record whose cgroups may be one of
// sets (see appendProcTable); p.Cgroups then shares the set's slice.
func decodeProcessSets(d *wire.Decoder, p *event.Process, sets [][]string) {
	r := d.Sub()
	if d.Err() != nil {
		return
	}
	u32 := func() uint32 { return uint32(r.Uint(1<<32 - 1)) }
	p.Key = event.ProcKey(r.Uvarint())
	p.ParentKey = event.ProcKey(r.Uvarint())
	p.Tid = r.Varint()
	p.Pid = r.Varint()
	p.PTid = r.Varint()
	p.Sid = r.Varint()
	p.Pgid = r.Varint()
	p.VTid = r.Varint()
	p.VPid = r.Varint()
	p.Comm = r.String()
	p.Exe = r.String()
	p.ExePath = r.String()
	p.Args = r.Strings()
	p.Env = r.Strings()
	p.Cwd = r.String()
	p.Root = r.String()
	p.Cgroups = r.Strings()
	p.Container = r.String()
	p.UID = u32()
	p.GID = u32()
	p.LoginUID = u32()
	p.TTY = u32()
	p.Flags = u32()
	p.FDLimit = r.Varint()
	p.CapInheritable = r.Uvarint()
	p.CapPermitted = r.Uvarint()
	p.CapEffective = r.Uvarint()
	p.ExeIno = r.Uvarint()
	p.ExeFlags = u32()
	p.PidNSStart = r.Uvarint()
	p.StartTs = r.Uvarint()
	p.ExitTs = r.Uvarint()
	if r.Len() > 0 { // fields added in 1.0 after the first samples
		p.VPgid = r.Varint()
		p.VMSizeKB, p.VMRSSKB, p.VMSwapKB = u32(), u32(), u32()
		p.PFMajor = r.Uvarint()
		p.PFMinor = r.Uvarint()
		p.ExeInoCtime = r.Uvarint()
		p.ExeInoMtime = r.Uvarint()
	}
	if r.Len() > 0 { // 1.1: the cgroups are a set of the footer's table
		set := r.Uvarint()
		switch {
		case set == 0:
		case set > uint64(len(sets)):
			r.Fail("cgroup set %d of %d", set, len(sets))
		case !r.Skipping():
			p.Cgroups = sets[set-1]
		}
	}
	if err := r.Err(); err != nil {
		d.Fail("process record: %v", err)
	}
}

// appendProcesses appends a count and the records.
func appendProcesses(dst []byte, ps []event.Process) []byte {
	dst = wire.AppendUvarint(dst, uint64(len(ps)))
	for i := range ps {
		dst = appendProcess(dst, &ps[i])
	}
	return dst
}

// appendProcTable appends the footer's process table: a count, the
// records, then the distinct cgroup lists the records name by number.
// Processes of one host share a few cgroup lists, which made up four
// fifths of the table before (cgroups v1 lists a dozen controllers for
// every process):
//
//	count uvarint | record ... | nsets uvarint | (strings) ...
//
// Readers of 1.0 see the records' inline cgroups empty and stop after the
// last record.
func appendProcTable(dst []byte, ps []event.Process) []byte {
	ids := map[string]int{}
	var sets [][]string
	dst = wire.AppendUvarint(dst, uint64(len(ps)))
	var key []byte
	for i := range ps {
		p := &ps[i]
		set := 0
		if len(p.Cgroups) > 0 {
			key = wire.AppendStrings(key[:0], p.Cgroups)
			if set = ids[string(key)]; set == 0 {
				sets = append(sets, p.Cgroups)
				set = len(sets)
				ids[string(key)] = set
			}
		}
		dst = appendProcessSet(dst, p, set)
	}
	dst = wire.AppendUvarint(dst, uint64(len(sets)))
	for _, s := range sets {
		dst = wire.AppendStrings(dst, s)
	}
	return dst
}

func decodeProcesses(d *wire.Decoder) []event.Process {
	n := d.Count(1)
	if n == 0 {
		return nil
	}
	ps := make([]event.Process, n)
	for i := range ps {
		decodeProcess(d, &ps[i])
	}
	if d.Err() != nil {
		return nil
	}
	return ps
}

// appendTuple encodes a tuple as: l4 u8, sip, dip (each: len u8 + bytes),
// sport, dport, srcptr, dstptr (varints).
func appendTuple(dst []byte, t *event.Tuple) []byte {
	dst = append(dst, byte(t.L4))
	dst = appendAddr(dst, t.SIP)
	dst = appendAddr(dst, t.DIP)
	dst = wire.AppendUvarint(dst, uint64(t.SPort))
	dst = wire.AppendUvarint(dst, uint64(t.DPort))
	dst = wire.AppendUvarint(dst, t.SrcPtr)
	return wire.AppendUvarint(dst, t.DstPtr)
}

func appendAddr(dst []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(dst, 0)
	}
	b := a.AsSlice()
	dst = append(dst, byte(len(b)))
	return append(dst, b...)
}

func decodeTuple(d *wire.Decoder, t *event.Tuple) {
	t.L4 = event.L4Proto(d.Byte())
	t.SIP = decodeAddr(d)
	t.DIP = decodeAddr(d)
	t.SPort = uint16(d.Uint(0xFFFF))
	t.DPort = uint16(d.Uint(0xFFFF))
	t.SrcPtr = d.Uvarint()
	t.DstPtr = d.Uvarint()
}

func decodeAddr(d *wire.Decoder) netip.Addr {
	n := d.Byte()
	switch n {
	case 0:
		return netip.Addr{}
	case 4, 16:
		b := d.Next(int(n))
		if b == nil {
			return netip.Addr{}
		}
		a, _ := netip.AddrFromSlice(b)
		return a
	}
	d.Fail("address of %d bytes", n)
	return netip.Addr{}
}

func appendFD(dst []byte, f *event.FD) []byte {
	dst = wire.AppendVarint(dst, f.Num)
	dst = append(dst, byte(f.Type), byte(f.Role))
	dst = wire.AppendString(dst, f.Name)
	dst = appendTuple(dst, &f.Tuple)
	dst = wire.AppendUvarint(dst, uint64(f.OpenFlags))
	dst = wire.AppendUvarint(dst, uint64(f.Dev))
	return wire.AppendUvarint(dst, f.Ino)
}

func decodeFD(d *wire.Decoder, f *event.FD) {
	f.Num = d.Varint()
	f.Type = event.FDType(d.Byte())
	f.Role = event.FDRole(d.Byte())
	f.Name = d.String()
	decodeTuple(d, &f.Tuple)
	f.OpenFlags = uint32(d.Uint(1<<32 - 1))
	f.Dev = uint32(d.Uint(1<<32 - 1))
	f.Ino = d.Uvarint()
}

// appendSnapshot encodes the state snapshot body.
func appendSnapshot(dst []byte, s *event.Snapshot) []byte {
	dst = appendProcesses(dst, s.Processes)
	dst = wire.AppendUvarint(dst, uint64(len(s.FDs)))
	for i := range s.FDs {
		pf := &s.FDs[i]
		dst = wire.AppendUvarint(dst, uint64(pf.Proc))
		dst = wire.AppendUvarint(dst, uint64(len(pf.FDs)))
		for j := range pf.FDs {
			dst = appendFD(dst, &pf.FDs[j])
		}
	}
	dst = wire.AppendUvarint(dst, uint64(len(s.Users)))
	for _, u := range s.Users {
		dst = wire.AppendUvarint(dst, uint64(u.UID))
		dst = wire.AppendUvarint(dst, uint64(u.GID))
		dst = wire.AppendString(dst, u.Name)
		dst = wire.AppendString(dst, u.Home)
		dst = wire.AppendString(dst, u.Shell)
		dst = wire.AppendString(dst, u.Container)
	}
	dst = wire.AppendUvarint(dst, uint64(len(s.Groups)))
	for _, g := range s.Groups {
		dst = wire.AppendUvarint(dst, uint64(g.GID))
		dst = wire.AppendString(dst, g.Name)
		dst = wire.AppendString(dst, g.Container)
	}
	return dst
}

func decodeSnapshot(p []byte) (*event.Snapshot, error) {
	d := wire.NewDecoder(p)
	s := &event.Snapshot{Processes: decodeProcesses(d)}
	u32 := func() uint32 { return uint32(d.Uint(1<<32 - 1)) }
	if n := d.Count(2); n > 0 {
		s.FDs = make([]event.ProcFDs, n)
		for i := range s.FDs {
			pf := &s.FDs[i]
			pf.Proc = event.ProcKey(d.Uvarint())
			if m := d.Count(8); m > 0 {
				pf.FDs = make([]event.FD, m)
				for j := range pf.FDs {
					decodeFD(d, &pf.FDs[j])
				}
			}
		}
	}
	if n := d.Count(6); n > 0 {
		s.Users = make([]event.User, n)
		for i := range s.Users {
			u := &s.Users[i]
			u.UID, u.GID = u32(), u32()
			u.Name, u.Home, u.Shell, u.Container = d.String(), d.String(), d.String(), d.String()
		}
	}
	if n := d.Count(3); n > 0 {
		s.Groups = make([]event.Group, n)
		for i := range s.Groups {
			g := &s.Groups[i]
			g.GID = u32()
			g.Name, g.Container = d.String(), d.String()
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("%w: snapshot: %w", ErrCorrupt, err)
	}
	return s, nil
}

// Drops counts events lost before they reached the file.
type Drops struct {
	Kernel uint64 // lost in the kernel (ring buffer full)
	User   uint64 // lost in userspace (writer queue full)
}

// TypeCount is the number of events of one type.
type TypeCount struct {
	Type  event.Type
	Count uint64
}

// footer is the body of the INDX frame.
type footer struct {
	Index     []byte // encoded index.Index
	Drops     Drops
	Types     []TypeCount
	ChainHead [32]byte
	EndTs     uint64 // when the writer closed the file
}

func (f *footer) append(dst []byte) []byte {
	dst = wire.AppendBytes(dst, f.Index)
	dst = wire.AppendUvarint(dst, f.Drops.Kernel)
	dst = wire.AppendUvarint(dst, f.Drops.User)
	dst = appendTypeCounts(dst, f.Types)
	dst = append(dst, f.ChainHead[:]...)
	return wire.AppendUvarint(dst, f.EndTs)
}

func decodeFooter(p []byte) (*footer, error) {
	d := wire.NewDecoder(p)
	f := &footer{Index: d.Bytes()}
	f.Drops.Kernel = d.Uvarint()
	f.Drops.User = d.Uvarint()
	f.Types = decodeTypeCounts(d)
	copy(f.ChainHead[:], d.Next(32))
	f.EndTs = d.Uvarint()
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("%w: footer: %w", ErrCorrupt, err)
	}
	return f, nil
}

func appendTypeCounts(dst []byte, tc []TypeCount) []byte {
	dst = wire.AppendUvarint(dst, uint64(len(tc)))
	for _, c := range tc {
		dst = wire.AppendUvarint(dst, uint64(c.Type))
		dst = wire.AppendUvarint(dst, c.Count)
	}
	return dst
}

func decodeTypeCounts(d *wire.Decoder) []TypeCount {
	n := d.Count(2)
	if n == 0 {
		return nil
	}
	tc := make([]TypeCount, n)
	for i := range tc {
		tc[i].Type = event.Type(d.Uint(0xFFFF))
		tc[i].Count = d.Uvarint()
	}
	return tc
}

// marker is the body of the small frame written before every block: what a
// reader needs to account for the block without decompressing it, above all
// when the block itself is damaged or cut short.
type marker struct {
	Seq      uint64
	FirstNum uint64
	Count    uint64
	FirstTs  uint64
	LastTs   uint64
	Size     uint64 // bytes of the block's frame
}

func (m *marker) append(dst []byte) []byte {
	dst = wire.AppendUvarint(dst, m.Seq)
	dst = wire.AppendUvarint(dst, m.FirstNum)
	dst = wire.AppendUvarint(dst, m.Count)
	dst = wire.AppendUvarint(dst, m.FirstTs)
	dst = wire.AppendUvarint(dst, m.LastTs-m.FirstTs)
	return wire.AppendUvarint(dst, m.Size)
}

func decodeMarker(p []byte) (marker, error) {
	d := wire.NewDecoder(p)
	m := marker{Seq: d.Uvarint(), FirstNum: d.Uvarint(), Count: d.Uvarint(), FirstTs: d.Uvarint()}
	m.LastTs = m.FirstTs + d.Uvarint()
	m.Size = d.Uvarint()
	if err := d.Err(); err != nil {
		return m, fmt.Errorf("%w: block marker: %w", ErrCorrupt, err)
	}
	return m, nil
}
