package format

import (
	"encoding/binary"
	"fmt"
	"sync"

	"forensics/event"
	"forensics/format/internal/wire"
)

// ProcTable is a file's process table, its records decoded one at a time
// when first asked for. A query that prints a few thousand events of a
// capture with tens of thousands of process incarnations decodes only the
// incarnations those events name, and the workers of a query that needs
// them all decode them in parallel as they meet them. It is safe for
// concurrent use; every call for one record returns the same pointer.
//
// Opening the table decompresses the footer's PROC frame and walks its
// records' length prefixes once, for their offsets and keys, then reads
// the cgroup sets after them (appendProcTable):
//
//	count uvarint | (len uvarint, record [key uvarint, parent, tid, ...]) ...
//	| nsets uvarint | (strings) ...
type ProcTable struct {
	body []byte  // the decompressed frame; strings point into it
	recs []int32 // each record's offset in body (its length prefix)
	keys map[event.ProcKey]int32
	sets [][]string // the cgroup lists records name by number
	// ps holds each record once decoded (once[i]), nil when it is
	// corrupt. Records are allocated one by one: an array of them all
	// would be scanned, so touched, whole by the garbage collector.
	ps   []*event.Process
	once []sync.Once

	valsOnce sync.Once // every record as values (ProcessTable)
	vals     []event.Process
	valsErr  error
}

// Len returns the number of records. A nil table has none.
func (t *ProcTable) Len() int {
	if t == nil {
		return 0
	}
	return len(t.ps)
}

// At returns record i, decoding it on first use; nil when it is corrupt.
func (t *ProcTable) At(i int) *event.Process {
	if t == nil || i < 0 || i >= len(t.ps) {
		return nil
	}
	if t.once != nil {
		t.once[i].Do(func() { t.decode(i) })
	}
	return t.ps[i]
}

// Lookup returns the incarnation with key k (the last record with it),
// or nil.
func (t *ProcTable) Lookup(k event.ProcKey) *event.Process {
	if t == nil {
		return nil
	}
	i, ok := t.keys[k]
	if !ok {
		return nil
	}
	return t.At(int(i))
}

// record returns the bytes of record i, its length prefix first.
func (t *ProcTable) record(i int) []byte {
	end := len(t.body)
	if i+1 < len(t.recs) {
		end = int(t.recs[i+1])
	}
	return t.body[t.recs[i]:end]
}

func (t *ProcTable) decode(i int) {
	d := wire.NewStringDecoder(t.record(i))
	p := new(event.Process)
	if decodeProcessSets(d, p, t.sets); d.Err() == nil {
		t.ps[i] = p
	}
}

// Brief returns record i with its numbers only, every string and list
// left empty, decoded without allocating: what indexing the table by
// thread needs. ok is false when the record is corrupt.
func (t *ProcTable) Brief(i int) (p event.Process, ok bool) {
	if t == nil || i < 0 || i >= len(t.ps) {
		return p, false
	}
	if t.recs == nil { // decoded already
		return *t.ps[i], true
	}
	d := wire.NewSkipDecoder(t.record(i))
	decodeProcessSets(d, &p, t.sets)
	return p, d.Err() == nil
}

// all decodes every record and returns them as values (made once); the
// error names the first corrupt one.
func (t *ProcTable) all() ([]event.Process, error) {
	t.valsOnce.Do(func() {
		vals := make([]event.Process, len(t.ps))
		for i := range t.ps {
			p := t.At(i)
			if p == nil {
				t.valsErr = fmt.Errorf("%w: process record %d of %d", ErrCorrupt, i, len(t.ps))
				return
			}
			vals[i] = *p
		}
		t.vals = vals
	})
	return t.vals, t.valsErr
}

// newProcTable indexes the records of a decompressed PROC body.
func newProcTable(body []byte) (*ProcTable, error) {
	d := wire.NewDecoder(body)
	n := d.Count(1)
	t := &ProcTable{body: body, recs: make([]int32, 0, n), keys: make(map[event.ProcKey]int32, n)}
	for i := 0; i < n && d.Err() == nil; i++ {
		off := d.Offset()
		rec := d.Bytes()
		if d.Err() != nil {
			break
		}
		k, m := binary.Uvarint(rec)
		if m <= 0 {
			d.Fail("process record %d: bad key", i)
			break
		}
		t.recs = append(t.recs, int32(off))
		t.keys[event.ProcKey(k)] = int32(i)
	}
	if d.Err() == nil && d.Len() > 0 { // 1.1: the cgroup sets
		sd := wire.NewStringDecoder(body[d.Offset():])
		t.sets = make([][]string, sd.Count(1))
		for i := range t.sets {
			t.sets[i] = sd.Strings()
		}
		if sd.Err() != nil {
			d.Fail("cgroup sets: %v", sd.Err())
		}
	}
	if d.Err() != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, d.Err())
	}
	t.ps = make([]*event.Process, n)
	t.once = make([]sync.Once, n)
	return t, nil
}

// decodedProcTable wraps incarnations decoded already (a walked file's).
func decodedProcTable(ps []event.Process) *ProcTable {
	t := &ProcTable{ps: make([]*event.Process, len(ps)), keys: make(map[event.ProcKey]int32, len(ps)), vals: ps}
	t.valsOnce.Do(func() {})
	for i := range ps {
		t.ps[i] = &ps[i]
		t.keys[ps[i].Key] = int32(i)
	}
	return t
}

// ProcTable returns the file's process table, reading the footer's PROC
// frame on the first call; its records decode as they are asked for.
func (f *File) ProcTable() (*ProcTable, error) {
	f.procsOnce.Do(func() {
		if f.procOff < 0 {
			return // a walked file: adopt set procTab
		}
		fail := func(err error) {
			f.procsErr = &PosError{File: f.Name, Offset: f.procOff, What: "process table", Err: err}
		}
		fi, err := scanFrame(f.r, f.procOff, f.Size)
		if err != nil {
			fail(err)
			return
		}
		if fi.Kind != frameMeta {
			fail(fmt.Errorf("%w: no metadata frame", ErrCorrupt))
			return
		}
		kind, body, err := f.readMeta(fi)
		if err == nil && kind != kindProcs {
			err = fmt.Errorf("%w: found %s frame where %s belongs", ErrCorrupt, kind[:], kindProcs[:])
		}
		if err != nil {
			fail(err)
			return
		}
		if f.procTab, err = newProcTable(body); err != nil {
			fail(err)
		}
	})
	return f.procTab, f.procsErr
}

// Processes returns the file's process table, or nil when the table
// cannot be read; ProcessTable says why.
func (f *File) Processes() []event.Process {
	p, _ := f.ProcessTable()
	return p
}

// ProcessTable returns the file's process table, every record decoded:
// copies of the incarnations ProcTable holds, in the file's order.
func (f *File) ProcessTable() ([]event.Process, error) {
	t, err := f.ProcTable()
	if err != nil || t == nil {
		return nil, err
	}
	vals, err := t.all()
	if err != nil {
		return nil, &PosError{File: f.Name, Offset: f.procOff, What: "process table", Err: err}
	}
	return vals, nil
}
