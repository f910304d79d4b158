package scap

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"

	"github.com/klauspost/compress/gzip"

	"forensics/event"
)

// Options configure a Writer.
type Options struct {
	// Gzip compresses the stream (sysdig -z); libscap reads both.
	Gzip bool
	// GzipLevel is the compression level (gzip.DefaultCompression when 0).
	GzipLevel int
	// LegacyThreads writes PL_V9 entries in the layout of libs before 0.10
	// (sysdig up to 0.30): no pidns_init_start_ts and tty, nothing after
	// the capability sets. Readers of libs < 0.10 misread the loginuid and
	// capabilities of the current layout; current readers read both.
	LegacyThreads bool
}

// String length limits of libscap's reader (scap_limits.h): it refuses a
// file with a longer string, so the Writer truncates to them.
const (
	limitPath  = 1024 // comm, exe, exepath, cwd, root (SCAP_MAX_PATH_SIZE)
	limitArgs  = 4096 // args, env, cgroups (SCAP_MAX_ARGS_SIZE, ..._ENV_, ..._CGROUPS_)
	limitName  = 1023 // fd and interface names (< SCAP_MAX_PATH_SIZE)
	limitCreds = 255  // user and group strings (< MAX_CREDENTIALS_STR_LEN)
	limitHost  = 127  // hostname: 128 bytes with its NUL
)

// Writer writes a scap 1.2 stream, the layout current sinsp writes: per
// section SHB, MI, IL_V2, UL_V2, PL_V9 and one FDL_V2 per fd list, then
// EV_V2/EVF_V2 event blocks (*_LARGE where needed). It is not safe for
// concurrent use.
type Writer struct {
	bw        *bufio.Writer
	gz        *gzip.Writer
	opts      Options
	buf       []byte
	tail      [8]byte // padding and trailer of an event block
	sections  int
	truncated int
	err       error
}

// NewWriter returns a Writer on w. Nothing is written until the first
// WriteSection or WriteEvent; Close flushes (it does not close w).
func NewWriter(w io.Writer, opts Options) (*Writer, error) {
	wr := &Writer{opts: opts}
	if opts.Gzip {
		level := opts.GzipLevel
		if level == 0 {
			level = gzip.DefaultCompression
		}
		gz, err := gzip.NewWriterLevel(w, level)
		if err != nil {
			return nil, fmt.Errorf("scap writer: %w", err)
		}
		wr.gz = gz
		w = gz
	}
	wr.bw = bufio.NewWriterSize(w, 64<<10)
	return wr, nil
}

// Truncated returns how many strings were cut to libscap's limits.
func (w *Writer) Truncated() int { return w.truncated }

// WriteSection starts a section: a section header (version 1.2, unknown
// length, s.Options when present), then the metadata blocks of s that are
// not empty. s may be nil for a section without metadata.
func (w *Writer) WriteSection(s *Section) error {
	if w.err != nil {
		return w.err
	}
	if s == nil {
		s = &Section{}
	}
	b := w.buf[:0]
	b = w.appendSHB(b, s.Options)
	if s.Machine != nil {
		b = w.appendMI(b, s.Machine)
	}
	if len(s.Interfaces) > 0 {
		b = w.appendIL(b, s.Interfaces)
	}
	if len(s.Users)+len(s.Groups) > 0 {
		b = w.appendUL(b, s.Users, s.Groups)
	}
	if len(s.Threads) > 0 {
		start := len(b)
		b = w.appendPL(b, s.Threads)
		if err := checkBlockSize(len(b) - start); err != nil {
			return w.fail(fmt.Errorf("process list: %w", err))
		}
	}
	for _, l := range s.FDs {
		start := len(b)
		b = w.appendFDL(b, l)
		if err := checkBlockSize(len(b) - start); err != nil {
			return w.fail(fmt.Errorf("fd list of tid %d: %w", l.Tid, err))
		}
	}
	w.buf = b
	w.sections++
	if _, err := w.bw.Write(b); err != nil {
		return w.fail(err)
	}
	return nil
}

