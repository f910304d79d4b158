package render

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"forensics/event"
	"forensics/render/internal/gendata/gen"
)

func i64(v int64) []byte  { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func u16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func str(s string) []byte { return append([]byte(s), 0) }

// fakeResolver answers from fixed tables.
type fakeResolver struct {
	fds   map[int64]event.FD
	comms map[int64]string
	users map[uint32]string
	cwd   string
}

func (f *fakeResolver) FD(_ *event.Event, fd int64) (event.FD, bool) {
	d, ok := f.fds[fd]
	return d, ok
}
func (f *fakeResolver) Comm(_ *event.Event, tid int64) (string, bool) {
	c, ok := f.comms[tid]
	return c, ok
}
func (f *fakeResolver) User(_ *event.Event, uid uint32) (string, bool) {
	u, ok := f.users[uid]
	return u, ok
}
func (f *fakeResolver) Group(_ *event.Event, gid uint32) (string, bool) { return "", false }
func (f *fakeResolver) Cwd(*event.Event) (string, bool)                 { return f.cwd, f.cwd != "" }

var testRes = &fakeResolver{
	fds: map[int64]event.FD{
		4: {Num: 4, Type: event.FDIPv4Sock, Name: "10.0.0.5:41234->93.184.216.34:80",
			Tuple: event.Tuple{L4: event.L4TCP}},
		5: {Num: 5, Type: event.FDFIFO},
		6: {Num: 6, Type: event.FDDirectory, Name: "/etc"},
		7: {Num: 7, Type: event.FDIPv6Server, Name: "::1:53", Tuple: event.Tuple{L4: event.L4UDP}},
		8: {Num: 8, Type: event.FDFile, Name: "/tmp/bad\x01name"},
	},
	comms: map[int64]string{1234: "bash"},
	users: map[uint32]string{1000: "alice"},
	cwd:   "/home/alice",
}

func ev(t event.Type, params ...[]byte) *event.Event {
	return &event.Event{Type: t, Params: params, FD: event.FD{Num: event.NoFD}}
}

func TestAppendArgs(t *testing.T) {
	openX := ev(3, i64(3), str("/etc/passwd"), u32(4097), u32(0o644), u32(0x803))
	openX.FD = event.FD{Num: 3, Type: event.FDFile, Name: "/etc/passwd"}
	merged := ev(5, i64(0), i64(3))
	merged.Merged = 1
	rel := ev(3, i64(-2), str("./a/../b//c/"), u32(1), u32(0), u32(0))
	tests := []struct {
		name string
		ev   *event.Event
		want string
	}{
		{"open exit: fd, path, flags, octal mode, hex dev", openX,
			"fd=3(<f>/etc/passwd) name=/etc/passwd flags=4097(O_RDONLY|O_CLOEXEC) mode=0644 dev=803 "},
		{"errno names", ev(5, i64(-2)), "res=-2(ENOENT) "},
		{"errno without name", ev(5, i64(-200)), "res=-200 "},
		{"errno zero", ev(5, i64(0)), "res=0 "},
		{"merged params not printed", merged, "res=0 "},
		{"relative path resolved against cwd", rel,
			"fd=-2(ENOENT) name=./a/../b//c/(/home/alice/b/c) flags=1(O_RDONLY) mode=0 dev=0 "},
		{"openat dirfd AT_FDCWD and dirfd-relative path", ev(306, i64(-100), str("x"), u32(0), u32(0)),
			"dirfd=-100(AT_FDCWD) name=x(/home/alice/x) flags=0(O_NONE) mode=0 "},
		{"openat dirfd directory", ev(306, i64(6), str("passwd"), u32(3), u32(0)),
			"dirfd=6(<d>/etc) name=passwd(/etc/passwd) flags=3(O_RDWR) mode=0 "},
		{"openat unknown dirfd", ev(306, i64(9), str("passwd"), u32(7), u32(0)),
			"dirfd=9 name=passwd(passwd) flags=7(O_CREAT|O_RDWR) mode=0 "},
		{"fd resolution: sockets, pipes, negative", ev(23, i64(0), nil, i64(4)),
			"res=0 tuple=NULL fd=4(<4t>10.0.0.5:41234->93.184.216.34:80) "},
		{"pipe fd with empty name; unknown fd", ev(61, i64(0), i64(5), i64(11), u64(77)),
			"res=0 fd1=5(<p>) fd2=11 ino=77 "},
		{"fd name sanitized", ev(4, i64(8)), "fd=8(<f>/tmp/badname) "},
		{"negative fd as errno", ev(4, i64(-1)), "fd=-1(EPERM) "},
		{"ipv6 udp server", ev(4, i64(7)), "fd=7(<6u>::1:53) "},
		{"pid resolved to comm", ev(128, i64(1234), []byte{9}), "pid=1234(bash) sig=9(SIGKILL) "},
		{"unknown pid and signal", ev(128, i64(99), []byte{64}), "pid=99 sig=64 "},
		{"uid name, unknown, none", ev(198, u32(1000)), "uid=1000(alice) "},
		{"uid unknown", ev(198, u32(7)), "uid=7(<NA>) "},
		{"uid -1", ev(198, u32(0xFFFFFFFF)), "uid=-1(<NONE>) "},
		{"reltime", ev(134, u64(1500000000)), "interval=1500000000(1.5s) "},
		{"reltime zero", ev(134, u64(0)), "interval=0(0s) "},
		{"reltime none", ev(134, u64(^uint64(0))), "interval=none "},
		{"mmap exit res is hex UINT64 in 0.29.3", ev(161, u64(0x7fad48782000), u32(360), u32(4), u32(0)),
			"res=7FAD48782000 vm_size=360 vm_rss=4 vm_swap=0 "},
		{"mmap enter: hex addr, flags, fd", ev(160, u64(0), u64(8192), u32(3), u32(10), i64(0xFFFFFFFF), u64(0)),
			"addr=0 length=8192 prot=3(PROT_READ|PROT_WRITE) flags=10(MAP_PRIVATE|MAP_ANONYMOUS) fd=4294967295 offset=0 "},
		{"prot none", ev(160, u64(0x1000), u64(1), u32(0), u32(2), i64(-1), u64(0)),
			"addr=1000 length=1 prot=0(PROT_NONE) flags=2(MAP_PRIVATE) fd=-1(EPERM) offset=0 "},
		{"mode with names", ev(315, i64(0), str("/x"), u32(0o755)),
			"res=0 filename=/x mode=0755(S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR) "},
		{"socket domain enum walked as flags", ev(18, u32(10), u32(1), u32(0)),
			"domain=10(AF_INET6) type=1 proto=0 "},
		{"empty buffer, empty tuple", ev(35, i64(-11), []byte{}, nil),
			"res=-11(EAGAIN) data= tuple=NULL "},
		{"sockaddr inet", ev(21, i64(0), append(append([]byte{2}, 127, 0, 0, 1), u16(8080)...)),
			"res=0 addr=127.0.0.1:8080 "},
		{"sockaddr inet6", ev(21, i64(0), append(append([]byte{10}, netip.MustParseAddr("::1").AsSlice()...), u16(53)...)),
			"res=0 addr=::1:53 "},
		{"sockaddr unix", ev(21, i64(0), append([]byte{1}, str("/run/s\x02ock")...)),
			"res=0 addr=/run/sock "},
		{"sockaddr other family", ev(21, i64(0), []byte{16, 0, 0}), "res=0 addr=family 16 "},
		{"fdlist", ev(80, append(u16(2), append(append(i64(5), u16(1)...), append(i64(9), u16(0x8004)...)...)...), i64(100)),
			"fds=5:p1 9:?ffff8004 timeout=100 "},
		{"sigset", ev(254, nil, u64(0), u32(1<<8|1)), "fds=NULL timeout=0(0s) sigmask=SIGHUP SIGKILL "},
		{"generic syscall prints nothing", ev(1, u16(75), u16(10)), ""},
		{"no params", ev(12), ""},
		{"setsockopt dynamic uint32", ev(45, i64(0), i64(4), []byte{1}, []byte{2}, append([]byte{2}, u32(1)...), u32(4)),
			"res=0 fd=4(<4t>10.0.0.5:41234->93.184.216.34:80) level=1(SOL_SOCKET) optname=2(SO_REUSEADDR) val=1 optlen=4 "},
		{"dynamic errno, invalid selector", ev(45, i64(0), i64(99), []byte{0}, []byte{4}, append([]byte{1}, i64(-2)...), u32(0)),
			"res=0 fd=99 level=0(UNKNOWN) optname=4(SO_ERROR) val=-2(ENOENT) optlen=0 "},
		{"dynamic bad selector", ev(45, i64(0), i64(99), []byte{0}, []byte{4}, []byte{9, 1}, u32(0)),
			"res=0 fd=99 level=0(UNKNOWN) optname=4(SO_ERROR) val=INVALID DYNAMIC PARAMETER optlen=0 "},
		{"ptrace dynamic hex", ev(169, i64(0), append([]byte{0}, u64(0xdeadbeef)...), append([]byte{1}, 9), u16(16), i64(1234)),
			"res=0 addr=DEADBEEF data=9(SIGKILL) request=16(PTRACE_GETSIGINFO) pid=1234(bash) "},
		{"exec args dots", ev(293, i64(0), str("ls"), []byte("-la\x00/tmp\x00")),
			"res=0 exe=ls args=-la./tmp. "},
		{"execve 0.29.3 names: pgid", func() *event.Event {
			p := make([][]byte, 18)
			for i := range p {
				p[i] = u32(0)
			}
			p[0], p[3], p[4], p[5], p[7], p[8], p[9] = i64(0), i64(1), i64(1), i64(1), u64(0), u64(0), u64(0)
			p[1], p[2], p[6], p[13], p[14], p[15] = str("x"), []byte{}, str("/"), str("x"), []byte{}, []byte{}
			p[16], p[17] = u32(0xFFFFFFFF), i64(5)
			return ev(293, p...)
		}(), "res=0 exe=x args= tid=1 pid=1 ptid=1 cwd=/ fdlimit=0 pgft_maj=0 pgft_min=0 vm_size=0 vm_rss=0 vm_swap=0 comm=x cgroups= env= tty=-1 pgid=5 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendArgs(nil, tt.ev, testRes))
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if info := string(AppendInfo(nil, tt.ev, testRes)); info != got {
				t.Errorf("evt.info %q differs from evt.args %q", info, got)
			}
		})
	}
}

