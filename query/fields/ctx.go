package fields

import (
	"encoding/json"
	"maps"
	"net/netip"
	"sort"
	"sync"

	"forensics/audit"
	"forensics/event"
	"forensics/format"
	"forensics/index"
	"forensics/render"
)

// Tables are the state a capture file carries for field extraction: its
// process table, users and groups, indexed. Tables made by NewTables read
// the file's process table as it is needed: an incarnation is decoded when
// a field first asks for it (Proc), the index by thread id when a field
// first needs it (Live). Tables made by hand (the recorder's) keep
// their incarnations in Procs and ByTid.
type Tables struct {
	Procs  map[event.ProcKey]*event.Process
	Users  map[uint32]*event.User
	Groups map[uint32]*event.Group
	// ByTid lists each thread id's incarnations in start order, in tables
	// made by hand (NewTables' keep their own index).
	ByTid map[int64][]*event.Process
	// Local holds the capture host's interface addresses: fd.lip, fd.rip
	// and fd.is_server tell local from remote ends by them.
	Local map[netip.Addr]bool
	// Start is the capture's first timestamp (evt.reltime).
	Start uint64
	// containers are the container descriptions the capture's container
	// events carry, by container id, read on first use (Container).
	containers     map[string]Container
	containersOnce sync.Once
	file           *format.File
	procTab        *format.ProcTable
	procOnce       sync.Once
	threads        map[int64][]incarnation // by thread id, in start order
	threadsOnce    sync.Once
	// pred maps each incarnation to the one its execve replaced (see
	// predecessor), by key to table index; nil in tables not made by
	// NewTables.
	pred map[event.ProcKey]int32
	// standIns caches the parents sysdig invents (standIn), by thread id
	// and child.
	standIns sync.Map
}

// Container returns the description of container id that the capture's
// container events give.
func (t *Tables) Container(id string) (Container, bool) {
	t.loadContainers()
	k, ok := t.containers[id]
	return k, ok
}

// Containers returns every container the capture's container events
// describe, by id. The map is the caller's.
func (t *Tables) Containers() map[string]Container {
	t.loadContainers()
	return maps.Clone(t.containers)
}

func (t *Tables) loadContainers() {
	t.containersOnce.Do(func() {
		if t.file != nil {
			t.containers = containers(t.file)
		}
	})
}

// Container is what a capture's container event says of a container.
type Container struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Image string `json:"image"`
	Type  int    `json:"type"` // libs' container type: 0 docker, 1 lxc, ...
}

// NewMemTables returns empty tables over no file, for a reader that
// fills their maps as it goes (the recorder's live filter) and for tests.
func NewMemTables() *Tables {
	return &Tables{Procs: map[event.ProcKey]*event.Process{}, Users: map[uint32]*event.User{},
		Groups: map[uint32]*event.Group{}, ByTid: map[int64][]*event.Process{}}
}

// NewTables returns the tables of a capture file. Its process table is
// read when a field first needs it.
func NewTables(f *format.File) *Tables {
	t := &Tables{Users: map[uint32]*event.User{}, Groups: map[uint32]*event.Group{}}
	if s := f.Snapshot; s != nil {
		for i := range s.Users {
			t.Users[s.Users[i].UID] = &s.Users[i]
		}
		for i := range s.Groups {
			t.Groups[s.Groups[i].GID] = &s.Groups[i]
		}
	}
	t.Local = make(map[netip.Addr]bool, len(f.Header.Host.Interfaces))
	for _, in := range f.Header.Host.Interfaces {
		if in.Addr.IsValid() {
			t.Local[in.Addr.Unmap()] = true
		}
	}
	t.Start, _ = f.Index.Span()
	t.file = f
	return t
}

// Proc returns the incarnation with key k, nil when there is none.
func (t *Tables) Proc(k event.ProcKey) *event.Process {
	if t.file == nil {
		return t.Procs[k]
	}
	return t.table().Lookup(k)
}

// table returns the file's process table, read on first use.
func (t *Tables) table() *format.ProcTable {
	t.procOnce.Do(func() {
		// An unreadable table leaves every process unknown (<NA>), as an
		// empty one would; the file's Problems and Verify report it.
		t.procTab, _ = t.file.ProcTable()
	})
	return t.procTab
}

// incarnation is what the thread index of a file's tables keeps of one
// incarnation: enough to pick the one alive at a time and the one an
// execve replaced, with its place in the process table for the rest.
type incarnation struct {
	start, exit uint64
	key         event.ProcKey
	idx         int32 // in the file's ProcTable
}

// threadIndex indexes a file's process table by thread id (in start
// order) and each incarnation by the one its execve replaced, on first
// use. It reads only the records' numbers (ProcTable.Brief).
func (t *Tables) threadIndex() map[int64][]incarnation {
	t.threadsOnce.Do(func() {
		pt := t.table()
		t.threads = map[int64][]incarnation{}
		for i := range pt.Len() {
			if p, ok := pt.Brief(i); ok {
				t.threads[p.Tid] = append(t.threads[p.Tid], incarnation{start: p.StartTs, exit: p.ExitTs, key: p.Key, idx: int32(i)})
			}
		}
		t.pred = map[event.ProcKey]int32{}
		for _, l := range t.threads {
			sort.SliceStable(l, func(i, j int) bool { return l[i].start < l[j].start })
			indexPredecessors(t.pred, l)
		}
	})
	return t.threads
}

