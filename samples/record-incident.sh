#!/usr/bin/env bash
# Records samples/recorded.zst: plays a small incident on this machine while
# `forensics record` records it, then cleans up after itself. Run as root
# from the repository root:
#
#   sudo samples/record-incident.sh [OUT]        # OUT defaults to samples/recorded.zst
#
# The incident (each step is something an official Falco rule looks for):
#   1. a program dropped below /tmp (a copy of cat named "dumpcreds") reads
#      /etc/shadow and a private key                  (Read sensitive file untrusted)
#   2. a file is written below /usr/bin               (Write below binary dir)
#   3. cron persistence is written below /etc         (Write below etc)
#   4. a file is created below /dev                   (Create files below dev)
#   5. a shell is spawned with a terminal (script -c) (Run shell untrusted / Terminal shell)
#   6. an outbound connection to a listener on 127.0.0.1:4444
#                                                     (Unexpected outbound connection)
#   7. a binary gets the setuid bit                   (Set Setuid or Setgid bit)
#   8. a process runs from /tmp                       (Execution from /tmp)
#   9. bash history is deleted, a log is truncated, a symlink to /etc/shadow
#      is made, private keys are searched for        (Delete Bash History, Clear Log
#                                                     Activities, Create Symlink Over
#                                                     Sensitive Files, Search Private Keys)
#  10. a shell runs inside a cgroup named like a docker container's
#      (container.id) and reads /etc/shadow from there
#
# Only the events of this script's process tree are kept (--filter on the
# ancestors' pids), so the file stays small on a busy machine, and no
# process environments (--no-env). samples/internal/scrub then cuts the
# process table and the snapshot to this tree, so the file carries nothing
# of the other processes of the machine it was recorded on.
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-samples/recorded.zst}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
# The incident's programs come from the system, not from per-user shims.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ "$(id -u)" -ne 0 ]; then
	echo "record-incident.sh: needs root (eBPF)" >&2
	exit 2
fi

bin=$(mktemp -d)
work=$(mktemp -d /tmp/forensics-incident.XXXXXX)
capdir=$work/cap
cid=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
cgroot=
for root in /sys/fs/cgroup/pids /sys/fs/cgroup/memory /sys/fs/cgroup; do
	if [ -e "$root/cgroup.procs" ]; then
		cgroot=$root
		break
	fi
done
cg=${cgroot:+$cgroot/docker/$cid}
rec=
listener=

cleanup() {
	[ -n "$rec" ] && kill "$rec" 2>/dev/null || true
	[ -n "$listener" ] && kill "$listener" 2>/dev/null || true
	rm -f /usr/bin/.forensics-sample-helper /etc/cron.d/forensics-sample-update \
		/dev/.forensics-sample /var/log/forensics-sample.log
	[ -n "$cg" ] && { rmdir "$cg" 2>/dev/null || true; rmdir "$(dirname "$cg")" 2>/dev/null || true; }
	rm -rf "$work" "$bin"
}
trap cleanup EXIT

"$GO" build -o "$bin/forensics" ./cmd/forensics
"$GO" build -o "$bin/scrub" ./samples/internal/scrub

# Record everything below this shell.
"$bin/forensics" record -w "$capdir" --no-env --filter "proc.pid=$$ or proc.apid[1]=$$ or proc.apid[2]=$$ or proc.apid[3]=$$ or proc.apid[4]=$$ or proc.apid[5]=$$" \
	2>"$work/record.log" &
rec=$!
# The recorder is ready when its first file appears (it opens one at the
# first event it keeps): nudge it with a harmless event.
for _ in $(seq 100); do
	true > /dev/null
	ls "$capdir"/*.zst >/dev/null 2>&1 && break
	sleep 0.1
done
sleep 1

mkdir -p "$work/.x" "$work/home/.ssh"
# 1. a dropped program reads credentials
cp /bin/cat "$work/.x/dumpcreds"
"$work/.x/dumpcreds" /etc/shadow > /dev/null
echo "-----BEGIN OPENSSH PRIVATE KEY-----" > "$work/home/.ssh/id_rsa"
"$work/.x/dumpcreds" "$work/home/.ssh/id_rsa" > /dev/null
# 2. below /usr/bin
printf '#!/bin/sh\nexit 0\n' > /usr/bin/.forensics-sample-helper
# 3. below /etc
echo "* * * * * root $work/.x/payload" > /etc/cron.d/forensics-sample-update
# 4. below /dev
touch /dev/.forensics-sample
# 5. a shell with a terminal
script -qc "bash --norc --noprofile -i -c 'id; tty'" /dev/null > /dev/null 2>&1 < /dev/null || true
# 6. outbound connection to a listener on loopback
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 4444)); s.listen(1); s.settimeout(20)
open(sys.argv[1], "w").close()
c, _ = s.accept(); c.recv(64); c.close()' "$work/listening" &
listener=$!
for _ in $(seq 200); do [ -e "$work/listening" ] && break; sleep 0.1; done
bash -c 'exec 3<>/dev/tcp/127.0.0.1/4444; echo "beacon $(hostname)" >&3; exec 3>&-'
wait "$listener" 2>/dev/null || true
listener=
# 7. setuid bit on a binary
cp /bin/true "$work/.x/suid-tool"
chmod u+s "$work/.x/suid-tool"
# 8. run a process from /tmp
printf '#!/bin/sh\nid > /dev/null\ncat /etc/hostname > /dev/null\n' > "$work/.x/payload"
chmod 755 "$work/.x/payload"
"$work/.x/payload"
# 9. anti-forensics and discovery
echo "ls" > "$work/home/.bash_history"
rm "$work/home/.bash_history"
echo "log line" > /var/log/forensics-sample.log
: > /var/log/forensics-sample.log
ln -s /etc/shadow "$work/.x/shadow-link"
find "$work/home" -name "id_rsa" > /dev/null
# 10. a "container"
if [ -n "$cg" ]; then
	mkdir -p "$cg"
	sh -c "echo \$\$ > $cg/cgroup.procs && exec bash -c 'cat /etc/shadow > /dev/null; hostname'" > /dev/null
fi
rm -f /usr/bin/.forensics-sample-helper /etc/cron.d/forensics-sample-update /dev/.forensics-sample

sleep 1.5
kill -TERM "$rec"
wait "$rec"
rec=
files=("$capdir"/*.zst)
if [ "${#files[@]}" -ne 1 ]; then
	echo "record-incident.sh: expected one capture file, got ${files[*]}" >&2
	exit 1
fi
# Keep the events; cut the process table and the snapshot to this script's
# tree (see samples/internal/scrub).
rm -f "$out"
"$bin/scrub" "${files[0]}" "$out" $$
chmod 0644 "$out"
echo "container id: ${cid:0:12}"
"$bin/forensics" info "$out"
