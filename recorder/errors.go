package recorder

import "errors"

var (
	// ErrSyscall is a mistake in the syscall table (a bug, found by the
	// package's tests).
	ErrSyscall = errors.New("recorder: bad syscall definition")
	// ErrUnknownSyscall is a --syscalls name the recorder cannot capture.
	ErrUnknownSyscall = errors.New("unknown syscall")
	// ErrNoBPF says the kernel refused the eBPF programs (not root, no BTF,
	// no ring buffers).
	ErrNoBPF = errors.New("cannot load the eBPF programs")
	// ErrRecord is a malformed record from the ring buffer.
	ErrRecord = errors.New("recorder: malformed record")
)
