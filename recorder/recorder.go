package recorder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"forensics/capture"
	"forensics/event"
	"forensics/format"
	"forensics/query"
	"forensics/query/fields"
	"forensics/state"
)

// Options configure a Recorder. The zero value of each field is its
// default.
type Options struct {
	Dir         string        // where the capture files go (created 0700)
	Prefix      string        // file name prefix (capture.RotateOptions)
	RotateSize  int64         // bytes, 0 = no limit
	RotateTime  time.Duration // 0 = no limit
	RotateCount int           // files kept, 0 = all
	Syscalls    string        // "default", "all" or a comma-separated list
	Snaplen     uint32        // I/O bytes kept per event (default 80)
	// Filter, when set, keeps only the events it matches (state changes
	// are followed either way).
	Filter *query.Filter
	// RingBytes is the ring buffer's size (a power of two, default 32 MiB).
	RingBytes int
	// FlushEvery is how often the current block is written (default 1s).
	FlushEvery time.Duration
	// Writer is the version string stored in each file's header.
	Writer string
	// Log gets the recorder's messages (default: discarded).
	Log *slog.Logger
	// NoEnv leaves process environments out of the files (they may hold
	// secrets; for captures that are shared).
	NoEnv bool
	// ProcRoot and EtcRoot are where the start-up walk reads (default
	// /proc and /etc; tests point them elsewhere).
	ProcRoot, EtcRoot string
}

// Stats say what a recording did.
type Stats struct {
	Events   uint64       `json:"events"`   // written to the files
	Filtered uint64       `json:"filtered"` // dropped by --filter
	Records  uint64       `json:"records"`  // read from the ring buffer
	Drops    format.Drops `json:"drops"`
	Files    []string     `json:"files"`
}

// Recorder captures syscalls into a rotation set. Create it with New (as
// root), run it with Run, once.
type Recorder struct {
	opts    Options
	log     *slog.Logger
	objs    recordObjects
	links   []link.Link
	rd      *ringbuf.Reader
	machine *state.Machine
	dec     *decoder
	sw      *capture.SetWriter
	tables  *fields.Tables
	ctx     fields.Ctx
	stats   Stats
	base    format.Drops // drops counted before the current file
	path    string       // the current file, to notice rotation
}

// New loads and attaches the eBPF programs, walks /proc and prepares the
// capture directory. Events are buffered in the ring from here on; Run
// writes them.
func New(opts Options) (*Recorder, error) {
	if opts.Snaplen == 0 {
		opts.Snaplen = 80
	}
	if opts.RingBytes == 0 {
		opts.RingBytes = 32 << 20
	}
	if opts.FlushEvery == 0 {
		opts.FlushEvery = time.Second
	}
	if opts.ProcRoot == "" {
		opts.ProcRoot = "/proc"
	}
	if opts.EtcRoot == "" {
		opts.EtcRoot = "/etc"
	}
	if opts.Writer == "" {
		opts.Writer = "forensics record"
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	specs, err := selectSyscalls(opts.Syscalls)
	if err != nil {
		return nil, err
	}
	r := &Recorder{opts: opts, log: log}
	if err := r.load(specs); err != nil {
		r.closeBPF()
		return nil, err
	}
	boot := bootOffset()
	r.machine = state.New(0)
	walk := &procWalk{root: opts.ProcRoot, etc: opts.EtcRoot, bootNs: boot, clkTck: 100, noEnv: opts.NoEnv}
	walk.run(r.machine)
	// The walked threads are in every file's snapshot: no records for them.
	r.machine.Changed(func(*event.Process) {})
	r.dec = newDecoder(specs, r.machine, boot)
	r.dec.noEnv = opts.NoEnv
	if opts.Filter != nil {
		r.tables = liveTables(r.machine.Snapshot())
		r.ctx.Tables = r.tables
	}
	sw, err := capture.NewSetWriter(capture.RotateOptions{
		Dir: opts.Dir, Prefix: opts.Prefix, Size: opts.RotateSize, Age: opts.RotateTime, Count: opts.RotateCount,
		Header:   format.Header{Writer: opts.Writer, Source: "ebpf", Snaplen: opts.Snaplen, Host: hostInfo(boot)},
		Snapshot: r.machine.Snapshot,
	})
	if err != nil {
		r.closeBPF()
		return nil, err
	}
	r.sw = sw
	log.Info("recording", "dir", opts.Dir, "syscalls", len(specs), "snaplen", opts.Snaplen, "ring_bytes", opts.RingBytes)
	return r, nil
}

// bootOffset returns the Unix time of boot in ns: what turns the kernel's
// boot clock into wall time.
func bootOffset() uint64 {
	var rt, bt unix.Timespec
	unix.ClockGettime(unix.CLOCK_REALTIME, &rt)
	unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt)
	return uint64(rt.Nano() - bt.Nano())
}

