package state

import (
	"encoding/binary"
	"testing"

	"forensics/event"
)

func i64(v int64) []byte  { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func str(s string) []byte { return append([]byte(s), 0) }

func tuple4(sip [4]byte, sport uint16, dip [4]byte, dport uint16) []byte {
	b := append([]byte{afInet}, sip[:]...)
	b = binary.LittleEndian.AppendUint16(b, sport)
	b = append(b, dip[:]...)
	return binary.LittleEndian.AppendUint16(b, dport)
}

func TestFilesAndSockets(t *testing.T) {
	m := New(0)
	m.AddThread(event.Process{Tid: 100, Pid: 100, PTid: 1, Comm: "bash", Exe: "bash", Cwd: "/home/u"})
	m.AddThread(event.Process{Tid: 101, Pid: 100, PTid: 1, Comm: "bash"})
	m.AddFD(100, event.FD{Num: 0, Type: event.FDFile, Name: "/dev/pts/0"})

	run := func(ev event.Event) event.Event {
		m.Process(&ev)
		return ev
	}
	// openat relative to the cwd; the thread shares its process's fds.
	ev := run(event.Event{Tid: 101, Type: 307, Params: [][]byte{i64(3), i64(-100), str("../u/./notes.txt"), u32(1), u32(0), u32(0), i64(0)}})
	if ev.FD.Name != "/home/u/notes.txt" || ev.FD.Num != 3 || ev.FD.Type != event.FDFile {
		t.Fatalf("openat: %+v", ev.FD)
	}
	ev = run(event.Event{Tid: 100, Type: 7, Params: [][]byte{i64(5), []byte("hello"), i64(3), u32(5)}})
	if ev.FD.Name != "/home/u/notes.txt" || ev.Proc == 0 {
		t.Fatalf("read: %+v proc %d", ev.FD, ev.Proc)
	}
	// An old capture: the read exit has only res and data, the fd is in
	// the enter event.
	run(event.Event{Tid: 100, Type: 6, Params: [][]byte{i64(0), u32(10)}})
	ev = run(event.Event{Tid: 100, Type: 7, Params: [][]byte{i64(3), []byte("abc")}})
	if ev.FD.Name != "/dev/pts/0" || ev.Merged != 2 || len(ev.Params) != 4 || len(ev.Recorded()) != 2 {
		t.Fatalf("merged read: %+v merged %d params %d", ev.FD, ev.Merged, len(ev.Params))
	}
	// socket + connect.
	run(event.Event{Tid: 100, Type: 19, Params: [][]byte{i64(4), u32(afInet), u32(1), u32(0), u32(0)}})
	ev = run(event.Event{Tid: 100, Type: 23, Params: [][]byte{i64(0), tuple4([4]byte{127, 0, 0, 1}, 40000, [4]byte{127, 0, 0, 1}, 80), i64(4), nil}})
	if ev.FD.Name != "127.0.0.1:40000->127.0.0.1:80" || ev.FD.Role != event.RoleClient || ev.FD.Type != event.FDIPv4Sock {
		t.Fatalf("connect: %+v", ev.FD)
	}
	// close removes the fd but the close event still shows it.
	ev = run(event.Event{Tid: 100, Type: 5, Params: [][]byte{i64(0), i64(4)}})
	if ev.FD.Name != "127.0.0.1:40000->127.0.0.1:80" {
		t.Fatalf("close: %+v", ev.FD)
	}
	if _, ok := m.FD(100, 4); ok {
		t.Fatal("fd 4 still open after close")
	}
}

func TestCloneExecExit(t *testing.T) {
	m := New(0)
	parent := m.AddThread(event.Process{Tid: 100, Pid: 100, PTid: 1, Comm: "bash", Exe: "bash", Cwd: "/"})
	m.AddFD(100, event.FD{Num: 3, Type: event.FDFile, Name: "/etc/passwd", OpenFlags: ppmOCloexec})
	m.AddFD(100, event.FD{Num: 4, Type: event.FDFile, Name: "/tmp/log"})
	var got []event.Process
	m.Changed(func(p *event.Process) { got = append(got, *p) })

	// fork in the parent: the child is a copy.
	clone := make([][]byte, 21)
	clone[0] = i64(200)
	clone[15] = u32(0)
	ev := event.Event{Tid: 100, Ts: 10, Type: 223, Params: clone}
	m.Process(&ev)
	child, ok := m.Thread(200)
	if !ok || child.Pid != 200 || child.PTid != 100 || child.ParentKey != parent || child.Comm != "bash" {
		t.Fatalf("child %+v", child)
	}
	// execve in the child.
	exec := make([][]byte, 31)
	exec[0] = i64(0)
	exec[1] = str("cat")
	exec[2] = []byte("/etc/hosts\x00")
	exec[3], exec[4], exec[5] = i64(200), i64(200), i64(100)
	exec[6] = str("/")
	exec[13] = str("cat")
	exec[27] = str("/usr/bin/cat")
	ev = event.Event{Tid: 200, Ts: 20, Type: 293, Params: exec}
	m.Process(&ev)
	p, _ := m.Thread(200)
	if p.Comm != "cat" || p.ExePath != "/usr/bin/cat" || len(p.Args) != 1 || p.Key == child.Key || ev.Proc != p.Key {
		t.Fatalf("after exec %+v", p)
	}
	if _, ok := m.FD(200, 3); ok {
		t.Fatal("O_CLOEXEC fd survived execve")
	}
	if f, ok := m.FD(200, 4); !ok || f.Name != "/tmp/log" {
		t.Fatal("inherited fd lost")
	}
	got = got[:0]
	m.Changed(func(p *event.Process) { got = append(got, *p) })
	// The child's first incarnation (created and ended by the exec) and
	// the new one.
	if len(got) != 2 || got[0].ExitTs != 20 || got[1].StartTs != 20 {
		t.Fatalf("changed records %+v", got)
	}
	ev = event.Event{Tid: 200, Type: 186, Ts: 99, Params: [][]byte{i64(0), i64(0), {0}, {0}, i64(0)}}
	m.Process(&ev)
	if _, ok := m.Thread(200); ok {
		t.Fatal("thread survives procexit")
	}
	got = got[:0]
	m.Changed(func(p *event.Process) { got = append(got, *p) })
	if len(got) != 1 || got[0].ExitTs != 99 {
		t.Fatalf("exit record %+v", got)
	}
	snap := m.Snapshot()
	if len(snap.Processes) != 1 || len(snap.FDs) != 1 || len(snap.FDs[0].FDs) != 2 {
		t.Fatalf("snapshot %+v", snap)
	}
}

func TestContainerID(t *testing.T) {
	id := "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
	for _, cg := range []string{
		"cpu=/docker/" + id,
		"0::/system.slice/docker-" + id + ".scope",
		"cpu=/kubepods/besteffort/pod123/" + id,
		"0::/kubepods.slice/kubepods-pod.slice/cri-containerd-" + id + ".scope",
		"0::/machine.slice/libpod-" + id + ".scope",
		"0::/crio-" + id + ".scope",
	} {
		if got := ContainerID([]string{cg}); got != id[:12] {
			t.Errorf("%s: %q", cg, got)
		}
	}
	if got := ContainerID([]string{"0::/user.slice/user-1000.slice/session-2.scope"}); got != "" {
		t.Errorf("host process: %q", got)
	}
}

func TestJoinPath(t *testing.T) {
	for _, tt := range []struct{ dir, p, want string }{
		{"/home/u", "a.txt", "/home/u/a.txt"},
		{"/home/u", "/etc//passwd", "/etc/passwd"},
		{"/home/u/", "../../../x", "/x"},
		{"/", "./a/./b/", "/a/b"},
		{"", "rel", "/rel"},
	} {
		if got := joinPath(tt.dir, tt.p); got != tt.want {
			t.Errorf("joinPath(%q, %q) = %q, want %q", tt.dir, tt.p, got, tt.want)
		}
	}
}