// containers reads the container events of a file: the index finds the
// blocks that hold some and their type column the rows. Each carries a
// JSON description, {"container":{"id":...}}; a later description of the
// same id replaces an earlier one, unreadable ones are ignored.
func containers(f *format.File) map[string]Container {
	sel := index.Selection{Types: &index.TypeSet{}}
	for _, t := range TypesNamed("container") {
		sel.Types.Add(uint16(t))
	}
	out := map[string]Container{}
	br, err := f.NewBlockReader()
	if err != nil {
		return out
	}
	defer br.Close()
	var blk format.Block
	var ev event.Event
	for _, i := range f.Select(sel) {
		if br.Read(i, &blk) != nil {
			continue
		}
		types, err := blk.Types()
		if err != nil {
			continue
		}
		for r, t := range types {
			if !sel.Types.Has(uint16(t)) || blk.Event(r, &ev) != nil || len(ev.Params) == 0 {
				continue
			}
			var doc struct {
				Container Container `json:"container"`
			}
			if json.Unmarshal([]byte(cstr(ev.Params[0])), &doc) == nil && doc.Container.ID != "" {
				out[doc.Container.ID] = doc.Container
			}
		}
	}
	return out
}

// Ctx is what an extractor sees: the event and the tables of its file.
// For the k8s_audit source, Audit is the audit event and Ev a stand-in
// carrying its number and time (the evt.* time fields read them).
type Ctx struct {
	Ev     *event.Event
	Tables *Tables
	Audit  *audit.Event

	scratch render.Scratch // rendering evt.info reuses it
}

// Proc returns the event's process incarnation.
func (c *Ctx) Proc() *event.Process {
	if c.Tables == nil {
		return nil
	}
	return c.Tables.Proc(c.Ev.Proc)
}

// Live returns the incarnation of tid alive at ts: the last one started at
// or before ts (sysdig resolves a pid to whatever the thread is now).
func (t *Tables) Live(tid int64, ts uint64) *event.Process {
	if t.file != nil {
		l := t.threadIndex()[tid]
		if len(l) == 0 {
			return nil
		}
		i := max(sort.Search(len(l), func(i int) bool { return l[i].start > ts }), 1)
		return t.procTab.At(int(l[i-1].idx))
	}
	l := t.ByTid[tid]
	if len(l) == 0 {
		return nil
	}
	// l is in start order: the last one started at or before ts, else
	// the first.
	i := max(sort.Search(len(l), func(i int) bool { return l[i].StartTs > ts }), 1)
	return l[i-1]
}

// threadStart returns when p's thread was created: p's start, or that of
// the incarnation an execve replaced with it, and so on back.
func (t *Tables) threadStart(p *event.Process) uint64 {
	start := p.StartTs
	if t.file != nil {
		l := t.threadIndex()[p.Tid]
		for i := len(l) - 1; i > 0; i-- {
			if l[i].start == start && l[i-1].exit != 0 && l[i-1].exit == start {
				start = l[i-1].start
			}
		}
		return start
	}
	l := t.ByTid[p.Tid]
	for i := len(l) - 1; i > 0; i-- {
		if l[i].StartTs == start && l[i-1].ExitTs != 0 && l[i-1].ExitTs == start {
			start = l[i-1].StartTs
		}
	}
	return start
}

// indexPredecessors records, for each incarnation of one thread (l), the
// one its execve replaced: the latest earlier key that ended when it
// started.
func indexPredecessors(pred map[event.ProcKey]int32, l []incarnation) {
	if len(l) < 2 {
		return
	}
	byExit := map[uint64][]int{}
	for j, q := range l {
		if q.exit != 0 {
			byExit[q.exit] = append(byExit[q.exit], j)
		}
	}
	for i, p := range l {
		if p.start == 0 {
			continue
		}
		best := -1
		for _, j := range byExit[p.start] {
			if j != i && l[j].key < p.key && (best < 0 || l[j].key > l[best].key) {
				best = j
			}
		}
		if best >= 0 {
			pred[p.key] = l[best].idx
		}
	}
}

// Parent returns the parent of p as it is at the event's time: the
// incarnation of p's parent thread then alive, or the one p was created
// by.
func (c *Ctx) Parent(p *event.Process) *event.Process {
	if p == nil || c.Tables == nil {
		return nil
	}
	if q := c.Tables.Live(p.PTid, c.Ev.Ts); q != nil {
		return q
	}
	if p.ParentKey != 0 {
		return c.Tables.Proc(p.ParentKey)
	}
	return nil
}

// Ancestor returns the n-th ancestor of the event's process (0 = itself).
func (c *Ctx) Ancestor(n int) *event.Process {
	p := c.Proc()
	for ; n > 0 && p != nil; n-- {
		p = c.Parent(p)
	}
	return p
}
