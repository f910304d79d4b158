package chisels

import (
	"context"
	"fmt"
	"forensics/state"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"forensics/event"
	"forensics/query"
	"forensics/query/fields"
)

// The state chisels show the threads and fds at the first event the
// user's filter selects, as sysdig does: its ps, lsof and netstat stop at
// that event and print the thread table then. Without a filter that is
// the capture's start snapshot (plus a thread the first event's clone
// makes); with one, the snapshot followed by the state machine over the
// events up to the match (stateAt).

// thread is one thread of the snapshot with the fd table it uses.
type thread struct {
	p   *event.Process
	fds []event.FD
	// machine: the state machine made it; its key is not the capture's.
	machine bool
}

// snapshotThreads returns the snapshot's threads, ascending tid, each
// with its process's fd table (threads share their main thread's).
func (e *Env) snapshotThreads() []thread {
	if len(e.Capture.Files) == 0 || e.Capture.Files[0].Snapshot == nil {
		return nil
	}
	return e.threadsOf(e.Capture.Files[0].Snapshot, true)
}

// threadsOf lists the threads of a snapshot; atFirst adds the thread the
// first event's clone creates (sysdig reads that one event).
func (e *Env) threadsOf(s *event.Snapshot, atFirst bool) []thread {
	byKey := map[event.ProcKey][]event.FD{}
	for _, pf := range s.FDs {
		byKey[pf.Proc] = pf.FDs
	}
	byTid := map[int64]*event.Process{}
	for i := range s.Processes {
		byTid[s.Processes[i].Tid] = &s.Processes[i]
	}
	procs := make([]*event.Process, 0, len(s.Processes))
	for i := range s.Processes {
		procs = append(procs, &s.Processes[i])
	}
	// sysdig stops after the first event: a thread that event's clone
	// creates counts.
	if ev, ok := e.firstEvent(); atFirst && ok && byTid[ev.Tid] == nil && ev.Dir() == event.DirExit && cloneCalls[fields.TypeName(ev.Type)] {
		all := e.Capture.Files[0].Processes()
		for i := range all {
			if p := &all[i]; p.Key == ev.Proc {
				byTid[p.Tid] = p
				procs = append(procs, p)
			}
		}
	}
	out := make([]thread, 0, len(procs))
	for _, p := range procs {
		fds, ok := byKey[p.Key]
		if !ok && p.Pid != p.Tid {
			if m := byTid[p.Pid]; m != nil {
				fds = byKey[m.Key]
			}
		}
		out = append(out, thread{p: p, fds: fds})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].p.Tid < out[j].p.Tid })
	return out
}

// firstEvent returns the time of the first event matching the user's
// filter.
func (e *Env) firstEvent() (event.Event, bool) {
	var ev event.Event
	f, err := e.compile("")
	if err != nil {
		return ev, false
	}
	opts := e.options(f)
	opts.Limit = 1
	found := false
	_ = query.Run(context.Background(), e.Capture, opts, func(c *fields.Ctx) error {
		ev, found = event.Event{Ts: c.Ev.Ts, Type: c.Ev.Type, Tid: c.Ev.Tid, Proc: c.Ev.Proc}, true
		return nil
	})
	return ev, found
}

var cloneCalls = map[string]bool{"clone": true, "clone3": true, "fork": true, "vfork": true}

