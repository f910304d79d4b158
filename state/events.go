package state

import (
	"forensics/event"
)

// action is what an event type does to the state.
type action uint8

const (
	actNone action = iota
	actOpen
	actSocket
	actSocketpair
	actBind
	actConnect
	actAccept
	actMsg // send/recv family: a tuple may name the peer of a connectionless socket
	actPipe
	actNewFD // an fd of a fixed type: eventfd, signalfd, timerfd, inotify, epoll, ...
	actDup
	actFcntl
	actClose
	actCloseRange
	actClone
	actExec
	actExit
	actChdir
	actFchdir
	actChroot
	actSetuid
	actSetgid
	actSetsid
	actSetpgid
	actCapset
	actUserAdded
	actUserDeleted
	actGroupAdded
	actGroupDeleted
)

// newFDTypes gives the fd type of the syscalls that create one fixed kind of
// fd.
var newFDTypes = map[string]event.FDType{
	"eventfd": event.FDEvent, "eventfd2": event.FDEvent,
	"signalfd": event.FDSignalFD, "signalfd4": event.FDSignalFD,
	"timerfd_create": event.FDTimerFD,
	"inotify_init":   event.FDInotify, "inotify_init1": event.FDInotify,
	"epoll_create": event.FDEventPoll, "epoll_create1": event.FDEventPoll,
	"bpf": event.FDBPF, "userfaultfd": event.FDUserfaultFD, "io_uring_setup": event.FDIOUring,
	"pidfd_open": event.FDPidFD, "memfd_create": event.FDMemFD,
}

var actionsByName = map[string]action{
	"open": actOpen, "openat": actOpen, "openat2": actOpen, "creat": actOpen, "open_by_handle_at": actOpen,
	"socket": actSocket, "socketpair": actSocketpair, "bind": actBind, "connect": actConnect,
	"accept": actAccept, "accept4": actAccept,
	"sendto": actMsg, "send": actMsg, "sendmsg": actMsg, "sendmmsg": actMsg,
	"recvfrom": actMsg, "recv": actMsg, "recvmsg": actMsg, "recvmmsg": actMsg,
	"pipe": actPipe, "pipe2": actPipe,
	"dup": actDup, "dup2": actDup, "dup3": actDup, "fcntl": actFcntl,
	"close": actClose, "close_range": actCloseRange,
	"clone": actClone, "clone3": actClone, "fork": actClone, "vfork": actClone,
	"execve": actExec, "execveat": actExec, "procexit": actExit,
	"chdir": actChdir, "fchdir": actFchdir, "chroot": actChroot,
	"setuid": actSetuid, "setreuid": actSetuid, "setresuid": actSetuid,
	"setgid": actSetgid, "setregid": actSetgid, "setresgid": actSetgid,
	"setsid": actSetsid, "setpgid": actSetpgid, "capset": actCapset,
	"useradded": actUserAdded, "userdeleted": actUserDeleted,
	"groupadded": actGroupAdded, "groupdeleted": actGroupDeleted,
}

// buildActions maps every event type of the table to its action.
func buildActions() []action {
	acts := make([]action, event.MaxType)
	for _, info := range event.All() {
		if int(info.Type) >= len(acts) {
			continue
		}
		if a, ok := actionsByName[info.Name]; ok {
			acts[info.Type] = a
		} else if _, ok := newFDTypes[info.Name]; ok {
			acts[info.Type] = actNewFD
		}
	}
	return acts
}

// enterOnly reports whether an enter-direction event has no exit twin
// (tracepoint and meta events such as procexit, switch, useradded).
func enterOnly(t event.Type) bool {
	return event.Lookup(t+1) == nil
}

// Process follows one event: it updates the state, completes an exit with
// its enter event's parameters, and fills ev.FD and ev.Proc.
func (m *Machine) Process(ev *event.Event) {
	th := m.threads[ev.Tid]
	if th == nil {
		th = m.placeholder(ev.Tid, ev.Ts)
	}
	info := event.Lookup(ev.Type)
	ev.FD = event.FD{Num: event.NoFD}
	var act action
	if int(ev.Type) < len(m.actions) {
		act = m.actions[ev.Type]
	}
	if ev.Type.Dir() == event.DirEnter && !enterOnly(ev.Type) {
		// An enter event: keep it for the exit, show the fd it names.
		m.saveEnter(th, ev, info)
		a := args{ev: ev, info: info}
		m.enrichFD(th, &a, info)
		ev.Proc = th.p.Key
		return
	}
	a := args{ev: ev, info: info}
	if th.enter.info != nil && th.enter.typ == ev.Type-1 && ev.Type.Dir() == event.DirExit {
		a.enter = &th.enter
		m.merge(ev, info, &th.enter)
	}
	if ev.Flags&event.FlagStateOnly == 0 || act != actNone {
		m.apply(th, ev, &a, act, info)
	}
	// An exit consumes its enter; a meta event (switch, procexit, ...)
	// between the two does not.
	if ev.Type.Dir() == event.DirExit {
		th.enter.info = nil
	}
	if th.gone {
		delete(m.threads, ev.Tid)
	}
	ev.Proc = th.p.Key
}

// saveEnter copies an enter event's parameters into the thread's record.
func (m *Machine) saveEnter(th *thread, ev *event.Event, info *event.Info) {
	e := &th.enter
	e.typ, e.info = ev.Type, info
	if info == nil {
		return
	}
	n := 0
	for _, p := range ev.Params {
		n += len(p)
	}
	e.buf = e.buf[:0]
	if cap(e.buf) < n {
		e.buf = make([]byte, 0, n)
	}
	e.params = e.params[:0]
	for _, p := range ev.Params {
		start := len(e.buf)
		e.buf = append(e.buf, p...)
		e.params = append(e.params, e.buf[start:len(e.buf):len(e.buf)])
	}
}

// merge completes an exit event that has fewer parameters than its layout
// with the enter event's parameters of the same names, up to the last one
// the enter event has. The added values point into the thread's enter
// record: they stay valid until the thread's next event.
func (m *Machine) merge(ev *event.Event, info *event.Info, e *enterRec) {
	if info == nil || e.info == nil || len(ev.Params) >= len(info.Params) || ev.Merged != 0 {
		return
	}
	base := len(ev.Params)
	for k := base; k < len(info.Params); k++ {
		j := e.info.Param(info.Params[k].Name)
		if j < 0 || j >= len(e.params) {
			continue
		}
		for len(ev.Params) < k {
			ev.Params = append(ev.Params, nil)
		}
		ev.Params = append(ev.Params, e.params[j])
	}
	ev.Merged = uint8(len(ev.Params) - base)
}
