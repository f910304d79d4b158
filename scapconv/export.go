package scapconv

import (
	"context"
	"io"

	"forensics/event"
	"forensics/format"
	"forensics/scap"
)

// Events is a stream of events, as capture.Iter gives them.
type Events interface {
	Next(*event.Event) bool
	Err() error
}

// Export writes a capture to w as a scap 1.2 stream: the host of first
// (the capture's first file) as the machine and interface info, its
// snapshot as the user, process and fd lists, then every event of it with
// its parameters as recorded. It returns the number of events written.
func Export(ctx context.Context, first *format.File, it Events, w io.Writer, opts scap.Options) (uint64, error) {
	sw, err := scap.NewWriter(w, opts)
	if err != nil {
		return 0, err
	}
	if err := sw.WriteSection(section(first)); err != nil {
		return 0, err
	}
	var ev event.Event
	var sev scap.Event
	var n uint64
	for it.Next(&ev) {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		sev = scap.Event{Ts: ev.Ts, Tid: ev.Tid, CPU: ev.CPU, Type: ev.Type, Params: ev.Recorded()}
		if ev.Flags&event.FlagStateOnly != 0 {
			sev.Flags = scap.FlagStateOnly
		}
		if err := sw.WriteEvent(&sev); err != nil {
			return n, err
		}
		n++
	}
	if err := it.Err(); err != nil {
		return n, err
	}
	return n, sw.Close()
}

// section builds the metadata blocks of a file's start.
func section(f *format.File) *scap.Section {
	h := &f.Header.Host
	sec := &scap.Section{Major: 1, Minor: 2, Length: -1,
		Machine: &scap.MachineInfo{NumCPUs: h.CPUs, MemoryBytes: h.MemoryBytes, MaxPID: uint64(h.MaxPid),
			Hostname: h.Hostname, BootTime: h.BootTime}}
	for _, in := range h.Interfaces {
		typ := scap.IfIPv4
		if in.Addr.Is6() {
			typ = scap.IfIPv6
		}
		sec.Interfaces = append(sec.Interfaces, scap.Interface{Type: typ, Name: in.Name, Addr: in.Addr,
			Netmask: in.Netmask, Bcast: in.Broadcast, LinkSpeed: in.LinkSpeed})
	}
	snap := f.Snapshot
	if snap == nil {
		return sec
	}
	for _, u := range snap.Users {
		sec.Users = append(sec.Users, scap.User{UID: u.UID, GID: u.GID, Name: u.Name, Home: u.Home, Shell: u.Shell})
	}
	for _, g := range snap.Groups {
		sec.Groups = append(sec.Groups, scap.Group{GID: g.GID, Name: g.Name})
	}
	tidOf := map[event.ProcKey]int64{}
	for i := range snap.Processes {
		p := &snap.Processes[i]
		tidOf[p.Key] = p.Tid
		sec.Threads = append(sec.Threads, processToThread(p))
	}
	for _, pf := range snap.FDs {
		l := scap.FDList{Tid: tidOf[pf.Proc]}
		for i := range pf.FDs {
			l.FDs = append(l.FDs, fdToScap(&pf.FDs[i]))
		}
		sec.FDs = append(sec.FDs, l)
	}
	return sec
}
