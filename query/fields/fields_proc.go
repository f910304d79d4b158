package fields

import (
	"fmt"
	"strconv"
	"strings"

	"forensics/event"
)

// Extractors of the proc.*, thread.* and container.* fields, from the
// capture's process table.
//
// A thread the capture knew nothing about (no process-list entry, no
// clone or execve seen) has a placeholder record. sysdig 0.29.3 creates
// the same kind of entry with comm and exe "<NA>", uid and gid
// 0xffffffff, ptid and sid -1, no cwd; the fields print what it prints.

// na is the text sysdig stores as the name of a thread it does not know.
const na = "<NA>"

// UnknownName is proc.name of a thread the capture knew nothing about; its
// process record has an empty name.
const UnknownName = na

// isFake reports whether p is the placeholder of an unknown thread.
func isFake(p *event.Process) bool {
	return p.Comm == "" && p.Exe == "" && p.PTid == -1 && len(p.Args) == 0 && p.ExePath == ""
}

// proc returns the event's process, nil for thread-less events. sysdig
// looks the thread of a switch event up without creating it, so a thread
// it does not know has none there.
func proc(c *Ctx) *event.Process {
	if isThreadless(c.Ev) {
		return nil
	}
	p := c.Proc()
	if p != nil && isFake(p) && factOf(c.Ev.Type).name == "switch" {
		return nil
	}
	return p
}

// exepath is proc.exepath. When execve did not tell the executable's path
// (the capture lacks the execve enter event and the exit carries no
// trusted_exepath), the record holds argv[0] in its place; sysdig keeps
// the path the thread had before, which for a thread it first saw at
// that execve is empty.
func exepath(c *Ctx, p *event.Process) string {
	for i := 0; i < 64 && p.ExePath == p.Exe && !strings.HasPrefix(p.ExePath, "/"); i++ {
		q := predecessor(c.Tables, p)
		if q == nil {
			break
		}
		if isFake(q) {
			return ""
		}
		p = q
	}
	return p.ExePath
}

var extExepath = procField(func(c *Ctx, p *event.Process) (Value, bool) { return Str(exepath(c, p)), true })

// proc.exeline always has the space after proc.exe, arguments or not.
var extExeline = procField(func(c *Ctx, p *event.Process) (Value, bool) {
	return Str(exe(p) + " " + strings.Join(p.Args, " ")), true
})

// Tables hold one record per process incarnation; sysdig 0.29.3 keeps
// one entry per thread and derives it as it parses. The helpers below
// rebuild what its entry holds where the two differ:
//
//   - a thread it did not know gets a fake entry (isFake) with nothing
//     known; an execve on it fills in the program (exe, comm, args) but
//     not the credentials, session or working directory;
//   - a clone whose parent it does not know (or knows only as a fake)
//     creates the child from the event alone and names the parent after
//     the child (exe, comm, args);
//   - the parent it records (m_ptid) is the thread that called clone, the
//     process itself for a thread created by a clone seen only from the
//     child.

// predecessor returns the incarnation execve replaced with p (the same
// thread's previous one, ended when p started), nil when p did not start
// with an execve. Keys grow with creation, so the latest earlier key is
// the one replaced.
func predecessor(t *Tables, p *event.Process) *event.Process {
	if t == nil || p.StartTs == 0 {
		return nil
	}
	if t.file != nil {
		t.threadIndex()
		if i, ok := t.pred[p.Key]; ok {
			return t.procTab.At(int(i))
		}
		return nil
	}
	var best *event.Process
	for _, q := range t.ByTid[p.Tid] {
		if q != p && q.Key < p.Key && q.ExitTs == p.StartTs && (best == nil || q.Key > best.Key) {
			best = q
		}
	}
	return best
}

// origin walks p's execve chain back to the incarnation the thread
// started with; fake reports whether the thread started as a fake entry.
func origin(t *Tables, p *event.Process) (o *event.Process, fake bool) {
	o = p
	for i := 0; i < 64; i++ {
		if isFake(o) {
			return o, true
		}
		q := predecessor(t, o)
		if q == nil {
			break
		}
		o = q
	}
	return o, false
}

// alive returns the incarnation of thread tid at time ts, nil when the
// thread is unknown or has exited.
func alive(t *Tables, tid int64, ts uint64) *event.Process {
	if t == nil {
		return nil
	}
	p := t.Live(tid, ts)
	if p == nil || p.StartTs > ts || (p.ExitTs != 0 && p.ExitTs < ts) {
		return nil
	}
	return p
}