func (r *Recorder) load(specs []*sysSpec) error {
	// Kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK; later ones to
	// the memory cgroup. Raise the limit and go on if that is refused: a
	// load it stops fails with its own error below. (cilium/ebpf's rlimit
	// package does the same after probing the kernel, in an init function
	// that every command paid for: a BPF call and a read of mountinfo.)
	_ = unix.Setrlimit(unix.RLIMIT_MEMLOCK, &unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY})
	spec, err := loadRecord()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoBPF, err)
	}
	spec.Maps[recordMapEvents].MaxEntries = uint32(r.opts.RingBytes)
	for name, v := range map[string]any{recordVarSnaplen: r.opts.Snaplen, recordVarSelfTgid: uint32(os.Getpid()),
		recordVarWakeupBytes: uint64(r.opts.RingBytes / 8)} {
		if err := spec.Variables[name].Set(v); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrNoBPF, name, err)
		}
	}
	if err := spec.LoadAndAssign(&r.objs, nil); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return fmt.Errorf("%w: %+v", ErrNoBPF, ve)
		}
		return fmt.Errorf("%w: %w", ErrNoBPF, err)
	}
	for _, s := range specs {
		if err := r.objs.Confs.Update(uint32(s.nr), s.conf, ebpf.UpdateAny); err != nil {
			return fmt.Errorf("%w: syscall %s: %w", ErrNoBPF, s.name, err)
		}
	}
	rd, err := ringbuf.NewReader(r.objs.Events)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoBPF, err)
	}
	r.rd = rd
	for _, p := range []*ebpf.Program{r.objs.SysExit, r.objs.SchedExec, r.objs.SchedExit} {
		l, err := link.AttachTracing(link.TracingOptions{Program: p})
		if err != nil {
			return fmt.Errorf("%w: attach %s: %w", ErrNoBPF, p, err)
		}
		r.links = append(r.links, l)
	}
	return nil
}

func (r *Recorder) detach() {
	for _, l := range r.links {
		l.Close()
	}
	r.links = nil
}

func (r *Recorder) closeBPF() {
	r.detach()
	if r.rd != nil {
		r.rd.Close()
	}
	r.objs.Close()
}

// kernelDrops sums the kernel's drop counters over the CPUs.
func (r *Recorder) kernelDrops() uint64 {
	var total uint64
	var per []uint64
	for k := uint32(0); k < 2; k++ {
		if err := r.objs.Drops.Lookup(k, &per); err != nil {
			continue
		}
		for _, v := range per {
			total += v
		}
	}
	return total
}

