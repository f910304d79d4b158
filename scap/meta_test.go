package scap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

// fullSection returns a section that uses every metadata field.
func fullSection() *Section {
	v4 := netip.MustParseAddr
	th := Thread{
		Tid: 100, Pid: 100, PTid: 1, Sid: 100, VPgid: 100, Comm: "bash", Exe: "-bash", ExePath: "/usr/bin/bash",
		Args: "-c\x00ls\x00", Cwd: "/root", FDLimit: 1024, Flags: 3, UID: 0, GID: 0,
		VMSizeKB: 1, VMRSSKB: 2, VMSwapKB: 3, PFMajor: 4, PFMinor: 5, Env: "A=1\x00B=2\x00",
		VTid: 7, VPid: 7, Cgroups: "cpu=/a\x00memory=/b\x00", Root: "/", PidNSInit: 99, TTY: 34816,
		LoginUID: 1000, ExeWritable: true, CapInheritable: 1, CapPermitted: 2, CapEffective: 3,
		ExeUpperLayer: true, ExeIno: 42, ExeInoCtime: 43, ExeInoMtime: 44, ExeFromMemfd: true,
		ExeLowerLayer: true, Pgid: 100, Extra: []byte{9, 9, 9},
	}
	th2 := NewThread()
	th2.Tid, th2.Pid, th2.Comm = 101, 100, "worker"
	return &Section{
		Length:  -1,
		Options: []byte{1, 0, 4, 0, 'a', 'b', 'c', 'd', 0, 0, 0, 0},
		Machine: &MachineInfo{NumCPUs: 8, MemoryBytes: 1 << 34, MaxPID: 4194304, Hostname: "host",
			BootTime: 1700000000000000000, Flags: 1, Reserved3: 2, Reserved4: 3},
		Interfaces: []Interface{
			{Type: IfIPv4, Name: "lo", Addr: v4("127.0.0.1"), Netmask: v4("255.0.0.0"), Bcast: v4("127.255.255.255"), LinkSpeed: 1000},
			{Type: IfIPv6, Name: "eth0", Addr: v4("fe80::1"), Netmask: v4("ffff:ffff:ffff:ffff::"), Bcast: v4("::"), LinkSpeed: 10},
			{Type: IfIPv4NoLinkSpeed, Name: "eth1", Addr: v4("10.0.0.1"), Netmask: v4("255.255.255.0"), Bcast: v4("10.0.0.255")},
			{Type: IfIPv6NoLinkSpeed, Name: "eth2", Addr: v4("2001:db8::1"), Netmask: v4("ffff::"), Bcast: v4("::"), Extra: []byte{1}},
		},
		Users:   []User{{UID: 0, GID: 0, Name: "root", Home: "/root", Shell: "/bin/bash"}, {UID: 1000, GID: 1000, Name: "u", Extra: []byte{7}}},
		Groups:  []Group{{GID: 0, Name: "root"}, {GID: 1000, Name: "u", Extra: []byte{1, 2}}},
		Threads: []Thread{th, th2},
		FDs: []FDList{
			{Tid: 100, FDs: []FD{
				{Num: 0, Ino: 5, Type: FDFileV2, Name: "/dev/null", OpenFlags: 3, Dev: 0x801},
				{Num: 1, Ino: 6, Type: FDFile, Name: "/tmp/x"},
				{Num: 2, Type: FDDirectory, Name: "/"},
				{Num: 3, Type: FDIPv4Sock, SIP: v4("10.0.0.1"), DIP: v4("10.0.0.2"), SPort: 5000, DPort: 80, L4Proto: 2},
				{Num: 4, Type: FDIPv6Sock, SIP: v4("::1"), DIP: v4("2001:db8::2"), SPort: 1, DPort: 443, L4Proto: 3},
				{Num: 5, Type: FDIPv4Server, IP: v4("0.0.0.0"), Port: 22, L4Proto: 2},
				{Num: 6, Type: FDIPv6Server, IP: v4("::"), Port: 53, L4Proto: 3},
				{Num: 7, Type: FDUnixSock, Source: 0xffff0001, Dest: 0xffff0002, Name: "/run/sock"},
				{Num: 8, Type: FDFIFO, Name: "pipe:[1]"},
				{Num: 9, Type: FDEvent}, {Num: 10, Type: FDUnsupported, Name: "x"}, {Num: 11, Type: FDSignalFD},
				{Num: 12, Type: FDEventPoll}, {Num: 13, Type: FDInotify}, {Num: 14, Type: FDTimerFD},
				{Num: 15, Type: FDNetlink}, {Num: 16, Type: FDBPF}, {Num: 17, Type: FDUserfaultFD},
				{Num: 18, Type: FDIOUring}, {Num: 19, Type: FDMemFD, Name: "memfd:x"}, {Num: 20, Type: FDPidFD},
				{Num: 21, Type: FDUnknown},
				{Num: 22, Type: 99, Extra: []byte{1, 2, 3}},
				{Num: 23, Type: FDFile, Name: "/x", Extra: []byte{4}},
			}},
			{Tid: 101},
		},
	}
}

