// Package eventgen makes synthetic events for tests and benchmarks: a
// realistic syscall mix (mostly read/write/close/openat on paths, some
// execve/connect/accept) and random events that use every parameter type.
// It is deterministic for a given seed.
package eventgen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"

	"forensics/event"
)

// Event types of the realistic mix (ids from the libs event table).
const (
	typeOpenatX  event.Type = 307
	typeReadX    event.Type = 7
	typeWriteX   event.Type = 9
	typeCloseX   event.Type = 5
	typeExecveX  event.Type = 293
	typeConnectX event.Type = 23
	typeAcceptX  event.Type = 247
)

// Gen generates events.
type Gen struct {
	rng   *rand.Rand
	num   uint64
	ts    uint64
	procs []event.Process
	paths []string
	buf   []byte
	// Step is the mean gap between events in ns (default 10µs).
	Step uint64
}

// New returns a generator seeded with seed, starting at ts.
func New(seed uint64, ts uint64) *Gen {
	g := &Gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), ts: ts, Step: 10_000}
	names := []string{"nginx", "bash", "curl", "sshd", "python3", "cat", "postgres", "cron"}
	for i, n := range names {
		g.procs = append(g.procs, event.Process{
			Key: event.ProcKey(i + 1), Tid: int64(1000 + i), Pid: int64(1000 + i), PTid: 1,
			Comm: n, Exe: "/usr/bin/" + n, ExePath: "/usr/bin/" + n, Args: []string{"-c", fmt.Sprint(i)},
			Cwd: "/", UID: uint32(i % 3 * 1000), LoginUID: 0xFFFFFFFF, StartTs: ts,
		})
	}
	for i := 0; i < 200; i++ {
		g.paths = append(g.paths, fmt.Sprintf("/var/lib/app%d/data/file%03d.db", i%7, i))
	}
	g.paths = append(g.paths, "/etc/passwd", "/etc/shadow", "/etc/hosts", "/dev/null", "/proc/self/status")
	return g
}

// Processes returns the process table the events refer to.
func (g *Gen) Processes() []event.Process { return g.procs }

// AddProcesses adds copies of the generator's processes to procs, by key,
// and to byTid, as each thread's one incarnation: the maps a
// fields.Tables without a file reads.
func (g *Gen) AddProcesses(procs map[event.ProcKey]*event.Process, byTid map[int64][]*event.Process) {
	for _, p := range g.procs {
		p := p
		procs[p.Key] = &p
		byTid[p.Tid] = []*event.Process{&p}
	}
}

func le64(v int64) []byte  { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func (g *Gen) next(t event.Type) *event.Event {
	g.num++
	g.ts += 1 + g.rng.Uint64N(2*g.Step)
	p := &g.procs[g.rng.IntN(len(g.procs))]
	return &event.Event{Num: g.num, Ts: g.ts, CPU: uint16(g.rng.IntN(2)), Tid: p.Tid, Type: t,
		Proc: p.Key, FD: event.FD{Num: event.NoFD}}
}

// Realistic returns the next event of a mix like a busy server's: about 40%
// read, 25% write, 15% close, 15% openat, and execve, connect, accept. The
// event's memory is fresh.
func (g *Gen) Realistic() *event.Event {
	r := g.rng.IntN(1000)
	path := g.paths[g.rng.IntN(len(g.paths))]
	fdnum := int64(3 + g.rng.IntN(20))
	file := event.FD{Num: fdnum, Type: event.FDFile, Name: path, OpenFlags: 1, Dev: 0x803, Ino: uint64(1000 + len(path))}
	payload := func() []byte {
		n := g.rng.IntN(80)
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcdefghij klmnop\n"[g.rng.IntN(18)]
		}
		return b
	}
	switch {
	case r < 400:
		ev := g.next(typeReadX)
		data := payload()
		ev.Params = [][]byte{le64(int64(len(data))), data, le64(fdnum), le32(4096)}
		ev.FD = file
		return ev
	case r < 650:
		ev := g.next(typeWriteX)
		data := payload()
		ev.Params = [][]byte{le64(int64(len(data))), data, le64(fdnum), le32(uint32(len(data)))}
		ev.FD = file
		return ev
	case r < 800:
		ev := g.next(typeCloseX)
		ev.Params = [][]byte{le64(0), le64(fdnum)}
		ev.FD = file
		return ev
	case r < 950:
		ev := g.next(typeOpenatX)
		ev.Params = [][]byte{le64(fdnum), le64(-100), append([]byte(path), 0), le32(1), le32(0), le32(0x803), le64(int64(1000 + len(path)))}
		ev.FD = file
		return ev
	case r < 970:
		ev := g.next(typeExecveX)
		ev.Params = make([][]byte, 31)
		ev.Params[0] = le64(0)
		ev.Params[1] = []byte("/usr/bin/curl\x00")
		ev.Params[2] = []byte("-s\x00http://example.com/\x00")
		for i := 3; i < 31; i++ {
			ev.Params[i] = le64(int64(i))
		}
		return ev
	case r < 985:
		ev := g.next(typeConnectX)
		tuple := g.tuple(false)
		ev.Params = [][]byte{le64(0), tuple, le64(fdnum), tuple[:7]}
		ev.FD = event.FD{Num: fdnum, Type: event.FDIPv4Sock, Role: event.RoleClient, Name: "10.0.0.5:40000->93.184.216.34:80",
			Tuple: event.Tuple{L4: event.L4TCP, SIP: netip.MustParseAddr("10.0.0.5"), SPort: 40000, DIP: netip.MustParseAddr("93.184.216.34"), DPort: 80}}
		return ev
	default:
		ev := g.next(typeAcceptX)
		ev.Params = [][]byte{le64(fdnum), g.tuple(true), {0}, le32(0), le32(128)}
		ev.FD = event.FD{Num: fdnum, Type: event.FDIPv4Sock, Role: event.RoleServer, Name: "192.168.1.9:51234->10.0.0.5:22",
			Tuple: event.Tuple{L4: event.L4TCP, SIP: netip.MustParseAddr("192.168.1.9"), SPort: uint16(50000 + g.rng.IntN(1000)), DIP: netip.MustParseAddr("10.0.0.5"), DPort: 22}}
		return ev
	}
}

