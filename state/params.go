package state

import (
	"encoding/binary"

	"forensics/event"
)

// args reads an event's parameters by name, looking at the exit event and
// then at the thread's stored enter event of the same syscall.
type args struct {
	ev    *event.Event
	info  *event.Info
	enter *enterRec
}

func (a *args) raw(name string) []byte {
	if a.info != nil {
		if k := a.info.Param(name); k >= 0 && k < len(a.ev.Params) && len(a.ev.Params[k]) > 0 {
			return a.ev.Params[k]
		}
	}
	if a.enter != nil {
		if k := a.enter.info.Param(name); k >= 0 && k < len(a.enter.params) {
			return a.enter.params[k]
		}
	}
	return nil
}

// int returns an integer parameter, sign-extended, and whether it exists.
func (a *args) int(name string) (int64, bool) {
	return event.Int(a.raw(name), true)
}

func (a *args) uint(name string) (uint64, bool) {
	v, ok := event.Int(a.raw(name), false)
	return uint64(v), ok
}

// str returns a NUL-terminated string parameter without its NUL.
func (a *args) str(name string) string { return cstring(a.raw(name)) }

func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// list splits a NUL-separated list (execve args, env, cgroups).
func list(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == 0 {
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, string(b[start:]))
	}
	return out
}

// res returns the return value: parameter 0 of an exit event.
func res(ev *event.Event) (int64, bool) {
	if len(ev.Params) == 0 {
		return 0, false
	}
	return event.Int(ev.Params[0], true)
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
