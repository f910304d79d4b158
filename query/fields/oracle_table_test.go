package fields

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"forensics/event"
	"forensics/internal/scaptest"
	"forensics/scap"
)

// Synthetic oracles: captures written for the purpose, so that sysdig
// 0.29.3 shows how it classifies every event type it knows (facts29.go),
// names every system call of a generic event, and renders return values
// the corpus lacks.

// synthParam is a plausible value of a parameter: zero for fixed-size
// types except fds (fd), a short path for strings, two bytes for
// buffers, nothing for the rest.
func synthParam(p event.ParamInfo, fd int64) []byte {
	if n := p.Type.FixedSize(); n > 0 {
		b := make([]byte, n)
		if p.Type == event.PTFD || p.Type == event.PTFD32 {
			for i := 0; i < n; i++ {
				b[i] = byte(uint64(fd) >> (8 * i))
			}
		}
		return b
	}
	switch p.Type {
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
		return []byte("/x\x00")
	case event.PTByteBuf:
		return []byte("ab")
	}
	return nil
}

func synthEvent(ty event.Type, tid int64, ts uint64, fd int64) *scap.Event {
	ev := &scap.Event{Ts: ts, Tid: tid, CPU: 1, Type: ty}
	if info := event.Lookup(ty); info != nil {
		for _, p := range info.Params {
			ev.Params = append(ev.Params, synthParam(p, fd))
		}
	}
	return ev
}

func synthThread(tid int64, comm string) scap.Thread {
	th := scap.NewThread()
	th.Tid, th.Pid, th.PTid, th.Comm, th.Exe, th.Cwd = tid, tid, 1, comm, comm, "/"
	return th
}