// cloneParent returns, for a thread that started with a clone (not from
// the process list), the thread sysdig takes as the parent it copies
// from: the process of a new thread, the recorded parent of a new
// process.
func cloneParent(t *Tables, o *event.Process) *event.Process {
	if o.Tid != o.Pid {
		if q := t.Live(o.Pid, o.StartTs); q != nil && q != o {
			return q
		}
		return nil
	}
	if o.ParentKey != 0 {
		return t.Proc(o.ParentKey)
	}
	return t.Live(o.PTid, o.StartTs)
}

// orphan reports whether the thread started with a clone sysdig could
// not copy from a parent (an unknown or fake one).
func orphan(t *Tables, o *event.Process) bool {
	if t == nil || o.StartTs == 0 {
		return false
	}
	q := cloneParent(t, o)
	return q == nil || isFake(q)
}

// inherited returns an attribute of p that a thread inherits at clone:
// get(p), unless it is def, the value a record has when the capture did
// not tell (a clone seen only from the child's side, or a fake entry);
// then the value of the parent sysdig copied the thread from, and false
// when it had no parent to copy from.
func inherited[T comparable](c *Ctx, p *event.Process, get func(*event.Process) T, def T) (T, bool) {
	for i := 0; i < 64; i++ {
		if v := get(p); v != def {
			return v, true
		}
		o, fake := origin(c.Tables, p)
		if fake {
			return def, false
		}
		if o.StartTs == 0 {
			return def, true
		}
		q := cloneParent(c.Tables, o)
		if q == nil || isFake(q) || q == p {
			return def, false
		}
		p = q
	}
	return def, false
}

// sysPTid returns the parent thread id sysdig records for p.
func sysPTid(c *Ctx, p *event.Process) int64 {
	t := c.Tables
	if t == nil {
		return p.PTid
	}
	o := p
	for i := 0; i < 64; i++ {
		q := predecessor(t, o)
		if q == nil {
			break
		}
		if isFake(q) {
			// execve on a fake entry sets the ptid from the event.
			return o.PTid
		}
		o = q
	}
	if o.StartTs == 0 {
		return o.PTid
	}
	if o.Tid != o.Pid {
		if o.ParentKey != 0 {
			if q := t.Proc(o.ParentKey); q != nil && q.Pid == o.Pid {
				return q.Tid
			}
		}
		return o.Pid
	}
	if o.ParentKey != 0 {
		if q := t.Proc(o.ParentKey); q != nil {
			return q.Tid
		}
	}
	return o.PTid
}

// standIn is the entry sysdig makes for the parent a clone names when it
// does not know it: a thread named after the child. Tables keep one per
// thread id and child.
func standIn(t *Tables, tid int64, child *event.Process) *event.Process {
	type key struct {
		tid   int64
		child *event.Process
	}
	if p, ok := t.standIns.Load(key{tid, child}); ok {
		return p.(*event.Process)
	}
	p, _ := t.standIns.LoadOrStore(key{tid, child}, newStandIn(tid, child))
	return p.(*event.Process)
}

func newStandIn(tid int64, child *event.Process) *event.Process {
	return &event.Process{Tid: tid, Pid: tid, PTid: -1, Sid: -1, Comm: child.Comm, Exe: child.Exe, Args: child.Args,
		ExePath: child.ExePath, UID: noID, GID: noID, LoginUID: noID, VTid: -1, VPid: -1}
}

// mainThread returns the main thread of p's process as sysdig has it at
// the event's time (p itself for a main thread).
func mainThread(c *Ctx, p *event.Process) *event.Process {
	if p.Tid == p.Pid || c.Tables == nil {
		return p
	}
	if m := c.Tables.Live(p.Pid, c.Ev.Ts); m != nil && m.Pid == p.Pid && !isFake(m) {
		return m
	}
	if o, fake := origin(c.Tables, p); !fake && orphan(c.Tables, o) {
		return standIn(c.Tables, p.Pid, o)
	}
	if m := c.Tables.Live(p.Pid, c.Ev.Ts); m != nil {
		return m
	}
	return p
}

// parentOf returns the thread sysdig records as p's parent, as it is at
// the event's time; nil when sysdig has no such thread.
func parentOf(c *Ctx, p *event.Process) *event.Process {
	if p == nil || c.Tables == nil || isFake(p) {
		return nil
	}
	tid := sysPTid(c, p)
	if tid <= 0 {
		return nil
	}
	q := alive(c.Tables, tid, c.Ev.Ts)
	if o, fake := origin(c.Tables, p); !fake && orphan(c.Tables, o) && (q == nil || isFake(q)) && tid == sysPTid(c, o) {
		return standIn(c.Tables, tid, o)
	}
	return q
}