// WriteEvent writes one event: EV_V2 when ev.Flags is 0, EVF_V2 otherwise,
// and the *_LARGE variant (u32 parameter lengths) when the event table
// marks the type EFLargePayload, when ev.Flags has FlagLarge (cleared on
// disk) or when the event does not fit a non-LARGE block (a parameter over
// 65535 bytes or a block over 64 KiB). libscap picks the length width from
// its event table, so only this package reads the last kind back.
// ev.Kind, BlockID and Offset are ignored. Without a preceding
// WriteSection, an empty section is started.
func (w *Writer) WriteEvent(ev *Event) error {
	if w.err != nil {
		return w.err
	}
	if w.sections == 0 {
		if err := w.WriteSection(nil); err != nil {
			return err
		}
	}
	flags := ev.Flags &^ FlagLarge
	large := ev.Flags&FlagLarge != 0
	if info := event.Lookup(ev.Type); info != nil && info.Flags&event.EFLargePayload != 0 {
		large = true
	}
	sum := 0
	for _, p := range ev.Params {
		if len(p) > math.MaxUint16 {
			large = true
		}
		sum += len(p)
	}
	pre := 2
	if flags != 0 {
		pre = 6
	}
	evLen := hdrV2 + 2*len(ev.Params) + sum
	if !large && roundup4(8+pre+evLen+4)-8 > maxEventBlockBody {
		large = true
	}
	if large {
		evLen = hdrV2 + 4*len(ev.Params) + sum
	}
	total := roundup4(8 + pre + evLen + 4)
	if uint64(total) > maxBlockLen || len(ev.Params) > math.MaxUint32 {
		return fmt.Errorf("%w: event of type %d is %d bytes long, over the %d-byte block limit", ErrLimit, ev.Type, evLen, maxBlockLen)
	}
	id := uint32(BlockEVV2)
	switch {
	case large && flags != 0:
		id = BlockEVFV2Large
	case large:
		id = BlockEVV2Large
	case flags != 0:
		id = BlockEVFV2
	}
	le := binary.LittleEndian
	b := w.buf[:0]
	b = le.AppendUint32(b, id)
	b = le.AppendUint32(b, uint32(total))
	b = le.AppendUint16(b, ev.CPU)
	if flags != 0 {
		b = le.AppendUint32(b, flags)
	}
	b = le.AppendUint64(b, ev.Ts)
	b = le.AppendUint64(b, uint64(ev.Tid))
	b = le.AppendUint32(b, uint32(evLen))
	b = le.AppendUint16(b, uint16(ev.Type))
	b = le.AppendUint32(b, uint32(len(ev.Params)))
	for _, p := range ev.Params {
		if large {
			b = le.AppendUint32(b, uint32(len(p)))
		} else {
			b = le.AppendUint16(b, uint16(len(p)))
		}
	}
	w.buf = b
	if _, err := w.bw.Write(b); err != nil {
		return w.fail(err)
	}
	for _, p := range ev.Params {
		if _, err := w.bw.Write(p); err != nil {
			return w.fail(err)
		}
	}
	pad := total - 4 - (8 + pre + evLen)
	w.tail = [8]byte{}
	le.PutUint32(w.tail[pad:], uint32(total))
	if _, err := w.bw.Write(w.tail[:pad+4]); err != nil {
		return w.fail(err)
	}
	return nil
}

// Flush writes buffered data to the underlying writer (and flushes the
// compressor, so a reader sees every complete block).
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		return w.fail(err)
	}
	if w.gz != nil {
		if err := w.gz.Flush(); err != nil {
			return w.fail(err)
		}
	}
	return nil
}

// Close flushes the stream and ends the gzip member. It does not close the
// underlying writer. A stream without any section gets an empty one, so
// it still starts with a section header.
func (w *Writer) Close() error {
	if errors.Is(w.err, ErrClosed) {
		return nil
	}
	if w.err == nil && w.sections == 0 {
		_ = w.WriteSection(nil)
	}
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		return w.fail(err)
	}
	if w.gz != nil {
		if err := w.gz.Close(); err != nil {
			return w.fail(err)
		}
	}
	w.err = ErrClosed
	return nil
}

func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = fmt.Errorf("scap writer: %w", err)
	}
	return w.err
}

func checkBlockSize(n int) error {
	if n > maxBlockLen {
		return fmt.Errorf("%w: block of %d bytes, over the %d-byte limit", ErrLimit, n, maxBlockLen)
	}
	return nil
}

// Copy writes every section and event of src to dst: the raw round trip.
// It checks ctx between events and returns the number of events copied.
// It does not close dst.
func Copy(ctx context.Context, dst *Writer, src *Reader) (int64, error) {
	if err := dst.WriteSection(src.Section()); err != nil {
		return 0, err
	}
	var ev Event
	var n int64
	for {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		err := src.Next(&ev)
		switch {
		case err == io.EOF:
			return n, nil
		case errors.Is(err, ErrNewSection):
			if err := dst.WriteSection(src.Section()); err != nil {
				return n, err
			}
			continue
		case err != nil:
			return n, err
		}
		if err := dst.WriteEvent(&ev); err != nil {
			return n, err
		}
		n++
	}
}

// Block assembly. beginBlock appends a block header with a placeholder
// length; endBlock pads the body to 4 bytes, patches the length and
// appends the trailer.

func beginBlock(b []byte, id uint32) ([]byte, int) {
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, id)
	return binary.LittleEndian.AppendUint32(b, 0), start
}

