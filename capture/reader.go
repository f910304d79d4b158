package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/klauspost/compress/zstd"

	"forensics/event"
	"forensics/format"
	"forensics/index"
	"forensics/scapconv"
)

// ErrNoFiles is returned when a CAPTURE argument matches no capture file.
var ErrNoFiles = errors.New("no capture files")

// Capture is a set of capture files read as one, in time order.
type Capture struct {
	Files []*format.File
	temps []string // captures imported from .scap files, removed on Close
}

// Resolve expands CAPTURE arguments into file paths: a file is itself, a
// directory gives its *.zst files, anything else is a glob.
func Resolve(args []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, arg := range args {
		st, err := os.Stat(arg)
		switch {
		case err == nil && st.IsDir():
			ms, _ := filepath.Glob(filepath.Join(arg, "*.zst"))
			if len(ms) == 0 {
				return nil, fmt.Errorf("%s: %w in the directory", arg, ErrNoFiles)
			}
			sort.Strings(ms)
			for _, m := range ms {
				add(m)
			}
		case err == nil:
			add(arg)
		case strings.ContainsAny(arg, "*?["):
			ms, gerr := filepath.Glob(arg)
			if gerr != nil {
				return nil, fmt.Errorf("%s: %w", arg, gerr)
			}
			if len(ms) == 0 {
				return nil, fmt.Errorf("%s: %w match the pattern", arg, ErrNoFiles)
			}
			sort.Strings(ms)
			for _, m := range ms {
				add(m)
			}
		default:
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, ErrNoFiles
	}
	return out, nil
}

// Open opens the capture named by args. Files are ordered by the time of
// their first event (then by set and sequence), so a rotation set reads in
// time order whatever the names.
func Open(args ...string) (*Capture, error) {
	paths, err := Resolve(args)
	if err != nil {
		return nil, err
	}
	c := &Capture{}
	for _, p := range paths {
		orig := p
		if IsScap(p) {
			// A .scap is read through the importer, into a temporary
			// capture that Close removes.
			tmp, err := importTemp(p)
			if err != nil {
				c.Close()
				return nil, err
			}
			c.temps = append(c.temps, tmp)
			p = tmp
		}
		f, err := format.Open(p)
		if err != nil {
			c.Close()
			return nil, err
		}
		f.Name = orig
		c.Files = append(c.Files, f)
	}
	sort.SliceStable(c.Files, func(i, j int) bool {
		a, b := c.Files[i], c.Files[j]
		at, bt := startOf(a), startOf(b)
		if at != bt {
			return at < bt
		}
		if a.Header.SetID != b.Header.SetID {
			return a.Header.SetID < b.Header.SetID
		}
		return a.Header.Seq < b.Header.Seq
	})
	return c, nil
}

func startOf(f *format.File) uint64 {
	if first, _ := f.Index.Span(); first != 0 {
		return first
	}
	return f.Header.StartTs
}

// Close closes every file.
func (c *Capture) Close() error {
	var errs []error
	for _, f := range c.Files {
		errs = append(errs, f.Close())
	}
	for _, t := range c.temps {
		errs = append(errs, os.Remove(t))
	}
	return errors.Join(errs...)
}

// IsScap reports whether the file at path is a .scap capture (plain, with
// the pcapng section header id, or gzip-compressed) rather than ours.
func IsScap(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return false
	}
	return b == [4]byte{0x0A, 0x0D, 0x0D, 0x0A} || b[0] == 0x1f && b[1] == 0x8b
}

// importTemp imports a .scap into a temporary capture file.
func importTemp(path string) (string, error) {
	f, err := os.CreateTemp("", "forensics-scap-*.zst")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	f.Close()
	os.Remove(tmp)
	if _, err := scapconv.ImportFile(context.Background(), path, tmp, &format.WriterOptions{Level: zstd.SpeedFastest}, nil); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return tmp, nil
}

// Events returns the number of readable events in all files.
func (c *Capture) Events() uint64 {
	var n uint64
	for _, f := range c.Files {
		n += f.Events()
	}
	return n
}

// Stats adds up the block counters of all files.
func (c *Capture) Stats() format.Stats {
	var s format.Stats
	for _, f := range c.Files {
		fs := f.Stats()
		s.BlocksRead += fs.BlocksRead
		s.BlocksSkipped += fs.BlocksSkipped
		s.BytesRead += fs.BytesRead
	}
	return s
}

// Iter iterates over the selected events of every file in order. Files whose
// index says they hold nothing of the selection are not read.
func (c *Capture) Iter(sel index.Selection) *Iter {
	return &Iter{c: c, sel: sel}
}

// Iter reads the events of a capture.
type Iter struct {
	c    *Capture
	sel  index.Selection
	next int
	cur  *format.EventIter
	file *format.File
	err  error
}

// Next fills ev with the next event; false at the end or on error.
func (it *Iter) Next(ev *event.Event) bool {
	for it.err == nil {
		if it.cur != nil {
			if it.cur.Next(ev) {
				return true
			}
			if err := it.cur.Err(); err != nil {
				it.err = err
				return false
			}
			it.cur.Close()
			it.cur = nil
		}
		if it.next >= len(it.c.Files) {
			return false
		}
		it.file = it.c.Files[it.next]
		it.next++
		cur, err := it.file.Iter(it.sel)
		if err != nil {
			it.err = err
			return false
		}
		it.cur = cur
	}
	return false
}

// File returns the file of the last event.
func (it *Iter) File() *format.File { return it.file }

// Err returns the error that stopped the iteration.
func (it *Iter) Err() error { return it.err }

// Skip goes past the damaged block that stopped the iteration.
func (it *Iter) Skip() {
	if it.cur != nil {
		it.err = nil
		it.cur.Skip()
	}
}

// Close releases the iterator.
func (it *Iter) Close() {
	if it.cur != nil {
		it.cur.Close()
		it.cur = nil
	}
}
