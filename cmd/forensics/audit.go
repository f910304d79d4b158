package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"forensics/audit/webhook"
	"forensics/capture"
	"forensics/event"
	"forensics/format"
)

func newAuditCmd(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Kubernetes audit logs: receive them from the API server, check audit policies",
		Long: `audit groups the Kubernetes audit commands. Audit logs themselves are
read by query and replay (and fields --source k8s_audit lists their
fields):

  forensics query  audit.log "ka.verb=create and ka.target.resource=pods"
  forensics replay --rules k8s_audit_rules.yaml audit.log`,
		Args: unknownCommand,
		RunE: showHelp,
	}
	cmd.AddCommand(newAuditServeCmd(stdout, stderr), newAuditPolicyCmd(stdout, stderr))
	return cmd
}

func newAuditServeCmd(_, stderr io.Writer) *cobra.Command {
	var (
		listen, dir, cert, key, rotateSize string
		rotateTime                         time.Duration
		rotateCount                        int
	)
	cmd := &cobra.Command{
		Use:   "serve --listen ADDR -w DIR",
		Short: "Receive audit events from kube-apiserver's audit webhook into capture files",
		Long: `serve is an audit webhook backend for kube-apiserver: it accepts POSTed
batches (an EventList of audit.k8s.io Events, Content-Type application/json)
on any path and stores the events in capture files in DIR, rotated by size,
time and count, so that audit events live in the same kind of file as
system calls. query and replay read DIR (or any of its files) as an audit
input.

A batch is stored only when all of it parses: a malformed body is refused
with 400 and nothing is stored (the API server retries failed batches).
Each stored batch is flushed before the reply, so the files are readable
while serving. With --cert and --key, serve speaks HTTPS.

Point the API server at it with --audit-webhook-config-file, a kubeconfig
whose cluster server is this address (https://HOST:PORT/k8s-audit), and
--audit-policy-file. SIGHUP starts a new file; SIGINT or SIGTERM finishes
the current file and exits.`,
		Example: `  forensics audit serve --listen 127.0.0.1:9765 -w /var/lib/forensics/audit
  forensics audit serve --listen :9765 -w audit/ --cert tls.crt --key tls.key --rotate-size 100M --rotate-count 48`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return usageErrorf("-w DIR is required")
			}
			if (cert == "") != (key == "") {
				return usageErrorf("--cert and --key go together")
			}
			opts := capture.RotateOptions{Dir: dir, Age: rotateTime, Count: rotateCount}
			size, err := parseSize(rotateSize)
			if err != nil {
				return usageErrorf("--rotate-size: %v", err)
			}
			opts.Size = size
			host, _ := os.Hostname()
			opts.Header = format.Header{Writer: "forensics " + resolveVersion(), Source: "k8s_audit:webhook", Host: event.Host{Hostname: host}}
			rcv, err := webhook.New(webhook.Options{Rotate: opts,
				Log: func(f string, a ...any) { fmt.Fprintf(stderr, "forensics: refused: "+f+"\n", a...) }})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				rcv.Close()
				return usageErrorf("--listen: %v", err)
			}
			scheme := "http"
			if cert != "" {
				scheme = "https"
			}
			fmt.Fprintf(stderr, "forensics: listening on %s://%s, writing %s\n", scheme, ln.Addr(), dir)
			return serveAudit(cmd.Context(), rcv, ln, cert, key, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:9765", "address to listen on (host:port)")
	f.StringVarP(&dir, "write", "w", "", "directory of the capture files (created 0700)")
	f.StringVar(&cert, "cert", "", "TLS certificate (PEM): serve HTTPS")
	f.StringVar(&key, "key", "", "TLS private key (PEM)")
	f.StringVar(&rotateSize, "rotate-size", "", "start a new file past this size (100M, 1G)")
	f.DurationVar(&rotateTime, "rotate-time", 0, "start a new file once the current one spans this long (1h)")
	f.IntVar(&rotateCount, "rotate-count", 0, "keep at most this many files, deleting the oldest")
	return cmd
}

// serveAudit serves until ctx ends, then finishes the files.
func serveAudit(ctx context.Context, rcv *webhook.Receiver, ln net.Listener, cert, key string, stderr io.Writer) error {
	srv := &http.Server{Handler: rcv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	done := make(chan error, 1)
	go func() {
		if cert != "" {
			done <- srv.ServeTLS(ln, cert, key)
		} else {
			done <- srv.Serve(ln)
		}
	}()
	var err error
loop:
	for {
		select {
		case <-hup:
			if err := rcv.Rotate(); err != nil {
				fmt.Fprintf(stderr, "forensics: rotate: %v\n", err)
			}
		case err = <-done:
			break loop
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err = srv.Shutdown(sctx)
			cancel()
			<-done
			break loop
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	cerr := rcv.Close()
	st := rcv.Stats()
	fmt.Fprintf(stderr, "forensics: stored %d events in %d batches, refused %d requests\n", st.Events, st.Batches, st.Refused)
	return errors.Join(err, cerr)
}
