package fields

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"

	"forensics/event"
	"forensics/internal/eventgen"
)

// Table tests on events built by hand, with a process table of a small
// session: systemd → sshd → bash → cat (a clone of bash that exec'd cat)
// and a thread of cat; a thread the capture knew nothing about; a process
// in a container.

func le64(v int64) []byte  { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func cs(s string) []byte   { return append([]byte(s), 0) }

// tuple4 encodes an IPv4 SOCKTUPLE parameter.
func tuple4(sip string, sport uint16, dip string, dport uint16) []byte {
	b := []byte{2}
	s, d := netip.MustParseAddr(sip).As4(), netip.MustParseAddr(dip).As4()
	b = append(b, s[:]...)
	b = binary.LittleEndian.AppendUint16(b, sport)
	b = append(b, d[:]...)
	return binary.LittleEndian.AppendUint16(b, dport)
}

// pv gives parameters by name.
type pv map[string][]byte

// mkEvent builds an event of type t, its parameters laid out as the event
// table says; absent ones are empty.
func mkEvent(t event.Type, tid int64, proc event.ProcKey, p pv) *event.Event {
	ev := &event.Event{Num: 7, Ts: testTs, CPU: 3, Tid: tid, Type: t, Proc: proc, FD: event.FD{Num: event.NoFD}}
	info := event.Lookup(t)
	if info == nil {
		return ev
	}
	for _, pi := range info.Params {
		ev.Params = append(ev.Params, p[pi.Name])
	}
	for len(ev.Params) > 0 && ev.Params[len(ev.Params)-1] == nil {
		ev.Params = ev.Params[:len(ev.Params)-1]
	}
	return ev
}

func withFD(ev *event.Event, fd event.FD) *event.Event {
	ev.FD = fd
	return ev
}

// testTs is 2020-09-13 12:26:40.123456789 UTC.
const testTs = 1_600_000_000_123_456_789

// Keys of the test processes.
const (
	kInit event.ProcKey = iota + 1
	kSshd
	kBash
	kCatClone
	kCat
	kCatThread
	kFake
	kNginx
)

func testTables() *Tables {
	procs := []*event.Process{
		{Key: kInit, Tid: 1, Pid: 1, PTid: 0, Sid: 1, Comm: "systemd", Exe: "/sbin/init", ExePath: "/usr/lib/systemd/systemd",
			Cwd: "/", LoginUID: noID, VTid: 1, VPid: 1},
		{Key: kSshd, Tid: 100, Pid: 100, PTid: 1, Sid: 100, Comm: "sshd", Exe: "/usr/sbin/sshd", ExePath: "/usr/sbin/sshd",
			Args: []string{"-D"}, Cwd: "/", LoginUID: noID, VTid: 100, VPid: 100},
		{Key: kBash, Tid: 200, Pid: 200, PTid: 100, Sid: 200, Comm: "bash", Exe: "-bash", ExePath: "/usr/bin/bash",
			Env: []string{"HOME=/home/alice", "TERM=xterm"}, Cwd: "/home/alice", UID: 1000, GID: 1000, LoginUID: 1000,
			TTY: 34816, VTid: 200, VPid: 200},
		{Key: kCatClone, ParentKey: kBash, Tid: 300, Pid: 300, PTid: 200, Sid: 200, Comm: "bash", Exe: "-bash",
			ExePath: "/usr/bin/bash", Env: []string{"HOME=/home/alice", "TERM=xterm"}, Cwd: "/home/alice", UID: 1000,
			GID: 1000, LoginUID: 1000, TTY: 34816, VTid: 300, VPid: 300, StartTs: testTs - 3000, ExitTs: testTs - 2000},
		{Key: kCat, ParentKey: kBash, Tid: 300, Pid: 300, PTid: 200, Sid: 200, Comm: "cat", Exe: "cat",
			ExePath: "/usr/bin/cat", Args: []string{"/etc/passwd", "-n"}, Env: []string{"HOME=/home/alice", "TERM=xterm"},
			Cwd: "/home/alice", UID: 1000, GID: 1000, LoginUID: 1000, TTY: 34816, VTid: 300, VPid: 300, StartTs: testTs - 2000},
		{Key: kCatThread, ParentKey: kCat, Tid: 301, Pid: 300, PTid: 200, Sid: 200, Comm: "cat", Exe: "cat",
			ExePath: "/usr/bin/cat", Args: []string{"/etc/passwd", "-n"}, UID: 1000, GID: 1000, LoginUID: 1000,
			VTid: 301, VPid: 300, StartTs: testTs - 1000},
		{Key: kFake, Tid: 400, Pid: 400, PTid: -1, LoginUID: noID, StartTs: testTs - 500},
		{Key: kNginx, Tid: 500, Pid: 500, PTid: 1, Sid: 500, Comm: "nginx", Exe: "nginx", ExePath: "/usr/sbin/nginx",
			Cwd: "/", Container: "abcdef123456", LoginUID: noID, VTid: 1, VPid: 1},
	}
	t := &Tables{Procs: map[event.ProcKey]*event.Process{}, ByTid: map[int64][]*event.Process{},
		Users: map[uint32]*event.User{
			0:    {UID: 0, Name: "root", Home: "/root", Shell: "/bin/bash"},
			1000: {UID: 1000, GID: 1000, Name: "alice", Home: "/home/alice", Shell: "/bin/zsh"},
		},
		Groups: map[uint32]*event.Group{0: {GID: 0, Name: "root"}, 1000: {GID: 1000, Name: "alice"}},
		Start:  testTs - 1_500_000_000,
	}
	for _, p := range procs {
		t.Procs[p.Key] = p
		t.ByTid[p.Tid] = append(t.ByTid[p.Tid], p)
	}
	t.Local = map[netip.Addr]bool{netip.MustParseAddr("127.0.0.1"): true, netip.MustParseAddr("10.0.0.5"): true}
	return t
}

// extract resolves a field token ("proc.aname[2]", "evt.arg.fd") and
// prints its value for ev as sysdig would.
func extract(t *testing.T, tables *Tables, ev *event.Event, tok string) string {
	t.Helper()
	b, err := lookupToken(Syscall(), tok)
	if err != nil {
		t.Fatalf("%s: %v", tok, err)
	}
	v, ok := b.Ext(&Ctx{Ev: ev, Tables: tables})
	return b.Field.Print(v, ok)
}

type fieldCase struct {
	ev     *event.Event
	fields map[string]string // field token → printed value
}

func runCases(t *testing.T, cases map[string]fieldCase) {
	t.Helper()
	tables := testTables()
	for name, tc := range cases {
		for tok, want := range tc.fields {
			if got := extract(t, tables, tc.ev, tok); got != want {
				t.Errorf("%s: %s = %q, want %q", name, tok, got, want)
			}
		}
	}
}

var (
	fileFD = event.FD{Num: 3, Type: event.FDFile, Name: "/etc/passwd", Dev: 0x803, Ino: 42, OpenFlags: 1}
	tcpFD  = event.FD{Num: 4, Type: event.FDIPv4Sock, Role: event.RoleClient, Name: "10.0.0.5:40000->93.184.216.34:80",
		Tuple: event.Tuple{L4: event.L4TCP, SIP: netip.MustParseAddr("10.0.0.5"), SPort: 40000,
			DIP: netip.MustParseAddr("93.184.216.34"), DPort: 80}}
	srvConnFD = event.FD{Num: 5, Type: event.FDIPv4Sock, Role: event.RoleServer, Name: "93.184.216.34:51000->10.0.0.5:443",
		Tuple: event.Tuple{L4: event.L4TCP, SIP: netip.MustParseAddr("93.184.216.34"), SPort: 51000,
			DIP: netip.MustParseAddr("10.0.0.5"), DPort: 443}}
	listenFD = event.FD{Num: 6, Type: event.FDIPv4Server, Role: event.RoleServer, Name: "0.0.0.0:8080",
		Tuple: event.Tuple{L4: event.L4TCP, DIP: netip.IPv4Unspecified(), DPort: 8080}}
	udpAnyFD = event.FD{Num: 8, Type: event.FDIPv4Sock, Role: event.RoleClient, Name: "0.0.0.0:55441->127.0.0.1:514",
		Tuple: event.Tuple{L4: event.L4UDP, SIP: netip.IPv4Unspecified(), SPort: 55441,
			DIP: netip.MustParseAddr("127.0.0.1"), DPort: 514}}
)

func TestEvtFields(t *testing.T) {
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("UTC+1", 3600)

	read := withFD(mkEvent(7, 300, kCat, pv{"res": le64(5), "data": []byte("hell\x01"), "fd": le64(3)}), fileFD)
	runCases(t, map[string]fieldCase{
		"times": {read, map[string]string{
			"evt.num": "7", "evt.time": "13:26:40.123456789", "evt.time.s": "13:26:40",
			"evt.time.iso8601": "2020-09-13T12:26:40.123456789+0000", "evt.datetime": "2020-09-13 13:26:40.123456789",
			"evt.datetime.s": "2020-09-13 13:26:40", "evt.rawtime": "1600000000123456789", "evt.rawtime.s": "1600000000",
			"evt.rawtime.ns": "123456789", "evt.reltime": "1500000000", "evt.reltime.s": "1", "evt.reltime.ns": "500000000",
			"evt.outputtime": "13:26:40.123456789", "evt.cpu": "3", "evt.dir": "<", "evt.type": "read"}},
		"read": {read, map[string]string{
			"evt.category": "file", "evt.res": "SUCCESS", "evt.rawres": "5", "evt.failed": "false", "evt.is_io": "true",
			"evt.is_io_read": "true", "evt.is_io_write": "false", "evt.io_dir": "read", "evt.is_wait": "false",
			"evt.buflen": "5", "evt.buffer": "hell.", "evt.count": "1", "evt.count.error": "<NA>", "evt.count.exit": "1",
			"evt.is_syslog": "false", "evt.type.is.read": "1", "evt.type.is.open": "0",
			"evt.rawarg.res": "5", "evt.rawarg.fd": "3", "evt.rawarg.data": "hell.", "evt.arg.res": "5", "evt.arg[2]": "<f>/etc/passwd",
			"evt.rawarg.name": "<NA>"}},
		"read enter": {withFD(mkEvent(6, 300, kCat, pv{"fd": le64(3), "size": le32(100)}), fileFD), map[string]string{
			"evt.dir": ">", "evt.res": "<NA>", "evt.rawres": "<NA>", "evt.failed": "false", "evt.count.exit": "<NA>",
			"evt.buflen": "<NA>", "evt.buffer": "<NA>", "evt.args": "fd=3(<f>/etc/passwd) size=100 ", "evt.category": "file"}},
		"failed read": {withFD(mkEvent(7, 300, kCat, pv{"res": le64(-2), "fd": le64(3)}), fileFD), map[string]string{
			"evt.res": "ENOENT", "evt.rawres": "-2", "evt.failed": "true", "evt.count.error": "1", "evt.buflen": "<NA>",
			"evt.rawarg.res": "-2"}},
		"error without name": {mkEvent(7, 300, kCat, pv{"res": le64(-999)}), map[string]string{
			"evt.res": "-999", "evt.failed": "true"}},
		"brk error in hex": {mkEvent(11, 300, kCat, pv{"res": le64(-2)}), map[string]string{
			"evt.res": "FFFFFFFFFFFFFFFE", "evt.rawres": "-2", "evt.category": "memory"}},
		"open result": {mkEvent(3, 300, kCat, pv{"fd": le64(-13), "name": cs("/x")}), map[string]string{
			"evt.res": "EACCES", "evt.rawres": "-13", "evt.rawarg.name": "/x", "evt.arg.name": "/x"}},
		"read on a socket": {withFD(mkEvent(7, 300, kCat, pv{"res": le64(1)}), tcpFD), map[string]string{
			"evt.category": "net", "evt.buflen": "1"}},
		"read on a pipe": {withFD(mkEvent(7, 300, kCat, pv{"res": le64(1)}), event.FD{Num: 5, Type: event.FDFIFO}), map[string]string{
			"evt.category": "ipc"}},
		"read on a timerfd": {withFD(mkEvent(7, 300, kCat, pv{"res": le64(8)}), event.FD{Num: 5, Type: event.FDTimerFD}), map[string]string{
			"evt.category": "unknown"}},
		"read on an unknown fd": {mkEvent(7, 300, kCat, pv{"res": le64(8)}), map[string]string{
			"evt.category": "unknown", "evt.buflen": "<NA>"}},
		"write to syslog": {withFD(mkEvent(9, 300, kCat, pv{"res": le64(3)}), event.FD{Num: 3, Type: event.FDUnixSock, Name: "/dev/log"}), map[string]string{
			"evt.is_syslog": "true", "evt.io_dir": "write", "evt.category": "ipc"}},
		"epoll_wait": {mkEvent(79, 300, kCat, pv{"res": le64(1)}), map[string]string{
			"evt.is_wait": "true", "evt.category": "wait", "evt.io_dir": "<NA>"}},
		"generic": {mkEvent(1, 300, kCat, pv{"ID": le16(2)}), map[string]string{
			"evt.type": "exit", "evt.category": "process", "evt.args": ""}},
		"generic unknown code": {mkEvent(1, 300, kCat, pv{"ID": le16(9999)}), map[string]string{
			"evt.type": "<NA>", "evt.category": "other"}},
		"0.29.3 names":      {mkEvent(113, 300, kCat, nil), map[string]string{"evt.type": "pread"}},
		"accept4 is accept": {mkEvent(57, 300, kCat, nil), map[string]string{"evt.type": "accept", "evt.type.is.accept": "0"}},
		"oldest accept":     {mkEvent(27, 300, kCat, nil), map[string]string{"evt.type.is.accept": "1"}},
		"newer switch": {mkEvent(152, 300, kCat, nil), map[string]string{"evt.type": "switch", "evt.type.is.switch": "0",
			"evt.category": "scheduler"}},
		"newer type": {mkEvent(405, 300, kCat, pv{"fd": le64(4)}), map[string]string{"evt.type": "memfd_create",
			"evt.category": "memory", "evt.res": "SUCCESS"}},
	})
	// evt.reltime pads to 9 digits.
	ev := mkEvent(7, 300, kCat, nil)
	ev.Ts = testTables().Start + 42
	if got := extract(t, testTables(), ev, "evt.reltime"); got != "000000042" {
		t.Errorf("evt.reltime = %q, want 000000042", got)
	}
}

func TestProcFields(t *testing.T) {
	cat := mkEvent(7, 300, kCat, nil)
	runCases(t, map[string]fieldCase{
		"cat": {cat, map[string]string{
			"proc.pid": "300", "proc.exe": "cat", "proc.name": "cat", "proc.args": "/etc/passwd -n", "proc.args[1]": "-n",
			"proc.args[5]": "<NA>", "proc.env": "HOME=/home/alice TERM=xterm", "proc.env[HOME]": "/home/alice",
			"proc.env[NOPE]": "<NA>", "proc.cmdline": "cat /etc/passwd -n", "proc.exeline": "cat /etc/passwd -n",
			"proc.cwd": "/home/alice/", "proc.ppid": "200", "proc.pname": "bash", "proc.pcmdline": "bash",
			"proc.pexe": "-bash", "proc.pexepath": "/usr/bin/bash", "proc.exepath": "/usr/bin/cat",
			"proc.aname[0]": "cat", "proc.aname[1]": "bash", "proc.aname[2]": "sshd", "proc.aname[3]": "systemd",
			"proc.aname[4]": "<NA>", "proc.aname": "bash sshd systemd", "proc.apid[2]": "100", "proc.apid": "200 100 1",
			"proc.aexe[1]": "-bash", "proc.aexepath[1]": "/usr/bin/bash", "proc.acmdline[2]": "sshd -D",
			"proc.acmdline": "bash sshd -D systemd", "proc.loginshellid": "200", "proc.tty": "34816", "proc.sid": "200",
			"proc.vpid": "300", "thread.tid": "300", "thread.vtid": "300", "thread.ismain": "true",
			"user.uid": "1000", "user.name": "alice", "user.homedir": "/home/alice", "user.shell": "/bin/zsh",
			"user.loginuid": "1000", "user.loginname": "alice", "group.gid": "1000", "group.name": "alice",
			"container.id": "host", "container.name": "host", "container.image": "<NA>"}},
		"thread of cat": {mkEvent(7, 301, kCatThread, nil), map[string]string{
			"thread.tid": "301", "thread.ismain": "false", "proc.pid": "300", "proc.ppid": "200", "proc.pname": "cat",
			"proc.cwd": "/home/alice/", "proc.env[TERM]": "xterm", "proc.aname[0]": "cat", "proc.aname[1]": "bash",
			"thread.vtid": "301", "proc.vpid": "300"}},
		"init": {mkEvent(7, 1, kInit, nil), map[string]string{
			"proc.ppid": "0", "proc.pname": "<NA>", "proc.aname[1]": "<NA>", "proc.aname": "<NA>", "proc.loginshellid": "<NA>",
			"user.uid": "0", "user.name": "root", "user.loginuid": "-1", "user.loginname": "<NA>", "proc.args": "",
			"proc.exeline": "/sbin/init ", "proc.cmdline": "systemd"}},
		"unknown thread": {mkEvent(7, 400, kFake, nil), map[string]string{
			"proc.pid": "400", "proc.name": "<NA>", "proc.exe": "<NA>", "proc.cmdline": "<NA>", "proc.exeline": "<NA> ",
			"proc.ppid": "-1", "proc.pname": "<NA>", "proc.sid": "-1", "proc.cwd": "", "proc.vpid": "<NA>",
			"user.uid": "4294967295", "user.name": "<NA>", "group.gid": "4294967295", "group.name": "<NA>",
			"user.loginuid": "-1", "container.id": "host", "thread.ismain": "true"}},
		"switch of an unknown thread": {mkEvent(152, 400, kFake, nil), map[string]string{
			"proc.pid": "<NA>", "proc.name": "<NA>", "thread.tid": "400", "thread.ismain": "<NA>"}},
		"idle thread": {mkEvent(152, 0, 0, nil), map[string]string{"proc.pid": "<NA>", "thread.tid": "0"}},
		"container": {mkEvent(7, 500, kNginx, nil), map[string]string{
			"container.id": "abcdef123456", "container.name": "<NA>", "container.image": "<NA>", "proc.vpid": "1"}},
		"no tables": {mkEvent(7, 300, kCat, nil), map[string]string{}},
	})
	// Without tables every process field is missing, the event ones are
	// there.
	ev := mkEvent(7, 300, kCat, nil)
	for _, f := range []string{"proc.name", "user.name", "fd.num", "evt.reltime"} {
		b, _ := lookupToken(Syscall(), f)
		if _, ok := b.Ext(&Ctx{Ev: ev}); ok && f != "fd.num" {
			t.Errorf("%s without tables: got a value", f)
		}
	}
	if got := extract(t, nil, ev, "evt.type"); got != "read" {
		t.Errorf("evt.type without tables = %q", got)
	}
}

func TestFDFields(t *testing.T) {
	runCases(t, map[string]fieldCase{
		"file": {withFD(mkEvent(6, 300, kCat, pv{"fd": le64(3)}), fileFD), map[string]string{
			"fd.num": "3", "fd.type": "file", "fd.typechar": "f", "fd.name": "/etc/passwd", "fd.directory": "/etc",
			"fd.filename": "passwd", "fd.l4proto": "<NA>", "fd.sockfamily": "<NA>", "fd.is_server": "false",
			"fd.uid": "3003", "fd.containername": ":/etc/passwd", "fd.containerdirectory": ":/etc", "fd.dev": "803",
			"fd.dev.major": "0", "fd.dev.minor": "803", "fd.ino": "42", "fd.cip": "<NA>", "fd.cport": "<NA>",
			"fd.nameraw": "<NA>"}},
		"file at the root": {withFD(mkEvent(6, 300, kCat, pv{"fd": le64(3)}), event.FD{Num: 3, Type: event.FDFile, Name: "/vmlinuz"}), map[string]string{
			"fd.directory": "", "fd.filename": "vmlinuz"}},
		"directory": {withFD(mkEvent(6, 300, kCat, pv{"fd": le64(3)}), event.FD{Num: 3, Type: event.FDDirectory, Name: "/tmp"}), map[string]string{
			"fd.type": "directory", "fd.typechar": "d", "fd.directory": "/tmp", "fd.filename": "<NA>"}},
		"open enter": {mkEvent(2, 300, kCat, pv{"name": cs("x")}), map[string]string{
			"fd.num": "-1", "fd.typechar": "f", "fd.name": "<NA>", "fd.type": "<NA>", "fd.uid": "300-1"}},
		"opened": {withFD(mkEvent(3, 300, kCat, pv{"fd": le64(3), "name": cs("docs/x.txt")}),
			event.FD{Num: 3, Type: event.FDFile, Name: "/home/alice/docs/x.txt"}), map[string]string{
			"fd.num": "3", "fd.name": "/home/alice/docs/x.txt", "fd.nameraw": "docs/x.txt"}},
		"failed open": {mkEvent(3, 300, kCat, pv{"fd": le64(-2), "name": cs("./docs/../x//y.txt")}), map[string]string{
			"fd.num": "-1", "fd.name": "/home/alice/x/y.txt", "fd.typechar": "f", "fd.type": "<NA>",
			"fd.directory": "/home/alice/x", "fd.filename": "<NA>"}},
		"failed openat on another dirfd": {mkEvent(307, 300, kCat, pv{"fd": le64(-2), "dirfd": le64(5), "name": cs("y")}), map[string]string{
			"fd.name": "<UNKNOWN>y"}},
		"read of an unknown fd": {withFD(mkEvent(7, 300, kCat, pv{"res": le64(1), "fd": le64(9)}), event.FD{Num: 9}), map[string]string{
			"fd.num": "9", "fd.name": "", "fd.type": "<NA>", "fd.typechar": "o", "fd.directory": "/"}},
		"not an fd event": {mkEvent(11, 300, kCat, pv{"res": le64(0)}), map[string]string{
			"fd.num": "<NA>", "fd.name": "<NA>", "fd.typechar": "<NA>", "fd.is_server": "<NA>"}},
		"client": {withFD(mkEvent(7, 300, kCat, pv{"res": le64(1)}), tcpFD), map[string]string{
			"fd.type": "ipv4", "fd.typechar": "4", "fd.name": "10.0.0.5:40000->93.184.216.34:80", "fd.cip": "10.0.0.5",
			"fd.sip": "93.184.216.34", "fd.lip": "10.0.0.5", "fd.rip": "93.184.216.34", "fd.cport": "40000",
			"fd.sport": "80", "fd.lport": "40000", "fd.rport": "80", "fd.l4proto": "tcp", "fd.sockfamily": "ip",
			"fd.is_server": "false", "fd.ip": "10.0.0.5 93.184.216.34", "fd.port": "40000 80", "fd.directory": "<NA>"}},
		"server end": {withFD(mkEvent(7, 300, kCat, pv{"res": le64(1)}), srvConnFD), map[string]string{
			"fd.is_server": "true", "fd.lip": "10.0.0.5", "fd.rip": "93.184.216.34", "fd.lport": "443", "fd.rport": "51000",
			"fd.cip": "93.184.216.34", "fd.sport": "443"}},
		"listening": {withFD(mkEvent(7, 300, kCat, pv{"res": le64(1)}), listenFD), map[string]string{
			"fd.is_server": "true", "fd.sport": "8080", "fd.sip": "<NA>", "fd.cip": "<NA>", "fd.lip": "<NA>",
			"fd.l4proto": "tcp", "fd.sockfamily": "ip", "fd.typechar": "4", "fd.type": "ipv4"}},
		"unconnected socket": {withFD(mkEvent(19, 300, kCat, pv{"fd": le64(7)}),
			event.FD{Num: 7, Type: event.FDIPv4Sock, Tuple: event.Tuple{L4: event.L4TCP}}), map[string]string{
			"fd.l4proto": "<NA>", "fd.cip": "<NA>", "fd.sport": "<NA>", "fd.sockfamily": "ip", "fd.is_server": "false", "fd.name": ""}},
		"socket of an unknown family": {withFD(mkEvent(19, 300, kCat, pv{"fd": le64(7)}), event.FD{Num: 7, Type: event.FDUnsupported}), map[string]string{
			"fd.typechar": "o", "fd.type": "<NA>", "fd.num": "7"}},
		"unbound udp": {withFD(mkEvent(47, 300, kCat, pv{"res": le64(1)}), udpAnyFD), map[string]string{
			"fd.lip": "0.0.0.0", "fd.lport": "55441", "fd.rip": "127.0.0.1", "fd.rport": "514", "fd.l4proto": "udp",
			"fd.is_server": "true"}},
		"unix from the fd list": {withFD(mkEvent(7, 300, kCat, pv{"res": le64(1)}),
			event.FD{Num: 8, Type: event.FDUnixSock, Tuple: event.Tuple{SrcPtr: 0xffff1}}), map[string]string{
			"fd.cport": "0", "fd.sockfamily": "unix", "fd.typechar": "u", "fd.l4proto": "<NA>"}},
		"new unix socket": {withFD(mkEvent(19, 300, kCat, pv{"fd": le64(8)}), event.FD{Num: 8, Type: event.FDUnixSock}), map[string]string{
			"fd.cport": "<NA>"}},
		"failed connect": {withFD(mkEvent(23, 300, kCat, pv{"res": le64(-111), "tuple": tuple4("10.0.0.5", 1, "10.0.0.9", 2), "fd": le64(4)}),
			tcpFD), map[string]string{"fd.name": "10.0.0.5:1->10.0.0.9:2", "fd.num": "4"}},
		"pipe": {mkEvent(61, 300, kCat, pv{"res": le64(0), "fd1": le64(5), "fd2": le64(6)}), map[string]string{
			"fd.num": "6", "fd.type": "pipe", "fd.typechar": "p", "fd.name": ""}},
		"setsockopt": {withFD(mkEvent(45, 300, kCat, pv{"res": le64(0), "fd": le64(4)}), tcpFD), map[string]string{
			"fd.num": "-1", "fd.name": "", "fd.type": "<NA>"}},
		"container fd": {withFD(mkEvent(6, 500, kNginx, pv{"fd": le64(3)}), fileFD), map[string]string{
			"fd.containername": "abcdef123456:/etc/passwd", "fd.containerdirectory": "abcdef123456:/etc"}},
	})
}

func TestFSPathFields(t *testing.T) {
	runCases(t, map[string]fieldCase{
		"open": {withFD(mkEvent(3, 300, kCat, pv{"fd": le64(3), "name": cs("docs/x.txt")}),
			event.FD{Num: 3, Type: event.FDFile, Name: "/home/alice/docs/x.txt"}), map[string]string{
			"fs.path.name": "/home/alice/docs/x.txt", "fs.path.nameraw": "docs/x.txt", "fs.path.source": "<NA>",
			"fs.path.target": "<NA>"}},
		"failed open": {mkEvent(3, 300, kCat, pv{"fd": le64(-2), "name": cs("/etc/../etc/shadow")}), map[string]string{
			"fs.path.name": "/etc/shadow", "fs.path.nameraw": "/etc/../etc/shadow"}},
		"openat in the cwd": {mkEvent(307, 300, kCat, pv{"fd": le64(-2), "dirfd": le64(-100), "name": cs("a")}), map[string]string{
			"fs.path.name": "/home/alice/a"}},
		"openat on a dirfd": {withFD(mkEvent(307, 300, kCat, pv{"fd": le64(3), "dirfd": le64(5), "name": cs("a")}),
			event.FD{Num: 3, Type: event.FDFile, Name: "/srv/a"}), map[string]string{"fs.path.name": "/srv/a"}},
		"mkdirat on a dirfd": {mkEvent(305, 300, kCat, pv{"res": le64(0), "dirfd": le64(5), "path": cs("sub")}), map[string]string{
			"fs.path.name": "<NA>", "fs.path.nameraw": "sub"}},
		"fchmodat": {mkEvent(313, 300, kCat, pv{"res": le64(0), "dirfd": le64(-100), "filename": cs("f")}), map[string]string{
			"fs.path.name": "/home/alice/f"}},
		"rename": {mkEvent(175, 300, kCat, pv{"res": le64(0), "oldpath": cs("a"), "newpath": cs("/tmp/b")}), map[string]string{
			"fs.path.source": "/home/alice/a", "fs.path.sourceraw": "a", "fs.path.target": "/tmp/b",
			"fs.path.targetraw": "/tmp/b", "fs.path.name": "<NA>"}},
		"renameat": {mkEvent(177, 300, kCat, pv{"res": le64(0), "olddirfd": le64(-100), "oldpath": cs("a"), "newdirfd": le64(9), "newpath": cs("b")}), map[string]string{
			"fs.path.source": "/home/alice/a", "fs.path.target": "<NA>", "fs.path.targetraw": "b"}},
		"link": {mkEvent(309, 300, kCat, pv{"res": le64(0), "oldpath": cs("/data/f"), "newpath": cs("l")}), map[string]string{
			"fs.path.source": "/home/alice/l", "fs.path.target": "/data/f"}},
		"symlink": {mkEvent(179, 300, kCat, pv{"res": le64(0), "target": cs("../x"), "linkpath": cs("/tmp/lnk")}), map[string]string{
			"fs.path.source": "/tmp/lnk", "fs.path.target": "../x"}},
		"enter":      {mkEvent(2, 300, kCat, pv{"name": cs("/a")}), map[string]string{"fs.path.name": "<NA>"}},
		"other call": {mkEvent(7, 300, kCat, nil), map[string]string{"fs.path.name": "<NA>", "fs.path.source": "<NA>"}},
	})
}

func TestLookup(t *testing.T) {
	src := Syscall()
	seen := map[string]bool{}
	for _, f := range src.All() {
		if seen[f.Name] {
			t.Errorf("%s registered twice", f.Name)
		}
		seen[f.Name] = true
		if f.Desc == "" || f.Type.String() == "" || f.Bind == nil {
			t.Errorf("%s: incomplete registration", f.Name)
		}
		_, err := src.Lookup(f.Name, "", false)
		if required := f.Arg&ArgRequired != 0; required != (err != nil) {
			t.Errorf("%s without argument: %v", f.Name, err)
		}
	}
	for _, name := range []string{"evt.num", "evt.type", "proc.name", "proc.aname", "fd.name", "user.name", "group.name",
		"container.id", "fs.path.name", "evt.arg", "evt.rawarg", "evt.type.is", "thread.tid", "proc.loginshellid"} {
		if !seen[name] {
			t.Errorf("%s is not registered", name)
		}
	}
	ok := []struct{ tok, arg, field, gotArg string }{
		{"evt.arg.fd", "", "evt.arg", "fd"},
		{"evt.rawarg.res", "", "evt.rawarg", "res"},
		{"evt.type.is.open", "", "evt.type.is", "open"},
		{"proc.env", "HOME", "proc.env", "HOME"},
		{"proc.aname", "2", "proc.aname", "2"},
		{"evt.arg", "0", "evt.arg", "0"},
		{"fd.dev.major", "", "fd.dev.major", ""},
	}
	for _, c := range ok {
		b, err := src.Lookup(c.tok, c.arg, c.arg != "")
		if err != nil || b.Field.Name != c.field || b.Arg != c.gotArg {
			t.Errorf("Lookup(%q, %q) = %v, %v", c.tok, c.arg, b, err)
		}
	}
	bad := []struct {
		tok, arg string
		err      error
	}{
		{"evt.nosuch", "", ErrUnknownField},
		{"fd.num.x", "", ErrUnknownField},
		{"evt.arg", "", ErrBadArgument},
		{"evt.rawarg.nosuchparam", "", ErrBadArgument},
		{"evt.type.is.nosuchevent", "", ErrBadArgument},
		{"proc.aname", "x", ErrBadArgument},
		{"proc.args", "-1", ErrBadArgument},
		{"fd.num", "1", ErrBadArgument},
	}
	for _, c := range bad {
		if _, err := src.Lookup(c.tok, c.arg, c.arg != ""); !errors.Is(err, c.err) {
			t.Errorf("Lookup(%q, %q): %v, want %v", c.tok, c.arg, err, c.err)
		}
	}
	if ty, ok := RawArgType("res"); !ok || ty != TInt {
		t.Errorf("RawArgType(res) = %v, %v", ty, ok)
	}
	if ty, ok := RawArgType("name"); !ok || ty != TString {
		t.Errorf("RawArgType(name) = %v, %v", ty, ok)
	}
	if Syscall() != src {
		t.Error("Syscall() builds a new registry each time")
	}
}

func TestFactTable(t *testing.T) {
	// Every type of 0.29.3's table has a name; the event table's names
	// agree but for the ones 0.29.3 printed differently.
	renamed := map[string]string{"accept4": "accept", "pread64": "pread", "pwrite64": "pwrite", "scapevent": "sysdigevent"}
	for ty := event.Type(2); ty < maxType29; ty++ {
		f := facts29[ty]
		if f.name == "" {
			t.Errorf("type %d has no name", ty)
		}
		if info := event.Lookup(ty); info != nil && info.Name != f.name && renamed[info.Name] != f.name {
			t.Errorf("type %d: 0.29.3 %q, event table %q", ty, f.name, info.Name)
		}
	}
	if f := factOf(405); f.name != "memfd_create" || f.flags&fFD == 0 {
		t.Errorf("memfd_create: %+v", f)
	}
	if f := factOf(event.MaxType + 3); f.name == "" {
		t.Errorf("unknown type: %+v", f)
	}
	if n, ok := typeName(mkEvent(1, 1, 0, pv{"ID": le16(0)})); !ok || n != "<unknown>" {
		t.Errorf("generic ID 0: %q %v", n, ok)
	}
}

func TestPrint(t *testing.T) {
	src := Syscall()
	cases := []struct {
		field string
		v     Value
		ok    bool
		want  string
	}{
		{"evt.reltime.ns", RelTime(42), true, "000000042"},
		{"evt.rawtime.ns", AbsTime(5), true, "000000005"},
		{"evt.reltime.s", RelTime(3), true, "3"},
		{"fd.dev", Int(0x803), true, "803"},
		{"fd.dev", Int(-1), true, "FFFFFFFF"},
		{"evt.buffer", BufVal([]byte("a\nb\x00\xff~")), true, "a.b..~"},
		{"proc.name", Str("x"), false, "<NA>"},
		{"proc.aname", ListVal([]string{"a", "b"}), true, "a b"},
	}
	for _, c := range cases {
		b, err := src.Lookup(c.field, "", false)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Field.Print(c.v, c.ok); got != c.want {
			t.Errorf("%s.Print(%v) = %q, want %q", c.field, c.v, got, c.want)
		}
	}
}

func TestResolvePath(t *testing.T) {
	cases := []struct{ dir, path, want string }{
		{"/home/a/", "b", "/home/a/b"},
		{"/home/a/", "./b/../c", "/home/a/c"},
		{"/home/a/", "../../../x", "/x"},
		{"/", "/etc//passwd", "/etc/passwd"},
		{"", "/a/b/", "/a/b"},
		{"/d/", "..x/.y", "/d/..x/.y"},
		{"/d/", "caf\xc3\xa9", "/d/caf.."},
		{"/d/", "", "/d"},
		{"", "/", "/"},
	}
	for _, c := range cases {
		if got := resolvePath(c.dir, c.path); got != c.want {
			t.Errorf("resolvePath(%q, %q) = %q, want %q", c.dir, c.path, got, c.want)
		}
	}
}

// AppendText writes what String returns, for every kind of value.
func TestValueAppendText(t *testing.T) {
	for _, v := range []Value{
		Str("a b"), Str(""), Int(-42), Uint(18446744073709551615), Bool(true), Bool(false),
		{Kind: TRelTime, I: 1500}, {Kind: TPort, U: 443}, {Kind: TAbsTime, U: 1700000000000000000},
		{Kind: TIP, IP: netip.MustParseAddr("10.0.0.1")}, {Kind: TIP, IP: netip.MustParseAddr("::1")}, {Kind: TIP},
		{Kind: TBytes, Buf: []byte("x\x00y")}, ListVal([]string{"a", "b"}), {Kind: TStrings, List: []string{"a", "b"}, Paren: true},
	} {
		if got := string(v.AppendText([]byte("<"))); got != "<"+v.String() {
			t.Errorf("%#v: AppendText %q, String %q", v, got, v.String())
		}
	}
}

// appendClockNs writes what the layout 15:04:05.000000000 writes.
func TestAppendClockNs(t *testing.T) {
	for _, ns := range []int64{0, 1, 999_999_999, 1_700_000_000_123_456_789, 1_506_127_469_900_617_765, 86_399_999_999_999} {
		tm := time.Unix(0, ns).Local()
		if got, want := string(appendClockNs([]byte("x"), tm)), "x"+tm.Format("15:04:05.000000000"); got != want {
			t.Errorf("%d: %q, want %q", ns, got, want)
		}
	}
}

// TestFDOnly: every field marked FDOnly is missing on an event of each
// type that refers to no fd, whatever else the event holds.
func TestFDOnly(t *testing.T) {
	reg := Syscall()
	tables := &Tables{Procs: map[event.ProcKey]*event.Process{1: {Key: 1, Tid: 7, Pid: 7, Comm: "x"}}}
	n := 0
	for _, f := range reg.All() {
		if !f.FDOnly {
			continue
		}
		n++
		b, err := reg.Lookup(f.Name, "", false)
		if err != nil {
			continue // needs an argument
		}
		for _, info := range event.All() {
			if FDRelatedType(info.Type) {
				continue
			}
			ev := &event.Event{Type: info.Type, Tid: 7, Proc: 1, Params: [][]byte{make([]byte, 8), make([]byte, 8)},
				FD: event.FD{Num: 3, Type: event.FDFile, Name: "/etc/passwd"}}
			if v, ok := b.Ext(&Ctx{Ev: ev, Tables: tables}); ok {
				t.Errorf("%s on a %s event: %v, want missing", f.Name, info.Name, v)
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d FDOnly fields", n)
	}
}

// genEvents returns n generated events, Realistic and Random in turn,
// and in-memory tables of the generator's processes.
func genEvents(seed uint64, n int) (*Tables, []*event.Event) {
	g := eventgen.New(seed, 1_700_000_000_000_000_000)
	tables := NewMemTables()
	g.AddProcesses(tables.Procs, tables.ByTid)
	return tables, g.Mixed(n)
}

// TestAppendMatchesExtractor: a field's Append, the shortcut output
// formats take, prints what its extractor's value prints, and is missing
// when the value is.
func TestAppendMatchesExtractor(t *testing.T) {
	reg := Syscall()
	tables, evs := genEvents(11, 400)
	checked := 0
	for _, f := range reg.All() {
		if f.Append == nil {
			continue
		}
		checked++
		ext, err := f.Bind("", false)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		for i, ev := range evs {
			c := &Ctx{Ev: ev, Tables: tables}
			got, gotOK := f.Append([]byte("<"), c)
			v, ok := ext(&Ctx{Ev: ev, Tables: tables})
			want := "<"
			if ok {
				want += string(v.AppendText(nil))
			}
			if gotOK != ok || ok && string(got) != want {
				t.Errorf("%s, event %d (type %d): Append %q, %v; extractor %q, %v", f.Name, i, ev.Type, got, gotOK, want, ok)
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d fields have Append", checked)
	}
}

// A field gives the same values whatever the event.Parts it does not
// read (Field.Reads) hold: the timestamp moved, on processes with several
// incarnations of a thread, and the fd's details zeroed or changed.
func TestFieldReads(t *testing.T) {
	reg := Syscall()
	tables, evs := genEvents(12, 600)
	// Every thread had an earlier incarnation, which whatever resolves a
	// thread at the event's time finds for an event at time 0.
	for tid, l := range tables.ByTid {
		old := *l[0]
		old.Comm, old.Exe, old.StartTs = "before", "/before", 1
		tables.ByTid[tid] = append([]*event.Process{&old}, l...)
	}
	// So had every parent thread, which the generator leaves out.
	for _, p := range tables.Procs {
		if len(tables.ByTid[p.PTid]) == 0 {
			tables.ByTid[p.PTid] = []*event.Process{
				{Tid: p.PTid, Pid: p.PTid, Comm: "before", Exe: "/before", StartTs: 1},
				{Tid: p.PTid, Pid: p.PTid, Comm: "after", Exe: "/after", StartTs: 2},
			}
		}
	}
	// Each part a field does not read, changed in three ways.
	changes := map[event.Parts][]func(ev *event.Event){
		event.PartTs: {
			func(ev *event.Event) { ev.Ts, ev.CPU = 0, 0 },
			func(ev *event.Event) { ev.Ts, ev.CPU = 1, ev.CPU+1 },
			func(ev *event.Event) { ev.Ts = 1 << 62 },
		},
		event.PartProc: {
			func(ev *event.Event) { ev.Proc = 0 }, // what Block.Event leaves
			func(ev *event.Event) { ev.Proc++ },
			func(ev *event.Event) { ev.Proc = 1 << 40 },
		},
		event.PartFDName: {
			func(ev *event.Event) { ev.FD.Name = "" },
			func(ev *event.Event) { ev.FD.Name = "/changed" },
			func(ev *event.Event) { ev.FD.Name = "10.1.1.1:1->10.2.2.2:2" },
		},
		event.PartFDTuple: {
			func(ev *event.Event) { ev.FD.Tuple = event.Tuple{} },
			func(ev *event.Event) {
				ev.FD.Tuple = event.Tuple{L4: event.L4TCP, SIP: netip.MustParseAddr("10.9.9.9"), DIP: netip.MustParseAddr("10.8.8.8"), SPort: 4444, DPort: 80}
			},
			func(ev *event.Event) {
				ev.FD.Tuple.SPort, ev.FD.Tuple.DPort, ev.FD.Role = ev.FD.Tuple.DPort, ev.FD.Tuple.SPort+1, ev.FD.Role^1
			},
		},
		event.PartMerged: {
			func(ev *event.Event) { ev.Merged = 0 },
			func(ev *event.Event) { ev.Merged = uint8(len(ev.Params)) },
			func(ev *event.Event) { ev.Merged = uint8(len(ev.Params) / 2) },
		},
		event.PartFDMeta: {
			func(ev *event.Event) { ev.FD.OpenFlags, ev.FD.Dev, ev.FD.Ino = 0, 0, 0 },
			func(ev *event.Event) {
				ev.FD.OpenFlags, ev.FD.Dev, ev.FD.Ino = ev.FD.OpenFlags^0x41, ev.FD.Dev+7, ev.FD.Ino+99
			},
			func(ev *event.Event) { ev.FD.OpenFlags = 1 },
		},
	}
	checked := map[event.Parts]int{}
	for _, f := range reg.All() {
		arg, hasArg := "", false
		if f.Name == "evt.rawarg" {
			arg, hasArg = "res", true
		}
		ext, err := f.Bind(arg, hasArg)
		if err != nil {
			continue // a field that needs an argument of its own
		}
		for part, fns := range changes {
			if f.Reads&part != 0 {
				continue
			}
			checked[part]++
			for i, ev := range evs {
				want, wantOK := ext(&Ctx{Ev: ev, Tables: tables})
				for k, change := range fns {
					moved := *ev
					change(&moved)
					got, ok := ext(&Ctx{Ev: &moved, Tables: tables})
					if ok != wantOK || ok && got.String() != want.String() {
						t.Errorf("%s, event %d, part %d changed (%d): %q, %v; unchanged %q, %v", f.Name, i, part, k, got.String(), ok, want.String(), wantOK)
					}
				}
			}
		}
	}
	if checked[event.PartTs] < 40 || checked[event.PartProc] < 40 || checked[event.PartFDName] < 40 || checked[event.PartFDTuple] < 40 || checked[event.PartFDMeta] < 40 || checked[event.PartMerged] < 40 {
		t.Errorf("fields checked per part: %v", checked)
	}
}

// For the types FDIsColumnByColumns names, FDIsColumn and FDNameIsColumn
// are what the columns say, on random and realistic events, with the
// thread, fd number and fd type also set to the values the rule tests.
func TestFDIsColumnByColumns(t *testing.T) {
	_, evs := genEvents(41, 4000)
	byRule := 0
	for i, ev := range evs {
		if !FDIsColumnByColumns(ev.Type) {
			continue
		}
		byRule++
		for k, change := range []func(e *event.Event){
			func(*event.Event) {},
			func(e *event.Event) { e.Tid = 0 },
			func(e *event.Event) { e.FD.Num = event.NoFD },
			func(e *event.Event) { e.FD.Type = event.FDNone },
			func(e *event.Event) { e.FD.Num, e.FD.Type = 7, event.FDFile },
		} {
			e := *ev
			change(&e)
			want := e.Tid != 0 && e.FD.Num != event.NoFD && e.FD.Type != event.FDNone
			if got := FDIsColumn(&e); got != want {
				t.Fatalf("event %d (%s), change %d: FDIsColumn %v, the columns say %v", i, e.Type, k, got, want)
			}
			if FDNameIsColumnByColumns(e.Type) && FDNameIsColumn(&e) != want {
				t.Fatalf("event %d (%s), change %d: FDNameIsColumn %v, the columns say %v", i, e.Type, k, !want, want)
			}
		}
	}
	if byRule < 500 {
		t.Fatalf("only %d events of the rule's types", byRule)
	}
}
