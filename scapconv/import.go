package scapconv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"forensics/event"
	"forensics/format"
	"forensics/scap"
	"forensics/state"
)

// Sink receives an import's output: a format.Writer or a
// capture.SetWriter.
type Sink interface {
	Write(*event.Event) error
	PutProcess(*event.Process) error
}

// Stats says what an import read and wrote.
type Stats struct {
	Events   uint64     `json:"events"`
	Sections int        `json:"sections"`
	Scap     scap.Stats `json:"scap"`
}

// Source is an open .scap file, its first section read and a state
// machine seeded with it: what a capture file's header and snapshot need.
type Source struct {
	R       *scap.Reader
	Machine *state.Machine
	file    *os.File
}

// Open opens the .scap file at path. wrap, when not nil, wraps the file's
// reader (a progress reporter counts the bytes read through it).
func Open(path string, wrap func(io.Reader) io.Reader) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var rd io.Reader = f
	if wrap != nil {
		rd = wrap(f)
	}
	r, err := scap.NewReader(rd, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &Source{R: r, Machine: state.New(0), file: f}
	seed(s.Machine, r.Section())
	// The seeded processes are in the snapshot: no records for them.
	s.Machine.Changed(func(*event.Process) {})
	return s, nil
}

// Close closes the file.
func (s *Source) Close() error {
	s.R.Close()
	return s.file.Close()
}

// Header returns a capture header describing the .scap file's host.
func (s *Source) Header() format.Header {
	sec := s.R.Section()
	h := format.Header{Source: "scap:" + filepath.Base(s.R.Name()), Writer: "forensics import"}
	if mi := sec.Machine; mi != nil {
		h.Host.Hostname = mi.Hostname
		h.Host.CPUs = mi.NumCPUs
		h.Host.MemoryBytes = mi.MemoryBytes
		h.Host.BootTime = mi.BootTime
		h.Host.MaxPid = int64(mi.MaxPID)
	}
	for _, in := range sec.Interfaces {
		h.Host.Interfaces = append(h.Host.Interfaces, event.Interface{Name: in.Name, Addr: in.Addr,
			Netmask: in.Netmask, Broadcast: in.Bcast, LinkSpeed: in.LinkSpeed})
	}
	return h
}

// seed loads a section's users, groups, threads and fds into m.
func seed(m *state.Machine, sec *scap.Section) {
	for _, u := range sec.Users {
		m.AddUser(event.User{UID: u.UID, GID: u.GID, Name: u.Name, Home: u.Home, Shell: u.Shell})
	}
	for _, g := range sec.Groups {
		m.AddGroup(event.Group{GID: g.GID, Name: g.Name})
	}
	for i := range sec.Threads {
		m.AddThread(threadToProcess(&sec.Threads[i]))
	}
	for _, l := range sec.FDs {
		for i := range l.FDs {
			m.AddFD(l.Tid, fdFromScap(&l.FDs[i]))
		}
	}
}

// Run converts every event into sink. A damaged .scap still gives every
// event before the damage; the error then names the file and offset.
func (s *Source) Run(ctx context.Context, sink Sink) (*Stats, error) {
	st := &Stats{Sections: 1}
	var sev scap.Event
	var ev event.Event
	var putErr error
	put := func(p *event.Process) {
		if err := sink.PutProcess(p); err != nil && putErr == nil {
			putErr = err
		}
	}
	for {
		if st.Events%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		err := s.R.Next(&sev)
		if errors.Is(err, scap.ErrNewSection) {
			// Concatenated captures: the new section's lists refresh the
			// state.
			st.Sections++
			seed(s.Machine, s.R.Section())
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			st.Scap = s.R.Stats()
			return st, err
		}
		ev = event.Event{Ts: sev.Ts, Tid: sev.Tid, CPU: sev.CPU, Type: sev.Type, Params: ev.Params[:0]}
		ev.Params = append(ev.Params, sev.Params...)
		if sev.StateOnly() {
			ev.Flags |= event.FlagStateOnly
		}
		s.Machine.Process(&ev)
		s.Machine.Changed(put)
		if putErr != nil {
			return st, putErr
		}
		if err := sink.Write(&ev); err != nil {
			return st, err
		}
		st.Events++
	}
	st.Scap = s.R.Stats()
	return st, nil
}

// ImportFile converts the .scap file at in into a new capture file at out.
// When the .scap is damaged, out still holds every event before the damage
// (and is complete), and the error says where the damage is.
func ImportFile(ctx context.Context, in, out string, opts *format.WriterOptions, wrap func(io.Reader) io.Reader) (*Stats, error) {
	src, err := Open(in, wrap)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	w, err := format.Create(out, src.Header(), src.Machine.Snapshot(), opts)
	if err != nil {
		return nil, err
	}
	st, runErr := src.Run(ctx, w)
	if err := w.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("%s: %w", out, err)
	}
	return st, runErr
}