func writeSection(t testing.TB, s *Section, opts Options) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(&out, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSection(s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestMetadataRoundTrip(t *testing.T) {
	s := fullSection()
	data := writeSection(t, s, Options{})
	secs, evs, st, err := readAll(t, data, "meta")
	if err != nil || len(secs) != 1 || len(evs) != 0 {
		t.Fatalf("%v, %d sections, %d events", err, len(secs), len(evs))
	}
	compareSections(t, []*Section{s}, secs)
	if secs[0].Major != 1 || secs[0].Minor != 2 || secs[0].Length != -1 {
		t.Errorf("version %d.%d, length %d", secs[0].Major, secs[0].Minor, secs[0].Length)
	}
	wantBlocks := map[uint32]uint64{BlockSHB: 1, BlockMI: 1, BlockILV2: 1, BlockULV2: 1, BlockPLV9: 1, BlockFDLV2: 2}
	if !reflect.DeepEqual(st.Blocks, wantBlocks) {
		t.Errorf("blocks %v, want %v", st.Blocks, wantBlocks)
	}
	if mi := blockOf(t, data, BlockMI); len(mi) != 192 {
		t.Errorf("MI block of %d bytes, want 192", len(mi))
	}

	// The pre-0.10 layout keeps what it has room for.
	secs, _, _, err = readAll(t, writeSection(t, s, Options{LegacyThreads: true}), "legacy")
	if err != nil {
		t.Fatal(err)
	}
	want := *s
	want.Threads = append([]Thread(nil), s.Threads...)
	for i := range want.Threads {
		th := &want.Threads[i]
		th.PidNSInit, th.TTY, th.ExeUpperLayer, th.ExeIno, th.ExeInoCtime, th.ExeInoMtime = 0, 0, false, 0, 0, 0
		th.ExeFromMemfd, th.ExeLowerLayer, th.Pgid, th.Extra = false, false, -1, nil
	}
	compareSections(t, []*Section{&want}, secs)
}

// blockOf returns the first block of type id in a plain stream.
func blockOf(t testing.TB, data []byte, id uint32) []byte {
	for off := 0; off+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[off+4:]))
		if binary.LittleEndian.Uint32(data[off:]) == id {
			return data[off : off+n]
		}
		off += n
	}
	t.Fatalf("no block %#x", id)
	return nil
}

// mkBlock wraps a body into a block with padding and trailer.
func mkBlock(id uint32, body []byte) []byte {
	le := binary.LittleEndian
	n := roundup4(8+len(body)) + 4
	b := le.AppendUint32(nil, id)
	b = le.AppendUint32(b, uint32(n))
	b = append(b, body...)
	b = append(b, make([]byte, roundup4(len(body))-len(body))...)
	return le.AppendUint32(b, uint32(n))
}

// shb returns a section header block.
func shb(major, minor uint16) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, shbMagic)
	b = le.AppendUint16(b, major)
	b = le.AppendUint16(b, minor)
	return mkBlock(BlockSHB, le.AppendUint64(b, ^uint64(0)))
}

