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
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
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
	// FORENSICS_CPUPROFILE=FILE writes a CPU profile of the run, for
	// `go tool pprof bin/forensics FILE` (FORENSICS_MEMPROFILE: below).
	if path := os.Getenv("FORENSICS_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "forensics: cpu profile: %v\n", err)
			os.Exit(exitRuntime)
		}
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	pprof.StopCPUProfile() // a no-op without a profile; os.Exit skips defers
	// FORENSICS_MEMPROFILE=FILE writes the allocations of the run.
	if path := os.Getenv("FORENSICS_MEMPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			runtime.GC() // the profile holds what the last GC saw: make it all
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	os.Exit(code)
}
