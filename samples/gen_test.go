package samples

import (
	"bytes"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"forensics/event"
	"forensics/format"
	"forensics/index"
)

var update = flag.Bool("update", false, "regenerate "+IncidentName+" with the generator instead of checking it")

// TestGenerateIncident runs the generator and checks that the committed
// incident.zst is what it writes, byte for byte; with -update it replaces
// incident.zst instead.
func TestGenerateIncident(t *testing.T) {
	path := filepath.Join(t.TempDir(), IncidentName)
	end := IncidentFacts().End
	// The writer stamps the footer with the wall clock when it closes the
	// file. In a synctest bubble the clock is fake and moves only when
	// told: moved to the end of the story, it reads the same every time.
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(end))
		if now := time.Now(); !now.Equal(end) {
			t.Fatalf("fake clock at %v, want %v", now, end)
		}
		if err := generateIncident(path); err != nil {
			t.Fatal(err)
		}
	})
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(IncidentName, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d bytes", IncidentName, len(got))
		return
	}
	want, err := os.ReadFile(IncidentName)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		at := 0
		for at < min(len(got), len(want)) && got[at] == want[at] {
			at++
		}
		t.Fatalf("the generator writes %d bytes that differ from the %d of %s from offset %d on; "+
			"after changing the generator, run: go test ./samples -run TestGenerateIncident -update",
			len(got), len(want), IncidentName, at)
	}
}

// TestIncidentReads reads the embedded capture and checks it against the
// facts: the header, the snapshot, the process table, the consistency of
// every event and the key events of the attack.
func TestIncidentReads(t *testing.T) {
	data := Incident()
	f, err := format.NewFile(bytes.NewReader(data), int64(len(data)), IncidentName)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	facts := IncidentFacts()
	checkHeader(t, f, &facts)
	checkSnapshot(t, f.Snapshot, &facts)
	procs := checkProcesses(t, f.Processes(), &facts)
	checkEvents(t, f, procs, &facts)
}

func checkHeader(t *testing.T, f *format.File, facts *Facts) {
	t.Helper()
	if !f.Complete || len(f.Problems) > 0 {
		t.Fatalf("complete %v, problems %v", f.Complete, f.Problems)
	}
	h := f.Header
	host := h.Host
	if host.Hostname != facts.Hostname || host.Kernel != facts.Kernel || host.Arch != facts.Arch ||
		host.CPUs != facts.CPUs || host.OS != facts.OS {
		t.Errorf("host %+v, want %s, %s, %s, %d CPUs", host, facts.Hostname, facts.Kernel, facts.Arch, facts.CPUs)
	}
	if h.SetID != "sample" || h.Seq != 1 || h.Source != "synthetic" || h.Writer != "forensics samples generator" || h.Snaplen != snaplen {
		t.Errorf("header %+v", h)
	}
	if h.StartTs != uint64(facts.Start.UnixNano()) || f.EndTs != uint64(facts.End.UnixNano()) {
		t.Errorf("file from %d to %d, want %v to %v", h.StartTs, f.EndTs, facts.Start, facts.End)
	}
	if f.Events() <= 2000 || len(f.Index.Blocks) < 4 {
		t.Errorf("%d events in %d blocks, want more than 2000 in several blocks", f.Events(), len(f.Index.Blocks))
	}
	first, last := f.Index.Span()
	if first < h.StartTs || last >= f.EndTs || last-first < uint64(55*time.Second) {
		t.Errorf("events from %d to %d, outside the file's span or not about a minute", first, last)
	}
}

