// Package recorder owns `forensics record`: the eBPF programs that capture
// syscalls on this host, the ring buffer and its drop counters, the /proc
// walk at start, and the loop that runs the shared state machine (package
// state) and hands enriched events to a capture.SetWriter.
//
//	kernel                               userspace (Run)
//	tp_btf/sys_exit ---------+
//	tp_btf/sched_process_exec+--> ring buffer --> decoder --> state.Machine
//	tp_btf/sched_process_exit+    (drops map)     (libs        |  (fd names, tuples,
//	                                               layouts)    |   process table)
//	                                                           v
//	                                    capture.SetWriter: blocks flushed every
//	                                    second, rotation by size/time/count
//
// One program on the raw syscall exit tracepoint serves every syscall: a
// per-syscall configuration map (built from the table in syscalls.go) says
// which arguments point to strings, buffers or socket addresses, and
// whether the record needs the kernel's view of the returned fd (inode,
// socket tuple) or of the thread (after clone and execve: credentials,
// argv, environment, cgroups, tty). Registers still hold the arguments at
// exit, so no enter program is needed. The decoder turns each record into
// the syscall's current libs exit layout (event.Lookup), encoding every
// parameter as libs/scap does, so render, the filters and a scap export
// read recorded events like imported ones. Records the ring buffer has no
// room for are counted in the kernel and written into each file's drop
// counters, which `forensics info` shows.
//
// # Limits
//
// x86_64 only (the syscall numbers of syscalls.go and the bpf2go target).
// No enter events are written, not even the TOCTOU ones current drivers
// keep for open and connect. A few parameters are not filled in (<NA>):
// the total size of readv/writev/sendmsg, capset's sets, ptrace's addr and
// data, and the memory and page fault counters of clone and execve (0).
// "--syscalls all" means every syscall syscalls.go decodes, not the
// generic events of the rest. Userspace never drops: a reader that falls
// behind shows up as kernel drops.
//
// # Regenerating the eBPF object
//
// bpf/record.bpf.c is compiled by bpf2go into record_x86_bpfel.o and its
// Go bindings (both committed, so `go build` needs no clang). After
// changing the C:
//
//	apt-get install -y clang llvm libbpf-dev bpftool
//	go generate ./recorder
//
// bpf/vmlinux.h is generated from the running kernel's BTF with
// `bpftool btf dump file /sys/kernel/btf/vmlinux format c`; the programs
// use CO-RE, so the object runs on other kernels with BTF.
package recorder