func TestNilResolver(t *testing.T) {
	e := ev(306, i64(6), str("passwd"), u32(1), u32(0))
	if got, want := string(AppendArgs(nil, e, nil)), "dirfd=6 name=passwd(passwd) flags=1(O_RDONLY) mode=0 "; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e.FD = event.FD{Num: 6, Type: event.FDDirectory, Name: "/etc"}
	if got, want := string(AppendArgs(nil, e, nil)), "dirfd=6(<d>/etc) name=passwd(/etc/passwd) flags=1(O_RDONLY) mode=0 "; got != want {
		t.Errorf("with ev.FD: got %q, want %q", got, want)
	}
}

func TestAppendFlagNames(t *testing.T) {
	tests := []struct {
		table string
		v     uint32
		want  string
	}{
		{"file_flags", 4097, "O_RDONLY|O_CLOEXEC"},
		{"file_flags", 1, "O_RDONLY"},
		{"file_flags", 0, "O_NONE"},
		{"file_flags", 3, "O_RDWR"},
		{"file_flags", 7, "O_CREAT|O_RDWR"},
		{"file_flags", 0x441, "O_DIRECTORY|O_NONBLOCK|O_RDONLY"},
		{"file_flags", 0x4000 | 0x4 | 0x2, "O_CREAT|O_WRONLY|O_F_CREATED"},
		{"mmap_flags", 10, "MAP_PRIVATE|MAP_ANONYMOUS"},
		{"mmap_flags", 0, ""},
		{"prot_flags", 0, "PROT_NONE"},
		{"prot_flags", 5, "PROT_READ|PROT_EXEC"},
		{"futex_operations", 128, "FUTEX_PRIVATE_FLAG"},
		{"futex_operations", 129, "FUTEX_PRIVATE_FLAG|FUTEX_WAKE"},
		{"futex_operations", 0, "FUTEX_WAIT"},
		{"futex_operations", 0x189, "FUTEX_CLOCK_REALTIME|FUTEX_PRIVATE_FLAG|FUTEX_WAIT_BITSET"},
		{"access_flags", 0, "F_OK"},
		{"access_flags", 6, "R_OK|W_OK"},
		{"fcntl_commands", 5, "F_SETFL"},
		{"fcntl_commands", 30, "F_SETPIPE_SZ|F_GETFD|F_OFD_GETLK"},
		{"fcntl_commands", 99, "F_SETFD|F_OFD_SETLKW"},
		{"socket_families", 1, "AF_LOCAL"},
		{"socket_families", 2, "AF_INET"},
		{"socket_families", 16, "AF_ROUTE"},
		{"shutdown_how", 1, "SHUT_WR"},
		{"shutdown_how", 0, "SHUT_RD"},
		{"clone_flags", 41990659, "CLONE_FILES|CLONE_FS|CLONE_PARENT_SETTID|CLONE_SIGHAND|CLONE_SYSVSEM|CLONE_THREAD|CLONE_VM|CLONE_CHILD_CLEARTID|CLONE_SETTLS"},
		{"anon_inode_fd_types", 3, ""},
		{"no_such_table", 3, ""},
	}
	for _, tt := range tests {
		if got := string(AppendFlagNames(nil, Table(tt.table), tt.v)); got != tt.want {
			t.Errorf("%s %d: got %q, want %q", tt.table, tt.v, got, tt.want)
		}
	}
}

