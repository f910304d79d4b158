package recorder

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"forensics/event"
	"forensics/state"
)

// Record kinds and chunk ids of record.bpf.c.
const (
	kindSyscall = 1
	kindExec    = 2
	kindExit    = 3

	chFile     = 8
	chTuple    = 9
	chUnixPath = 10
	chTask     = 11
	chArgs     = 12
	chEnv      = 13
	chCgroup   = 14
	chFilename = 15
	chMsgName  = 16

	hdrSize   = 80
	maxChunks = 128
	maxNR     = 512
)

// record is a decoded ring buffer record. Chunk data points into the
// buffer the record was read from.
type record struct {
	ts     uint64
	tid    uint32
	pid    uint32
	kind   uint16
	nr     uint16
	cpu    uint16
	ret    int64
	args   [6]uint64
	n      int
	chunks [maxChunks]chunk
}

type chunk struct {
	id, aux uint8
	data    []byte
}

// parse fills r from raw.
func (r *record) parse(raw []byte) error {
	if len(raw) < hdrSize {
		return fmt.Errorf("%w: %d bytes", ErrRecord, len(raw))
	}
	le := binary.LittleEndian
	r.ts = le.Uint64(raw)
	r.tid = le.Uint32(raw[8:])
	r.pid = le.Uint32(raw[12:])
	r.kind = le.Uint16(raw[16:])
	r.nr = le.Uint16(raw[18:])
	r.cpu = le.Uint16(raw[20:])
	size := int(le.Uint16(raw[22:]))
	r.ret = int64(le.Uint64(raw[24:]))
	for i := range r.args {
		r.args[i] = le.Uint64(raw[32+8*i:])
	}
	if size < hdrSize || size > len(raw) {
		return fmt.Errorf("%w: size %d of %d bytes", ErrRecord, size, len(raw))
	}
	r.n = 0
	for off := hdrSize; off+4 <= size && r.n < maxChunks; {
		n := int(le.Uint16(raw[off+2:]))
		if off+4+n > size {
			return fmt.Errorf("%w: chunk of %d bytes at %d past %d", ErrRecord, n, off, size)
		}
		r.chunks[r.n] = chunk{id: raw[off], aux: raw[off+1], data: raw[off+4 : off+4+n]}
		r.n++
		off += 4 + n
	}
	return nil
}

// chunk returns the first chunk with the id, or nil.
func (r *record) chunk(id uint8) []byte {
	for i := 0; i < r.n; i++ {
		if r.chunks[i].id == id {
			return r.chunks[i].data
		}
	}
	return nil
}

// taskInfo mirrors struct task_info of record.bpf.c.
type taskInfo struct {
	PTid, Pgid, Sid, VTid, VPid, FDLimit int64
	CapInh, CapPrm, CapEff               uint64
	ExeIno, ExeCtime, ExeMtime, StartNs  uint64
	UID, GID, EUID, EGID, LoginUID, TTY  uint32
	Comm                                 [16]byte
}

const taskInfoSize = 13*8 + 6*4 + 16

func (t *taskInfo) parse(b []byte) bool {
	if len(b) < taskInfoSize {
		return false
	}
	le := binary.LittleEndian
	i64 := func(k int) int64 { return int64(le.Uint64(b[8*k:])) }
	t.PTid, t.Pgid, t.Sid, t.VTid, t.VPid, t.FDLimit = i64(0), i64(1), i64(2), i64(3), i64(4), i64(5)
	t.CapInh, t.CapPrm, t.CapEff = uint64(i64(6)), uint64(i64(7)), uint64(i64(8))
	t.ExeIno, t.ExeCtime, t.ExeMtime, t.StartNs = uint64(i64(9)), uint64(i64(10)), uint64(i64(11)), uint64(i64(12))
	u := func(k int) uint32 { return le.Uint32(b[104+4*k:]) }
	t.UID, t.GID, t.EUID, t.EGID, t.LoginUID, t.TTY = u(0), u(1), u(2), u(3), u(4), u(5)
	copy(t.Comm[:], b[128:144])
	return true
}

