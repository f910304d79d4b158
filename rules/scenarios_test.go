package rules_test

import (
	"context"
	"encoding/binary"
	"net/netip"
	"path/filepath"
	"slices"
	"testing"

	"forensics/capture"
	"forensics/event"
	"forensics/format"
	"forensics/query"
	"forensics/query/fields"
	"forensics/rules"
)

// The scenarios of the built-in ruleset that the sample incident does not
// play, as a synthetic capture: each process does one thing, and the test
// checks which rules each one raises (all matching rules, not only the
// first).

const (
	typeExecveX  event.Type = 293
	typeOpenatX  event.Type = 307
	typeConnectX event.Type = 23
	t0                      = 1_795_000_000_000_000_000
	oRDONLY                 = 1
	oWRONLY                 = 2
	oCREAT                  = 4
)

func le64(v int64) []byte  { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

type scenario struct {
	comm, exepath, container string
	uid                      uint32
	ev                       func(ev *event.Event) // fills Type, Params, FD
	want                     []string
}

func execve(ev *event.Event) {
	ev.Type = typeExecveX
	ev.Params = make([][]byte, 31)
	ev.Params[0] = le64(0)
	for i := 1; i < 31; i++ {
		ev.Params[i] = le64(0)
	}
}

func openat(path string, flags uint32) func(*event.Event) {
	return func(ev *event.Event) {
		ev.Type = typeOpenatX
		ev.Params = [][]byte{le64(3), le64(-100), append([]byte(path), 0), le32(flags), le32(0o644), le32(0x803), le64(42)}
		ev.FD = event.FD{Num: 3, Type: event.FDFile, Name: path, OpenFlags: flags, Dev: 0x803, Ino: 42}
	}
}

func connect(server netip.AddrPort) func(*event.Event) {
	return func(ev *event.Event) {
		client := netip.AddrPortFrom(netip.MustParseAddr("10.1.2.3"), 40000)
		tuple := []byte{2}
		tuple = append(tuple, client.Addr().AsSlice()...)
		tuple = binary.LittleEndian.AppendUint16(tuple, client.Port())
		tuple = append(tuple, server.Addr().AsSlice()...)
		tuple = binary.LittleEndian.AppendUint16(tuple, server.Port())
		ev.Type = typeConnectX
		ev.Params = [][]byte{le64(0), tuple, le64(4), append([]byte{2}, tuple[7:]...)}
		ev.FD = event.FD{Num: 4, Type: event.FDIPv4Sock, Role: event.RoleClient,
			Name:  client.String() + "->" + server.String(),
			Tuple: event.Tuple{L4: event.L4TCP, SIP: client.Addr(), SPort: client.Port(), DIP: server.Addr(), DPort: server.Port()}}
	}
}

func TestBuiltinScenarios(t *testing.T) {
	const ctr = "3ad5c0ffee42"
	remote := netip.MustParseAddrPort("203.0.113.9:443")
	scenarios := []scenario{
		{"bash", "/bin/bash", ctr, 0, execve, []string{"Shell in container"}},
		{"xmrig", "/tmp/xmrig", ctr, 0, execve, []string{"Program run from temporary or hidden directory", "Untrusted program in container"}},
		{"xmrig", "/tmp/xmrig", "", 0, execve, []string{"Program run from temporary or hidden directory"}},
		{"python3", "/usr/bin/python3", "", 0, openat("/root/notes.txt", oWRONLY|oCREAT), []string{"Write below root"}},
		{"python3", "/usr/bin/python3", "", 0, openat("/root/.bash_history", oWRONLY), nil},
		{"evil", "/usr/bin/evil", "", 0, openat("/dev/.hidden", oWRONLY|oCREAT), []string{"File created below dev"}},
		{"bash", "/bin/bash", "", 0, openat("/dev/null", oWRONLY|oCREAT), nil},
		{"sshd", "/usr/sbin/sshd", "", 0, connect(remote), []string{"Outbound connection from system binary"}},
		{"sshd", "/usr/sbin/sshd", "", 0, connect(netip.MustParseAddrPort("127.0.0.1:53")), nil},
		{"firefox", "/usr/bin/firefox", "", 1000, connect(remote), nil},
		{"cat", "/bin/cat", ctr, 0, openat("/var/run/docker.sock", oRDONLY), []string{"Container opened host-sensitive path"}},
		{"vim", "/usr/bin/vim", "", 0, openat("/usr/local/bin/tool", oWRONLY|oCREAT), []string{"Write below binary directory"}},
		{"dpkg", "/usr/bin/dpkg", "", 0, openat("/usr/bin/tool", oWRONLY|oCREAT), nil},
		{"less", "/usr/bin/less", "", 0, openat("/etc/shadow", oRDONLY), []string{"Sensitive file read by unexpected program"}},
		{"sudo", "/usr/bin/sudo", "", 0, openat("/etc/shadow", oRDONLY), nil},
		{"vi", "/usr/bin/vi", "", 0, openat("/etc/hosts", oWRONLY), []string{"Write below etc"}},
		{"installer", "/usr/bin/installer", "", 0, openat("/etc/cron.d/job", oWRONLY|oCREAT), []string{"Cron job installed", "Write below etc"}},
	}
	path := filepath.Join(t.TempDir(), "scenarios.zst")
	w, err := format.Create(path, format.Header{StartTs: t0, Source: "test", Host: event.Host{Hostname: "scenarios"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, sc := range scenarios {
		p := &event.Process{Key: event.ProcKey(i + 1), Tid: int64(100 + i), Pid: int64(100 + i), PTid: 1, Sid: 1,
			Comm: sc.comm, Exe: sc.comm, ExePath: sc.exepath, Cwd: "/", Container: sc.container, UID: sc.uid,
			LoginUID: 0xFFFFFFFF, StartTs: t0 + uint64(i)*1000}
		if err := w.PutProcess(p); err != nil {
			t.Fatal(err)
		}
		ev := &event.Event{Num: uint64(i + 1), Ts: t0 + uint64(i)*1000 + 500, Tid: p.Tid, Proc: p.Key, FD: event.FD{Num: event.NoFD}}
		sc.ev(ev)
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	l := rules.NewLoader(rules.Options{})
	if err := l.LoadData(rules.DefaultName, rules.Default()); err != nil {
		t.Fatal(err)
	}
	rs, err := l.Compile()
	if err != nil {
		t.Fatal(err)
	}
	eng := rs.Engine(rules.Selection{MinPriority: rules.Debug, Matching: rules.MatchAll})
	c, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := make([][]string, len(scenarios))
	err = query.Run(context.Background(), c, query.Options{}, func(fc *fields.Ctx) error {
		i := int(fc.Ev.Num) - 1
		eng.Match(fc, func(r *rules.Rule) { got[i] = append(got[i], r.Name) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, sc := range scenarios {
		slices.Sort(got[i])
		if !slices.Equal(got[i], sc.want) {
			t.Errorf("%s (%s, container %q): rules %q, want %q", sc.comm, sc.exepath, sc.container, got[i], sc.want)
		}
	}
}
