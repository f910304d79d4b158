package recorder

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"forensics/event"
	"forensics/state"
)

// TestProcWalk walks the real /proc and finds this test process as it is:
// program, working directory, a file it holds open and a listening socket.
func TestProcWalk(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "held-open"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)

	m := state.New(0)
	(&procWalk{root: "/proc", etc: "/etc", clkTck: 100}).run(m)
	pid := int64(os.Getpid())
	p, ok := m.Thread(pid)
	if !ok {
		t.Fatal("this process is not in the walk")
	}
	exe, _ := os.Executable()
	wd, _ := os.Getwd()
	if p.Pid != pid || p.PTid != int64(os.Getppid()) || p.ExePath != exe || p.Cwd != wd || p.Comm == "" {
		t.Errorf("process %+v: want pid %d, ppid %d, exe %s, cwd %s", p, pid, os.Getppid(), exe, wd)
	}
	if fd, ok := m.FD(pid, int64(f.Fd())); !ok || fd.Name != f.Name() || fd.Type != event.FDFile {
		t.Errorf("open file: %+v, %v", fd, ok)
	}
	found := false
	snap := m.Snapshot()
	for _, l := range snap.FDs {
		for _, fd := range l.FDs {
			if fd.Type == event.FDIPv4Server && fd.Tuple.DPort == port && fd.Tuple.DIP == netip.MustParseAddr("127.0.0.1") {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the listening socket on port %d is not in the fd tables", port)
	}
	if u, ok := m.User(0); !ok || u.Name != "root" {
		t.Errorf("user 0: %+v, %v", u, ok)
	}
}

func TestParseHexAddr(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
	}{
		{"0100007F:1F90", "127.0.0.1:8080"},
		{"00000000000000000000000001000000:0035", "[::1]:53"},
		{"0000000000000000FFFF00000100007F:01BB", "127.0.0.1:443"},
	} {
		a, p, ok := parseHexAddr(tt.in)
		if got := netip.AddrPortFrom(a, p).String(); !ok || got != tt.want {
			t.Errorf("parseHexAddr(%q) = %s, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
	if _, _, ok := parseHexAddr("zz:1"); ok {
		t.Error("bad address accepted")
	}
}

func TestReadCgroups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cgroup")
	os.WriteFile(path, []byte("12:pids:/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"+
		"4:cpu,cpuacct:/x\n0::/system.slice/crio-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210.scope\n"), 0o600)
	got := readCgroups(path)
	want := []string{"pids=/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "cpu=/x", "cpuacct=/x",
		"unified=/system.slice/crio-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210.scope"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %q, want %q", i, got[i], want[i])
		}
	}
	if id := state.ContainerID(got); id != "0123456789ab" {
		t.Errorf("container id %q", id)
	}
}
