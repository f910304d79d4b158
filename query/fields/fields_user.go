package fields

import "forensics/event"

// Extractors of the user.* and group.* fields: the ids of the event's
// thread and the capture's user and group tables (the .scap UL block and
// useradded/groupadded events).

// noID is the id sysdig gives a thread it does not know (and the unset
// loginuid).
const noID = 0xFFFFFFFF

// credsKnown reports whether the thread's ids are known: not for a
// thread that started as a fake entry (execve does not tell sysdig 0.29.3
// the ids).
func credsKnown(c *Ctx, p *event.Process) bool {
	_, fake := origin(c.Tables, p)
	return !fake
}

func uidOf(c *Ctx, p *event.Process) uint32 {
	if !credsKnown(c, p) {
		return noID
	}
	return p.UID
}

func gidOf(c *Ctx, p *event.Process) uint32 {
	if !credsKnown(c, p) {
		return noID
	}
	return p.GID
}

// userOf returns the table's user with uid.
func userOf(c *Ctx, uid uint32) *event.User {
	if c.Tables == nil || uid == noID {
		return nil
	}
	return c.Tables.Users[uid]
}

// userField makes an extractor of a user table column for the thread's
// uid; missing when the table has no such user.
func userField(get func(u *event.User) string) Extractor {
	return procField(func(c *Ctx, p *event.Process) (Value, bool) {
		u := userOf(c, uidOf(c, p))
		if u == nil {
			return Value{}, false
		}
		return Str(get(u)), true
	})
}

var (
	extUID      = procField(func(c *Ctx, p *event.Process) (Value, bool) { return Uint(uint64(uidOf(c, p))), true })
	extUserName = userField(func(u *event.User) string { return u.Name })
	extHomedir  = userField(func(u *event.User) string { return u.Home })
	extShell    = userField(func(u *event.User) string { return u.Shell })

	// user.loginuid is the audit uid, -1 when unset.
	extLoginUID = procField(func(c *Ctx, p *event.Process) (Value, bool) {
		return Int(int64(int32(p.LoginUID))), true
	})
	extLoginName = procField(func(c *Ctx, p *event.Process) (Value, bool) {
		u := userOf(c, p.LoginUID)
		if u == nil {
			return Value{}, false
		}
		return Str(u.Name), true
	})

	extGID       = procField(func(c *Ctx, p *event.Process) (Value, bool) { return Uint(uint64(gidOf(c, p))), true })
	extGroupName = procField(func(c *Ctx, p *event.Process) (Value, bool) {
		gid := gidOf(c, p)
		if c.Tables == nil || gid == noID {
			return Value{}, false
		}
		g := c.Tables.Groups[gid]
		if g == nil {
			return Value{}, false
		}
		return Str(g.Name), true
	})
)
