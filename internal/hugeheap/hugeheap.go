// Package hugeheap asks Linux to back the Go heap with transparent huge
// pages.
//
// Many distributions run transparent huge pages (THP) in "madvise" mode:
// anonymous memory gets 2 MiB pages only where the program asked for them
// with madvise(MADV_HUGEPAGE), and the Go runtime does not ask. Every 4 KiB
// page the heap touches first then costs a page fault. On the virtual
// machines we measure on (Firecracker with PVM) a fault costs about 13 µs:
// a query over a 2-million-event capture took 5,000 of them, a seventh of
// its CPU time, and takes 1,400 with huge pages.
//
// Reserve makes the heap grow by n bytes at once, so that the runtime maps
// them now, marks the mapping that holds the heap with MADV_HUGEPAGE, and
// frees the n bytes for the runtime to hand out again: each 2 MiB of them
// then costs one fault instead of 512. Memory the heap maps later is not
// marked (the runtime maps it afresh, and a fresh mapping loses the
// advice).
//
// It is not free: the collection that frees the n bytes, and the zeroing
// of a whole huge page where a few small pages would have done, cost a
// short run about 7 ms. Callers ask for it before long work only.
//
// Where THP is "always" the advice changes nothing; where it is "never",
// or the kernel has no THP, madvise fails and Reserve says so. The
// environment variable FORENSICS_HUGEPAGES=off turns Reserve off.
//
// Once the n bytes are advised, a heap that grows into them costs few
// faults, so Reserve also lets it grow four times its live size between
// collections (GOGC=400, LongRunGCPercent) unless the environment sets
// GOGC: the chisels spend a twentieth less time, a tenth less CPU, on
// fewer collections.
package hugeheap

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrNoMapping is returned when /proc/self/maps has no mapping that holds
// the heap memory Reserve allocated.
var ErrNoMapping = errors.New("hugeheap: heap mapping not found")

// ErrOff is returned when FORENSICS_HUGEPAGES=off.
var ErrOff = errors.New("hugeheap: turned off by FORENSICS_HUGEPAGES=off")

// once makes Reserve act once per process: there is one heap, and a
// second reservation would cost a collection for nothing.
var once struct {
	sync.Once
	err error
}

// Reserve grows the heap by n bytes and asks for huge pages on the
// mapping that holds it (see the package comment). Only the first call
// in a process does anything; later ones return its error.
func Reserve(n int) error {
	once.Do(func() { once.err = reserve(n) })
	return once.err
}

func reserve(n int) error {
	if os.Getenv("FORENSICS_HUGEPAGES") == "off" {
		return ErrOff
	}
	if n <= 0 {
		return nil
	}
	// Collections off while the n bytes are live: allocating them would
	// start one that finds them all in use. The one below frees them.
	percent := debug.SetGCPercent(-1)
	err := advise(make([]byte, n))
	// Free the n bytes now: until a collection has swept them, the heap
	// grows into fresh, unadvised memory instead of reusing them.
	runtime.GC()
	if err == nil && os.Getenv("GOGC") == "" {
		percent = max(percent, LongRunGCPercent)
	}
	debug.SetGCPercent(percent)
	return err
}

// LongRunGCPercent is the GOGC of a process whose heap Reserve advised.
const LongRunGCPercent = 400

// advise marks the mapping that holds b with MADV_HUGEPAGE.
func advise(b []byte) error {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return fmt.Errorf("hugeheap: %w", err)
	}
	lo, hi, err := mappingOf(f, p)
	f.Close()
	if err != nil {
		return err
	}
	// A raw call: lo is an address the runtime owns, not a Go pointer.
	if _, _, errno := unix.Syscall(unix.SYS_MADVISE, lo, hi-lo, unix.MADV_HUGEPAGE); errno != 0 {
		return fmt.Errorf("hugeheap: madvise %#x-%#x: %w", lo, hi, errno)
	}
	runtime.KeepAlive(b) // mapped until advised
	return nil
}

// mappingOf returns the bounds of the mapping in maps (the format of
// /proc/PID/maps: "lo-hi perms offset dev inode [path]", addresses in hex)
// that holds address p.
func mappingOf(maps io.Reader, p uintptr) (lo, hi uintptr, err error) {
	sc := bufio.NewScanner(maps)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		span, _, _ := bytes.Cut(sc.Bytes(), []byte(" "))
		a, b, ok := bytes.Cut(span, []byte("-"))
		if !ok {
			continue
		}
		l, err1 := strconv.ParseUint(string(a), 16, 64)
		h, err2 := strconv.ParseUint(string(b), 16, 64)
		if err1 != nil || err2 != nil || l >= h {
			continue
		}
		if uint64(p) >= l && uint64(p) < h {
			return uintptr(l), uintptr(h), nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, fmt.Errorf("hugeheap: reading maps: %w", err)
	}
	return 0, 0, ErrNoMapping
}