// writeSynth writes a capture of one section and the events.
func writeSynth(t *testing.T, name string, sec *scap.Section, evs []*scap.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := scap.NewWriter(f, scap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSection(sec); err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// synthSkip are the types left out of the type captures: meta events
// whose synthetic parameters sysdig cannot parse (it aborts on the empty
// k8s or container JSON) and bpf, whose exit layout sysdig 0.29.3 reads
// differently and crashes on.
var synthSkip = map[string]bool{"k8s": true, "mesos": true, "container": true, "bpf": true, "pluginevent": true}

var classFields = []string{"evt.type", "evt.dir", "evt.category", "evt.is_io", "evt.is_io_read", "evt.is_io_write",
	"evt.io_dir", "evt.is_wait", "evt.res", "evt.rawres", "evt.failed", "evt.count.exit", "evt.count.error",
	"evt.buflen", "fd.num", "fd.typechar", "fd.type"}

// TestOracleEventTable: for every event type sysdig 0.29.3 knows, an
// enter and exit pair on a thread of its own, once with the fd the
// parameters name unknown and once with it a file of the thread's fd
// table; every generic-event system call code; and return values and
// fds the corpus lacks.
func TestOracleEventTable(t *testing.T) {
	sysdig := scaptest.Sysdig(t)
	ts := uint64(1_600_000_000_000_000_000)
	for _, withFD := range []bool{false, true} {
		sec := &scap.Section{}
		var evs []*scap.Event
		for ty := event.Type(0); ty < maxType29; ty += 2 {
			if synthSkip[facts29[ty].name] {
				continue
			}
			tid := 10000 + int64(ty)
			sec.Threads = append(sec.Threads, synthThread(tid, "t"+facts29[ty].name))
			if withFD {
				sec.FDs = append(sec.FDs, scap.FDList{Tid: tid, FDs: []scap.FD{{Num: 7, Type: scap.FDFile, Name: "/f"}}})
			}
			ts += 1000
			evs = append(evs, synthEvent(ty, tid, ts, 7))
			ts += 1000
			evs = append(evs, synthEvent(ty+1, tid, ts, 7))
		}
		name := "types.scap"
		if withFD {
			name = "types-fd.scap"
		}
		runSynthOracle(t, sysdig, writeSynth(t, name, sec, evs), classFields)
	}

	// Generic events: the system call is the ID parameter.
	sec := &scap.Section{Threads: []scap.Thread{synthThread(100, "gen")}}
	var evs []*scap.Event
	for id := 0; id < len(syscalls29); id++ {
		ts += 1000
		evs = append(evs, &scap.Event{Ts: ts, Tid: 100, Type: 1, Params: [][]byte{binary.LittleEndian.AppendUint16(nil, uint16(id))}})
	}
	runSynthOracle(t, sysdig, writeSynth(t, "generic.scap", sec, evs), []string{"evt.type", "evt.category", "evt.dir"})

	// Return values: errors with and without a name, as ERRNO, FD, PID
	// and hex UINT64 results; and writes to /dev/log.
	sec = &scap.Section{Threads: []scap.Thread{synthThread(200, "res"), synthThread(300, "logger")},
		FDs: []scap.FDList{{Tid: 200, FDs: []scap.FD{{Num: 3, Type: scap.FDFile, Name: "/data"}}},
			{Tid: 300, FDs: []scap.FD{{Num: 7, Type: scap.FDUnixSock, Name: "/dev/log"}}}}}
	evs = nil
	add := func(ty event.Type, tid int64, params ...[]byte) {
		ts += 1000
		evs = append(evs, &scap.Event{Ts: ts, Tid: tid, CPU: 2, Type: ty, Params: params})
	}
	i64 := func(v int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	for _, v := range []int64{-2, -999, 5, 0, -115, -512, -4096} {
		add(6, 200, i64(3), u32(10)) // read fd=3
		add(7, 200, i64(v), []byte("ab"))
		add(10, 200, u32(0)) // brk: res is UINT64 printed in hex
		add(11, 200, i64(v))
		add(2, 200, []byte("rel/a\x00"), u32(0), u32(0)) // open: the fd is the result
		add(3, 200, i64(v), []byte("rel/a\x00"), u32(0), u32(0), u32(0))
		add(90, 200, i64(3), i64(0)) // ioctl
		add(91, 200, i64(v))
		clone := synthEvent(223, 200, 0, 7)
		clone.Params[0] = i64(v)
		for k, p := range event.Lookup(223).Params {
			switch p.Name {
			case "tid", "pid", "vtid", "vpid":
				clone.Params[k] = i64(200)
			case "ptid":
				clone.Params[k] = i64(1)
			case "cwd":
				clone.Params[k] = []byte("/\x00")
			case "exe", "comm":
				clone.Params[k] = []byte("res\x00")
			}
		}
		add(222, 200)
		add(223, 200, clone.Params...)
		add(8, 300, i64(7), u32(2)) // write to /dev/log
		add(9, 300, i64(2), []byte("hi"))
		add(30, 300, i64(7), u32(2), nil) // sendto
		add(31, 300, i64(2), []byte("hi"))
		add(114, 300, i64(7), u32(2), i64(0)) // pwrite
		add(115, 300, i64(2), []byte("hi"))
		add(6, 300, i64(7), u32(2)) // read and fstat on it
		add(7, 300, i64(2), []byte("hi"))
		add(70, 300, i64(7))
		add(71, 300, i64(0))
	}
	runSynthOracle(t, sysdig, writeSynth(t, "res.scap", sec, evs),
		[]string{"evt.res", "evt.rawres", "evt.failed", "evt.count.error", "fd.num", "fd.name", "evt.buflen",
			"evt.is_syslog", "evt.category", "fd.typechar"})
}

// runSynthOracle imports a synthetic capture and compares fields with
// sysdig on it.
func runSynthOracle(t *testing.T, sysdig, path string, fields []string) {
	t.Run(filepath.Base(path), func(t *testing.T) {
		o := loadOracleFile(t, path)
		o.synthetic = true
		stats := map[string]*fieldStats{}
		compareFields(t, o, sysdig, [][]string{fields}, stats)
		for _, name := range fields {
			st := stats[name]
			if st == nil {
				t.Errorf("%s: sysdig printed nothing", name)
				continue
			}
			if st.differ > 0 {
				t.Errorf("%s: %d of %d events differ; first: %s", name, st.differ, st.match+st.documented+st.differ, st.firstDiff)
			}
			for r, n := range st.reasons {
				t.Logf("%s: %d documented: %s", name, n, r)
			}
		}
	})
}
