package capture

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"

	"forensics/event"
	"forensics/format"
)

// RotateOptions configure a SetWriter.
type RotateOptions struct {
	Dir    string // created 0700 if missing
	Prefix string // default "forensics"
	// Size starts a new file once the current one has grown by this many
	// bytes past its header and opening snapshot (0 = no limit), like
	// sysdig -C. The snapshot is left out so that the state table of a
	// busy host, which may alone be larger than Size, never turns every
	// event into a file of its own.
	Size int64
	// Age starts a new file once the current one spans this long in event
	// time (0 = no limit), like sysdig -G.
	Age time.Duration
	// Count keeps at most this many files, deleting the oldest (0 = keep
	// all), like sysdig -W.
	Count int
	// Header is the template of every file's header; SetID, Seq, StartTs
	// and FirstNum are filled in.
	Header format.Header
	// Snapshot returns the state at the start of a new file. nil gives
	// empty snapshots.
	Snapshot func() *event.Snapshot
	// Writer tunes each file's writer.
	Writer *format.WriterOptions
}

// SetWriter writes a rotation set. It is not safe for concurrent use.
type SetWriter struct {
	opts    RotateOptions
	setID   string
	seq     uint64
	nextNum uint64
	w       *format.Writer
	path    string
	startTs uint64
	base    int64 // the current file's size after its header and snapshot
	drops   format.Drops
	files   []string // the set's files, oldest first
}

var setName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.+)-(\d{6,})-(\d{8}T\d{6}Z)\.zst$`) })

// FileName returns the name of file seq of a set started at ts.
func FileName(prefix string, seq uint64, ts uint64) string {
	t := time.Unix(0, int64(ts)).UTC()
	return fmt.Sprintf("%s-%06d-%s.zst", prefix, seq, t.Format("20060102T150405Z"))
}

// NewSetWriter opens a set in opts.Dir. When the directory already holds
// files of the set, numbering continues after the last one: its sequence,
// set id and event numbers.
func NewSetWriter(opts RotateOptions) (*SetWriter, error) {
	if opts.Prefix == "" {
		opts.Prefix = "forensics"
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, err
	}
	s := &SetWriter{opts: opts, nextNum: 1}
	existing, err := s.scanDir()
	if err != nil {
		return nil, err
	}
	s.files = existing
	if n := len(existing); n > 0 {
		last := existing[n-1]
		m := setName().FindStringSubmatch(filepath.Base(last))
		s.seq, _ = strconv.ParseUint(m[2], 10, 64)
		// The last file may have no footer (the recorder was killed): Open
		// reads it by scanning its blocks.
		if f, err := format.Open(last); err == nil {
			s.setID = f.Header.SetID
			if bs := f.Index.Blocks; len(bs) > 0 {
				b := bs[len(bs)-1]
				s.nextNum = b.FirstNum + uint64(b.Count)
			} else {
				s.nextNum = f.Header.FirstNum
			}
			f.Close()
		}
	}
	if s.setID == "" {
		var id [8]byte
		if _, err := rand.Read(id[:]); err != nil {
			return nil, err
		}
		s.setID = hex.EncodeToString(id[:])
	}
	return s, nil
}

// scanDir lists the set's files in sequence order.
func (s *SetWriter) scanDir() ([]string, error) {
	ents, err := os.ReadDir(s.opts.Dir)
	if err != nil {
		return nil, err
	}
	type f struct {
		seq  uint64
		path string
	}
	var fs []f
	for _, e := range ents {
		m := setName().FindStringSubmatch(e.Name())
		if m == nil || m[1] != s.opts.Prefix || e.IsDir() {
			continue
		}
		seq, err := strconv.ParseUint(m[2], 10, 64)
		if err != nil {
			continue
		}
		fs = append(fs, f{seq, filepath.Join(s.opts.Dir, e.Name())})
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].seq < fs[j].seq })
	out := make([]string, len(fs))
	for i := range fs {
		out[i] = fs[i].path
	}
	return out, nil
}

// open starts the next file of the set at ts.
func (s *SetWriter) open(ts uint64) error {
	s.seq++
	h := s.opts.Header
	h.SetID, h.Seq, h.StartTs, h.FirstNum = s.setID, s.seq, ts, s.nextNum
	var snap *event.Snapshot
	if s.opts.Snapshot != nil {
		snap = s.opts.Snapshot()
	}
	path := filepath.Join(s.opts.Dir, FileName(s.opts.Prefix, s.seq, ts))
	w, err := format.Create(path, h, snap, s.opts.Writer)
	if err != nil {
		return err
	}
	s.w, s.path, s.startTs, s.base = w, path, ts, w.Size()
	s.w.SetDrops(format.Drops{})
	s.files = append(s.files, path)
	return s.prune()
}

// prune deletes the oldest files beyond the count limit.
func (s *SetWriter) prune() error {
	for s.opts.Count > 0 && len(s.files) > s.opts.Count {
		if err := os.Remove(s.files[0]); err != nil && !os.IsNotExist(err) {
			return err
		}
		s.files = s.files[1:]
	}
	return nil
}

// closeCurrent closes the current file.
func (s *SetWriter) closeCurrent() error {
	if s.w == nil {
		return nil
	}
	err := s.w.Close()
	s.nextNum = s.w.NextNum()
	s.w = nil
	return err
}

// Write adds an event, starting a new file first when a limit is reached.
func (s *SetWriter) Write(ev *event.Event) error {
	if s.w != nil && s.due(ev.Ts) {
		if err := s.closeCurrent(); err != nil {
			return err
		}
	}
	if s.w == nil {
		if err := s.open(ev.Ts); err != nil {
			return err
		}
	}
	return s.w.Write(ev)
}

func (s *SetWriter) due(ts uint64) bool {
	if s.opts.Size > 0 && s.w.Size()-s.base >= s.opts.Size {
		return true
	}
	return s.opts.Age > 0 && ts >= s.startTs && time.Duration(ts-s.startTs) >= s.opts.Age
}

// PutProcess records a new or changed process incarnation in the current
// file (the next file gets it through its snapshot).
func (s *SetWriter) PutProcess(p *event.Process) error {
	if s.w == nil {
		return nil
	}
	return s.w.PutProcess(p)
}

// SetDrops sets the drop counters of the current file.
func (s *SetWriter) SetDrops(d format.Drops) {
	if s.w != nil {
		s.w.SetDrops(d)
	}
}

// Flush writes the current block of the current file.
func (s *SetWriter) Flush() error {
	if s.w == nil {
		return nil
	}
	return s.w.Flush()
}

// Rotate closes the current file; the next event starts a new one (SIGHUP).
func (s *SetWriter) Rotate() error { return s.closeCurrent() }

// Path returns the current file's path, "" between files.
func (s *SetWriter) Path() string { return s.path }

// Files returns the set's files, oldest first.
func (s *SetWriter) Files() []string { return append([]string(nil), s.files...) }

// Close closes the current file.
func (s *SetWriter) Close() error { return s.closeCurrent() }