// Thread fields of the t: source.
const (
	tExe = iota
	tArgs
	tTid
	tPid
	tPtid
	tCwd
	tFDLimit
	tComm
	tCgroups
	tEnv
	tTTY
	tVPgid
	tLoginUID
	tCapInh
	tCapPrm
	tCapEff
	tExeIno
	tExeCtime
	tExeMtime
	tUID
	tGID
	tTrustedExe
	tPgid
	tFilename
	tVTid
	tVPid
)

var taskFields = map[string]uint8{
	"exe": tExe, "args": tArgs, "tid": tTid, "pid": tPid, "ptid": tPtid, "cwd": tCwd, "fdlimit": tFDLimit,
	"comm": tComm, "cgroups": tCgroups, "env": tEnv, "tty": tTTY, "vpgid": tVPgid, "loginuid": tLoginUID,
	"cap_inheritable": tCapInh, "cap_permitted": tCapPrm, "cap_effective": tCapEff, "exe_ino": tExeIno,
	"exe_ino_ctime": tExeCtime, "exe_ino_mtime": tExeMtime, "uid": tUID, "gid": tGID,
	"trusted_exepath": tTrustedExe, "pgid": tPgid, "filename": tFilename, "vtid": tVTid, "vpid": tVPid,
}

// cgroupSubsys names the kernel's cgroup subsystems by id (enum
// cgroup_subsys_id of the committed vmlinux.h), then the v2 hierarchy
// ("unified", as the /proc walk names it).
var cgroupSubsys = [...]string{"cpuset", "cpu", "cpuacct", "io", "memory", "devices", "freezer",
	"net_cls", "perf_event", "net_prio", "hugetlb", "pids", "unified"}

// decoder turns records into events. It reuses its buffers: an event it
// returns is valid until the next call.
type decoder struct {
	specs    [maxNR]*sysSpec
	machine  *state.Machine
	bootOff  uint64 // epoch minus boot clock, ns
	execFile map[uint32][]byte
	noEnv    bool
	rec      record
	task     taskInfo
	arena    []byte
	params   [][]byte
	ev       event.Event
}

func newDecoder(specs []*sysSpec, m *state.Machine, bootOff uint64) *decoder {
	d := &decoder{machine: m, bootOff: bootOff, execFile: map[uint32][]byte{},
		arena: make([]byte, 0, 64<<10), params: make([][]byte, 0, 40)}
	for _, s := range specs {
		d.specs[s.nr] = s
	}
	return d
}

// decode turns a raw record into d.ev. ok is false for records that make
// no event (an exec's file name, kept for the execve exit that follows).
func (d *decoder) decode(raw []byte) (ev *event.Event, ok bool, err error) {
	r := &d.rec
	if err := r.parse(raw); err != nil {
		return nil, false, err
	}
	d.arena = d.arena[:0]
	d.params = d.params[:0]
	d.ev = event.Event{Ts: r.ts + d.bootOff, CPU: r.cpu, Tid: int64(r.tid), Params: d.params}
	switch r.kind {
	case kindExec:
		if fn := r.chunk(chFilename); fn != nil {
			d.execFile[r.tid] = append(d.execFile[r.tid][:0], fn...)
		}
		return nil, false, nil
	case kindExit:
		d.procexit(r)
		return &d.ev, true, nil
	case kindSyscall:
	default:
		return nil, false, fmt.Errorf("%w: kind %d", ErrRecord, r.kind)
	}
	if int(r.nr) >= maxNR || d.specs[r.nr] == nil {
		return nil, false, nil
	}
	s := d.specs[r.nr]
	d.ev.Type = s.typ
	hasTask := false
	if tc := r.chunk(chTask); tc != nil {
		hasTask = d.task.parse(tc)
	}
	for i := range s.srcs {
		d.param(s, &s.srcs[i], r, hasTask)
	}
	d.ev.Params = d.params
	if s.isExec {
		delete(d.execFile, r.tid)
	}
	return &d.ev, true, nil
}

// put appends one parameter from the arena bytes [start:].
func (d *decoder) put(start int) {
	d.params = append(d.params, d.arena[start:len(d.arena):len(d.arena)])
}

func (d *decoder) putNA() { d.params = append(d.params, nil) }

