package fields

import (
	"forensics/event"
)

// The Ctx is the render.Resolver of its event: parameter rendering
// (evt.info, evt.args, evt.arg.*) resolves pids, users, groups and the
// working directory through the capture's tables. Only the event's own fd
// is known; render takes it from the event.

// FD returns the event's own fd; other descriptors are not known per event.
func (c *Ctx) FD(ev *event.Event, fd int64) (event.FD, bool) {
	if fd == ev.FD.Num && ev.FD.Type != event.FDNone {
		return ev.FD, true
	}
	return event.FD{}, false
}

// Comm returns the comm of thread tid as it was at the event.
func (c *Ctx) Comm(ev *event.Event, tid int64) (string, bool) {
	if c.Tables == nil {
		return "", false
	}
	p := c.Tables.Live(tid, ev.Ts)
	if p == nil || p.Comm == "" {
		return "", false
	}
	return p.Comm, true
}

// User returns the name of uid.
func (c *Ctx) User(_ *event.Event, uid uint32) (string, bool) {
	if c.Tables == nil {
		return "", false
	}
	u := c.Tables.Users[uid]
	if u == nil {
		return "", false
	}
	return u.Name, true
}

// Group returns the name of gid.
func (c *Ctx) Group(_ *event.Event, gid uint32) (string, bool) {
	if c.Tables == nil {
		return "", false
	}
	g := c.Tables.Groups[gid]
	if g == nil {
		return "", false
	}
	return g.Name, true
}

// Cwd returns the working directory of the event's process.
func (c *Ctx) Cwd(ev *event.Event) (string, bool) {
	p := c.Proc()
	if p == nil || p.Cwd == "" {
		return "", false
	}
	return p.Cwd, true
}
