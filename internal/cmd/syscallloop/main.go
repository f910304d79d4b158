// Command syscallloop is the workload of scripts/bench-record.sh: a tight
// loop of small reads (from /dev/zero) and writes (to /dev/null), each one
// a syscall the recorder captures. It prints what it did as JSON:
//
//	syscallloop -n 2000000            # as fast as it can
//	syscallloop -n 1000000 -rate 200000  # paced at 200k syscalls/s
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"
)

type result struct {
	Calls     int     `json:"calls"`
	ElapsedNs int64   `json:"elapsed_ns"`
	CPUNs     int64   `json:"cpu_ns"` // user + system time of this process
	Rate      float64 `json:"rate"`   // calls per second achieved
}

func main() {
	n := flag.Int("n", 1_000_000, "syscalls to make (half reads, half writes)")
	rate := flag.Int("rate", 0, "syscalls per second (0 = as fast as possible)")
	size := flag.Int("size", 16, "bytes per read and write")
	flag.Parse()
	in, err := syscall.Open("/dev/zero", syscall.O_RDONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := syscall.Open("/dev/null", syscall.O_WRONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buf := make([]byte, *size)
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	const batch = 1000
	for done := 0; done < *n; {
		k := min(batch, *n-done)
		for i := 0; i < k; i += 2 {
			syscall.Read(in, buf)
			syscall.Write(out, buf)
		}
		done += k
		if *rate > 0 {
			due := start.Add(time.Duration(float64(done) / float64(*rate) * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
	}
	elapsed := time.Since(start)
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := func(r *syscall.Rusage) int64 { return r.Utime.Nano() + r.Stime.Nano() }
	json.NewEncoder(os.Stdout).Encode(result{Calls: *n, ElapsedNs: elapsed.Nanoseconds(),
		CPUNs: cpu(&after) - cpu(&before), Rate: float64(*n) / elapsed.Seconds()})
}