// putInt appends an integer parameter of the type's width.
func (d *decoder) putInt(v uint64, t event.ParamType) {
	start := len(d.arena)
	switch t.FixedSize() {
	case 1:
		d.arena = append(d.arena, byte(v))
	case 2:
		d.arena = binary.LittleEndian.AppendUint16(d.arena, uint16(v))
	case 4:
		d.arena = binary.LittleEndian.AppendUint32(d.arena, uint32(v))
	case 8:
		d.arena = binary.LittleEndian.AppendUint64(d.arena, v)
	case 16:
		d.arena = append(d.arena, make([]byte, 16)...)
	default:
		d.putNA()
		return
	}
	d.put(start)
}

func (d *decoder) putBytes(b []byte) {
	if b == nil {
		d.putNA()
		return
	}
	start := len(d.arena)
	d.arena = append(d.arena, b...)
	d.put(start)
}

// putStr appends s NUL-terminated.
func (d *decoder) putStr(s string) {
	start := len(d.arena)
	d.arena = append(d.arena, s...)
	d.arena = append(d.arena, 0)
	d.put(start)
}

func (d *decoder) param(s *sysSpec, sr *src, r *record, hasTask bool) {
	switch sr.kind {
	case srcNA:
		d.putNA()
	case srcZero:
		d.putInt(0, sr.ptype)
	case srcRet:
		d.putInt(uint64(r.ret), sr.ptype)
	case srcArg:
		v := r.args[sr.arg]
		if sr.ptype == event.PTFD || sr.ptype == event.PTPID {
			v = uint64(int64(int32(uint32(v))))
		}
		d.putInt(v, sr.ptype)
	case srcChunk:
		d.putBytes(r.chunk(sr.arg))
	case srcSockadd:
		start := len(d.arena)
		d.arena = appendSockaddr(d.arena, r.chunk(sr.arg))
		if len(d.arena) == start {
			d.putNA()
			return
		}
		d.put(start)
	case srcPair:
		c := r.chunk(sr.arg)
		if len(c) < 8 || r.ret < 0 {
			d.putNA()
			return
		}
		d.putInt(uint64(int64(int32(binary.LittleEndian.Uint32(c[4*int(sr.k):])))), sr.ptype)
	case srcOFlags:
		f := openFlags(r.args[sr.arg], sr.k == 0)
		if fi := r.chunk(chFile); len(fi) >= 8 && binary.LittleEndian.Uint32(fi[4:])&fmodeCreated != 0 {
			f |= ppmOCreated
		}
		d.putInt(uint64(f), sr.ptype)
	case srcHow:
		c := r.chunk(2)
		if len(c) < 8*(int(sr.k)+1) {
			d.putNA()
			return
		}
		v := binary.LittleEndian.Uint64(c[8*int(sr.k):])
		if sr.k == 0 {
			fi := r.chunk(chFile)
			f := openFlags(v, true)
			if len(fi) >= 8 && binary.LittleEndian.Uint32(fi[4:])&fmodeCreated != 0 {
				f |= ppmOCreated
			}
			v = uint64(f)
		}
		d.putInt(v, sr.ptype)
	case srcCFlags:
		var v uint32
		switch sr.k {
		case cfFork:
			v = 0
		case cfVfork:
			v = cloneFlags(0x4000 | 0x100)
		case cfClone3:
			if c := r.chunk(0); len(c) >= 8 {
				v = cloneFlags(binary.LittleEndian.Uint64(c))
			}
		default:
			v = cloneFlags(r.args[sr.arg])
		}
		d.putInt(uint64(v), sr.ptype)
	case srcFcntl:
		d.putInt(uint64(fcntlCmd(r.args[sr.arg])), sr.ptype)
	case srcDev, srcIno:
		fi := r.chunk(chFile)
		if len(fi) < 16 {
			d.putNA()
			return
		}
		if sr.kind == srcDev {
			d.putInt(uint64(binary.LittleEndian.Uint32(fi)), sr.ptype)
		} else {
			d.putInt(binary.LittleEndian.Uint64(fi[8:]), sr.ptype)
		}
	case srcTuple, srcRTuple:
		d.tuple(r, sr.kind == srcRTuple)
	case srcTask:
		d.taskParam(s, sr, r, hasTask)
	default:
		d.putNA()
	}
}