func checkSnapshot(t *testing.T, snap *event.Snapshot, facts *Facts) {
	t.Helper()
	if snap == nil {
		t.Fatal("no snapshot")
	}
	byPid := map[int64]event.Process{}
	for _, p := range snap.Processes {
		byPid[p.Pid] = p
	}
	for pid, comm := range map[int64]string{1: "systemd", facts.SSHD.Pid: "sshd", 1020: "nginx", 1150: "postgres", 640: "cron"} {
		if byPid[pid].Comm != comm {
			t.Errorf("snapshot: pid %d is %q, want %s", pid, byPid[pid].Comm, comm)
		}
	}
	var sshdFDs []event.FD
	for _, pf := range snap.FDs {
		if pf.Proc == byPid[facts.SSHD.Pid].Key {
			sshdFDs = pf.FDs
		}
	}
	if !slices.ContainsFunc(sshdFDs, func(fd event.FD) bool {
		return fd.Type == event.FDIPv4Server && fd.Name == "0.0.0.0:22" && fd.Tuple.DPort == 22
	}) {
		t.Errorf("snapshot: sshd's fds %+v lack the listener on port 22", sshdFDs)
	}
	users := map[string]uint32{}
	for _, u := range snap.Users {
		users[u.Name] = u.UID
	}
	for name, uid := range map[string]uint32{"root": 0, "www-data": 33, facts.User: facts.UserUID} {
		if got, ok := users[name]; !ok || got != uid {
			t.Errorf("snapshot: user %s is %d (%v), want %d", name, got, ok, uid)
		}
	}
	if len(snap.Groups) == 0 {
		t.Error("snapshot: no groups")
	}
}

// checkProcesses checks that the process table holds every process of the
// story and returns the table by key.
func checkProcesses(t *testing.T, table []event.Process, facts *Facts) map[event.ProcKey]*event.Process {
	t.Helper()
	byKey := map[event.ProcKey]*event.Process{}
	for i := range table {
		byKey[table[i].Key] = &table[i]
	}
	find := func(want Proc) *event.Process {
		for i := range table {
			if p := &table[i]; p.Pid == want.Pid && p.ExePath == want.ExePath && p.Comm == want.Comm {
				return p
			}
		}
		t.Errorf("no incarnation of %s (pid %d, %s) in the process table", want.Comm, want.Pid, want.ExePath)
		return nil
	}
	story := []struct {
		want   Proc
		exited bool
	}{
		{facts.Shell, false}, {facts.Sudo, false}, {facts.RootShell, false}, {facts.Cat, true},
		{facts.Curl, true}, {facts.Tar, true}, {facts.Chmod, true}, {facts.Payload, true},
	}
	for _, s := range story {
		p := find(s.want)
		if p == nil {
			continue
		}
		w := s.want
		if p.Tid != w.Pid || p.PTid != w.PPid || p.Exe != w.Exe || !slices.Equal(p.Args, w.Args) || p.Cwd != w.Cwd ||
			p.UID != w.UID || p.GID != w.GID || p.LoginUID != w.LoginUID || p.TTY != facts.TTY {
			t.Errorf("%s: process record %+v, want %+v on tty %d", w.Comm, *p, w, facts.TTY)
		}
		if parent := byKey[p.ParentKey]; parent == nil || parent.Pid != w.PPid {
			t.Errorf("%s: parent incarnation %d is %+v, want pid %d", w.Comm, p.ParentKey, parent, w.PPid)
		}
		if p.StartTs < uint64(facts.Start.UnixNano()) || (p.ExitTs != 0) != s.exited {
			t.Errorf("%s: started at %d, exit time %d", w.Comm, p.StartTs, p.ExitTs)
		}
	}
	if sshd := find(facts.SSHD); sshd != nil && (sshd.StartTs != 0 || sshd.LoginUID != NoLoginUID) {
		t.Errorf("sshd: %+v, want a process that predates the capture", *sshd)
	}
	return byKey
}

// keyEvent is an event of the attack that the capture must hold.
type keyEvent struct {
	what  string
	match func(ev *event.Event, p *event.Process) bool
	check func(t *testing.T, ev *event.Event, p *event.Process)
	seen  int
}