// plEntry encodes a thread in the layout of PL version v (1..8), field by
// field after the table of scap-format.md §5.4.
func plEntry(v int, th Thread) []byte {
	le := binary.LittleEndian
	var b []byte
	q := func(x int64) { b = le.AppendUint64(b, uint64(x)) }
	d := func(x uint32) { b = le.AppendUint32(b, x) }
	s := func(x string) { b = append(le.AppendUint16(b, uint16(len(x))), x...) }
	q(th.Tid)
	q(th.Pid)
	q(th.PTid)
	if v >= 6 {
		q(th.Sid)
	}
	if v >= 8 {
		q(th.VPgid)
	}
	s(th.Comm)
	s(th.Exe)
	if v >= 7 {
		s(th.ExePath)
	}
	s(th.Args)
	s(th.Cwd)
	q(th.FDLimit)
	d(th.Flags)
	d(th.UID)
	d(th.GID)
	if v >= 2 {
		d(th.VMSizeKB)
		d(th.VMRSSKB)
		d(th.VMSwapKB)
		q(int64(th.PFMajor))
		q(int64(th.PFMinor))
	}
	if v >= 3 {
		s(th.Env)
	}
	if v >= 4 {
		q(th.VTid)
		q(th.VPid)
		s(th.Cgroups)
	}
	if v >= 5 {
		s(th.Root)
	}
	return b
}

// TestOldProcessLists decodes PL V1..V8 entries: each version has its
// fields and libscap's defaults for the others.
func TestOldProcessLists(t *testing.T) {
	full := fullSection().Threads[0]
	ids := []uint32{BlockPLV1, BlockPLV2, BlockPLV3, BlockPLV4, BlockPLV5, BlockPLV6, BlockPLV7, BlockPLV8,
		BlockPLV1Int, BlockPLV2Int, BlockPLV3Int}
	for _, id := range ids {
		v := plVersion(id)
		want := NewThread()
		want.Tid, want.Pid, want.PTid, want.Comm, want.Exe, want.Args, want.Cwd = full.Tid, full.Pid, full.PTid, full.Comm, full.Exe, full.Args, full.Cwd
		want.FDLimit, want.Flags, want.UID, want.GID = full.FDLimit, full.Flags, full.UID, full.GID
		if v >= 2 {
			want.VMSizeKB, want.VMRSSKB, want.VMSwapKB, want.PFMajor, want.PFMinor = full.VMSizeKB, full.VMRSSKB, full.VMSwapKB, full.PFMajor, full.PFMinor
		}
		if v >= 3 {
			want.Env = full.Env
		}
		if v >= 4 {
			want.VTid, want.VPid, want.Cgroups = full.VTid, full.VPid, full.Cgroups
		}
		if v >= 5 {
			want.Root = full.Root
		}
		if v >= 6 {
			want.Sid = full.Sid
		}
		if v >= 7 {
			want.ExePath = full.ExePath
		}
		if v >= 8 {
			want.VPgid = full.VPgid
		}
		entry := plEntry(v, full)
		body := append(append([]byte(nil), entry...), entry...)
		got, err := decodePL(id, append(body, 0, 0, 0)) // with padding
		if err != nil {
			t.Fatalf("PL v%d: %v", v, err)
		}
		if len(got) != 2 || !reflect.DeepEqual(got[0], want) || !reflect.DeepEqual(got[1], want) {
			t.Fatalf("PL v%d:\n got %+v\nwant %+v", v, got, want)
		}
	}
}