// TestTablesComplete checks that every flag or enum table our event table
// names exists, and that DYN tables have alternatives.
func TestTablesComplete(t *testing.T) {
	for _, info := range event.All() {
		for _, p := range info.Params {
			if p.Table == "" {
				continue
			}
			if p.Type == event.PTDyn {
				if _, ok := dynTables[p.Table]; !ok {
					t.Errorf("%s.%s: no dynamic table %q", info.Enum, p.Name, p.Table)
				}
				continue
			}
			if _, ok := flagTables[p.Table]; !ok {
				t.Errorf("%s.%s: no flag table %q", info.Enum, p.Name, p.Table)
			}
		}
	}
	// file_flags in libs' declaration order (events.md).
	var names []string
	for _, f := range Table("file_flags") {
		names = append(names, f.Name)
	}
	want := "O_LARGEFILE O_DIRECTORY O_DIRECT O_TRUNC O_SYNC O_NONBLOCK O_EXCL O_DSYNC O_APPEND O_CREAT O_RDWR O_WRONLY O_RDONLY O_CLOEXEC O_NONE O_TMPFILE O_F_CREATED FD_UPPER_LAYER FD_LOWER_LAYER"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("file_flags order:\n got %s\nwant %s", got, want)
	}
	if len(TableNames()) != len(flagTables) {
		t.Error("TableNames")
	}
}