// tuple appends a SOCKTUPLE from the socket's kernel addresses.
func (d *decoder) tuple(r *record, peerFirst bool) {
	t := r.chunk(chTuple)
	if len(t) < 56 {
		d.putNA()
		return
	}
	le := binary.LittleEndian
	family := le.Uint16(t)
	sport, dport := le.Uint16(t[4:]), le.Uint16(t[6:])
	saddr, daddr := t[8:24], t[24:40]
	start := len(d.arena)
	switch family {
	case 2, 10:
		n := 4
		if family == 10 {
			n = 16
		}
		if dport == 0 && isZero(daddr[:n]) {
			// An unconnected (UDP) socket: the peer is the address the
			// call sent to or received from.
			if a, p, ok := peerAddr(r, family); ok {
				daddr, dport = a, p
			}
		}
		if peerFirst {
			saddr, daddr, sport, dport = daddr, saddr, dport, sport
		}
		d.arena = append(d.arena, byte(family))
		d.arena = append(d.arena, saddr[:n]...)
		d.arena = le.AppendUint16(d.arena, sport)
		d.arena = append(d.arena, daddr[:n]...)
		d.arena = le.AppendUint16(d.arena, dport)
	case 1:
		d.arena = append(d.arena, 1)
		d.arena = le.AppendUint64(d.arena, le.Uint64(t[40:]))
		d.arena = le.AppendUint64(d.arena, le.Uint64(t[48:]))
		d.arena = append(d.arena, cstr(r.chunk(chUnixPath))...)
		d.arena = append(d.arena, 0)
	default:
		d.putNA()
		return
	}
	d.put(start)
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// peerAddr returns the address of the sockaddr the call named (sendto's
// destination, recvfrom's source, a msghdr's msg_name) when it is of the
// socket's family.
func peerAddr(r *record, family uint16) ([]byte, uint16, bool) {
	sa := r.chunk(chMsgName)
	if sa == nil {
		sa = r.chunk(4)
	}
	if len(sa) < 2 || binary.LittleEndian.Uint16(sa) != family {
		return nil, 0, false
	}
	port := binary.BigEndian.Uint16(sa[2:])
	switch {
	case family == 2 && len(sa) >= 8:
		return sa[4:8], port, true
	case family == 10 && len(sa) >= 24:
		return sa[8:24], port, true
	}
	return nil, 0, false
}

// cstr returns b up to its first NUL.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// thread returns the state of the first of the tids the machine knows.
func (d *decoder) thread(tids ...int64) (event.Process, bool) {
	for _, t := range tids {
		if t <= 0 {
			continue
		}
		if p, ok := d.machine.Thread(t); ok {
			return p, true
		}
	}
	return event.Process{}, false
}

func (d *decoder) taskParam(s *sysSpec, sr *src, r *record, hasTask bool) {
	ti := &d.task
	switch sr.k {
	case tTid:
		d.putInt(uint64(r.tid), sr.ptype)
		return
	case tPid:
		d.putInt(uint64(r.pid), sr.ptype)
		return
	case tFilename:
		if r.ret < 0 {
			d.putBytes(r.chunk(0))
			return
		}
		d.putBytes(d.execFile[r.tid])
		return
	}
	if !hasTask {
		d.putNA()
		return
	}
	switch sr.k {
	case tExe, tArgs:
		a := r.chunk(chArgs)
		i := bytes.IndexByte(a, 0)
		if i < 0 {
			d.putNA()
			return
		}
		if sr.k == tExe {
			d.putBytes(a[:i+1])
		} else {
			d.putBytes(a[i+1:])
		}
	case tPtid:
		d.putInt(uint64(ti.PTid), sr.ptype)
	case tCwd, tCgroups:
		p, ok := d.thread(int64(r.tid), int64(r.pid), ti.PTid)
		if sr.k == tCgroups && s.isExec {
			d.cgroups(r)
			return
		}
		if !ok {
			d.putNA()
			return
		}
		if sr.k == tCwd {
			if p.Cwd == "" {
				d.putNA()
				return
			}
			d.putStr(p.Cwd)
			return
		}
		start := len(d.arena)
		for _, c := range p.Cgroups {
			d.arena = append(d.arena, c...)
			d.arena = append(d.arena, 0)
		}
		d.put(start)
	case tFDLimit:
		d.putInt(uint64(ti.FDLimit), sr.ptype)
	case tComm:
		d.putBytes(append(cstr(ti.Comm[:]), 0))
	case tEnv:
		if d.noEnv {
			d.putNA()
			return
		}
		d.putBytes(r.chunk(chEnv))
	case tTTY:
		d.putInt(uint64(ti.TTY), sr.ptype)
	case tVPgid, tPgid:
		d.putInt(uint64(ti.Pgid), sr.ptype)
	case tLoginUID:
		d.putInt(uint64(ti.LoginUID), sr.ptype)
	case tCapInh:
		d.putInt(ti.CapInh, sr.ptype)
	case tCapPrm:
		d.putInt(ti.CapPrm, sr.ptype)
	case tCapEff:
		d.putInt(ti.CapEff, sr.ptype)
	case tExeIno:
		d.putInt(ti.ExeIno, sr.ptype)
	case tExeCtime:
		d.putInt(ti.ExeCtime, sr.ptype)
	case tExeMtime:
		d.putInt(ti.ExeMtime, sr.ptype)
	case tUID:
		d.putInt(uint64(ti.EUID), sr.ptype)
	case tGID:
		d.putInt(uint64(ti.EGID), sr.ptype)
	case tVTid:
		d.putInt(uint64(ti.VTid), sr.ptype)
	case tVPid:
		d.putInt(uint64(ti.VPid), sr.ptype)
	case tTrustedExe:
		fn := cstr(d.execFile[r.tid])
		if len(fn) == 0 {
			d.putNA()
			return
		}
		if fn[0] != '/' {
			if p, ok := d.thread(int64(r.tid)); ok && p.Cwd != "" {
				start := len(d.arena)
				d.arena = append(d.arena, p.Cwd...)
				if p.Cwd[len(p.Cwd)-1] != '/' {
					d.arena = append(d.arena, '/')
				}
				d.arena = append(d.arena, bytes.TrimPrefix(fn, []byte("./"))...)
				d.arena = append(d.arena, 0)
				d.put(start)
				return
			}
		}
		d.putBytes(append(fn, 0))
	default:
		d.putNA()
	}
}

// cgroups appends the cgroups parameter ("subsys=/path" entries, NUL
// separated) from the record's cgroup chunks (leaf first per subsystem).
func (d *decoder) cgroups(r *record) {
	start := len(d.arena)
	first := -1 // index of the first chunk of the current subsystem
	for i := 0; i < r.n; i++ {
		c := &r.chunks[i]
		if c.id != chCgroup {
			continue
		}
		if first < 0 {
			first = i
		}
		if c.aux&0xf != 0xf {
			continue
		}
		sub := int(c.aux >> 4)
		if sub < len(cgroupSubsys) {
			d.arena = append(d.arena, cgroupSubsys[sub]...)
			d.arena = append(d.arena, '=')
			if i == first {
				d.arena = append(d.arena, '/')
			}
			for j := i - 1; j >= first; j-- {
				if r.chunks[j].id != chCgroup {
					continue
				}
				d.arena = append(d.arena, '/')
				d.arena = append(d.arena, cstr(r.chunks[j].data)...)
			}
			d.arena = append(d.arena, 0)
		}
		first = -1
	}
	if len(d.arena) == start {
		d.putNA()
		return
	}
	d.put(start)
}

// procexit fills d.ev with a procexit event.
func (d *decoder) procexit(r *record) {
	d.ev.Type = procexitType
	code := r.args[0]
	sig := code & 0x7f
	d.putInt(code, event.PTErrno)           // status
	d.putInt((code>>8)&0xff, event.PTErrno) // ret
	d.putInt(sig, event.PTSigType)          // sig
	d.putInt((code>>7)&1, event.PTUint8)    // core
	d.putInt(r.args[1], event.PTPID)        // reaper_tid
	d.ev.Params = d.params
}

var procexitType = func() event.Type {
	for _, in := range event.ByName("procexit") {
		if in.Status == event.StatusCurrent {
			return in.Type
		}
	}
	return 186
}()