// ancestor returns the n-th ancestor of the event's process, walking the
// parents from its main thread (0 = the main thread).
func ancestor(c *Ctx, n int) *event.Process {
	p := proc(c)
	if p == nil {
		return nil
	}
	p = mainThread(c, p)
	for ; n > 0 && p != nil; n-- {
		p = parentOf(c, p)
	}
	return p
}

// ancestors returns every ancestor of the event's process from its
// parent up, stopping at a loop.
func ancestors(c *Ctx) []*event.Process {
	p := proc(c)
	if p == nil {
		return nil
	}
	p = mainThread(c, p)
	var l []*event.Process
	seen := map[int64]bool{p.Tid: true}
	for q := parentOf(c, p); q != nil && !seen[q.Tid]; q = parentOf(c, q) {
		seen[q.Tid] = true
		l = append(l, q)
	}
	return l
}

func comm(p *event.Process) string {
	if isFake(p) {
		return na
	}
	return p.Comm
}

func exe(p *event.Process) string {
	if isFake(p) {
		return na
	}
	return p.Exe
}

// withArgs appends the arguments to head, each after a space.
func withArgs(head string, p *event.Process) string {
	if len(p.Args) == 0 {
		return head
	}
	return head + " " + strings.Join(p.Args, " ")
}

func cmdline(p *event.Process) string { return withArgs(comm(p), p) }

// procField makes an extractor of a value of the event's process.
func procField(get func(c *Ctx, p *event.Process) (Value, bool)) Extractor {
	return func(c *Ctx) (Value, bool) {
		p := proc(c)
		if p == nil {
			return Value{}, false
		}
		return get(c, p)
	}
}

// parentField makes an extractor of a value of the event's parent
// process (the thread its ptid names).
func parentField(get func(c *Ctx, p *event.Process) Value) Extractor {
	return func(c *Ctx) (Value, bool) {
		p := parentOf(c, proc(c))
		if p == nil {
			return Value{}, false
		}
		return get(c, p), true
	}
}

var (
	extProcPID   = procField(func(c *Ctx, p *event.Process) (Value, bool) { return Int(p.Pid), true })
	extProcExe   = procField(func(c *Ctx, p *event.Process) (Value, bool) { return Str(exe(p)), true })
	extName      = procField(func(c *Ctx, p *event.Process) (Value, bool) { return Str(comm(p)), true })
	extCmdline   = procField(func(c *Ctx, p *event.Process) (Value, bool) { return Str(cmdline(p)), true })
	extTTY       = procField(func(c *Ctx, p *event.Process) (Value, bool) { return Uint(uint64(p.TTY)), true })
	extThreadTID = func(c *Ctx) (Value, bool) { return Int(c.Ev.Tid), true }
	extIsMain    = procField(func(c *Ctx, p *event.Process) (Value, bool) { return Bool(p.Tid == p.Pid), true })

	// proc.ppid is the parent of the process: the ptid of its main thread.
	extPPID = procField(func(c *Ctx, p *event.Process) (Value, bool) {
		if isFake(p) {
			return Int(-1), true
		}
		return Int(mainThread(c, p).PTid), true
	})
	// proc.sid is -1 when sysdig did not learn the session (a thread it
	// saw first inside the capture, without a known parent).
	extSid = procField(func(c *Ctx, p *event.Process) (Value, bool) {
		sid, ok := inherited(c, p, func(p *event.Process) int64 { return p.Sid }, 0)
		if !ok {
			return Int(-1), true
		}
		return Int(sid), true
	})
	// proc.cwd is the process's (main thread's) working directory, which
	// sysdig keeps with a trailing slash.
	extCwd = procField(func(c *Ctx, p *event.Process) (Value, bool) { return Str(cwdOf(c)), true })

	extPName    = parentField(func(c *Ctx, p *event.Process) Value { return Str(comm(p)) })
	extPCmdline = parentField(func(c *Ctx, p *event.Process) Value { return Str(cmdline(p)) })
	extPExe     = parentField(func(c *Ctx, p *event.Process) Value { return Str(exe(p)) })
	extPExepath = parentField(func(c *Ctx, p *event.Process) Value { return Str(exepath(c, p)) })
)

// cwdOf returns the working directory of the event's process with its
// trailing slash ("" when unknown).
func cwdOf(c *Ctx) string {
	p := proc(c)
	if p == nil {
		return ""
	}
	d := mainThread(c, p).Cwd
	if d != "" && !strings.HasSuffix(d, "/") {
		d += "/"
	}
	return d
}

// vid returns a namespace id, missing when unknown (not positive, or a
// thread sysdig never saw).
func vid(get func(p *event.Process) int64) Extractor {
	return procField(func(c *Ctx, p *event.Process) (Value, bool) {
		v := get(p)
		if isFake(p) || v <= 0 {
			return Value{}, false
		}
		return Int(v), true
	})
}