func keyEvents(facts *Facts) []*keyEvent {
	is := func(ev *event.Event, name string) bool { return ev.Type.String() == name }
	fdIs := func(t *testing.T, ev *event.Event, want event.FD) {
		t.Helper()
		if ev.FD != want {
			t.Errorf("%s event %d: fd %+v, want %+v", ev.Type, ev.Num, ev.FD, want)
		}
	}
	procIs := func(t *testing.T, ev *event.Event, p *event.Process, want Proc) {
		t.Helper()
		if p.Pid != want.Pid || p.Comm != want.Comm {
			t.Errorf("%s event %d: by %s[%d], want %s[%d]", ev.Type, ev.Num, p.Comm, p.Pid, want.Comm, want.Pid)
		}
	}
	file := func(num int64, name string, flags uint32) event.FD {
		return event.FD{Num: num, Type: event.FDFile, Name: name, OpenFlags: flags, Dev: devOf(name), Ino: inodeOf(name)}
	}
	conn := func(num int64, role event.FDRole, client, server netip.AddrPort, name string) event.FD {
		return event.FD{Num: num, Type: event.FDIPv4Sock, Role: role, Name: name, Tuple: tcpTuple(client, server)}
	}
	return []*keyEvent{{
		what:  "sshd accepting the attacker's connection",
		match: func(ev *event.Event, _ *event.Process) bool { return is(ev, "accept") && ev.FD.Name == facts.SSHConn },
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.SSHD)
			fdIs(t, ev, conn(4, event.RoleServer, facts.SSHClient, facts.SSHServer, facts.SSHConn))
			if !bytes.Equal(ev.ParamByName("tuple"), pTuple(facts.SSHClient, facts.SSHServer)) {
				t.Errorf("accept tuple %x", ev.ParamByName("tuple"))
			}
		},
	}, {
		what:  "the execve of deploy's login shell",
		match: func(ev *event.Event, p *event.Process) bool { return is(ev, "execve") && p.Pid == facts.Shell.Pid },
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Shell)
			if string(ev.ParamByName("filename")) != "/bin/bash\x00" || string(ev.ParamByName("exe")) != "-bash\x00" {
				t.Errorf("execve of %q as %q", ev.ParamByName("filename"), ev.ParamByName("exe"))
			}
			if v, _ := event.Int(ev.ParamByName("loginuid"), false); v != int64(facts.UserUID) {
				t.Errorf("loginuid %d", v)
			}
			if v, _ := event.Int(ev.ParamByName("tty"), false); v != int64(facts.TTY) {
				t.Errorf("tty %d", v)
			}
		},
	}, {
		what: "cat reading /etc/shadow",
		match: func(ev *event.Event, _ *event.Process) bool {
			n, _ := event.Int(ev.ParamByName("res"), true)
			return is(ev, "read") && ev.FD.Name == facts.ShadowFile && n > 0
		},
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Cat)
			fdIs(t, ev, file(3, facts.ShadowFile, oRDONLY))
			n, _ := event.Int(ev.ParamByName("res"), true)
			data := ev.ParamByName("data")
			if n != 1024 || len(data) != snaplen || !bytes.HasPrefix(data, []byte("root:$6$FAKE")) {
				t.Errorf("read %d bytes: %q", n, data)
			}
		},
	}, {
		what: "curl connecting to the kit's server",
		match: func(ev *event.Event, _ *event.Process) bool {
			return is(ev, "connect") && ev.FD.Tuple.DIP == facts.RemoteIP && ev.FD.Tuple.DPort == 80
		},
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Curl)
			fdIs(t, ev, conn(5, event.RoleClient, facts.DownloadLocal, facts.DownloadServer, facts.DownloadConn))
			if !bytes.Equal(ev.ParamByName("addr"), pSockaddr(facts.DownloadServer)) {
				t.Errorf("connect addr %x", ev.ParamByName("addr"))
			}
		},
	}, {
		what: "curl creating the kit",
		match: func(ev *event.Event, _ *event.Process) bool {
			return is(ev, "openat") && ev.FD.Name == facts.KitFile && ev.FD.OpenFlags&oCREAT != 0
		},
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Curl)
			fdIs(t, ev, file(6, facts.KitFile, oWRONLY|oCREAT|oTRUNC))
		},
	}, {
		what: "tar creating the payload relative to its directory",
		match: func(ev *event.Event, _ *event.Process) bool {
			return is(ev, "openat") && ev.FD.Name == facts.PayloadFile
		},
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Tar)
			if string(ev.ParamByName("name")) != "payload\x00" {
				t.Errorf("openat name %q", ev.ParamByName("name"))
			}
		},
	}, {
		what:  "chmod 755 of the payload",
		match: func(ev *event.Event, _ *event.Process) bool { return is(ev, "chmod") },
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Chmod)
			mode, _ := event.Int(ev.ParamByName("mode"), false)
			if string(ev.ParamByName("filename")) != facts.PayloadFile+"\x00" || mode != 0o755 {
				t.Errorf("chmod %q %o", ev.ParamByName("filename"), mode)
			}
		},
	}, {
		what:  "the execve of the payload",
		match: func(ev *event.Event, p *event.Process) bool { return is(ev, "execve") && p.Pid == facts.Payload.Pid },
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Payload)
			if flags, _ := event.Int(ev.ParamByName("flags"), false); flags != int64(exeWritable) {
				t.Errorf("execve flags %d, want EXE_WRITABLE", flags)
			}
			if string(ev.ParamByName("trusted_exepath")) != facts.PayloadFile+"\x00" {
				t.Errorf("exepath %q", ev.ParamByName("trusted_exepath"))
			}
		},
	}, {
		what: "the payload writing below /usr/bin",
		match: func(ev *event.Event, _ *event.Process) bool {
			return is(ev, "write") && strings.HasPrefix(ev.FD.Name, "/usr/bin/")
		},
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Payload)
			fdIs(t, ev, file(3, facts.DroppedFile, oWRONLY|oCREAT))
		},
	}, {
		what:  "the payload writing its cron job",
		match: func(ev *event.Event, _ *event.Process) bool { return is(ev, "write") && ev.FD.Name == facts.CronFile },
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Payload)
			fdIs(t, ev, file(3, facts.CronFile, oWRONLY|oCREAT|oTRUNC))
			if !bytes.Contains(ev.ParamByName("data"), []byte(facts.DroppedFile)) {
				t.Errorf("cron job %q", ev.ParamByName("data"))
			}
		},
	}, {
		what: "the payload connecting to its C2",
		match: func(ev *event.Event, _ *event.Process) bool {
			return is(ev, "connect") && ev.FD.Tuple.DIP == facts.RemoteIP && ev.FD.Tuple.DPort == facts.C2Server.Port()
		},
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Payload)
			fdIs(t, ev, conn(3, event.RoleClient, facts.C2Local, facts.C2Server, facts.C2Conn))
		},
	}, {
		what:  "the payload sending data to its C2",
		match: func(ev *event.Event, _ *event.Process) bool { return is(ev, "write") && ev.FD.Name == facts.C2Conn },
		check: func(t *testing.T, ev *event.Event, p *event.Process) { procIs(t, ev, p, facts.Payload) },
	}, {
		what:  "the payload deleting the kit",
		match: func(ev *event.Event, _ *event.Process) bool { return is(ev, "unlinkat") },
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			procIs(t, ev, p, facts.Payload)
			dirfd, _ := event.Int(ev.ParamByName("dirfd"), true)
			if string(ev.ParamByName("name")) != facts.KitFile+"\x00" || dirfd != atFDCWD {
				t.Errorf("unlinkat %d %q", dirfd, ev.ParamByName("name"))
			}
		},
	}, {
		what:  "the payload exiting",
		match: func(ev *event.Event, p *event.Process) bool { return is(ev, "procexit") && p.Pid == facts.Payload.Pid },
		check: func(t *testing.T, ev *event.Event, p *event.Process) {
			if ev.Ts != p.ExitTs {
				t.Errorf("procexit at %d, process record exit at %d", ev.Ts, p.ExitTs)
			}
		},
	}}
}