// TestV9Tail checks the "if room" rule and the pre-0.10 heuristic on PL
// V9 entries cut after each tail field.
func TestV9Tail(t *testing.T) {
	th := fullSection().Threads[0]
	th.Extra = nil
	modern := blockOf(t, writeSection(t, &Section{Threads: []Thread{th}}, Options{}), BlockPLV9)
	legacy := blockOf(t, writeSection(t, &Section{Threads: []Thread{th}}, Options{LegacyThreads: true}), BlockPLV9)
	cut := func(blk []byte, tail int) []byte {
		le := binary.LittleEndian
		body := append([]byte(nil), blk[8:8+le.Uint32(blk[8:])]...)
		n := len(body) - tail
		le.PutUint32(body, uint32(n))
		return body[:n]
	}
	cases := []struct {
		name string
		body []byte
		want func(*Thread)
	}{
		{"modern, complete", cut(modern, 0), func(*Thread) {}},
		{"modern, no pgid", cut(modern, 8), func(w *Thread) { w.Pgid = -1 }},
		{"modern, up to exe_ino", cut(modern, 8+2+16), func(w *Thread) {
			w.Pgid, w.ExeLowerLayer, w.ExeFromMemfd, w.ExeInoCtime, w.ExeInoMtime = -1, false, false, 0, 0
		}},
		{"legacy, complete", cut(legacy, 0), func(w *Thread) { *w = legacyView(*w) }},
		{"legacy, no capabilities", cut(legacy, 24), func(w *Thread) {
			*w = legacyView(*w)
			w.CapInheritable, w.CapPermitted, w.CapEffective = 0, 0, 0
		}},
		{"nothing after root", cut(legacy, 29), func(w *Thread) {
			*w = legacyView(*w)
			w.CapInheritable, w.CapPermitted, w.CapEffective, w.LoginUID, w.ExeWritable = 0, 0, 0, 0xFFFFFFFF, false
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodePL(BlockPLV9, c.body)
			if err != nil {
				t.Fatal(err)
			}
			want := th
			c.want(&want)
			if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Fatalf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// legacyView is what the pre-0.10 layout keeps of a thread.
func legacyView(th Thread) Thread {
	th.PidNSInit, th.TTY, th.ExeUpperLayer, th.ExeIno, th.ExeInoCtime, th.ExeInoMtime = 0, 0, false, 0, 0, 0
	th.ExeFromMemfd, th.ExeLowerLayer, th.Pgid, th.Extra = false, false, -1, nil
	return th
}

// TestOldLists decodes the v1 (no entry length) IL, UL and FDL layouts.
func TestOldLists(t *testing.T) {
	le := binary.LittleEndian
	s := fullSection()
	// IL v1: the IL_V2 entries without their length.
	il := blockOf(t, writeSection(t, s, Options{}), BlockILV2)
	var il1 []byte
	for p := 8; p+4 <= len(il)-4; {
		n := int(le.Uint32(il[p:]))
		if n == 0 {
			break
		}
		il1 = append(il1, il[p+4:p+4+n]...)
		p += 4 + n
	}
	sIfs := append([]Interface(nil), s.Interfaces...)
	sIfs[3].Extra = nil
	il1 = il1[:len(il1)-1] // the last entry's Extra byte
	ifs, err := decodeIL(BlockIL, il1)
	if err != nil || !reflect.DeepEqual(ifs, sIfs) {
		t.Fatalf("IL v1: %v\n got %+v\nwant %+v", err, ifs, sIfs)
	}
	// UL v1.
	var ul []byte
	ul = append(ul, 0)
	ul = le.AppendUint32(le.AppendUint32(ul, 0), 0)
	for _, x := range []string{"root", "/root", "/bin/sh"} {
		ul = append(le.AppendUint16(ul, uint16(len(x))), x...)
	}
	ul = append(le.AppendUint16(le.AppendUint32(append(ul, 1), 5), 3), "tty"...)
	users, groups, err := decodeUL(BlockUL, ul)
	if err != nil || len(users) != 1 || users[0].Shell != "/bin/sh" || len(groups) != 1 || groups[0].GID != 5 || groups[0].Name != "tty" {
		t.Fatalf("UL v1: %v %+v %+v", err, users, groups)
	}
	// FDL v1: FILE_V2 has no dev; an unknown type cannot be skipped.
	fdl := le.AppendUint64(nil, 100)
	fdl = le.AppendUint64(le.AppendUint64(fdl, 3), 9)
	fdl = le.AppendUint32(append(fdl, FDFileV2), 0x41)
	fdl = append(le.AppendUint16(fdl, 2), "/x"...)
	l, err := decodeFDL(BlockFDL, fdl)
	if err != nil || len(l.FDs) != 1 || !reflect.DeepEqual(l.FDs[0], FD{Num: 3, Ino: 9, Type: FDFileV2, OpenFlags: 0x41, Name: "/x"}) {
		t.Fatalf("FDL v1: %v %+v", err, l)
	}
	bad := append(le.AppendUint64(le.AppendUint64(le.AppendUint64(nil, 1), 3), 9), 99, 0, 0, 0, 0)
	if _, err := decodeFDL(BlockFDL, bad); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("FDL v1 with an unknown type: %v", err)
	}
}