func (g *Gen) tuple(inbound bool) []byte {
	b := []byte{2, 10, 0, 0, 5}
	b = binary.LittleEndian.AppendUint16(b, uint16(40000+g.rng.IntN(1000)))
	b = append(b, 93, 184, 216, 34)
	return binary.LittleEndian.AppendUint16(b, 80)
}

// AllParamTypes lists every parameter type, for random events that cover
// them all.
var AllParamTypes = []event.ParamType{
	event.PTInt8, event.PTInt16, event.PTInt32, event.PTInt64, event.PTUint8, event.PTUint16,
	event.PTUint32, event.PTUint64, event.PTCharBuf, event.PTByteBuf, event.PTErrno,
	event.PTSockAddr, event.PTSockTuple, event.PTFD, event.PTPID, event.PTFDList, event.PTFSPath,
	event.PTSyscallID, event.PTSigType, event.PTRelTime, event.PTAbsTime, event.PTPort,
	event.PTL4Proto, event.PTSockFamily, event.PTBool, event.PTIPv4Addr, event.PTDyn,
	event.PTFlags8, event.PTFlags16, event.PTFlags32, event.PTUID, event.PTGID, event.PTDouble,
	event.PTSigSet, event.PTIPv6Addr, event.PTIPAddr, event.PTIPNet, event.PTMode,
	event.PTFSRelPath, event.PTEnumFlags8, event.PTEnumFlags16, event.PTEnumFlags32,
	event.PTFD32, event.PTPID32,
}

// Value returns a random encoded value of type pt; sometimes empty (<NA>).
func (g *Gen) Value(pt event.ParamType) []byte {
	if g.rng.IntN(20) == 0 {
		return nil
	}
	if n := pt.FixedSize(); n > 0 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(g.rng.Uint32())
		}
		// Extremes matter for integer encodings.
		switch g.rng.IntN(6) {
		case 0:
			clear(b)
		case 1:
			for i := range b {
				b[i] = 0xFF
			}
		}
		return b
	}
	switch pt {
	case event.PTSockAddr:
		return []byte{2, 127, 0, 0, 1, 0x50, 0}
	case event.PTSockTuple:
		return g.tuple(false)
	case event.PTFDList:
		return []byte{1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0}
	case event.PTDyn:
		return append([]byte{0}, le64(g.rng.Int64())...)
	case event.PTIPAddr, event.PTIPNet:
		if g.rng.IntN(2) == 0 {
			return []byte{10, 1, 2, 3}
		}
		return netip.MustParseAddr("fe80::1").AsSlice()
	}
	n := g.rng.IntN(300)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	if pt == event.PTCharBuf || pt == event.PTFSPath || pt == event.PTFSRelPath {
		b = append(b, 0)
	}
	return b
}

// Mixed returns n events, Realistic and Random in turn.
func (g *Gen) Mixed(n int) []*event.Event {
	evs := make([]*event.Event, n)
	for i := range evs {
		if i%2 == 0 {
			evs[i] = g.Realistic()
		} else {
			evs[i] = g.Random()
		}
	}
	return evs
}

// Random returns an event of a random type (some beyond the event table)
// with random parameters of random types, a random fd enrichment and
// sometimes a process key.
func (g *Gen) Random() *event.Event {
	t := event.Type(g.rng.IntN(470))
	ev := g.next(t)
	ev.CPU = uint16(g.rng.IntN(256))
	ev.Tid = g.rng.Int64N(1<<40) - 1<<20
	ev.Flags = event.Flags(g.rng.IntN(2))
	ev.Proc = event.ProcKey(g.rng.Uint64N(1 << 40))
	// Parameter counts vary within a type, as in recovered v1 scap events.
	n := g.rng.IntN(12)
	for i := 0; i < n; i++ {
		ev.Params = append(ev.Params, g.Value(AllParamTypes[g.rng.IntN(len(AllParamTypes))]))
	}
	if n > 0 && g.rng.IntN(4) == 0 {
		ev.Merged = uint8(g.rng.IntN(n + 1))
	}
	if g.rng.IntN(3) > 0 {
		ev.FD = event.FD{Num: g.rng.Int64N(1 << 20), Type: event.FDType(g.rng.IntN(22)), Role: event.FDRole(g.rng.IntN(3)),
			Name: g.paths[g.rng.IntN(len(g.paths))], OpenFlags: g.rng.Uint32(), Dev: g.rng.Uint32(), Ino: g.rng.Uint64()}
		if g.rng.IntN(2) == 0 {
			ev.FD.Tuple = event.Tuple{L4: event.L4UDP, SIP: netip.MustParseAddr("::1"), DIP: netip.MustParseAddr("10.9.8.7"),
				SPort: uint16(g.rng.Uint32()), DPort: 53, SrcPtr: g.rng.Uint64(), DstPtr: g.rng.Uint64()}
		}
	}
	return ev
}

// EveryType returns one event per parameter type in the list, each with
// one parameter of that type (and the type's value in all of its forms
// over calls).
func (g *Gen) EveryType() []*event.Event {
	var out []*event.Event
	for i, pt := range AllParamTypes {
		ev := g.next(event.Type(1000 + i))
		ev.Params = [][]byte{g.Value(pt)}
		out = append(out, ev)
	}
	return out
}
