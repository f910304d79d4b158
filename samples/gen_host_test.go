package samples

import (
	"maps"
	"net/netip"
	"path"
	"slices"
	"time"

	"forensics/event"
	"forensics/format"
)

// This file holds the host and what runs on it when the capture starts:
// the header, the daemons with their open fds, the users and groups.

// bootTime is when web-01 booted.
func bootTime() time.Time { return time.Date(2026, 11, 19, 6, 2, 41, 0, time.UTC) }

// installed is when the distribution's binaries were installed (their
// inodes' ctime and mtime).
func installed() uint64 { return unixNs(time.Date(2026, 2, 10, 9, 31, 7, 0, time.UTC)) }

func unixNs(t time.Time) uint64 { return uint64(t.UnixNano()) }

// header is the capture file's header.
func (g *gen) header() format.Header {
	f := &g.facts
	return format.Header{
		SetID:   "sample",
		Seq:     1,
		StartTs: g.t0,
		Writer:  "forensics samples generator",
		Source:  "synthetic",
		Snaplen: snaplen,
		Host: event.Host{
			Hostname:    f.Hostname,
			Kernel:      f.Kernel,
			OS:          f.OS,
			Arch:        f.Arch,
			MachineID:   "3f9c2e51a7d84b06b1e0c5d29a7f4e18",
			BootTime:    unixNs(bootTime()),
			CPUs:        f.CPUs,
			MemoryBytes: 4 << 30,
		},
	}
}

// world is the processes running when the capture starts, those that
// act in it.
type world struct {
	systemd, cron, sshd       *proc
	nginx, nginxWorker        *proc
	postgres, walwriter, bgwr *proc
	all                       []*proc // in snapshot order
}

// Paths and addresses of the daemons.
const (
	accessLog  = "/var/log/nginx/access.log"
	errorLog   = "/var/log/nginx/error.log"
	pgLog      = "/var/log/postgresql/postgresql-15-main.log"
	pgData     = "/var/lib/postgresql/15/main"
	walSegment = pgData + "/pg_wal/00000001000000000000003C"
)

// newWorld makes the daemons, in the order of the snapshot.
func (g *gen) newWorld() *world {
	w := &world{}
	add := func(p *proc) *proc {
		w.all = append(w.all, p)
		return p
	}
	w.systemd = add(g.daemon(nil, 1, "/usr/lib/systemd/systemd", []string{"/sbin/init"}, 0, 0, "/init.scope"))
	w.systemd.Comm = "systemd"
	w.systemd.vmSize, w.systemd.vmRSS = 168_000, 12_900
	w.systemd.devNull(0, 1, 2)

	w.cron = add(g.daemon(w.systemd, 640, "/usr/sbin/cron", []string{"/usr/sbin/cron", "-f"}, 0, 0, "/system.slice/cron.service"))
	w.cron.devNull(0, 1, 2)
	w.cron.fds[3] = fileFD(3, "/run/crond.pid", oWRONLY|oCREAT|oCLOEXEC)

	f := &g.facts
	sshdArgv := append([]string{f.SSHD.Exe}, f.SSHD.Args...)
	w.sshd = add(g.daemon(w.systemd, f.SSHD.Pid, f.SSHD.ExePath, sshdArgv, 0, 0, "/system.slice/ssh.service"))
	w.sshd.devNull(0, 1, 2)
	w.sshd.fds[3] = listenFD(3, netip.AddrPortFrom(netip.IPv4Unspecified(), f.SSHServer.Port()))

	nginxArgv := []string{"nginx: master process /usr/sbin/nginx -g daemon on; master_process on;"}
	w.nginx = add(g.daemon(w.systemd, 1020, "/usr/sbin/nginx", nginxArgv, 0, 0, "/system.slice/nginx.service"))
	w.nginx.nginxFDs()
	w.nginxWorker = add(g.forked(w.nginx, 1021, "nginx: worker process"))
	w.nginxWorker.setCreds(33, 33)
	w.nginxWorker.nginxFDs()
	w.nginxWorker.fds[7] = event.FD{Num: 7, Type: event.FDEventPoll}

	pgArgv := []string{"/usr/lib/postgresql/15/bin/postgres", "-D", pgData, "-c",
		"config_file=/etc/postgresql/15/main/postgresql.conf"}
	pgUnit := "/system.slice/system-postgresql.slice/postgresql@15-main.service"
	w.postgres = add(g.daemon(w.systemd, 1150, pgArgv[0], pgArgv, 105, 111, pgUnit))
	w.postgres.Cwd = pgData
	w.postgres.pgFDs()
	w.postgres.fds[5] = listenFD(5, netip.MustParseAddrPort("127.0.0.1:5432"))
	w.bgwr = add(g.forked(w.postgres, 1157, "postgres: 15/main: background writer "))
	w.bgwr.pgFDs()
	w.walwriter = add(g.forked(w.postgres, 1159, "postgres: 15/main: walwriter "))
	w.walwriter.pgFDs()
	w.walwriter.fds[3] = fileFD(3, walSegment, oRDWR|oCLOEXEC)
	return w
}