func endBlock(b []byte, start int) []byte {
	for (len(b)-start)%4 != 0 {
		b = append(b, 0)
	}
	total := uint32(len(b) - start + 4)
	binary.LittleEndian.PutUint32(b[start+4:], total)
	return binary.LittleEndian.AppendUint32(b, total)
}

// appendStr16 appends a u16 length and s, cut to limit bytes.
func (w *Writer) appendStr16(b []byte, s string, limit int) []byte {
	if len(s) > limit {
		s = s[:limit]
		w.truncated++
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

func (w *Writer) appendSHB(b []byte, options []byte) []byte {
	le := binary.LittleEndian
	b, start := beginBlock(b, BlockSHB)
	b = le.AppendUint32(b, shbMagic)
	b = le.AppendUint16(b, currentMajor)
	b = le.AppendUint16(b, currentMinor)
	b = le.AppendUint64(b, math.MaxUint64) // section_length -1: unknown
	b = append(b, options...)
	return endBlock(b, start)
}

func (w *Writer) appendMI(b []byte, mi *MachineInfo) []byte {
	le := binary.LittleEndian
	b, start := beginBlock(b, BlockMI)
	b = le.AppendUint32(b, mi.NumCPUs)
	b = le.AppendUint64(b, mi.MemoryBytes)
	b = le.AppendUint64(b, mi.MaxPID)
	var host [128]byte
	h := mi.Hostname
	if len(h) > limitHost {
		h = h[:limitHost]
		w.truncated++
	}
	copy(host[:], h)
	b = append(b, host[:]...)
	b = le.AppendUint64(b, mi.BootTime)
	b = le.AppendUint64(b, mi.Flags)
	b = le.AppendUint64(b, mi.Reserved3)
	b = le.AppendUint64(b, mi.Reserved4)
	return endBlock(b, start)
}

func appendAddr4(b []byte, a netip.Addr) []byte {
	v := a.Unmap().As16()
	if !a.Unmap().Is4() {
		v = [16]byte{}
	}
	return append(b, v[12:]...)
}

func appendAddr16(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		var z [16]byte
		return append(b, z[:]...)
	}
	v := a.As16()
	return append(b, v[:]...)
}

func (w *Writer) appendIL(b []byte, ifs []Interface) []byte {
	le := binary.LittleEndian
	b, start := beginBlock(b, BlockILV2)
	for _, it := range ifs {
		at := len(b)
		b = le.AppendUint32(b, 0) // entry length, excluding itself
		name := it.Name
		if len(name) > limitName {
			name = name[:limitName]
			w.truncated++
		}
		b = le.AppendUint16(b, it.Type)
		b = le.AppendUint16(b, uint16(len(name)))
		switch it.Type {
		case IfIPv4, IfIPv4NoLinkSpeed:
			b = appendAddr4(appendAddr4(appendAddr4(b, it.Addr), it.Netmask), it.Bcast)
		default:
			b = appendAddr16(appendAddr16(appendAddr16(b, it.Addr), it.Netmask), it.Bcast)
		}
		if it.Type == IfIPv4 || it.Type == IfIPv6 {
			b = le.AppendUint64(b, it.LinkSpeed)
		}
		b = append(b, name...)
		b = append(b, it.Extra...)
		le.PutUint32(b[at:], uint32(len(b)-at-4))
	}
	return endBlock(b, start)
}

func (w *Writer) appendUL(b []byte, users []User, groups []Group) []byte {
	le := binary.LittleEndian
	b, start := beginBlock(b, BlockULV2)
	for _, u := range users {
		at := len(b)
		b = le.AppendUint32(b, 0) // entry length, including itself
		b = append(b, 0)
		b = le.AppendUint32(b, u.UID)
		b = le.AppendUint32(b, u.GID)
		b = w.appendStr16(b, u.Name, limitCreds)
		b = w.appendStr16(b, u.Home, limitCreds)
		b = w.appendStr16(b, u.Shell, limitCreds)
		b = append(b, u.Extra...)
		le.PutUint32(b[at:], uint32(len(b)-at))
	}
	for _, g := range groups {
		at := len(b)
		b = le.AppendUint32(b, 0)
		b = append(b, 1)
		b = le.AppendUint32(b, g.GID)
		b = w.appendStr16(b, g.Name, limitCreds)
		b = append(b, g.Extra...)
		le.PutUint32(b[at:], uint32(len(b)-at))
	}
	return endBlock(b, start)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func (w *Writer) appendPL(b []byte, threads []Thread) []byte {
	le := binary.LittleEndian
	b, start := beginBlock(b, BlockPLV9)
	for i := range threads {
		t := &threads[i]
		at := len(b)
		b = le.AppendUint32(b, 0) // entry length, including itself
		b = le.AppendUint64(b, uint64(t.Tid))
		b = le.AppendUint64(b, uint64(t.Pid))
		b = le.AppendUint64(b, uint64(t.PTid))
		b = le.AppendUint64(b, uint64(t.Sid))
		b = le.AppendUint64(b, uint64(t.VPgid))
		b = w.appendStr16(b, t.Comm, limitPath)
		b = w.appendStr16(b, t.Exe, limitPath)
		b = w.appendStr16(b, t.ExePath, limitPath)
		b = w.appendStr16(b, t.Args, limitArgs)
		b = w.appendStr16(b, t.Cwd, limitPath)
		b = le.AppendUint64(b, uint64(t.FDLimit))
		b = le.AppendUint32(b, t.Flags)
		b = le.AppendUint32(b, t.UID)
		b = le.AppendUint32(b, t.GID)
		b = le.AppendUint32(b, t.VMSizeKB)
		b = le.AppendUint32(b, t.VMRSSKB)
		b = le.AppendUint32(b, t.VMSwapKB)
		b = le.AppendUint64(b, t.PFMajor)
		b = le.AppendUint64(b, t.PFMinor)
		b = w.appendStr16(b, t.Env, limitArgs)
		b = le.AppendUint64(b, uint64(t.VTid))
		b = le.AppendUint64(b, uint64(t.VPid))
		b = w.appendStr16(b, t.Cgroups, limitArgs)
		b = w.appendStr16(b, t.Root, limitPath)
		if !w.opts.LegacyThreads {
			b = le.AppendUint64(b, t.PidNSInit)
			b = le.AppendUint32(b, t.TTY)
		}
		b = le.AppendUint32(b, t.LoginUID)
		b = append(b, boolByte(t.ExeWritable))
		b = le.AppendUint64(b, t.CapInheritable)
		b = le.AppendUint64(b, t.CapPermitted)
		b = le.AppendUint64(b, t.CapEffective)
		if !w.opts.LegacyThreads {
			b = append(b, boolByte(t.ExeUpperLayer))
			b = le.AppendUint64(b, t.ExeIno)
			b = le.AppendUint64(b, t.ExeInoCtime)
			b = le.AppendUint64(b, t.ExeInoMtime)
			b = append(b, boolByte(t.ExeFromMemfd), boolByte(t.ExeLowerLayer))
			b = le.AppendUint64(b, uint64(t.Pgid))
			b = append(b, t.Extra...)
		}
		le.PutUint32(b[at:], uint32(len(b)-at))
	}
	return endBlock(b, start)
}

func (w *Writer) appendFDL(b []byte, l FDList) []byte {
	le := binary.LittleEndian
	b, start := beginBlock(b, BlockFDLV2)
	b = le.AppendUint64(b, uint64(l.Tid))
	for i := range l.FDs {
		fd := &l.FDs[i]
		at := len(b)
		b = le.AppendUint32(b, 0) // entry length, including itself
		b = le.AppendUint64(b, uint64(fd.Num))
		b = le.AppendUint64(b, fd.Ino)
		b = append(b, fd.Type)
		switch fd.Type {
		case FDIPv4Sock:
			b = appendAddr4(appendAddr4(b, fd.SIP), fd.DIP)
			b = le.AppendUint16(le.AppendUint16(b, fd.SPort), fd.DPort)
			b = append(b, fd.L4Proto)
		case FDIPv6Sock:
			b = appendAddr16(appendAddr16(b, fd.SIP), fd.DIP)
			b = le.AppendUint16(le.AppendUint16(b, fd.SPort), fd.DPort)
			b = append(b, fd.L4Proto)
		case FDIPv4Server:
			b = le.AppendUint16(appendAddr4(b, fd.IP), fd.Port)
			b = append(b, fd.L4Proto)
		case FDIPv6Server:
			b = le.AppendUint16(appendAddr16(b, fd.IP), fd.Port)
			b = append(b, fd.L4Proto)
		case FDUnixSock:
			b = le.AppendUint64(le.AppendUint64(b, fd.Source), fd.Dest)
			b = w.appendStr16(b, fd.Name, limitName)
		case FDFileV2:
			b = le.AppendUint32(b, fd.OpenFlags)
			b = w.appendStr16(b, fd.Name, limitName)
			b = le.AppendUint32(b, fd.Dev)
		case FDUnknown:
		case FDFile, FDDirectory, FDFIFO, FDEvent, FDUnsupported, FDSignalFD, FDEventPoll,
			FDInotify, FDTimerFD, FDNetlink, FDBPF, FDUserfaultFD, FDIOUring, FDMemFD, FDPidFD:
			b = w.appendStr16(b, fd.Name, limitName)
		}
		b = append(b, fd.Extra...)
		le.PutUint32(b[at:], uint32(len(b)-at))
	}
	return endBlock(b, start)
}