var (
	extVPid = vid(func(p *event.Process) int64 { return p.VPid })
	extVTid = vid(func(p *event.Process) int64 { return p.VTid })
)

// bindArgs binds proc.args: all arguments space-joined, or proc.args[N].
func bindArgs(arg string, hasArg bool) (Extractor, error) {
	if !hasArg {
		return procField(func(c *Ctx, p *event.Process) (Value, bool) { return Str(strings.Join(p.Args, " ")), true }), nil
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("want an argument index")
	}
	return procField(func(c *Ctx, p *event.Process) (Value, bool) {
		if n >= len(p.Args) {
			return Value{}, false
		}
		return Str(p.Args[n]), true
	}), nil
}

// envOf returns the environment of the event's process (its main
// thread's).
func envOf(c *Ctx, p *event.Process) []string {
	return mainThread(c, p).Env
}

// bindEnv binds proc.env: the environment space-joined, or
// proc.env[NAME], the value of one variable.
func bindEnv(arg string, hasArg bool) (Extractor, error) {
	if !hasArg {
		return procField(func(c *Ctx, p *event.Process) (Value, bool) { return Str(strings.Join(envOf(c, p), " ")), true }), nil
	}
	if arg == "" {
		return nil, fmt.Errorf("want a variable name")
	}
	return procField(func(c *Ctx, p *event.Process) (Value, bool) {
		for _, kv := range envOf(c, p) {
			if k, v, ok := strings.Cut(kv, "="); ok && k == arg {
				return Str(v), true
			}
		}
		return Value{}, false
	}), nil
}

// bindAncestor binds an ancestor field: [N] is the N-th ancestor (0 the
// process itself, 1 its parent, ...); without N the value is the list of
// every ancestor's value from the parent up, for filters that match any
// ancestor.
func bindAncestor(get func(c *Ctx, p *event.Process) Value) func(string, bool) (Extractor, error) {
	return func(arg string, hasArg bool) (Extractor, error) {
		if !hasArg {
			return func(c *Ctx) (Value, bool) {
				as := ancestors(c)
				if len(as) == 0 {
					return Value{}, false
				}
				l := make([]string, len(as))
				for i, a := range as {
					l[i] = get(c, a).String()
				}
				return ListVal(l), true
			}, nil
		}
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("want an ancestor level")
		}
		return func(c *Ctx) (Value, bool) {
			a := ancestor(c, n)
			if a == nil {
				return Value{}, false
			}
			return get(c, a), true
		}, nil
	}
}

// extLoginShellID is proc.loginshellid: the pid of the eldest process,
// from the event's own up its parents, whose name ends in "sh".
func extLoginShellID(c *Ctx) (Value, bool) {
	p := proc(c)
	if p == nil {
		return Value{}, false
	}
	p = mainThread(c, p)
	var found *event.Process
	seen := map[int64]bool{}
	for q := p; q != nil && !seen[q.Tid]; q = parentOf(c, q) {
		seen[q.Tid] = true
		if strings.HasSuffix(comm(q), "sh") {
			found = q
		}
	}
	if found == nil {
		return Value{}, false
	}
	return Int(found.Pid), true
}

// containerOf returns the event's container id, "" on the host.
func containerOf(c *Ctx) string {
	if p := proc(c); p != nil {
		return p.Container
	}
	return ""
}

// extContainerID is container.id: the 12-digit id derived from the
// process's cgroups, "host" for a process on the host.
var extContainerID = procField(func(c *Ctx, p *event.Process) (Value, bool) {
	if p.Container == "" {
		return Str("host"), true
	}
	return Str(p.Container), true
})

// container returns the description of the process's container from the
// capture's container events.
func container(c *Ctx, p *event.Process) (Container, bool) {
	if c.Tables == nil || p.Container == "" {
		return Container{}, false
	}
	return c.Tables.Container(p.Container)
}

// extContainerName is container.name: "host" on the host, the name the
// capture's container events give inside a container, missing without
// one.
var extContainerName = procField(func(c *Ctx, p *event.Process) (Value, bool) {
	if p.Container == "" {
		return Str("host"), true
	}
	if k, ok := container(c, p); ok {
		return Str(k.Name), true
	}
	return Value{}, false
})

// extContainerImage is container.image, from the capture's container
// events; missing on the host (as sysdig prints it) and without one.
var extContainerImage = procField(func(c *Ctx, p *event.Process) (Value, bool) {
	if k, ok := container(c, p); ok {
		return Str(k.Image), true
	}
	return Value{}, false
})