// daemon makes a service started before the capture.
func (g *gen) daemon(parent *proc, pid int64, exePath string, argv []string, uid, gid uint32, cgroup string) *proc {
	comm := path.Base(exePath)
	p := &proc{cpu: uint16(pid % 2), fds: map[int64]event.FD{}, vmSize: 20_000, vmRSS: 6_000}
	p.Process = event.Process{
		Key: g.newKey(), Tid: pid, Pid: pid, Sid: pid, Pgid: pid, VTid: pid, VPid: pid,
		Comm: comm[:min(len(comm), 15)], Exe: argv[0], ExePath: exePath, Args: argv[1:],
		Env: []string{"LANG=C.UTF-8", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		Cwd: "/", Root: "/", Cgroups: cgroups(cgroup), LoginUID: NoLoginUID, FDLimit: fdLimit,
		ExeIno: inodeOf(exePath), PidNSStart: unixNs(bootTime().Add(700 * time.Millisecond)),
	}
	if parent != nil {
		p.ParentKey, p.PTid = parent.Key, parent.Tid
	}
	p.setCreds(uid, gid)
	return p
}

// forked makes a process that parent forked before the capture and that
// set its process title (argv[0]) to title.
func (g *gen) forked(parent *proc, pid int64, title string) *proc {
	p := &proc{Process: parent.Process, cpu: uint16(pid % 2), fds: map[int64]event.FD{},
		vmSize: parent.vmSize, vmRSS: parent.vmRSS}
	p.Key, p.ParentKey = g.newKey(), parent.Key
	p.Tid, p.Pid, p.VTid, p.VPid, p.PTid = pid, pid, pid, pid, parent.Tid
	p.Exe, p.Args = title, nil
	p.Flags = forkFlags
	return p
}

// devNull opens /dev/null as the fds nums.
func (p *proc) devNull(nums ...int64) {
	for _, n := range nums {
		p.fds[n] = fileFD(n, "/dev/null", oRDWR)
	}
}

// nginxFDs are the fds of nginx's master and worker: logs and the listener.
func (p *proc) nginxFDs() {
	p.devNull(0, 1)
	p.fds[2] = fileFD(2, errorLog, oWRONLY|oAPPEND|oCREAT)
	p.fds[4] = fileFD(4, accessLog, oWRONLY|oAPPEND|oCREAT|oCLOEXEC)
	p.fds[5] = fileFD(5, errorLog, oWRONLY|oAPPEND|oCREAT|oCLOEXEC)
	p.fds[6] = listenFD(6, netip.AddrPortFrom(netip.IPv4Unspecified(), 80))
}

// pgFDs are the fds every postgres process has: its log.
func (p *proc) pgFDs() {
	p.devNull(0)
	p.fds[1] = fileFD(1, pgLog, oWRONLY|oAPPEND|oCREAT)
	p.fds[2] = fileFD(2, pgLog, oWRONLY|oAPPEND|oCREAT)
}

// cgroups is a process's cgroup list as the drivers report it.
func cgroups(path string) []string {
	var cg []string
	for _, sub := range []string{"cpuset", "cpu", "io", "memory", "pids"} {
		cg = append(cg, sub+"="+path)
	}
	return cg
}

// snapshot is the state at the start of the capture.
func (w *world) snapshot() *event.Snapshot {
	s := &event.Snapshot{Users: users(), Groups: groups()}
	for _, p := range w.all {
		s.Processes = append(s.Processes, p.Process)
		pf := event.ProcFDs{Proc: p.Key}
		for _, n := range slices.Sorted(maps.Keys(p.fds)) {
			pf.FDs = append(pf.FDs, p.fds[n])
		}
		s.FDs = append(s.FDs, pf)
	}
	return s
}

func users() []event.User {
	return []event.User{
		{UID: 0, GID: 0, Name: "root", Home: "/root", Shell: "/bin/bash"},
		{UID: 33, GID: 33, Name: "www-data", Home: "/var/www", Shell: "/usr/sbin/nologin"},
		{UID: 105, GID: 111, Name: "postgres", Home: "/var/lib/postgresql", Shell: "/bin/bash"},
		{UID: 1000, GID: 1000, Name: "deploy", Home: "/home/deploy", Shell: "/bin/bash"},
	}
}

func groups() []event.Group {
	return []event.Group{
		{GID: 0, Name: "root"},
		{GID: 27, Name: "sudo"},
		{GID: 33, Name: "www-data"},
		{GID: 111, Name: "postgres"},
		{GID: 1000, Name: "deploy"},
	}
}
