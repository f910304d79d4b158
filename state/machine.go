package state

import (
	"sort"

	"forensics/event"
)

// Machine is the state machine. It is not safe for concurrent use.
type Machine struct {
	threads map[int64]*thread
	users   map[uint32]event.User
	groups  map[uint32]event.Group
	nextKey event.ProcKey
	// changed holds the incarnations created or changed since the last
	// Changed call, in order, at most once each.
	changed []event.ProcKey
	dirty   map[event.ProcKey]*thread
	exited  map[event.ProcKey]event.Process // records of incarnations that ended before Changed
	actions []action                        // per event type, built once
}

// thread is one live thread.
type thread struct {
	p     event.Process
	fds   *fdTable
	enter enterRec
	gone  bool // procexit seen: removed after its event
}

// enterRec is a thread's last enter event, kept to complete its exit.
type enterRec struct {
	typ    event.Type
	info   *event.Info
	params [][]byte
	buf    []byte
}

// fdTable is the fd table of a process, shared by its threads and by
// children cloned with CLONE_FILES.
type fdTable struct {
	m map[int64]event.FD
}

func newFDTable() *fdTable { return &fdTable{m: make(map[int64]event.FD)} }

func (t *fdTable) clone() *fdTable {
	c := &fdTable{m: make(map[int64]event.FD, len(t.m))}
	for k, v := range t.m {
		c.m[k] = v
	}
	return c
}

// New returns an empty machine. Process keys start at first (1 when 0):
// a rotation set or a restarted recorder passes the next unused key.
func New(first event.ProcKey) *Machine {
	if first == 0 {
		first = 1
	}
	m := &Machine{
		threads: make(map[int64]*thread),
		users:   make(map[uint32]event.User),
		groups:  make(map[uint32]event.Group),
		nextKey: first,
		dirty:   make(map[event.ProcKey]*thread),
		exited:  make(map[event.ProcKey]event.Process),
	}
	m.actions = buildActions()
	return m
}

func (m *Machine) newKey() event.ProcKey {
	k := m.nextKey
	m.nextKey++
	return k
}

// NextKey returns the key the next incarnation will get.
func (m *Machine) NextKey() event.ProcKey { return m.nextKey }

func (m *Machine) touch(th *thread) {
	if _, ok := m.dirty[th.p.Key]; !ok {
		m.changed = append(m.changed, th.p.Key)
	}
	m.dirty[th.p.Key] = th
}

// Changed calls fn with every incarnation created or changed since the last
// call, in the order they first changed. A capture writer stores them.
func (m *Machine) Changed(fn func(*event.Process)) {
	for _, k := range m.changed {
		if p, ok := m.exited[k]; ok {
			fn(&p)
			continue
		}
		if th := m.dirty[k]; th != nil {
			fn(&th.p)
		}
	}
	m.changed = m.changed[:0]
	clear(m.dirty)
	clear(m.exited)
}

// AddThread adds a thread known before the first event (a .scap PL entry or
// a /proc walk). Its key is assigned here and returned; ParentKey is linked
// when the parent is known.
func (m *Machine) AddThread(p event.Process) event.ProcKey {
	p.Key = m.newKey()
	if p.Container == "" {
		p.Container = ContainerID(p.Cgroups)
	}
	th := &thread{p: p}
	if old, ok := m.threads[p.Tid]; ok {
		th.fds = old.fds
	}
	m.threads[p.Tid] = th
	m.linkFDs(th)
	m.touch(th)
	return p.Key
}

// linkFDs gives a thread its process's fd table: threads share the main
// thread's (tid == pid).
func (m *Machine) linkFDs(th *thread) {
	if th.fds != nil {
		return
	}
	if th.p.Pid != th.p.Tid {
		if main, ok := m.threads[th.p.Pid]; ok {
			if main.fds == nil {
				main.fds = newFDTable()
			}
			th.fds = main.fds
			return
		}
	}
	th.fds = newFDTable()
	// Threads added before their main thread join its table now.
	if th.p.Pid == th.p.Tid {
		for _, o := range m.threads {
			if o != th && o.p.Pid == th.p.Pid && o.p.Tid != o.p.Pid && len(o.fds.m) == 0 {
				o.fds = th.fds
			}
		}
	}
}

// AddFD adds an fd to the table of the process of tid, as a .scap FDL block
// or /proc lists it.
func (m *Machine) AddFD(tid int64, fd event.FD) {
	th := m.threads[tid]
	if th == nil {
		th = m.placeholder(tid, 0)
	}
	th.fds.m[fd.Num] = fd
}

// AddUser adds or replaces a user.
func (m *Machine) AddUser(u event.User) { m.users[u.UID] = u }

// AddGroup adds or replaces a group.
func (m *Machine) AddGroup(g event.Group) { m.groups[g.GID] = g }

// User returns the user with uid.
func (m *Machine) User(uid uint32) (event.User, bool) {
	u, ok := m.users[uid]
	return u, ok
}

// placeholder creates the entry of a thread that the machine has not seen:
// its process is unknown (<NA>) until an execve tells.
func (m *Machine) placeholder(tid int64, ts uint64) *thread {
	th := &thread{p: event.Process{Key: m.newKey(), Tid: tid, Pid: tid, PTid: -1, LoginUID: 0xFFFFFFFF, StartTs: ts}}
	th.fds = newFDTable()
	m.threads[tid] = th
	m.touch(th)
	return th
}

// Thread returns the current incarnation of tid.
func (m *Machine) Thread(tid int64) (event.Process, bool) {
	th, ok := m.threads[tid]
	if !ok {
		return event.Process{}, false
	}
	return th.p, true
}

// FD returns fd of the process of tid.
func (m *Machine) FD(tid, fd int64) (event.FD, bool) {
	th, ok := m.threads[tid]
	if !ok {
		return event.FD{}, false
	}
	f, ok := th.fds.m[fd]
	return f, ok
}

// Snapshot returns the state now: every live incarnation, the fd table of
// each process (under its main thread), the users and the groups, sorted.
func (m *Machine) Snapshot() *event.Snapshot {
	s := &event.Snapshot{}
	tids := make([]int64, 0, len(m.threads))
	for tid := range m.threads {
		tids = append(tids, tid)
	}
	sort.Slice(tids, func(i, j int) bool { return tids[i] < tids[j] })
	seen := map[*fdTable]bool{}
	for _, tid := range tids {
		th := m.threads[tid]
		s.Processes = append(s.Processes, th.p)
		if seen[th.fds] || len(th.fds.m) == 0 || (th.p.Tid != th.p.Pid && m.threads[th.p.Pid] != nil && m.threads[th.p.Pid].fds == th.fds) {
			continue
		}
		seen[th.fds] = true
		pf := event.ProcFDs{Proc: th.p.Key}
		for _, f := range th.fds.m {
			pf.FDs = append(pf.FDs, f)
		}
		sort.Slice(pf.FDs, func(i, j int) bool { return pf.FDs[i].Num < pf.FDs[j].Num })
		s.FDs = append(s.FDs, pf)
	}
	for _, u := range m.users {
		s.Users = append(s.Users, u)
	}
	sort.Slice(s.Users, func(i, j int) bool { return s.Users[i].UID < s.Users[j].UID })
	for _, g := range m.groups {
		s.Groups = append(s.Groups, g)
	}
	sort.Slice(s.Groups, func(i, j int) bool { return s.Groups[i].GID < s.Groups[j].GID })
	return s
}