func TestBufferModes(t *testing.T) {
	data := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\x01z")
	tests := []struct {
		o    Options
		in   []byte
		want string
	}{
		{Default, data, "GET / HTTP/1.1..Host: x......z"},
		{Options{Buffer: BufferASCII}, data, "\nGET / HTTP/1.1\nHost: x\n\nz"},
		{Options{Buffer: BufferASCII}, []byte("\nab\n\rc"), "\nab\n\nc"},
		{Options{Buffer: BufferHex}, []byte("ABCDEFGHIJKLMNOPQ"),
			"\n\t0x0000: 4142 4344 4546 4748 494a 4b4c 4d4e 4f50\n\t0x0010: 51\n"},
		{Options{Buffer: BufferHexASCII}, []byte("AB\x00"),
			"\n\t0x0000: 4142 00" + strings.Repeat(" ", 6*5+2) + "AB.\n"},
		{Options{Buffer: BufferBase64}, []byte("hello"), "aGVsbG8="},
		{Default, bytes.Repeat([]byte("a"), 80), strings.Repeat("a", 80)},
		{Default, bytes.Repeat([]byte("a"), 81), strings.Repeat("a", 77) + "..."},
		{Options{}, bytes.Repeat([]byte("a"), 81), strings.Repeat("a", 81)},
		{Options{Buffer: BufferASCII, MaxBufLen: 80}, bytes.Repeat([]byte("a"), 81), "\n" + strings.Repeat("a", 81)},
	}
	for i, tt := range tests {
		e := ev(7, i64(int64(len(tt.in))), tt.in)
		want := "res=" + strconv.Itoa(len(tt.in)) + " data=" + tt.want + " "
		if got := string(tt.o.AppendArgs(nil, e, nil)); got != want {
			t.Errorf("%d: got %q\nwant %q", i, got, want)
		}
		if got := tt.o.Param(e, 1, nil, false); got != tt.want {
			t.Errorf("%d: Param: got %q, want %q", i, got, tt.want)
		}
	}
}