// checkEvents reads every event: each must be consistent (numbering, time,
// process, parameter layout, fd enrichment), and the key events of the
// attack must be there.
func checkEvents(t *testing.T, f *format.File, procs map[event.ProcKey]*event.Process, facts *Facts) {
	t.Helper()
	it, err := f.Iter(index.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	keys := keyEvents(facts)
	start, end := uint64(facts.Start.UnixNano()), uint64(facts.End.UnixNano())
	var ev event.Event
	var n, lastTs uint64
	bad := 0
	for it.Next(&ev) {
		n++
		if bad > 10 {
			continue
		}
		p := procs[ev.Proc]
		if err := eventProblem(&ev, p, n, lastTs, start, end, facts.CPUs); err != "" {
			t.Errorf("event %d (%s by %d): %s", ev.Num, ev.Type, ev.Tid, err)
			bad++
			continue
		}
		lastTs = ev.Ts
		for _, k := range keys {
			if k.match(&ev, p) {
				k.seen++
				k.check(t, &ev, p)
			}
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if n != f.Events() {
		t.Errorf("read %d events, the index has %d", n, f.Events())
	}
	for _, k := range keys {
		if k.seen == 0 {
			t.Errorf("no event of %s", k.what)
		}
	}
}

// eventProblem says what is wrong with the n-th event ev of process p, or
// "" when nothing is.
func eventProblem(ev *event.Event, p *event.Process, n, lastTs, start, end uint64, cpus uint32) string {
	switch {
	case ev.Num != n:
		return "numbered out of order"
	case ev.Ts < lastTs || ev.Ts < start || ev.Ts >= end:
		return "out of time order or outside the capture"
	case uint32(ev.CPU) >= cpus:
		return "on a CPU the host lacks"
	case p == nil:
		return "its process is not in the process table"
	case p.Tid != ev.Tid:
		return "its process record has another thread id"
	case ev.Ts < p.StartTs || (p.ExitTs != 0 && ev.Ts > p.ExitTs):
		return "outside its process's lifetime"
	}
	info := ev.Info()
	if info == nil || len(ev.Params) != len(info.Params) {
		return "parameters do not match the event table"
	}
	for k, pi := range info.Params {
		v := ev.Params[k]
		if size := pi.Type.FixedSize(); size > 0 && len(v) != size {
			return "parameter " + pi.Name + " has the wrong size"
		}
		switch pi.Type {
		case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
			if len(v) > 0 && v[len(v)-1] != 0 {
				return "string parameter " + pi.Name + " lacks its NUL"
			}
		case event.PTByteBuf:
			if pi.Name == "data" && len(v) > snaplen {
				return "I/O data longer than the snaplen"
			}
		}
	}
	k := info.Param("fd")
	if k < 0 {
		if ev.FD.Num != event.NoFD {
			return "an fd enrichment on an event without fd"
		}
		return ""
	}
	if num, _ := event.Int(ev.Params[k], true); num != ev.FD.Num {
		return "fd enrichment of another fd"
	}
	fd := &ev.FD
	switch fd.Type {
	case event.FDFile, event.FDDirectory:
		if !strings.HasPrefix(fd.Name, "/") || fd.Ino == 0 || fd.Dev == 0 || fd.OpenFlags == 0 {
			return "incomplete file enrichment"
		}
	case event.FDIPv4Sock, event.FDIPv4Server:
		if ev.Type.String() != "socket" && (fd.Name == "" || fd.Tuple.IsZero() || fd.Role == event.RoleNone) {
			return "incomplete socket enrichment"
		}
	default:
		return "unexpected fd type"
	}
	return ""
}
