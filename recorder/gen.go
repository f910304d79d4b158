package recorder

// The eBPF object and its Go bindings are generated from bpf/record.bpf.c
// against the committed bpf/vmlinux.h; both outputs are committed, so a
// build needs no clang. See doc.go for how to regenerate them.
//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -target amd64 -no-global-types -output-stem record record bpf/record.bpf.c -- -I./bpf -O2 -g -Wall -D__TARGET_ARCH_x86
