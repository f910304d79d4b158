package state

import (
	"forensics/event"
)

// clone handles the exit of clone, clone3, fork and vfork. The event comes
// twice: in the parent (res = the child's tid) and in the child (res = 0).
// Whichever comes first creates the child's entry.
func (m *Machine) clone(th *thread, ev *event.Event, a *args, r int64, hasRes bool) {
	if !hasRes || r < 0 {
		return
	}
	flags, _ := a.uint("flags")
	if r == 0 {
		// The child's own event: its parameters describe it. A child the
		// parent's event did not announce is linked to its parent here.
		fresh := th.p.ParentKey == 0
		m.fillFromParams(&th.p, a)
		if fresh {
			src := th.p.PTid
			if flags&ppmCloneThread != 0 {
				src = th.p.Pid
			}
			if parent, ok := m.threads[th.p.PTid]; ok {
				th.p.ParentKey = parent.p.Key
			}
			if from, ok := m.threads[src]; ok && from != th {
				m.shareFDs(th, from, flags)
			}
			th.p.StartTs = ev.Ts
		}
		m.touch(th)
		return
	}
	if _, exists := m.threads[r]; exists {
		return
	}
	// The parent's event: the child is a copy of the parent.
	child := &thread{p: th.p}
	child.p.Key = m.newKey()
	child.p.ParentKey = th.p.Key
	child.p.Tid = r
	child.p.StartTs = ev.Ts
	child.p.ExitTs = 0
	if flags&ppmCloneThread != 0 {
		child.p.PTid = th.p.PTid
	} else {
		child.p.Pid = r
		child.p.PTid = th.p.Pid
	}
	if vtid, ok := a.int("vtid"); ok && vtid > 0 {
		child.p.VTid = vtid
	}
	m.shareFDs(child, th, flags)
	m.threads[r] = child
	m.touch(child)
}

// shareFDs gives a new thread its fd table: the parent's, shared, for a
// thread or CLONE_FILES, a copy otherwise.
func (m *Machine) shareFDs(child, parent *thread, flags uint64) {
	if flags&(ppmCloneThread|ppmCloneFiles) != 0 {
		child.fds = parent.fds
	} else {
		child.fds = parent.fds.clone()
	}
}

// fillFromParams copies the process fields that clone and execve exits
// carry.
func (m *Machine) fillFromParams(p *event.Process, a *args) {
	if v := a.raw("exe"); v != nil {
		p.Exe = cstring(v)
	}
	if v := a.raw("args"); v != nil {
		p.Args = list(v)
	}
	if v, ok := a.int("tid"); ok {
		p.Tid = v
	}
	if v, ok := a.int("pid"); ok {
		p.Pid = v
	}
	if v, ok := a.int("ptid"); ok {
		p.PTid = v
	}
	if v := a.raw("cwd"); v != nil {
		p.Cwd = cstring(v)
	}
	if v, ok := a.int("fdlimit"); ok {
		p.FDLimit = v
	}
	if v := a.raw("comm"); v != nil {
		p.Comm = cstring(v)
	} else if p.Comm == "" {
		p.Comm = baseName(p.Exe)
	}
	if v := a.raw("cgroups"); v != nil {
		p.Cgroups = list(v)
		p.Container = ContainerID(p.Cgroups)
	}
	if v := a.raw("env"); v != nil {
		p.Env = list(v)
	}
	if v, ok := a.uint("uid"); ok {
		p.UID = uint32(v)
	}
	if v, ok := a.uint("gid"); ok {
		p.GID = uint32(v)
	}
	if v, ok := a.uint("tty"); ok {
		p.TTY = uint32(v)
	}
	if v, ok := a.uint("loginuid"); ok {
		p.LoginUID = uint32(v)
	}
	if v, ok := a.int("vtid"); ok {
		p.VTid = v
	}
	if v, ok := a.int("vpid"); ok {
		p.VPid = v
	}
	if v, ok := a.int("vpgid"); ok {
		p.VPgid = v
	}
	if v, ok := a.int("pgid"); ok {
		p.Pgid = v
	}
	if v, ok := a.uint("flags"); ok {
		p.Flags = uint32(v)
	}
	for name, dst := range map[string]*uint64{"cap_inheritable": &p.CapInheritable, "cap_permitted": &p.CapPermitted,
		"cap_effective": &p.CapEffective, "exe_ino": &p.ExeIno, "exe_ino_ctime": &p.ExeInoCtime,
		"exe_ino_mtime": &p.ExeInoMtime, "pidns_init_start_ts": &p.PidNSStart, "pgft_maj": &p.PFMajor, "pgft_min": &p.PFMinor} {
		if v, ok := a.uint(name); ok {
			*dst = v
		}
	}
	for name, dst := range map[string]*uint32{"vm_size": &p.VMSizeKB, "vm_rss": &p.VMRSSKB, "vm_swap": &p.VMSwapKB} {
		if v, ok := a.uint(name); ok {
			*dst = uint32(v)
		}
	}
}

// exec starts a new incarnation of the thread: same tid, new program. Fds
// opened with O_CLOEXEC close.
func (m *Machine) exec(th *thread, ev *event.Event, a *args) {
	p := th.p
	p.Key = m.newKey()
	p.Comm = ""
	// Every execve layout carries args; an empty one is a program run
	// without arguments, not "unknown".
	p.Args = nil
	m.fillFromParams(&p, a)
	if v, ok := a.uint("flags"); ok {
		p.ExeFlags = uint32(v)
		p.Flags = th.p.Flags
	}
	switch exe := a.str("trusted_exepath"); {
	case exe != "":
		p.ExePath = exe
	case a.str("filename") != "":
		p.ExePath = joinPath(p.Cwd, a.str("filename"))
	default:
		p.ExePath = p.Exe
	}
	if parent, ok := m.threads[p.PTid]; ok {
		p.ParentKey = parent.p.Key
	}
	p.StartTs = ev.Ts
	p.ExitTs = 0
	// The old incarnation ends here.
	old := th.p
	old.ExitTs = ev.Ts
	m.exited[old.Key] = old
	if _, ok := m.dirty[old.Key]; !ok {
		m.changed = append(m.changed, old.Key)
	}
	m.dirty[old.Key] = nil
	th.p = p
	m.touch(th)
	for fd, f := range th.fds.m {
		if f.OpenFlags&ppmOCloexec != 0 {
			delete(th.fds.m, fd)
		}
	}
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
