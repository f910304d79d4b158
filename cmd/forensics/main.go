// Command forensics is an offline capture-file forensics tool in the spirit
// of sysdig and Falco: it records system calls with eBPF into capture files
// and then inspects them after the fact (queries, chisels, Falco rules,
// export), with no access to the live system needed.
//
// Run "forensics --help" for the commands, and see exitcode.go for the exit
// status convention.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default behaviour so that a
		// second Ctrl-C kills a command that is slow to wind down.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
