package fields

import (
	"encoding/json"

	"forensics/index"
	"net/netip"
	"sort"

	"forensics/event"
	"forensics/format"
)

// Tables are the state a capture file carries for field extraction: its
// process table, users and groups, indexed.
type Tables struct {
	Procs  map[event.ProcKey]*event.Process
	Users  map[uint32]*event.User
	Groups map[uint32]*event.Group
	// ByTid lists each thread id's incarnations in start order.
	ByTid map[int64][]*event.Process
	// Local holds the capture host's interface addresses: fd.lip, fd.rip
	// and fd.is_server tell local from remote ends by them.
	Local map[netip.Addr]bool
	// Start is the capture's first timestamp (evt.reltime).
	Start uint64
	// Containers are the container descriptions the capture's container
	// events carry, by container id.
	Containers map[string]Container
}

// Container is what a capture's container event says of a container.
type Container struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Image string `json:"image"`
}

// NewTables indexes a capture file's tables.
func NewTables(f *format.File) *Tables {
	t := &Tables{Procs: map[event.ProcKey]*event.Process{}, Users: map[uint32]*event.User{},
		Groups: map[uint32]*event.Group{}, ByTid: map[int64][]*event.Process{}}
	ps := f.Processes()
	for i := range ps {
		p := &ps[i]
		t.Procs[p.Key] = p
		t.ByTid[p.Tid] = append(t.ByTid[p.Tid], p)
	}
	for _, l := range t.ByTid {
		sort.SliceStable(l, func(i, j int) bool { return l[i].StartTs < l[j].StartTs })
	}
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
	t.Containers = containers(f)
	return t
}

// containers reads the container events of a file (the index finds their
// blocks): each carries a JSON description, {"container":{"id":...}}. A
// later description of the same id replaces an earlier one; unreadable
// ones are ignored.
func containers(f *format.File) map[string]Container {
	sel := index.Selection{Types: &index.TypeSet{}}
	for _, t := range TypesNamed("container") {
		sel.Types.Add(uint16(t))
	}
	out := map[string]Container{}
	it, err := f.Iter(sel)
	if err != nil {
		return out
	}
	defer it.Close()
	var ev event.Event
	for it.Next(&ev) {
		if !sel.Types.Has(uint16(ev.Type)) || len(ev.Params) == 0 {
			continue
		}
		var doc struct {
			Container Container `json:"container"`
		}
		if json.Unmarshal([]byte(cstr(ev.Params[0])), &doc) == nil && doc.Container.ID != "" {
			out[doc.Container.ID] = doc.Container
		}
	}
	return out
}

// Ctx is what an extractor sees: the event and the tables of its file.
type Ctx struct {
	Ev     *event.Event
	Tables *Tables
}

// Proc returns the event's process incarnation.
func (c *Ctx) Proc() *event.Process {
	if c.Tables == nil {
		return nil
	}
	return c.Tables.Procs[c.Ev.Proc]
}

// Live returns the incarnation of tid alive at ts: the last one started at
// or before ts (sysdig resolves a pid to whatever the thread is now).
func (t *Tables) Live(tid int64, ts uint64) *event.Process {
	var found *event.Process
	for _, p := range t.ByTid[tid] {
		if p.StartTs > ts && found != nil {
			break
		}
		found = p
	}
	return found
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
		return c.Tables.Procs[p.ParentKey]
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
