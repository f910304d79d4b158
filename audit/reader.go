package audit

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/valyala/fastjson"
)

// MaxLine bounds one line of a log (a RequestResponse event can be large;
// the API server caps request bodies at 3 MiB, a webhook batch at 12 MiB
// by default).
const MaxLine = 64 << 20

// Reader reads the events of one audit log, plain or gzipped.
type Reader struct {
	name    string
	br      *bufio.Reader
	gz      *gzip.Reader
	p       fastjson.Parser
	line    int
	num     uint64
	pending []*fastjson.Value // events of the current line not yet returned
	pline   int
	buf     []byte
	ev      Event
	strs    map[string]string
}

var gzipMagic = []byte{0x1f, 0x8b}

// NewReader returns a reader of the log r; name is used in errors. A
// gzip stream is decompressed.
func NewReader(r io.Reader, name string) (*Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	rd := &Reader{name: name, br: br, strs: map[string]string{}}
	if head, _ := br.Peek(2); bytes.Equal(head, gzipMagic) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rd.gz = gz
		rd.br = bufio.NewReaderSize(gz, 1<<16)
	}
	return rd, nil
}

// Next returns the next event. It returns io.EOF at the end, a
// *LineError for a bad line (call Next again to go on), or another error
// when reading fails. The event and its Value are valid until the next
// call.
func (r *Reader) Next() (*Event, error) {
	for len(r.pending) == 0 {
		line, err := r.readLine()
		if err != nil {
			return nil, err
		}
		if line = bytes.TrimSpace(line); len(line) == 0 {
			continue
		}
		v, err := r.p.ParseBytes(line)
		if err != nil {
			return nil, &LineError{File: r.name, Line: r.line, Err: fmt.Errorf("%w: %v", ErrBadEvent, err)}
		}
		if r.pending, err = splitValue(v, r.pending[:0], 0); err != nil {
			r.pending = r.pending[:0]
			return nil, &LineError{File: r.name, Line: r.line, Err: err}
		}
		r.pline = r.line
	}
	v := r.pending[0]
	r.pending = r.pending[1:]
	ts, err := stageTime(v)
	if err != nil {
		return nil, &LineError{File: r.name, Line: r.pline, Err: err}
	}
	r.num++
	r.buf = v.MarshalTo(r.buf[:0])
	r.ev = Event{Num: r.num, Time: ts, Raw: r.buf, Value: v, File: r.name, Line: r.pline, strs: r.strs}
	return &r.ev, nil
}

// readLine returns the next line without its newline; io.EOF after the
// last. A line longer than MaxLine is skipped with an error.
func (r *Reader) readLine() ([]byte, error) {
	r.line++
	line, err := r.br.ReadSlice('\n')
	if err == nil || (errors.Is(err, io.EOF) && len(line) > 0) {
		return line, nil
	}
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%s:%d: %w", r.name, r.line, err)
	}
	long := append([]byte(nil), line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = r.br.ReadSlice('\n')
		if len(long) <= MaxLine {
			long = append(long, line...)
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s:%d: %w", r.name, r.line, err)
	}
	if len(long) > MaxLine {
		return nil, &LineError{File: r.name, Line: r.line, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLong, MaxLine)}
	}
	return long, nil
}

// Close releases the reader (not the underlying reader).
func (r *Reader) Close() error {
	if r.gz != nil {
		return r.gz.Close()
	}
	return nil
}

// IsLog reports whether path looks like an audit log: a file (or, for a
// directory, its first regular file) whose content, once gunzipped,
// starts with a JSON object or array.
func IsLog(path string) bool {
	files, err := LogFiles(path)
	if err != nil || len(files) == 0 {
		return false
	}
	f, err := os.Open(files[0])
	if err != nil {
		return false
	}
	defer f.Close()
	var src io.Reader = bufio.NewReader(f)
	if head, _ := src.(*bufio.Reader).Peek(2); bytes.Equal(head, gzipMagic) {
		gz, err := gzip.NewReader(src)
		if err != nil {
			return false
		}
		defer gz.Close()
		src = gz
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(src, head)
	head = bytes.TrimLeft(head[:n], " \t\r\n")
	return len(head) > 0 && (head[0] == '{' || head[0] == '[')
}

// LogFiles lists the files of an audit log path: a file is itself; a
// directory gives its regular files oldest first by modification time,
// as the k8saudit plugin reads them (§1.1).
func LogFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	type file struct {
		path string
		mod  int64
	}
	var fs []file
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		fs = append(fs, file{filepath.Join(path, e.Name()), info.ModTime().UnixNano()})
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].mod != fs[j].mod {
			return fs[i].mod < fs[j].mod
		}
		return fs[i].path < fs[j].path
	})
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.path
	}
	return out, nil
}

// Decoder parses stored audit events one at a time (the event_data of a
// capture's audit events). The zero Decoder is ready.
type Decoder struct {
	p    fastjson.Parser
	ev   Event
	strs map[string]string
}

// Decode parses one event's JSON; ts is its time. The event is valid
// until the next call.
func (d *Decoder) Decode(raw []byte, ts uint64) (*Event, error) {
	v, err := d.p.ParseBytes(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	if v.Type() != fastjson.TypeObject {
		return nil, fmt.Errorf("%w: a JSON %s, not an object", ErrBadEvent, v.Type())
	}
	if d.strs == nil {
		d.strs = map[string]string{}
	}
	d.ev = Event{Time: ts, Raw: raw, Value: v, strs: d.strs}
	return &d.ev, nil
}
