package hugeheap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"unsafe"

	"forensics/internal/testenv"
)

const sampleMaps = `00400000-00540000 r-xp 00000000 fe:00 10019143                           /usr/bin/forensics
006d7000-0270f000 rw-p 00000000 00:00 0
3111bb400000-3111bfc00000 rw-p 00000000 00:00 0
7ffc6c137000-7ffc6c158000 rw-p 00000000 00:00 0                          [stack]
garbage line
`

func TestMappingOf(t *testing.T) {
	for _, tc := range []struct {
		p      uintptr
		lo, hi uintptr
		err    error
	}{
		{0x400000, 0x400000, 0x540000, nil},
		{0x53ffff, 0x400000, 0x540000, nil},
		{0x540000, 0, 0, ErrNoMapping},
		{0x3111bc000000, 0x3111bb400000, 0x3111bfc00000, nil},
		{0x7ffc6c157fff, 0x7ffc6c137000, 0x7ffc6c158000, nil},
		{0x10, 0, 0, ErrNoMapping},
	} {
		lo, hi, err := mappingOf(strings.NewReader(sampleMaps), tc.p)
		if !errors.Is(err, tc.err) || lo != tc.lo || hi != tc.hi {
			t.Errorf("mappingOf(%#x) = %#x, %#x, %v; want %#x, %#x, %v", tc.p, lo, hi, err, tc.lo, tc.hi, tc.err)
		}
	}
}

func FuzzMappingOf(f *testing.F) {
	f.Add([]byte(sampleMaps), uint64(0x3111bc000000))
	f.Add([]byte("1-0 x\n-\nffffffffffffffffff-1\n"), uint64(1))
	f.Fuzz(func(t *testing.T, maps []byte, p uint64) {
		lo, hi, err := mappingOf(bytes.NewReader(maps), uintptr(p))
		if err == nil && !(lo <= uintptr(p) && uintptr(p) < hi) {
			t.Fatalf("%#x outside %#x-%#x", p, lo, hi)
		}
	})
}

// TestReserve checks that heap memory allocated after Reserve lies in a
// mapping advised for huge pages ("hg" in smaps' VmFlags).
func TestReserve(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || bytes.Contains(mode, []byte("[never]")) {
		testenv.Missing(t, "transparent huge pages (THP is off or missing here)")
	}
	if os.Getenv("FORENSICS_HUGEPAGES") == "off" {
		t.Skip("FORENSICS_HUGEPAGES=off")
	}
	if err := Reserve(16 << 20); err != nil {
		t.Fatal(err)
	}
	if err := Reserve(16 << 20); err != nil {
		t.Fatalf("second call: %v", err)
	}
	if got := debug.SetGCPercent(100); os.Getenv("GOGC") == "" && got != LongRunGCPercent {
		t.Errorf("GOGC after Reserve: %d, want %d", got, LongRunGCPercent)
	}
	b := make([]byte, 1<<20)
	p := uintptr(unsafe.Pointer(&b[0]))
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	lo, _, err := mappingOf(bytes.NewReader(smaps), p)
	if err != nil {
		t.Fatal(err)
	}
	// smaps: the mapping's line, its fields, then "VmFlags: ...".
	rest := smaps[bytes.Index(smaps, []byte(fmt.Sprintf("%08x-", lo))):]
	flags, _, _ := bytes.Cut(rest[bytes.Index(rest, []byte("VmFlags:")):], []byte("\n"))
	if !bytes.Contains(flags, []byte(" hg")) {
		t.Errorf("heap mapping at %#x: %s; want hg", lo, flags)
	}
}
