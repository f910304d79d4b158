// Package recorder will own `forensics record`: the eBPF programs (loaded
// with cilium/ebpf), the ring buffers and their drop counters, the /proc
// walk at start, and the loop that runs the shared state machine and hands
// enriched events to a capture.SetWriter. It is built in the recorder
// issue; the capture format it writes is package format's.
package recorder
