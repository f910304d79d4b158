package recorder

import (
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"forensics/event"
	"forensics/format"
	"forensics/internal/testenv"
	"forensics/render"
	"forensics/state"
)

func TestSyscallTable(t *testing.T) {
	nrs, names := map[uint16]string{}, map[string]bool{}
	for _, d := range syscallDefs {
		if _, err := compile(d.sysDef); err != nil {
			t.Error(err)
		}
		if o, dup := nrs[d.nr]; dup {
			t.Errorf("%s and %s share syscall number %d", d.name, o, d.nr)
		}
		if names[d.name] {
			t.Errorf("%s listed twice", d.name)
		}
		nrs[d.nr], names[d.name] = d.name, true
		if d.nr >= maxNR {
			t.Errorf("%s: number %d beyond the eBPF table", d.name, d.nr)
		}
	}
	for _, set := range []string{"default", "all", "openat,connect"} {
		if _, err := selectSyscalls(set); err != nil {
			t.Errorf("%s: %v", set, err)
		}
	}
	if _, err := selectSyscalls("openat,nosuchcall"); err == nil {
		t.Error("an unknown syscall was accepted")
	}
}

// TestDefaultCoversFalcoRules checks that the default set captures every
// syscall event type the official Falco rules name in evt.type.
func TestDefaultCoversFalcoRules(t *testing.T) {
	dir := testenv.Shared(t, "corpus/rules")
	files, _ := filepath.Glob(filepath.Join(dir, "falco*_rules.yaml"))
	if len(files) == 0 {
		testenv.Missing(t, "no Falco rules files in %s", dir)
	}
	def := map[string]bool{"procexit": true}
	for _, n := range SyscallNames(true) {
		def[n] = true
	}
	re := regexp.MustCompile(`evt\.type\s*(?:=|in)\s*\(?([a-z0-9_, ]+)`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			for _, name := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' }) {
				if exitLayout(name) == nil || name == "switch" {
					continue // a list or macro name, or a meta event
				}
				if !def[name] {
					t.Errorf("%s: evt.type %s is not in the default set", filepath.Base(f), name)
				}
			}
		}
	}
}

// rawRecord builds a record as record.bpf.c writes it.
type rawRecord struct {
	kind, nr uint16
	tid, pid uint32
	ret      int64
	args     [6]uint64
	chunks   []chunk
}

func (r rawRecord) bytes() []byte {
	b := make([]byte, hdrSize)
	le := binary.LittleEndian
	le.PutUint64(b, 1_000_000_000)
	le.PutUint32(b[8:], r.tid)
	le.PutUint32(b[12:], r.pid)
	le.PutUint16(b[16:], r.kind)
	le.PutUint16(b[18:], r.nr)
	le.PutUint64(b[24:], uint64(r.ret))
	for i, a := range r.args {
		le.PutUint64(b[32+8*i:], a)
	}
	for _, c := range r.chunks {
		b = append(b, c.id, c.aux)
		b = le.AppendUint16(b, uint16(len(c.data)))
		b = append(b, c.data...)
	}
	le.PutUint16(b[22:], uint16(len(b)))
	return b
}

func cstring(s string) []byte { return append([]byte(s), 0) }

func fileInfo(dev uint32, ino uint64, created bool) []byte {
	b := make([]byte, 24)
	binary.LittleEndian.PutUint32(b, dev)
	if created {
		binary.LittleEndian.PutUint32(b[4:], fmodeCreated)
	}
	binary.LittleEndian.PutUint64(b[8:], ino)
	return b
}

func tupleInfo(family uint16, s [4]byte, sport uint16, d [4]byte, dport uint16) []byte {
	b := make([]byte, 56)
	le := binary.LittleEndian
	le.PutUint16(b, family)
	le.PutUint16(b[4:], sport)
	le.PutUint16(b[6:], dport)
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	return b
}

func sockaddrIn(a [4]byte, port uint16) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint16(b, 2)
	binary.BigEndian.PutUint16(b[2:], port)
	copy(b[4:], a[:])
	return b
}