// Run records until ctx ends, rotating whenever rotate delivers. It
// flushes the current block every FlushEvery and closes the files cleanly
// before it returns.
func (r *Recorder) Run(ctx context.Context, rotate <-chan struct{}) (*Stats, error) {
	defer r.closeBPF()
	var rec ringbuf.Record
	lastFlush := time.Now()
	r.rd.SetDeadline(time.Now().Add(100 * time.Millisecond))
	var runErr error
	stopping := false
	for {
		err := r.rd.ReadInto(&rec)
		switch {
		case err == nil:
			if err := r.handle(rec.RawSample); err != nil {
				runErr = err
			}
			if r.stats.Records%1024 != 0 {
				continue
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
			if stopping {
				// The programs are detached and the ring is empty.
				r.stats.Drops.Kernel = r.kernelDrops()
				r.sw.SetDrops(r.fileDrops())
				if err := r.sw.Close(); err != nil && runErr == nil {
					runErr = err
				}
				r.stats.Files = r.sw.Files()
				return &r.stats, runErr
			}
			r.rd.SetDeadline(time.Now().Add(100 * time.Millisecond))
		default:
			r.sw.Close()
			return &r.stats, fmt.Errorf("ring buffer: %w", err)
		}
		if runErr != nil && !stopping {
			r.log.Error("recording stops", "err", runErr)
			stopping = true
			r.detach()
		}
		if now := time.Now(); now.Sub(lastFlush) >= r.opts.FlushEvery {
			lastFlush = now
			if err := r.flush(); err != nil && runErr == nil {
				runErr = err
			}
		}
		select {
		case <-ctx.Done():
			if !stopping {
				stopping = true
				r.detach()
				r.rd.SetDeadline(time.Now().Add(100 * time.Millisecond))
			}
		case <-rotate:
			r.log.Info("rotating", "file", r.sw.Path())
			if err := r.sw.Rotate(); err != nil && runErr == nil {
				runErr = err
			}
		default:
		}
	}
}

// fileDrops returns the drops since the current file started.
func (r *Recorder) fileDrops() format.Drops {
	return format.Drops{Kernel: r.stats.Drops.Kernel - r.base.Kernel, User: r.stats.Drops.User - r.base.User}
}

func (r *Recorder) flush() error {
	if r.tables != nil {
		pruneTables(r.tables, uint64(time.Now().Add(-time.Minute).UnixNano()))
	}
	k := r.kernelDrops()
	if k != r.stats.Drops.Kernel {
		r.log.Warn("events lost in the kernel", "total", k)
	}
	r.stats.Drops.Kernel = k
	r.sw.SetDrops(r.fileDrops())
	return r.sw.Flush()
}

// handle decodes one record, follows it in the state machine and writes
// it.
func (r *Recorder) handle(raw []byte) error {
	r.stats.Records++
	ev, ok, err := r.dec.decode(raw)
	if err != nil {
		r.stats.Drops.User++
		return nil
	}
	if !ok {
		return nil
	}
	r.machine.Process(ev)
	var putErr error
	r.machine.Changed(func(p *event.Process) {
		if r.tables != nil {
			putProc(r.tables, p)
		}
		if err := r.sw.PutProcess(p); err != nil && putErr == nil {
			putErr = err
		}
	})
	if putErr != nil {
		return putErr
	}
	if r.opts.Filter != nil {
		r.ctx.Ev = ev
		if !r.opts.Filter.Match(&r.ctx) {
			r.stats.Filtered++
			return nil
		}
	}
	if err := r.sw.Write(ev); err != nil {
		return err
	}
	r.stats.Events++
	if p := r.sw.Path(); p != r.path {
		// A new file: its drop counters start from here.
		r.path = p
		r.base = r.stats.Drops
	}
	return nil
}

// liveTables returns field tables that handle keeps current from the
// state machine, for --filter.
func liveTables(s *event.Snapshot) *fields.Tables {
	t := fields.NewMemTables()
	for i := range s.Processes {
		putProc(t, &s.Processes[i])
	}
	for i := range s.Users {
		t.Users[s.Users[i].UID] = &s.Users[i]
	}
	for i := range s.Groups {
		t.Groups[s.Groups[i].GID] = &s.Groups[i]
	}
	return t
}

func putProc(t *fields.Tables, p *event.Process) {
	if old, ok := t.Procs[p.Key]; ok {
		*old = *p
		return
	}
	c := *p
	t.Procs[p.Key] = &c
	l := append(t.ByTid[p.Tid], &c)
	sort.SliceStable(l, func(i, j int) bool { return l[i].StartTs < l[j].StartTs })
	t.ByTid[p.Tid] = l
}

// pruneTables forgets the incarnations that ended before cutoff, so the
// tables of a long recording stay the size of the live system.
func pruneTables(t *fields.Tables, cutoff uint64) {
	for k, p := range t.Procs {
		if p.ExitTs == 0 || p.ExitTs >= cutoff {
			continue
		}
		delete(t.Procs, k)
		l := t.ByTid[p.Tid]
		for i, q := range l {
			if q == p {
				l = append(l[:i], l[i+1:]...)
				break
			}
		}
		if len(l) == 0 {
			delete(t.ByTid, p.Tid)
		} else {
			t.ByTid[p.Tid] = l
		}
	}
}