// stateAt returns the threads and fds at the first event matching the
// user's filter and --since: the start snapshot followed by the state
// machine over every event up to it. found is false when no event
// matches.
func (e *Env) stateAt(ctx context.Context) (threads []thread, found bool, err error) {
	if e.Filter == "" && e.Since == 0 {
		return e.snapshotThreads(), true, nil
	}
	first, ok := e.firstEvent()
	if !ok || len(e.Capture.Files) == 0 {
		return nil, false, nil
	}
	m := state.New(0)
	if s := e.Capture.Files[0].Snapshot; s != nil {
		tids := map[event.ProcKey]int64{}
		for _, p := range s.Processes {
			tids[p.Key] = p.Tid
			m.AddThread(p)
		}
		for _, pf := range s.FDs {
			for _, fd := range pf.FDs {
				m.AddFD(tids[pf.Proc], fd)
			}
		}
		for _, u := range s.Users {
			m.AddUser(u)
		}
		for _, g := range s.Groups {
			m.AddGroup(g)
		}
	}
	opts := query.Options{Until: first.Ts, StateOnly: true}
	n := 0
	err = query.Run(ctx, e.Capture, opts, func(c *fields.Ctx) error {
		m.Process(c.Ev)
		if n++; n%4096 == 0 {
			m.Changed(func(*event.Process) {})
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	threads = e.threadsOf(m.Snapshot(), false)
	for i := range threads {
		threads[i].machine = true
	}
	return threads, true, nil
}

// readExit is the type of the synthetic event sysdig binds a thread's fd
// to when it filters a thread table: a read exit.
func readExit() event.Type {
	for _, in := range event.ByName("read") {
		if in.Dir() == event.DirExit {
			return in.Type
		}
	}
	return 0
}

// stateView evaluates fields and the filter on a thread, or on one of its
// fds bound to a synthetic read exit event.
type stateView struct {
	e      *Env
	f      *query.Filter
	tables *fields.Tables
	ev     event.Event
	fc     fields.Ctx
	typ    event.Type
	ts     uint64
}

func (e *Env) newStateView(extra string) (*stateView, error) {
	// The user's filter picks the moment (the first event it matches);
	// extra, the chisel's argument, filters the fds.
	var f *query.Filter
	if strings.TrimSpace(extra) != "" {
		var err error
		if f, err = query.Compile(extra, e.reg, nil); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFilter, err)
		}
	}
	v := &stateView{e: e, f: f, typ: readExit()}
	if len(e.Capture.Files) > 0 {
		v.tables = fields.NewTables(e.Capture.Files[0])
	}
	v.ts, _ = e.span()
	v.fc = fields.Ctx{Ev: &v.ev, Tables: v.tables}
	return v, nil
}

// bind makes the synthetic event of thread t on fd (nil: no fd).
func (v *stateView) bind(t thread, fd *event.FD) *fields.Ctx {
	v.ev = event.Event{Ts: v.ts, Type: v.typ, Tid: t.p.Tid, Proc: t.p.Key, FD: event.FD{Num: event.NoFD}}
	if fd != nil {
		v.ev.FD = *fd
	}
	return &v.fc
}

// str extracts a field as sysdig prints it ("<NA>" when missing).
func (v *stateView) str(token string, c *fields.Ctx) string {
	b, err := v.e.field(token)
	if err != nil {
		return "<NA>"
	}
	val, ok := b.Ext(c)
	if !ok {
		return "<NA>"
	}
	return string(appendValue(nil, val))
}

// user is the thread's user name: from the capture's process table, or
// its user table for a thread the state machine made.
func (v *stateView) user(t thread, c *fields.Ctx) string {
	if !t.machine {
		return v.str("user.name", c)
	}
	if v.tables != nil {
		if u := v.tables.Users[t.p.UID]; u != nil {
			return u.Name
		}
	}
	return "<NA>"
}

// matching returns the fds of t the filter keeps; all when there is no
// filter.
func (v *stateView) matching(t thread) []event.FD {
	if v.f == nil {
		return t.fds
	}
	var out []event.FD
	for i := range t.fds {
		if v.f.Match(v.bind(t, &t.fds[i])) {
			out = append(out, t.fds[i])
		}
	}
	return out
}

func stateChisels() []*Chisel {
	filterArg := []Arg{{Name: "filter", Desc: "an fd filter: only the threads with a matching fd (ANDed with FILTER)", Optional: true}}
	return []*Chisel{
		{Name: "ps", Category: "System State", Short: "List (and optionally filter) the machine processes.",
			Desc: "The threads the capture starts with: TID, PID, USER, VIRT, RES, FDLIMIT, CMD, ascending TID. " +
				"With a filter, only the threads having an fd that matches it (evaluated on a read event on that fd).",
			Args: filterArg, run: runPS},
		{Name: "lsof", Category: "System State", Short: "List (and optionally filter) the open file descriptors.",
			Desc: "The fds open when the capture starts, one row per thread and fd (threads of a process repeat its fds), " +
				"ascending TID. With a filter, only the matching fds.",
			Args: filterArg, run: runLsof},
		{Name: "netstat", Category: "System State", Short: "List (and optionally filter) network connections.",
			Desc: "The IPv4/IPv6 sockets open when the capture starts: listening sockets (client 0.0.0.0:*) and " +
				"established connections, per thread. With a filter, only the matching sockets.",
			Args: filterArg, run: runNetstat},
		{Name: "lscontainers", Category: "System State", Short: "List the running containers",
			Desc: "The containers the capture's container events describe, sorted by id.",
			Args: []Arg{{Name: "desc", Desc: "ignored (sysdig dumps its raw table)", Optional: true}}, run: runLscontainers},
	}
}

func argFilter(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return ""
}

// noState is what the state chisels say when there is no state to show.
const noState = "empty capture or no event matching the filter"

// stateOrSay is stateAt, saying noState when nothing was found.
func (e *Env) stateOrSay(ctx context.Context) (threads []thread, found bool, err error) {
	threads, found, err = e.stateAt(ctx)
	if err == nil && !found {
		_, err = fmt.Fprintln(e.Out, noState)
	}
	return threads, found, err
}

// colSpec is a column's name and text width.
type colSpec struct {
	n string
	w int
}

// widthColumns makes a table's columns from names and widths.
func widthColumns(specs ...colSpec) []Column {
	out := make([]Column, len(specs))
	for i, c := range specs {
		out[i] = Column{Name: c.n, width: c.w}
	}
	return out
}

func runPS(ctx context.Context, e *Env, args []string) error {
	v, err := e.newStateView(argFilter(args))
	if err != nil {
		return err
	}
	t := &Table{Chisel: "ps", padLast: true, empty: noState}
	t.Columns = widthColumns(colSpec{"TID", 8}, colSpec{"PID", 8}, colSpec{"USER", 12}, colSpec{"VIRT", 11}, colSpec{"RES", 11}, colSpec{"FDLIMIT", 10}, colSpec{"CMD", 20})
	threads, found, err := e.stateOrSay(ctx)
	if err != nil || !found {
		return err
	}
	for _, th := range threads {
		if v.f != nil && len(v.matching(th)) == 0 {
			continue
		}
		c := v.bind(th, nil)
		p := th.p
		t.Rows = append(t.Rows, []string{strconv.FormatInt(p.Tid, 10), strconv.FormatInt(p.Pid, 10),
			v.user(th, c), formatBytes(int64(p.VMSizeKB) * 1024), formatBytes(int64(p.VMRSSKB) * 1024),
			strconv.FormatInt(p.FDLimit, 10), p.Comm})
	}
	return t.write(e)
}

func runLsof(ctx context.Context, e *Env, args []string) error {
	v, err := e.newStateView(argFilter(args))
	if err != nil {
		return err
	}
	t := &Table{Chisel: "lsof", empty: noState}
	t.Columns = widthColumns(colSpec{"COMMAND", 20}, colSpec{"PID", 8}, colSpec{"TID", 8}, colSpec{"USER", 8}, colSpec{"FD", 8}, colSpec{"TYPE", 12}, colSpec{"NAME", 0})
	threads, found, err := e.stateOrSay(ctx)
	if err != nil || !found {
		return err
	}
	for _, th := range threads {
		for _, fd := range v.matching(th) {
			c := v.bind(th, &fd)
			t.Rows = append(t.Rows, []string{th.p.Comm, strconv.FormatInt(th.p.Pid, 10), strconv.FormatInt(th.p.Tid, 10),
				v.user(th, c), strconv.FormatInt(fd.Num, 10), v.str("fd.type", c), lsofName(fd, v.str("fd.name", c))})
		}
	}
	return t.write(e)
}

func runNetstat(ctx context.Context, e *Env, args []string) error {
	extra := ipSock
	if f := argFilter(args); f != "" {
		extra = "(" + f + ") and " + ipSock
	}
	v, err := e.newStateView(extra)
	if err != nil {
		return err
	}
	t := &Table{Chisel: "netstat"}
	t.Columns = widthColumns(colSpec{"Proto", 6}, colSpec{"Server Address", 25}, colSpec{"Client Address", 25}, colSpec{"State", 15}, colSpec{"TID/PID/Program Name", 0})
	threads, found, err := e.stateOrSay(ctx)
	if err != nil || !found {
		return err
	}
	for _, th := range threads {
		for _, fd := range v.matching(th) {
			c := v.bind(th, &fd)
			cip, cport, state := v.str("fd.cip", c), v.str("fd.cport", c), "ESTABLISHED"
			sip, sport, proto := v.str("fd.sip", c), v.str("fd.sport", c), v.str("fd.l4proto", c)
			if fd.Role == event.RoleNone && fd.Tuple.DIP.IsValid() && fd.Tuple.SIP.IsValid() {
				// A connection from the start snapshot (read from /proc,
				// direction unknown): the side with the lower port is the
				// server, which is what sysdig shows on every corpus file.
				a, ap, b, bp := snapshotEnds(fd.Tuple)
				sip, sport = a.Unmap().String(), strconv.Itoa(int(ap))
				cip, cport = b.Unmap().String(), strconv.Itoa(int(bp))
				proto = l4Name(fd.Tuple.L4)
			} else if cip == "<NA>" {
				cip, cport, state = "0.0.0.0", "*", "LISTEN"
				sip = listenAddr(fd)
			}
			t.Rows = append(t.Rows, []string{proto, sip + ":" + sport,
				cip + ":" + cport, state, fmt.Sprintf("%d/%d/%s", th.p.Tid, th.p.Pid, th.p.Comm)})
		}
	}
	return t.write(e)
}

func runLscontainers(_ context.Context, e *Env, _ []string) error {
	t := &Table{Chisel: "lscontainers", padLast: true, padLastRow: true}
	t.Columns = widthColumns(colSpec{"container.type", 15}, colSpec{"container.image", 16}, colSpec{"container.name", 20}, colSpec{"container.id", 13})
	if !e.JSON {
		t.Rows = append(t.Rows, []string{"---------------", "----------------", "--------------------", "-------------"})
	}
	seen := map[string]fields.Container{}
	for _, f := range e.Capture.Files {
		for id, c := range fields.NewTables(f).Containers() {
			seen[id] = c
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := seen[id]
		t.Rows = append(t.Rows, []string{containerType(c.Type), c.Image, c.Name, c.ID})
	}
	return t.write(e)
}

// containerType names libs' container types (container.type).
func containerType(t int) string {
	names := []string{"docker", "lxc", "libvirt-lxc", "mesos", "rkt", "custom", "cri", "containerd", "cri-o", "bpm", "static", "podman"}
	if t >= 0 && t < len(names) {
		return names[t]
	}
	return "<NA>"
}

// listenAddr is the address a listening socket is bound to, as sysdig's
// thread table gives it.
func listenAddr(fd event.FD) string {
	for _, a := range []netip.Addr{fd.Tuple.DIP, fd.Tuple.SIP} {
		if a.IsValid() {
			return a.Unmap().String()
		}
	}
	if fd.Type == event.FDIPv6Sock || fd.Type == event.FDIPv6Server {
		return "::"
	}
	return "0.0.0.0"
}

// l4Name is fd.l4proto's name of a transport.
func l4Name(p event.L4Proto) string {
	switch p {
	case event.L4TCP:
		return "tcp"
	case event.L4UDP:
		return "udp"
	case event.L4ICMP:
		return "icmp"
	case event.L4Raw:
		return "raw"
	}
	return "<NA>"
}

// snapshotEnds returns the server and client ends of a connection of the
// start snapshot (read from /proc, so of unknown direction): the side
// with the lower port is the server, which is what sysdig shows on every
// corpus file.
func snapshotEnds(tu event.Tuple) (srv netip.Addr, sport uint16, cli netip.Addr, cport uint16) {
	srv, sport, cli, cport = tu.DIP, tu.DPort, tu.SIP, tu.SPort
	if cport < sport {
		srv, sport, cli, cport = cli, cport, srv, sport
	}
	return
}

// lsofName is the name lsof shows for an fd: a snapshot connection is
// named client->server, as sysdig names it.
func lsofName(fd event.FD, name string) string {
	if fd.Role != event.RoleNone || !fd.Tuple.SIP.IsValid() || !fd.Tuple.DIP.IsValid() {
		return name
	}
	s, sp, c, cp := snapshotEnds(fd.Tuple)
	return netip.AddrPortFrom(c.Unmap(), cp).String() + "->" + netip.AddrPortFrom(s.Unmap(), sp).String()
}