func TestDecode(t *testing.T) {
	specs, err := selectSyscalls("all")
	if err != nil {
		t.Fatal(err)
	}
	lo := [4]byte{127, 0, 0, 1}
	tests := []struct {
		name string
		rec  rawRecord
		want string // evt.type and the rendered arguments
	}{
		{"openat created", rawRecord{kind: kindSyscall, nr: 257, ret: 3,
			args:   [6]uint64{0xffffff9c, 0, 0o2000000 | 0o100 | 1, 0o644},
			chunks: []chunk{{id: 1, data: cstring("/etc/x")}, {id: chFile, data: fileInfo(0xfe00, 42, true)}}},
			"openat fd=3(<f>/etc/x) dirfd=-100(AT_FDCWD) name=/etc/x flags=20486(O_CREAT|O_WRONLY|O_CLOEXEC|O_F_CREATED) mode=0644 dev=FE00 ino=42"},
		{"read", rawRecord{kind: kindSyscall, nr: 0, ret: 5, args: [6]uint64{7, 0, 100},
			chunks: []chunk{{id: 1, data: []byte("hello")}}},
			"read res=5 data=hello fd=7 size=100"},
		{"connect", rawRecord{kind: kindSyscall, nr: 42, ret: 0, args: [6]uint64{3, 0, 16},
			chunks: []chunk{{id: 1, data: sockaddrIn(lo, 8080)}, {id: chTuple, data: tupleInfo(2, lo, 40000, lo, 8080)}}},
			"connect res=0 tuple=127.0.0.1:40000->127.0.0.1:8080 fd=3 addr=127.0.0.1:8080"},
		{"accept4", rawRecord{kind: kindSyscall, nr: 288, ret: 5, args: [6]uint64{3, 0, 0, 0x80000},
			chunks: []chunk{{id: chTuple, data: tupleInfo(2, lo, 8080, lo, 40000)}}},
			"accept4 fd=5(<4t>127.0.0.1:40000->127.0.0.1:8080) tuple=127.0.0.1:40000->127.0.0.1:8080 queuepct=0 queuelen=0 queuemax=0 flags=80000"},
		{"sendto unconnected udp", rawRecord{kind: kindSyscall, nr: 44, ret: 5, args: [6]uint64{4, 0, 5, 0, 0, 16},
			chunks: []chunk{{id: 1, data: []byte("query")}, {id: 4, data: sockaddrIn([4]byte{8, 8, 8, 8}, 53)},
				{id: chTuple, data: tupleInfo(2, [4]byte{}, 0, [4]byte{}, 0)}}},
			"sendto res=5 data=query fd=4 size=5 tuple=0.0.0.0:0->8.8.8.8:53"},
		{"failed unlink", rawRecord{kind: kindSyscall, nr: 87, ret: -2, chunks: []chunk{{id: 0, data: cstring("/nope")}}},
			"unlink res=-2(ENOENT) path=/nope"},
		{"kill", rawRecord{kind: kindSyscall, nr: 62, ret: 0, args: [6]uint64{1234, 9}},
			"kill res=0 pid=1234 sig=9(SIGKILL)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDecoder(specs, state.New(0), 0)
			ev, ok, err := d.decode(tt.rec.bytes())
			if err != nil || !ok {
				t.Fatalf("decode: %v, %v", ok, err)
			}
			d.machine.Process(ev)
			if info := ev.Info(); info == nil || len(ev.Params) != len(info.Params) {
				t.Fatalf("%d params for layout %+v", len(ev.Params), info)
			}
			got := strings.TrimSpace(ev.Type.String() + " " + string(render.AppendArgs(nil, ev, nil)))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDecodeExecAndExit(t *testing.T) {
	specs, _ := selectSyscalls("default")
	m := state.New(0)
	m.AddThread(event.Process{Tid: 100, Pid: 100, PTid: 1, Comm: "bash", Exe: "bash", Cwd: "/root"})
	d := newDecoder(specs, m, 0)
	task := make([]byte, taskInfoSize)
	binary.LittleEndian.PutUint64(task, 1) // ptid
	copy(task[128:], "cat")
	cg := []chunk{{id: chCgroup, aux: 11<<4 | 0, data: cstring("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")},
		{id: chCgroup, aux: 11<<4 | 1, data: cstring("docker")}, {id: chCgroup, aux: 11<<4 | 0xf}}
	recs := []rawRecord{
		{kind: kindExec, tid: 100, pid: 100, chunks: []chunk{{id: chFilename, data: cstring("/usr/bin/cat")}}},
		{kind: kindSyscall, nr: 59, tid: 100, pid: 100, chunks: append([]chunk{{id: chTask, data: task},
			{id: chArgs, data: []byte("cat\x00/etc/shadow\x00")}}, cg...)},
		{kind: kindExit, tid: 100, pid: 100},
	}
	var evs []string
	for _, r := range recs {
		ev, ok, err := d.decode(r.bytes())
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		m.Process(ev)
		evs = append(evs, ev.Type.String())
		if ev.Type.String() == "execve" {
			p, _ := m.Thread(100)
			if p.Comm != "cat" || p.ExePath != "/usr/bin/cat" || strings.Join(p.Args, " ") != "/etc/shadow" ||
				p.Container != "0123456789ab" || p.Cwd != "/root" {
				t.Errorf("after execve: %+v", p)
			}
		}
	}
	if strings.Join(evs, " ") != "execve procexit" {
		t.Errorf("events %q", evs)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(rawRecord{kind: kindSyscall, nr: 257, ret: 3, chunks: []chunk{{id: 1, data: cstring("/x")}}}.bytes())
	f.Add(rawRecord{kind: kindSyscall, nr: 59, chunks: []chunk{{id: chTask, data: make([]byte, taskInfoSize)},
		{id: chCgroup, aux: 0xf}}}.bytes())
	f.Add(rawRecord{kind: kindSyscall, nr: 42, chunks: []chunk{{id: chTuple, data: make([]byte, 56)}}}.bytes())
	f.Add(rawRecord{kind: kindExit}.bytes())
	specs, _ := selectSyscalls("all")
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := state.New(0)
		d := newDecoder(specs, m, 0)
		if ev, ok, err := d.decode(raw); err == nil && ok {
			m.Process(ev)
			render.AppendArgs(nil, ev, nil)
		}
	})
}

// BenchmarkHandle is the userspace cost of one captured read: decode, the
// state machine, the capture writer.
func BenchmarkHandle(b *testing.B) {
	specs, _ := selectSyscalls("default")
	m := state.New(0)
	m.AddThread(event.Process{Tid: 100, Pid: 100, Comm: "bench"})
	m.AddFD(100, event.FD{Num: 7, Type: event.FDFile, Name: "/tmp/data"})
	w, err := format.NewWriter(io.Discard, "bench", format.Header{}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	r := &Recorder{machine: m, dec: newDecoder(specs, m, 0), sw: nil}
	raw := rawRecord{kind: kindSyscall, nr: 0, tid: 100, pid: 100, ret: 80, args: [6]uint64{7, 0, 4096},
		chunks: []chunk{{id: 1, data: make([]byte, 80)}}}.bytes()
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		ev, _, _ := r.dec.decode(raw)
		m.Process(ev)
		m.Changed(func(*event.Process) {})
		if err := w.Write(ev); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPruneTables(t *testing.T) {
	tb := liveTables(&event.Snapshot{Processes: []event.Process{
		{Key: 1, Tid: 10, ExitTs: 100}, {Key: 2, Tid: 10, StartTs: 100}, {Key: 3, Tid: 11, ExitTs: 500}}})
	pruneTables(tb, 200)
	if _, ok := tb.Procs[1]; ok || len(tb.ByTid[10]) != 1 || tb.Procs[2] == nil || tb.Procs[3] == nil {
		t.Errorf("after pruning: %v %v", tb.Procs, tb.ByTid)
	}
}
