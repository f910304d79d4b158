package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"github.com/spf13/cobra"

	"forensics/query"
	"forensics/query/fields"
	"forensics/recorder"
)

func newRecordCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		dir, rotateSize, syscalls, filter, output string
		rotateTime, duration                      time.Duration
		rotateCount                               int
		snaplen                                   uint32
		noEnv                                     bool
	)
	cmd := &cobra.Command{
		Use:   "record [flags]",
		Short: "Record this host's system calls with eBPF into rotating capture files",
		Long: `record is the recorder daemon: it captures the system calls of every process
on this host with eBPF (as root, on a kernel with BTF), enriches them with
process, file and network context, and writes them into capture files in
DIR that rotate by size, time and count. Files are created 0600 in a 0700
directory; a block is written at least once a second, so a recorder that is
killed loses at most the last second.

At start it walks /proc for the processes, threads, open fds, users and
groups (and container ids from the cgroup paths of docker, containerd,
cri-o and podman), so each file can be analysed alone.

--syscalls picks what is captured: "default" (every event type the official
Falco rules and the chisels use), "all" (every syscall the recorder can
decode) or a comma-separated list (clone, fork, execve and close are always
added, so the process and fd tables stay right). --filter keeps only the
events a sysdig/Falco filter matches.

Under systemd (see contrib/forensics-record.service) it reports readiness
with sd_notify; SIGHUP starts a new file, SIGTERM and SIGINT flush and close
the current one. Messages go to stderr (the journal). At the end it prints
what it recorded (-o json for a machine).

Default syscalls:
` + wrapWords(recorder.SyscallNames(true), 76, "  ") + `

All syscalls ("all"):
` + wrapWords(recorder.SyscallNames(false), 76, "  ") + `

` + exitStatusHelp,
		Example: `  forensics record -w /var/lib/forensics --rotate-size 256M --rotate-count 20
  forensics record -w /tmp/cap --duration 30s --syscalls execve,openat,connect
  forensics record -w /tmp/cap --filter "not proc.name in (sshd, systemd-journald)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			size, err := parseSize(rotateSize)
			if err != nil {
				return usageErrorf("--rotate-size: %v", err)
			}
			if rotateCount < 0 || rotateTime < 0 || duration < 0 {
				return usageErrorf("--rotate-count, --rotate-time and --duration must not be negative")
			}
			if snaplen > 4096 {
				return usageErrorf("--snaplen: at most 4096")
			}
			opts := recorder.Options{Dir: dir, RotateSize: size, RotateTime: rotateTime, RotateCount: rotateCount,
				Syscalls: syscalls, Snaplen: snaplen, NoEnv: noEnv, Writer: "forensics record " + resolveVersion(),
				Log: slog.New(slog.NewTextHandler(stderr, nil))}
			if filter != "" {
				if opts.Filter, err = query.Compile(filter, fields.Syscall(), nil); err != nil {
					return usageErrorf("--filter: %v", err)
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			if duration > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, duration)
				defer cancel()
			}
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			rotate := make(chan struct{}, 1)
			go func() {
				for range hup {
					select {
					case rotate <- struct{}{}:
					default:
					}
				}
			}()
			rec, err := recorder.New(opts)
			if err != nil {
				if errors.Is(err, recorder.ErrUnknownSyscall) {
					return usageErrorf("--syscalls: %v", err)
				}
				return err
			}
			daemon.SdNotify(false, daemon.SdNotifyReady)
			st, err := rec.Run(ctx, rotate)
			daemon.SdNotify(false, daemon.SdNotifyStopping)
			if st != nil {
				if output == "json" {
					if jerr := printJSON(stdout, st); jerr != nil && err == nil {
						err = jerr
					}
				} else {
					fmt.Fprintf(stdout, "recorded %d events into %d file(s) in %s; drops: %d in the kernel, %d in userspace\n",
						st.Events, len(st.Files), dir, st.Drops.Kernel, st.Drops.User)
				}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&dir, "write", "w", "/var/lib/forensics", "directory of the capture files")
	f.StringVar(&rotateSize, "rotate-size", "", "start a new file once this much is written after its opening snapshot (bytes, or with K, M, G)")
	f.DurationVar(&rotateTime, "rotate-time", 0, "start a new file after this long (e.g. 1h)")
	f.IntVar(&rotateCount, "rotate-count", 0, "keep at most this many files, deleting the oldest (0 = all)")
	f.StringVar(&syscalls, "syscalls", "default", "default, all, or a comma-separated list of syscalls")
	f.Uint32Var(&snaplen, "snaplen", 80, "bytes of I/O data kept per event")
	f.DurationVar(&duration, "duration", 0, "stop after this long (0 = until SIGTERM)")
	f.StringVar(&filter, "filter", "", "keep only the events this filter matches")
	f.BoolVar(&noEnv, "no-env", false, "leave process environments out (they may hold secrets)")
	addOutputFlag(cmd, &output)
	return cmd
}

// parseSize parses a byte count with an optional K, M, G or T suffix
// (powers of 1024, an optional trailing B or iB).
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "B"), "I")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return v * mult, nil
}

// wrapWords joins words into lines of at most width bytes, each indented.
func wrapWords(words []string, width int, indent string) string {
	var b strings.Builder
	line := indent
	for _, w := range words {
		if len(line) > len(indent) && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	b.WriteString(line)
	return b.String()
}
