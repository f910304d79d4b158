package format

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"forensics/event"
	"forensics/index"
	"forensics/internal/eventgen"
	"forensics/internal/testenv"
	"forensics/samples"
)

const t0 = 1_700_000_000_000_000_000

func testHeader() Header {
	return Header{SetID: "test", Seq: 1, StartTs: t0, Writer: "forensics test", Source: "synthetic", Snaplen: 80,
		Host: event.Host{Hostname: "h1", Kernel: "6.1.0", CPUs: 2, BootTime: t0 - 1e12, MaxPid: 4194304,
			Interfaces: []event.Interface{{Name: "lo", Addr: netip.MustParseAddr("127.0.0.1"), Netmask: netip.MustParseAddr("255.0.0.0")}}}}
}

// writeTo writes a capture of evs to w.
func writeTo(t testing.TB, w io.Writer, evs []*event.Event, opts *WriterOptions) {
	t.Helper()
	cw, err := NewWriter(w, "test", testHeader(), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := cw.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeBytes returns a capture of evs.
func writeBytes(t testing.TB, evs []*event.Event, opts *WriterOptions) []byte {
	var buf bytes.Buffer
	writeTo(t, &buf, evs, opts)
	return buf.Bytes()
}

// writeFile writes events to a new file in dir and returns its path.
func writeFile(t testing.TB, dir string, evs []*event.Event, opts *WriterOptions, procs []event.Process) string {
	t.Helper()
	path := filepath.Join(dir, "cap.zst")
	snap := &event.Snapshot{Processes: procs, Users: []event.User{{UID: 0, Name: "root", Home: "/root", Shell: "/bin/bash"}},
		Groups: []event.Group{{GID: 0, Name: "root"}},
		FDs:    []event.ProcFDs{{Proc: 1, FDs: []event.FD{{Num: 0, Type: event.FDFile, Name: "/dev/null"}}}}}
	w, err := Create(path, testHeader(), snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func readAll(t testing.TB, f *File, sel index.Selection) []*event.Event {
	t.Helper()
	it, err := f.Iter(sel)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []*event.Event
	var ev event.Event
	for it.Next(&ev) {
		out = append(out, ev.Clone())
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameEvent(a, b *event.Event) bool {
	if a.Num != b.Num || a.Ts != b.Ts || a.CPU != b.CPU || a.Tid != b.Tid || a.Type != b.Type ||
		a.Flags != b.Flags || a.Merged != b.Merged || a.Proc != b.Proc || a.FD != b.FD || len(a.Params) != len(b.Params) {
		return false
	}
	for i := range a.Params {
		if !bytes.Equal(a.Params[i], b.Params[i]) {
			return false
		}
	}
	return true
}

func TestRoundTripRandom(t *testing.T) {
	for _, blockEvents := range []int{1, 7, 1000, 100000} {
		g := eventgen.New(uint64(blockEvents), t0)
		var evs []*event.Event
		evs = append(evs, g.EveryType()...)
		for range 3000 {
			evs = append(evs, g.Random())
		}
		evs = append(evs, g.EveryType()...)
		path := writeFile(t, t.TempDir(), evs, &WriterOptions{BlockEvents: blockEvents}, g.Processes())
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if !f.Complete || len(f.Problems) != 0 {
			t.Fatalf("complete=%v problems=%v", f.Complete, f.Problems)
		}
		got := readAll(t, f, index.Selection{})
		if len(got) != len(evs) {
			t.Fatalf("block size %d: read %d events, wrote %d", blockEvents, len(got), len(evs))
		}
		for i := range evs {
			if !sameEvent(got[i], evs[i]) {
				t.Fatalf("block size %d: event %d differs:\n got %+v\nwant %+v", blockEvents, i, got[i], evs[i])
			}
		}
		if f.Header.Host.Hostname != "h1" || len(f.Header.Host.Interfaces) != 1 || f.Header.Host.Interfaces[0].Addr.String() != "127.0.0.1" || f.Snapshot == nil || len(f.Snapshot.Users) != 1 || len(f.Snapshot.FDs) != 1 {
			t.Fatalf("header/snapshot: %+v %+v", f.Header, f.Snapshot)
		}
		if len(f.Processes()) != len(g.Processes()) {
			t.Fatalf("process table has %d entries", len(f.Processes()))
		}
		f.Close()
	}
}

// TestProcessNameSummary checks the index's process names: each block
// lists the names of its events' processes as the final table has them,
// and a selection by name reads only those blocks.
func TestProcessNameSummary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "n.zst")
	w, err := Create(path, testHeader(), nil, &WriterOptions{BlockEvents: 2})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"bash", "curl", "bash", "sshd", "bash", "curl"}
	g := eventgen.New(1, t0)
	for i, n := range names {
		p := event.Process{Key: event.ProcKey(100 + i), Tid: int64(1000 + i), Comm: n}
		if n == "sshd" {
			p.Comm = "renamed-later"
		}
		if err := w.PutProcess(&p); err != nil {
			t.Fatal(err)
		}
		ev := g.Realistic()
		ev.Proc = p.Key
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	// The table's last word counts: the process renamed itself.
	w.PutProcess(&event.Process{Key: 103, Tid: 1003, Comm: "sshd"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		comms []string
		want  []int
	}{
		{[]string{"curl"}, []int{0, 2}},
		{[]string{"sshd"}, []int{1}},
		{[]string{"renamed-later"}, nil},
		{[]string{"bash"}, []int{0, 1, 2}},
	}
	for _, tt := range tests {
		if got := f.Select(index.Selection{Comms: tt.comms}); !slices.Equal(got, tt.want) {
			t.Errorf("names %q: blocks %v, want %v", tt.comms, got, tt.want)
		}
	}
}

func TestProcessesInBlocks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.zst")
	w, err := Create(path, testHeader(), nil, &WriterOptions{BlockEvents: 2})
	if err != nil {
		t.Fatal(err)
	}
	g := eventgen.New(1, t0)
	for i := range 10 {
		p := event.Process{Key: event.ProcKey(100 + i), Tid: int64(i), Comm: "p", Args: []string{"a", "b"}}
		if err := w.PutProcess(&p); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(g.Realistic()); err != nil {
			t.Fatal(err)
		}
	}
	exited := event.Process{Key: 100, Tid: 0, Comm: "p", ExitTs: 42}
	w.PutProcess(&exited)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// Without Close there is no footer: the table comes from the blocks.
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Complete {
		t.Fatal("file without footer opened as complete")
	}
	if len(f.Processes()) != 10 || f.Processes()[0].ExitTs != 42 {
		t.Fatalf("processes from blocks: %+v", f.Processes())
	}
	w.Close()
}

func TestZstdCLI(t *testing.T) {
	zstd := testenv.Tool(t, "zstd", "apt-get install zstd")
	g := eventgen.New(3, t0)
	var evs []*event.Event
	for range 50000 {
		evs = append(evs, g.Realistic())
	}
	path := writeFile(t, t.TempDir(), evs, &WriterOptions{BlockEvents: 4096}, g.Processes())
	if out, err := exec.Command(zstd, "-t", path).CombinedOutput(); err != nil {
		t.Fatalf("zstd -t: %v\n%s", err, out)
	}
	out, err := exec.Command(zstd, "-d", "-c", path).Output()
	if err != nil {
		t.Fatalf("zstd -d: %v", err)
	}
	// The decompressed stream is the blocks, one after the other.
	if n := bytes.Count(out, blockMagic[:]); n < 13 {
		t.Fatalf("zstd -d gave %d bytes with %d block magics", len(out), n)
	}
}

func TestTruncateEveryOffset(t *testing.T) {
	g := eventgen.New(4, t0)
	var evs []*event.Event
	for range 60 {
		evs = append(evs, g.Realistic())
	}
	dir := t.TempDir()
	path := writeFile(t, dir, evs, &WriterOptions{BlockEvents: 10}, g.Processes())
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	blocks := f.Index.Blocks
	f.Close()
	cut := filepath.Join(dir, "cut.zst")
	for n := 0; n < len(full); n++ {
		if err := os.WriteFile(cut, full[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		// Blocks wholly before the cut must all be read back.
		want := 0
		for _, b := range blocks {
			if b.Offset+int64(b.Size) <= int64(n) {
				want += int(b.Count)
			}
		}
		f, err := Open(cut)
		if err != nil {
			if n >= int(blocks[0].Offset) {
				t.Fatalf("cut at %d: open: %v", n, err)
			}
			continue // header or snapshot cut: nothing to read
		}
		got := readAll(t, f, index.Selection{})
		f.Close()
		if len(got) != want && n < len(full) {
			t.Fatalf("cut at %d: read %d events, want %d", n, len(got), want)
		}
		for i := range got {
			if !sameEvent(got[i], evs[i]) {
				t.Fatalf("cut at %d: event %d differs", n, i)
			}
		}
		rep, err := Verify(context.Background(), cut, nil)
		if err != nil {
			t.Fatalf("cut at %d: verify: %v", n, err)
		}
		if rep.OK() {
			t.Fatalf("cut at %d: verify found nothing wrong", n)
		}
	}
}

func TestVerifyIntact(t *testing.T) {
	g := eventgen.New(5, t0)
	var evs []*event.Event
	for range 5000 {
		evs = append(evs, g.Realistic())
	}
	path := writeFile(t, t.TempDir(), evs, &WriterOptions{BlockEvents: 500}, g.Processes())
	rep, err := Verify(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Events != 5000 || rep.Blocks != 10 {
		t.Fatalf("intact file: %+v", rep)
	}
}

func TestFlippedByte(t *testing.T) {
	g := eventgen.New(6, t0)
	var evs []*event.Event
	for range 5000 {
		evs = append(evs, g.Realistic())
	}
	path := writeFile(t, t.TempDir(), evs, &WriterOptions{BlockEvents: 500}, g.Processes())
	f, _ := Open(path)
	victim := f.Index.Blocks[4]
	f.Close()
	data, _ := os.ReadFile(path)
	pos := victim.Offset + int64(victim.Size)/2
	data[pos] ^= 0x40
	os.WriteFile(path, data, 0o600)

	rep, err := Verify(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, p := range rep.Problems {
		if p.Kind == ProblemCorrupt && p.Offset == victim.Offset && p.Block == 4 {
			found = true
			if p.EventsLost != 500 {
				t.Errorf("events lost %d, want 500", p.EventsLost)
			}
		}
	}
	if !found {
		t.Fatalf("flipped byte in block 4 at %d not reported: %v", victim.Offset, rep.Problems)
	}
	// Every other block still reads.
	f, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	it, _ := f.Iter(index.Selection{})
	defer it.Close()
	var ev event.Event
	n := 0
	for {
		for it.Next(&ev) {
			n++
		}
		if it.Err() == nil {
			break
		}
		var pe *PosError
		if !errors.As(it.Err(), &pe) || pe.Offset != victim.Offset {
			t.Fatalf("error %v does not name the block's offset", it.Err())
		}
		it.Skip()
	}
	if n != 4500 {
		t.Fatalf("read %d events around the damaged block, want 4500", n)
	}
}

// rewrite builds a copy of the file whose frames are those of order.
func rewriteBlocks(t *testing.T, path string, order func(blocks []index.BlockInfo) []index.BlockInfo) string {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	blocks := f.Index.Blocks
	var out []byte
	out = append(out, data[:blocks[0].Offset]...)
	for _, b := range order(blocks) {
		out = append(out, data[b.Offset:b.Offset+int64(b.Size)]...)
	}
	f.Close()
	p := path + ".tampered"
	os.WriteFile(p, out, 0o600)
	return p
}

func TestBrokenChain(t *testing.T) {
	g := eventgen.New(7, t0)
	var evs []*event.Event
	for range 3000 {
		evs = append(evs, g.Realistic())
	}
	path := writeFile(t, t.TempDir(), evs, &WriterOptions{BlockEvents: 500}, g.Processes())
	cases := map[string]func([]index.BlockInfo) []index.BlockInfo{
		"removed": func(b []index.BlockInfo) []index.BlockInfo {
			return append(append([]index.BlockInfo{}, b[:2]...), b[3:]...)
		},
		"swapped": func(b []index.BlockInfo) []index.BlockInfo {
			c := append([]index.BlockInfo{}, b...)
			c[2], c[3] = c[3], c[2]
			return c
		},
	}
	for name, order := range cases {
		p := rewriteBlocks(t, path, order)
		// Each frame is still valid zstd; the footer is gone, so the file
		// reads as one whose writer died, and the chain shows the tamper.
		rep, err := Verify(context.Background(), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		var chain bool
		for _, pr := range rep.Problems {
			chain = chain || pr.Kind == ProblemChain
		}
		if !chain {
			t.Errorf("%s block: no broken chain reported: %v", name, rep.Problems)
		}
		// Repair rebuilds a footer; verify still sees the broken chain.
		if _, err := Repair(context.Background(), p, nil); err != nil {
			t.Fatal(err)
		}
		rep, _ = Verify(context.Background(), p, nil)
		chain = false
		for _, pr := range rep.Problems {
			chain = chain || pr.Kind == ProblemChain
		}
		if !chain {
			t.Errorf("%s block after repair: no broken chain reported: %v", name, rep.Problems)
		}
	}
}

func TestRepair(t *testing.T) {
	g := eventgen.New(8, t0)
	var evs []*event.Event
	for range 2000 {
		evs = append(evs, g.Realistic())
	}
	dir := t.TempDir()
	path := writeFile(t, dir, evs, &WriterOptions{BlockEvents: 300}, g.Processes())
	f, _ := Open(path)
	last := f.Index.Blocks[len(f.Index.Blocks)-1]
	f.Close()
	data, _ := os.ReadFile(path)
	// The writer died in the middle of writing the last block.
	cut := last.Offset + int64(last.Size)/2
	os.WriteFile(path, data[:cut], 0o600)

	res, err := Repair(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Repaired || res.Events != 1800 {
		t.Fatalf("repair: %+v", res)
	}
	var lost int64
	for _, p := range res.Problems {
		if p.Kind == ProblemTruncated {
			lost = p.EventsLost
		}
	}
	if lost != 200 {
		t.Errorf("the cut block's 200 events not reported as lost: %+v", res.Problems)
	}
	rep, err := Verify(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || !rep.Complete || rep.Events != 1800 {
		t.Fatalf("after repair: %+v", rep)
	}
	f, _ = Open(path)
	got := readAll(t, f, index.Selection{})
	f.Close()
	for i := range got {
		if !sameEvent(got[i], evs[i]) {
			t.Fatalf("event %d differs after repair", i)
		}
	}
	zstd := testenv.Tool(t, "zstd", "apt-get install zstd")
	if out, err := exec.Command(zstd, "-t", path).CombinedOutput(); err != nil {
		t.Fatalf("zstd -t after repair: %v\n%s", err, out)
	}
}

func TestTimeWindowSkipsBlocks(t *testing.T) {
	n, per := 10_000_000, 0 // the default block size
	if testing.Short() {
		n, per = 1_000_000, 4096
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "big.zst")
	w, err := Create(path, testHeader(), nil, &WriterOptions{Level: 1, BlockEvents: per})
	if err != nil {
		t.Fatal(err)
	}
	// Small events keep the test fast; the blocks are cut by count.
	ev := event.Event{Type: 7, Tid: 1, FD: event.FD{Num: event.NoFD}}
	for i := 0; i < n; i++ {
		ev.Ts = t0 + uint64(i)*1000
		if err := w.Write(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	total := len(f.Index.Blocks)
	// A 1% window in the middle of the capture.
	since := t0 + uint64(n/2)*1000
	until := since + uint64(n/100)*1000 - 1
	got := readAll(t, f, index.Selection{Since: since, Until: until})
	st := f.Stats()
	if len(got) != n/100 {
		t.Fatalf("window holds %d events, want %d", len(got), n/100)
	}
	if st.BlocksRead+st.BlocksSkipped != int64(total) {
		t.Fatalf("counters %+v for %d blocks", st, total)
	}
	if frac := float64(st.BlocksRead) / float64(total); frac > 0.02 {
		t.Fatalf("read %d of %d blocks (%.2f%%) for a 1%% window", st.BlocksRead, total, 100*frac)
	}
	t.Logf("1%% window: read %d of %d blocks", st.BlocksRead, total)
}

func TestUnknownMajorVersion(t *testing.T) {
	path := writeFile(t, t.TempDir(), nil, nil, nil)
	data, _ := os.ReadFile(path)
	// The major version follows the 8-byte magic in the header body.
	i := bytes.Index(data, fileMagic[:])
	data[i+8] = 9
	// Fix the frame's checksum so only the version is wrong.
	body := data[i:]
	end := 8 + int(uint32(data[4])|uint32(data[5])<<8|uint32(data[6])<<16|uint32(data[7])<<24)
	body = data[i:end]
	sum := crc32Checksum(body)
	data[13], data[14], data[15], data[16] = byte(sum), byte(sum>>8), byte(sum>>16), byte(sum>>24)
	os.WriteFile(path, data, 0o600)
	_, err := Open(path)
	if !errors.Is(err, ErrVersion) {
		t.Fatalf("open with major 9: %v, want ErrVersion", err)
	}
}

// TestProcTableLazy: the footer's process table decodes each record once,
// on demand, always to the same pointer, and agrees with the eager decode.
func TestProcTableLazy(t *testing.T) {
	cg := []string{"cpu=/user.slice", "memory=/user/1"}
	ps := []event.Process{
		{Key: 1, Tid: 10, Pid: 10, Comm: "sh", Args: []string{"-c", "true"}, Cgroups: cg},
		{Key: 2, Tid: 11, Pid: 10, Comm: "sh", Cgroups: []string{"cpu=/docker/1"}},
		{Key: 3, Tid: 12, Pid: 12, Comm: "curl", Env: []string{"A=1"}, Cgroups: slices.Clone(cg), StartTs: 5, ExitTs: 9},
	}
	// 1.1 writes the footer's table with shared cgroup sets; 1.0 inline.
	for _, body := range [][]byte{appendProcTable(nil, ps), appendProcesses(nil, ps)} {
		checkProcTable(t, body, ps)
	}
}

func checkProcTable(t *testing.T, body []byte, ps []event.Process) {
	t.Helper()
	pt, err := newProcTable(body)
	if err != nil {
		t.Fatal(err)
	}
	if pt.Len() != 3 {
		t.Fatalf("Len = %d", pt.Len())
	}
	p := pt.Lookup(3)
	if p == nil || p.Comm != "curl" || len(p.Env) != 1 || p != pt.Lookup(3) || p != pt.At(2) {
		t.Fatalf("Lookup(3) = %+v", p)
	}
	if pt.Lookup(4) != nil {
		t.Error("Lookup(4) found a process")
	}
	if _, err := pt.all(); err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		if !reflect.DeepEqual(*pt.At(i), ps[i]) {
			t.Errorf("record %d: lazy %+v, want %+v", i, *pt.At(i), ps[i])
		}
		b, ok := pt.Brief(i)
		if !ok || b.Key != ps[i].Key || b.Tid != ps[i].Tid || b.StartTs != ps[i].StartTs || b.ExitTs != ps[i].ExitTs ||
			b.Comm != "" || b.Cgroups != nil {
			t.Errorf("record %d: brief %+v", i, b)
		}
	}
	// A record whose last field is a broken varint is nil and fails all.
	bad := append([]byte(nil), body...)
	n, k := binary.Uvarint(bad[pt.recs[2]:])
	bad[int(pt.recs[2])+k+int(n)-1] = 0xff
	if pt, err := newProcTable(bad); err == nil {
		if _, err := pt.all(); pt.At(2) != nil || err == nil || pt.At(1) == nil {
			t.Error("a corrupt record decoded")
		}
	}
}

// A block of this build's layout is read; a later layout is refused with
// ErrVersion. (TestOldLayout reads blocks of layout 2.)
func TestBlockLayoutVersion(t *testing.T) {
	raw := seedBlocks()[3]
	for v, want := range map[byte]error{blockLayoutVersion: nil, blockLayoutVersion + 1: ErrVersion, 0: ErrVersion} {
		blk := append([]byte(nil), raw...)
		blk[len(blockMagic)] = v
		var b Block
		if err := DecodeBlock(&b, blk); !errors.Is(err, want) {
			t.Errorf("layout %d: %v, want %v", v, err, want)
		}
	}
}

// RowInType counts a dictionary-encoded type column by its index bytes;
// the counts are those of the decoded types.
func TestRowInTypeDict(t *testing.T) {
	g := eventgen.New(21, t0)
	var bb blockBuilder
	for range 3000 {
		bb.add(g.Realistic())
	}
	var h BlockHeader
	raw, _ := bb.finish(nil, &h, nil)
	var b Block
	if err := DecodeBlock(&b, raw); err != nil {
		t.Fatal(err)
	}
	if enc := b.dir[b.core[colType]].enc; enc != encIntDict {
		t.Fatalf("type column encoding %d, want the dictionary", enc)
	}
	rows, err := b.RowInType()
	if err != nil {
		t.Fatal(err)
	}
	types, _ := b.Types()
	seen := map[int64]uint32{}
	for i, ty := range types {
		if rows[i] != seen[ty] {
			t.Fatalf("row %d (type %d): %d in its type, want %d", i, ty, rows[i], seen[ty])
		}
		seen[ty]++
	}
}

// A file of format 1.2 (blocks of layout 2: the embedded sample incident
// as that format wrote it, kept in testdata) still reads, and holds the
// events the sample holds today.
func TestOldLayout(t *testing.T) {
	old, err := Open(filepath.Join("testdata", "layout2.zst"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if old.Header.Minor != 2 {
		t.Fatalf("testdata/layout2.zst is format 1.%d", old.Header.Minor)
	}
	path, err := samples.WriteIncident(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cur, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	rep, err := Verify(context.Background(), old.Name, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	a, b := readAll(t, old, index.Selection{}), readAll(t, cur, index.Selection{})
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d events, want %d", len(a), len(b))
	}
	for i := range a {
		if !sameEvent(a[i], b[i]) {
			t.Fatalf("event %d differs", i)
		}
	}
}

// Threads and processes that pair up are one dictionary: the thread
// column indexes (thread, process) pairs and the process column holds the
// pairs' processes (encPairDict). Read whole, through the cursors and row
// by row, they give the events' values; a negative thread id leaves the
// columns apart.
func TestPairDict(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tid0  int64
		pairs bool
	}{{"pairs", 100, true}, {"negative thread", -1, false}} {
		g := eventgen.New(31, t0)
		var bb blockBuilder
		var evs []*event.Event
		for i := range 3000 {
			ev := g.Realistic()
			ev.Num = uint64(i)
			ev.Tid = 1000 + int64(i%40)
			ev.Proc = event.ProcKey(ev.Tid*3 + int64(i/1500)) // each thread two incarnations
			if i == 7 {
				ev.Tid = tc.tid0
			}
			evs = append(evs, ev)
			if err := bb.add(ev); err != nil {
				t.Fatal(err)
			}
		}
		var h BlockHeader
		raw, _ := bb.finish(nil, &h, nil)
		for _, whole := range []bool{false, true} {
			b := Block{Whole: whole}
			if err := DecodeBlock(&b, raw); err != nil {
				t.Fatal(err)
			}
			if got := b.dir[b.core[colProc]].enc == encPairDict; got != tc.pairs {
				t.Fatalf("%s: process column encoding %d", tc.name, b.dir[b.core[colProc]].enc)
			}
			var ev event.Event
			for i, want := range evs {
				p, err := b.Proc(i)
				if err != nil || p != want.Proc {
					t.Fatalf("%s: Proc(%d) = %d, %v; want %d", tc.name, i, p, err, want.Proc)
				}
				if err := b.Event(i, &ev); err != nil || ev.Tid != want.Tid || ev.Proc != want.Proc {
					t.Fatalf("%s: event %d: tid %d proc %d, %v; want %d %d", tc.name, i, ev.Tid, ev.Proc, err, want.Tid, want.Proc)
				}
			}
			procs, err := b.Procs()
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range evs {
				if procs[i] != int64(want.Proc) {
					t.Fatalf("%s: Procs()[%d] = %d, want %d", tc.name, i, procs[i], want.Proc)
				}
			}
		}
	}
}