func TestSockTuple(t *testing.T) {
	v4 := func(a, b string, sp, dp uint16) []byte {
		out := []byte{2}
		out = append(out, netip.MustParseAddr(a).AsSlice()...)
		out = append(out, u16(sp)...)
		out = append(out, netip.MustParseAddr(b).AsSlice()...)
		return append(out, u16(dp)...)
	}
	v6 := func(a, b string, sp, dp uint16) []byte {
		out := []byte{10}
		x := netip.MustParseAddr(a).As16()
		out = append(out, x[:]...)
		out = append(out, u16(sp)...)
		y := netip.MustParseAddr(b).As16()
		out = append(out, y[:]...)
		return append(out, u16(dp)...)
	}
	unix := append(append(append([]byte{1}, u64(0xffff8800aa)...), u64(0xbb)...), str("/run/x.sock")...)
	tests := []struct {
		in   []byte
		want string
	}{
		{v4("10.0.0.1", "10.0.0.2", 1234, 80), "10.0.0.1:1234->10.0.0.2:80"},
		{v6("::ffff:10.0.0.1", "::ffff:10.0.0.2", 1, 2), "10.0.0.1:1->10.0.0.2:2"},
		{v6("::", "::", 1, 2), "0.0.0.0:1->0.0.0.0:2"},
		{v6("2001:db8::1", "fe80::1:0:0:2", 443, 5000), "2001:db8::1:443->fe80::1:0:0:2:5000"},
		{v6("::1", "::2.3.4.5", 1, 2), "::1:1->::2.3.4.5:2"},
		{v6("1:0:0:2:0:0:0:3", "1:2:3:4:5:6:7:8", 1, 2), "1:0:0:2::3:1->1:2:3:4:5:6:7:8:2"},
		{unix, "ffff8800aa->bb /run/x.sock"},
		{[]byte{2, 1, 2}, "INVALID IPv4"},
		{[]byte{44}, "family 44"},
	}
	for _, tt := range tests {
		e := ev(23, i64(0), tt.in)
		if got := Param(e, 1, nil, false); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestParam(t *testing.T) {
	e := ev(3, i64(3), str("/etc/passwd"), u32(4097), u32(0o644), u32(0x803))
	e.FD = event.FD{Num: 3, Type: event.FDFile, Name: "/etc/passwd"}
	tests := []struct {
		k    int
		raw  bool
		want string
	}{
		{0, false, "<f>/etc/passwd"},
		{0, true, "3"},
		{1, false, "/etc/passwd"},
		{1, true, "/etc/passwd"},
		{2, false, "O_RDONLY|O_CLOEXEC"},
		{2, true, "4097"},
		{3, false, "0644"},
		{3, true, "420"},
		{4, false, "803"},
		{4, true, "2051"},
		{5, false, ""},
		{-1, false, ""},
	}
	for _, tt := range tests {
		if got := Param(e, tt.k, testRes, tt.raw); got != tt.want {
			t.Errorf("param %d raw=%v: got %q, want %q", tt.k, tt.raw, got, tt.want)
		}
	}
	r := ev(5, i64(-2))
	if got := Param(r, 0, nil, false); got != "ENOENT" {
		t.Errorf("errno: %q", got)
	}
	if got := Param(r, 0, nil, true); got != "-2" {
		t.Errorf("raw errno: %q", got)
	}
	g := ev(1, u16(75), u16(10))
	if got := Param(g, 0, nil, false); got != "mprotect" {
		t.Errorf("syscall id: %q", got)
	}
	if got := Param(ev(7, i64(3), []byte("ELF\x00abc")), 1, nil, true); got != "ELF" {
		t.Errorf("raw buffer: %q", got)
	}
	if got := Param(ev(23, i64(0), []byte{2, 1, 2, 3, 4, 0, 1, 5, 6, 7, 8, 0, 2}), 1, nil, true); got != "1.2.3.4:256->5.6.7.8:512" {
		t.Errorf("raw tuple: %q", got)
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		typ  event.ParamType
		f    numFmt
		b    []byte
		want string
	}{
		{event.PTUint32, fmtDec, u32(0xFFFFFFFF), "-1"},
		{event.PTUint64, fmtDec, u64(^uint64(0)), "-1"},
		{event.PTUint64, fmtHex, u64(^uint64(0)), "FFFFFFFFFFFFFFFF"},
		{event.PTUint16, fmtDec, u16(0xFFFF), "65535"},
		{event.PTUint8, fmtDec, []byte{200}, "200"},
		{event.PTInt8, fmtDec, []byte{0xFF}, "-1"},
		{event.PTInt8, fmtHex, []byte{0xFF}, "FFFFFFFF"},
		{event.PTInt32, fmtHex, u32(0xFFFFFFFE), "FFFFFFFE"},
		{event.PTInt64, fmtDec, i64(-5), "-5"},
		{event.PTUint32, fmtOct, u32(0), "0"},
		{event.PTUint32, fmtOct, u32(8), "010"},
		{event.PTUint32, fmtHex, u32(0xabc), "ABC"},
	}
	for _, tt := range tests {
		if got := string(appendNum(nil, tt.typ, tt.f, tt.b)); got != tt.want {
			t.Errorf("%d %d %x: got %q, want %q", tt.typ, tt.f, tt.b, got, tt.want)
		}
	}
}

func TestAbsTime(t *testing.T) {
	old := time.Local
	time.Local = time.UTC
	defer func() { time.Local = old }()
	if got := string(appendAbsTime(nil, 1470327477881730713)); got != "2016-08-04 16:17:57.88173071" {
		t.Errorf("got %q", got)
	}
}

func TestCleanPath(t *testing.T) {
	tests := []struct{ base, path, want string }{
		{"/home/u/", "a/b", "/home/u/a/b"},
		{"/home/u/", "../x", "/home/x"},
		{"/home/u/", "../../../../x", "/x"},
		{"/home/u/", "./a/./b/", "/home/u/a/b"},
		{"/home/u/", "a//b", "/home/u/a/b"},
		{"/home/u/", "..", "/home"},
		{"/home/u/", "..x/.y", "/home/u/..x/.y"},
		{"/home/u/", "a/.", "/home/u/a"},
		{"/home/u/", "\xffz", "/home/u/.z"},
		{"/home/u/", "", "/home/u"},
		{"", "rel", "rel"},
	}
	for _, tt := range tests {
		dst := appendCleanPath([]byte(tt.base), 0, []byte(tt.path))
		if string(dst) != tt.want {
			t.Errorf("%q + %q: got %q, want %q", tt.base, tt.path, dst, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	if ErrnoName(-2) != "ENOENT" || ErrnoName(2) != "" || ErrnoName(-9999) != "" || ErrnoName(-512) != "ERESTARTSYS" {
		t.Error("ErrnoName")
	}
	if SignalName(9) != "SIGKILL" || SignalName(0) != "" {
		t.Error("SignalName")
	}
	if n, ok := SyscallName(0); !ok || n != "<unknown>" {
		t.Error("SyscallName 0")
	}
	if n, _ := SyscallName(300); n != "newfstatat" {
		t.Errorf("SyscallName 300 = %q", n)
	}
	if _, ok := SyscallName(5000); ok {
		t.Error("SyscallName out of range")
	}
	for _, c := range []struct {
		ev   *event.Event
		want string
	}{
		{ev(1, u16(212)), "set_robust_list"},
		{ev(0, u16(9999)), "<unknown>"},
		{ev(113), "pread"},
		{ev(249), "accept"},
		{ev(3), "open"},
		{ev(1000), "type(1000)"},
	} {
		if got := EventName(c.ev); got != c.want {
			t.Errorf("EventName(%d) = %q, want %q", c.ev.Type, got, c.want)
		}
	}
	if !Hidden(ev(234)) || !Hidden(ev(400)) || Hidden(ev(3)) {
		t.Error("Hidden")
	}
	st := ev(3)
	st.Flags = event.FlagStateOnly
	if !Hidden(st) {
		t.Error("Hidden state-only")
	}
}

// TestGeneratedDataUpToDate checks data_gen.go against the data files.
func TestGeneratedDataUpToDate(t *testing.T) {
	want, err := gen.Generate(os.DirFS("data"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("data_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("data_gen.go is stale: run go generate ./render/")
	}
	// The generator rejects malformed data.
	bad := fstest.MapFS{"flags.tsv": {Data: []byte("t\tA\tnot-a-number\n")}}
	if _, err := gen.Generate(bad); err == nil {
		t.Error("malformed flags.tsv accepted")
	}
}
