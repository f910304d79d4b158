package fields

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"forensics/event"
	"forensics/format"
	"forensics/index"
	"forensics/internal/scaptest"
	"forensics/scapconv"
)

// The oracle: sysdig 0.29.3 prints every field of these groups for every
// event of every corpus capture, and our registry must print the same
// (keyed by evt.num: sysdig does not print every event). The groups hold
// the fields sysdig 0.29.3 has; fd.ino, fd.nameraw, proc.pexe,
// proc.pexepath, proc.a{exe,exepath,cmdline}, proc.env[NAME],
// proc.args[N] and fs.path.* are not in it and are covered by the table
// tests. Where sysdig prints what a capture cannot know, or is wrong, or
// where another package owes the difference, knownDiff says so with the
// evidence, and those events are counted apart.
var oracleGroups = [][]string{
	{"evt.num", "evt.time", "evt.time.s", "evt.time.iso8601", "evt.datetime", "evt.datetime.s", "evt.rawtime",
		"evt.rawtime.s", "evt.rawtime.ns", "evt.reltime", "evt.reltime.s", "evt.reltime.ns", "evt.outputtime",
		"evt.dir", "evt.type", "evt.type.is.open", "evt.type.is.read", "evt.cpu"},
	{"evt.res", "evt.rawres", "evt.failed", "evt.is_io", "evt.is_io_read", "evt.is_io_write", "evt.io_dir",
		"evt.is_wait", "evt.category", "evt.buflen", "evt.count", "evt.count.error", "evt.count.exit", "evt.is_syslog"},
	{"evt.buffer"},
	{"proc.pid", "proc.exe", "proc.name", "proc.args", "proc.cmdline", "proc.exeline", "proc.cwd", "proc.ppid",
		"proc.pname", "proc.pcmdline", "proc.exepath"},
	{"proc.env"},
	{"proc.aname[0]", "proc.aname[1]", "proc.aname[2]", "proc.aname[3]", "proc.aname[4]", "proc.apid[0]",
		"proc.apid[1]", "proc.apid[2]", "proc.apid[3]", "proc.loginshellid", "proc.tty", "proc.sid", "proc.vpid",
		"thread.tid", "thread.vtid", "thread.ismain"},
	{"fd.num", "fd.type", "fd.typechar", "fd.name", "fd.directory", "fd.filename", "fd.l4proto", "fd.sockfamily",
		"fd.is_server", "fd.uid", "fd.containername", "fd.containerdirectory"},
	{"fd.cip", "fd.sip", "fd.lip", "fd.rip", "fd.cport", "fd.sport", "fd.lport", "fd.rport"},
	{"fd.dev", "fd.dev.major", "fd.dev.minor"},
	{"user.uid", "user.name", "user.homedir", "user.shell", "user.loginuid", "user.loginname", "group.gid",
		"group.name", "container.id", "container.name", "container.image"},
}

// sep separates the fields of a line (ASCII unit separator: no value
// holds it).
const sep = "\x1f"

// oracleFile is one corpus capture imported and indexed.
type oracleFile struct {
	path   string
	tables *Tables
	events map[uint64]*event.Event // by sysdig's evt.num
	// modernPL: the .scap's process list has the PL_V9 layout of libs >=
	// 0.10, which sysdig 0.29.3 misreads.
	modernPL bool
	// lostEnter holds the events whose fd the capture lost: exit events
	// whose enter event came before a switch event of the same thread (the
	// state machine forgets a thread's enter at any enter-only event;
	// libsinsp skips switch events when pairing), and the later events on
	// the same fd of that process until it is created or closed again.
	lostEnter map[uint64]bool
	// synthetic: written by the tests, with parameters current libs lay
	// out where sysdig 0.29.3 expects its own.
	synthetic bool
}

func loadOracleFile(t *testing.T, in string) *oracleFile {
	t.Helper()
	out := filepath.Join(t.TempDir(), "capture")
	if _, err := scapconv.ImportFile(context.Background(), in, out, nil, nil); err != nil {
		t.Fatalf("import %s: %v", in, err)
	}
	f, err := format.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	o := &oracleFile{path: in, tables: NewTables(f), events: map[uint64]*event.Event{}, lostEnter: map[uint64]bool{},
		modernPL: scaptest.Walk(t, scaptest.Plain(t, in)).ModernPL}
	it, err := f.Iter(index.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	// sysdig 0.29.3 neither shows nor counts the event types it does not
	// know (maxType29 and above: the useradded and groupadded events of
	// newer captures), so its evt.num skips them.
	var ev event.Event
	var num uint64
	for it.Next(&ev) {
		if ev.Type >= maxType29 {
			continue
		}
		num++
		o.events[num] = ev.Clone()
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	o.findLostEnters(num)
	return o
}

// findLostEnters fills lostEnter.
func (o *oracleFile) findLostEnters(n uint64) {
	type pidFD struct{ pid, fd int64 }
	last := map[int64]*event.Event{}
	switched := map[int64]bool{}
	tainted := map[pidFD]bool{}
	for num := uint64(1); num <= n; num++ {
		ev := o.events[num]
		f := factOf(ev.Type)
		if f.name == "switch" {
			switched[ev.Tid] = true
			continue
		}
		pid := ev.Tid
		if p := o.tables.Procs[ev.Proc]; p != nil {
			pid = p.Pid
		}
		fd := int64(event.NoFD)
		if ev.Dir() == event.DirEnter && f.flags&fUsesFD != 0 {
			fd, _ = event.Int(ev.Param(0), true)
		} else if ev.Dir() == event.DirExit {
			fd = ev.FD.Num
		}
		prev := last[ev.Tid]
		lost := ev.Dir() == event.DirExit && prev != nil && prev.Type == ev.Type-1 && switched[ev.Tid]
		if fd != event.NoFD && tainted[pidFD{pid, fd}] {
			o.lostEnter[num] = true
			if !lost && ev.Dir() == event.DirExit && (f.name == "close" || factOf(ev.Type-1).flags&fUsesFD == 0) {
				delete(tainted, pidFD{pid, fd})
			}
		}
		if lost {
			o.lostEnter[num] = true
			if factOf(prev.Type).flags&fUsesFD != 0 {
				n, _ := event.Int(prev.Param(0), true)
				tainted[pidFD{pid, n}] = true
			} else if r, ok := rawRes(ev); ok && r >= 0 && f.flags&fFD != 0 {
				tainted[pidFD{pid, r}] = true
			}
		}
		last[ev.Tid] = ev
		switched[ev.Tid] = false
	}
}

// fieldStats counts one field's comparisons.
type fieldStats struct {
	match, documented, differ int
	firstDiff                 string
	reasons                   map[string]int
}

// TestOracleCorpus compares every field of oracleGroups with sysdig
// 0.29.3 on every corpus capture.
func TestOracleCorpus(t *testing.T) {
	sysdig := scaptest.Sysdig(t)
	total := map[string]*fieldStats{}
	var order []string
	for _, g := range oracleGroups {
		order = append(order, g...)
	}
	var mu sync.Mutex
	t.Run("corpus", func(t *testing.T) {
		for _, in := range scaptest.CorpusFiles(t) {
			t.Run(filepath.Base(in), func(t *testing.T) {
				t.Parallel()
				stats := map[string]*fieldStats{}
				compareFields(t, loadOracleFile(t, in), sysdig, oracleGroups, stats)
				mu.Lock()
				defer mu.Unlock()
				for name, st := range stats {
					tot := total[name]
					if tot == nil {
						tot = &fieldStats{reasons: map[string]int{}}
						total[name] = tot
					}
					tot.match += st.match
					tot.documented += st.documented
					tot.differ += st.differ
					if tot.firstDiff == "" {
						tot.firstDiff = st.firstDiff
					}
					for r, n := range st.reasons {
						tot.reasons[r] += n
					}
				}
			})
		}
	})
	for _, name := range order {
		st := total[name]
		if st == nil {
			continue
		}
		n := st.match + st.documented + st.differ
		t.Logf("%-24s %6d/%-6d match, %5d documented differences, %5d undocumented", name, st.match, n, st.documented, st.differ)
		var rs []string
		for r := range st.reasons {
			rs = append(rs, r)
		}
		sort.Strings(rs)
		for _, r := range rs {
			t.Logf("    %5d × %s", st.reasons[r], r)
		}
		if st.differ > 0 {
			t.Errorf("%s: %d lines differ from sysdig; first: %s", name, st.differ, st.firstDiff)
		}
	}
}

// compareFields runs sysdig once per group of fields on the capture and
// adds to stats how our rendering of each field compares, line by line.
func compareFields(t *testing.T, o *oracleFile, sysdig string, groups [][]string, stats map[string]*fieldStats) {
	t.Helper()
	src := Syscall()
	base := filepath.Base(o.path)
	for _, group := range groups {
		bound := make([]*Bound, len(group))
		for i, name := range group {
			b, err := lookupToken(src, name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			bound[i] = b
		}
		format := "*%evt.num" + sep + "%" + strings.Join(group, sep+"%")
		outp, err := scaptest.RunSysdig(sysdig, o.path, "-p", format)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range splitLines(outp) {
			cols := strings.Split(line, sep)
			if len(cols) != len(group)+1 {
				t.Fatalf("%s: %d columns in %q", base, len(cols), line)
			}
			num, err := strconv.ParseUint(cols[0], 10, 64)
			if err != nil {
				t.Fatalf("%s: bad evt.num in %q", base, line)
			}
			ev := o.events[num]
			for i, name := range group {
				st := stats[name]
				if st == nil {
					st = &fieldStats{reasons: map[string]int{}}
					stats[name] = st
				}
				want := cols[i+1]
				if ev == nil {
					st.differ++
					if st.firstDiff == "" {
						st.firstDiff = fmt.Sprintf("%s #%d: we have no such event; sysdig %q", base, num, want)
					}
					continue
				}
				c := &Ctx{Ev: ev, Tables: o.tables}
				v, ok := bound[i].Ext(c)
				got := bound[i].Field.Print(v, ok)
				if got == want {
					st.match++
					continue
				}
				if reason := o.knownDiff(num, name, c, got, want); reason != "" {
					st.documented++
					st.reasons[reason]++
					continue
				}
				st.differ++
				if st.firstDiff == "" {
					st.firstDiff = fmt.Sprintf("%s #%d %s %s: got %q, sysdig %q", base, num, ev.Dir(), ev.Type, got, want)
				}
				if os.Getenv("ORACLE_VERBOSE") != "" {
					t.Logf("%s: %s #%d %s %s(%d): got %q, sysdig %q", name, base, num, ev.Dir(), ev.Type, ev.Type, got, want)
				}
			}
		}
	}
}

// lookupToken resolves a field token with an optional [arg], as a format
// string names it.
func lookupToken(src *Source, tok string) (*Bound, error) {
	if i := strings.IndexByte(tok, '['); i > 0 && strings.HasSuffix(tok, "]") {
		return src.Lookup(tok[:i], tok[i+1:len(tok)-1], true)
	}
	return src.Lookup(tok, "", false)
}

// splitLines splits sysdig's output into lines, dropping the last empty
// one.
func splitLines(b []byte) []string {
	b = bytes.TrimSuffix(b, []byte("\n"))
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\n")
}

// knownDiff explains a difference from sysdig that is sysdig's, or that a
// capture cannot reproduce, or (marked OURS) that another package owes;
// "" for an unexplained one. Each case gives its evidence.
func (o *oracleFile) knownDiff(num uint64, field string, c *Ctx, got, want string) string {
	ev := c.Ev
	p := c.Proc()
	switch {
	case field == "evt.num" && want == strconv.FormatUint(num, 10) && got != want:
		// sample.scap starts with 95 useradded/groupadded events (types
		// 354, 358): sysdig 0.29.3 (PPM_EVENT_MAX 336) neither shows nor
		// counts them, so its evt.num is ours minus the unknown events
		// before.
		return "sysdig 0.29.3 does not count the event types it does not know (>= 336)"
	case strings.HasPrefix(field, "evt.type.is.") && strings.HasPrefix(want, "<NA>"):
		// sysdig 0.29.3 accepts evt.type.is.NAME in filters only: in an
		// output format it prints <NA> (and, before a non-blank, the
		// token text). TestOracleFilters checks it as a filter.
		return "sysdig 0.29.3 does not print evt.type.is (filter only)"
	case o.lostEnter[num] && (strings.HasPrefix(field, "fd.") || field == "evt.category" || field == "evt.buflen"):
		// 502Error.scap #1891-#1896: > sendto fd=4 / > switch / < sendto.
		// libsinsp pairs the exit with its enter across the switch
		// (EF_SKIPPARSERESET); state.Machine.Process drops the saved enter
		// at every enter-only event, so the exit (and, for connect, the fd
		// it sets up) lose their fd. To be fixed in package state.
		return "OURS (package state): the enter event before a switch is dropped"
	case isFDField(field) && ev.Dir() == event.DirExit && ev.FD.Num == event.NoFD &&
		factOf(ev.Type-1).flags&fUsesFD != 0 && !hasFDParam(ev.Info()):
		// Synthetic: > ioctl fd=7 / < ioctl (type 91), fstat64 (77), dup
		// (125). libsinsp gives an exit the fd of its enter event; the
		// state machine reads the fd from the exit's own (or merged)
		// parameters, and these old exit layouts have none.
		return "OURS (package state): an exit without fd parameter does not get its enter's fd"
	case isFDField(field) && ev.Dir() == event.DirEnter && ev.FD.Num == event.NoFD && factOf(ev.Type).flags&fUsesFD != 0:
		// Synthetic: > copy_file_range fdin=7. libsinsp takes an enter
		// event's first parameter as its fd; the state machine looks for
		// parameters named fd, out_fd, fd_out, fdout or oldfd only.
		return "OURS (package state): an enter event's fd parameter with another name is not resolved"
	case isFDField(field) && factOf(ev.Type).name == "userfaultfd":
		// Synthetic: < userfaultfd res=0. sysdig 0.29.3 neither tracks
		// userfaultfd fds nor reads them from fd lists ("wrong fd type 18").
		return "sysdig 0.29.3 does not track userfaultfd fds"
	case (field == "fd.type" || field == "fd.typechar") && factOf(ev.Type).name == "accept" && ev.Dir() == event.DirExit && len(ev.ParamByName("tuple")) == 0:
		// Synthetic: < accept fd=7 with an empty tuple, fd 7 a file of the
		// fd list. libsinsp adds no fd without tuple and keeps the file;
		// the state machine replaces it with an untyped socket.
		return "OURS (package state): an accept without tuple replaces the fd's entry"
	case o.synthetic && (field == "evt.res" || field == "evt.rawres") && want == "<NA>" &&
		(factOf(ev.Type).name == "sendmmsg" || factOf(ev.Type).name == "recvmmsg"):
		// Synthetic: the current sendmmsg/recvmmsg exits have a res
		// parameter; sysdig 0.29.3's layouts of these types have no
		// parameters at all, so it finds none in any capture.
		return "sysdig 0.29.3's sendmmsg/recvmmsg layouts have no res"
	case field == "group.gid" && got != "<NA>" && lowBits(want) == got:
		// 502Error.scap #174 (python): sysdig prints 4294967296 for gid 0.
		// group.gid is UINT64 in 0.29.3 but the thread keeps a 32-bit gid:
		// the upper half is the memory that follows it.
		return "sysdig 0.29.3 reads the 32-bit gid as 64 bits (garbage upper half)"
	case p != nil && o.modernPL && (field == "proc.tty" || field == "user.loginuid" || field == "user.loginname") && originPL(c, p):
		// sample.scap was written by libs >= 0.10 (PL_V9 with
		// pidns_init_start_ts and tty before loginuid); sysdig 0.29.3 reads
		// the entries in the older layout: tty 0 and loginuid -420151296
		// for every thread of the process list (sysdig: tty=34817,
		// loginuid=1000 in the file).
		return "sysdig 0.29.3 misreads the libs >= 0.10 process list (tty, loginuid)"
	case p != nil && (field == "user.loginuid" || field == "user.loginname") && (want == "0" || want == "root") && threadOrphan(c, p):
		// 502Error.scap #23: < clone of tid 843 (curl), first event of the
		// thread; its process 842 is unknown. sysdig creates the thread
		// without a parent to copy from and leaves loginuid at 0: root is
		// not the audit uid, which the capture does not carry for it.
		return "sysdig 0.29.3 leaves loginuid 0 on a thread cloned from an unknown parent"
	case p != nil && field == "proc.cwd" && want == "" && startedFake(c, p):
		// cat_write.scap #131: < execve ... cwd=/mnt/sf_mstemm/.../dragent,
		// the thread's first event. sysdig had no entry before the execve
		// and ignores its cwd parameter (parse_execve_exit).
		return "sysdig 0.29.3 ignores execve's cwd for a thread it first sees at the execve"
	case udpUnbound(ev) && (strings.HasPrefix(field, "fd.") && field != "fd.num" && field != "fd.type" && field != "fd.typechar" && field != "fd.l4proto" && field != "fd.sockfamily" && field != "fd.uid" && field != "fd.cport" && field != "fd.sport"):
		// 502Error.scap #228/#229: sendmsg on haproxy's UDP socket bound to
		// 0.0.0.0:55441, tuple=0.0.0.0:55441->127.0.0.1:514. sysdig replaces
		// the unspecified source with a host interface address
		// (192.168.128.156) and writes the source port's bytes into the
		// destination address (145.216.3.255): fd.name
		// 192.168.128.156:55441->145.216.3.255:514.
		return "sysdig 0.29.3 invents the source address of an unbound UDP socket and garbles its destination"
	case strings.HasPrefix(field, "fd.dev") && ev.FD.Dev == 0 && got != "<NA>":
		// 502Error.scap #141 (socket): fd.dev=555D. libsinsp sets an fd's
		// device only for files opened with one and FDL_V2 entries; for
		// other fds it prints uninitialized memory.
		return "sysdig prints uninitialized memory for the device of an fd without one"
	case p != nil && p.Container != "" && (field == "container.name" || field == "container.image") && got == "<NA>":
		// 502Error.scap: container events (container JSON) name
		// example2_lb_1, image dockercloud/haproxy. Tables do not index the
		// capture's container events; without container metadata both are
		// missing.
		return "container metadata (the capture's container events) is not in Tables"
	case p != nil && p.Container != "" && field == "fd.is_server" && got == "false" && want == "true":
		// libsinsp tests a container's own IP address (container metadata)
		// before the host interfaces; see container.name.
		return "container metadata (the container's IP address) is not in Tables"
	}
	return ""
}

// isFDField reports whether a field depends on the event's fd.
func isFDField(field string) bool {
	return strings.HasPrefix(field, "fd.") || field == "evt.category" || field == "evt.buflen"
}

// hasFDParam reports whether a layout has a parameter the state machine
// takes as the event's fd.
func hasFDParam(info *event.Info) bool {
	if info == nil {
		return false
	}
	for _, n := range []string{"fd", "out_fd", "fd_out", "fdout", "oldfd"} {
		if info.Param(n) >= 0 {
			return true
		}
	}
	return false
}

// lowBits returns the low 32 bits of a decimal number as text.
func lowBits(s string) string {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return ""
	}
	return strconv.FormatUint(v&0xffffffff, 10)
}

// originPL reports whether the thread came from the capture's process
// list.
func originPL(c *Ctx, p *event.Process) bool {
	o, fake := origin(c.Tables, p)
	return !fake && o.StartTs == 0
}

func startedFake(c *Ctx, p *event.Process) bool {
	_, fake := origin(c.Tables, p)
	return fake
}

func threadOrphan(c *Ctx, p *event.Process) bool {
	o, fake := origin(c.Tables, p)
	return !fake && orphan(c.Tables, o)
}

// udpUnbound reports whether the event's fd is a UDP socket whose source
// address is unspecified.
func udpUnbound(ev *event.Event) bool {
	f := ev.FD
	return f.Num != event.NoFD && f.Type == event.FDIPv4Sock && f.Tuple.L4 == event.L4UDP && f.Tuple.SIP.IsUnspecified()
}

// oracleFilters are sysdig filters on one field and the value that makes
// our field match: the event matches when the field's value (or, for a
// list, one of its items) prints as it.
var oracleFilters = []struct{ filter, field, value string }{
	{"evt.type.is.open=1", "evt.type.is.open", "1"},
	{"evt.type.is.switch=1", "evt.type.is.switch", "1"},
	{"proc.aname=bash", "proc.aname", "bash"},
	{"proc.aname=tini", "proc.aname", "tini"},
	{"proc.apid=1", "proc.apid", "1"},
	{"fd.ip=127.0.0.1", "fd.ip", "127.0.0.1"},
	{"fd.ip=192.168.0.2", "fd.ip", "192.168.0.2"},
	{"fd.port=80", "fd.port", "80"},
	{"fd.port=514", "fd.port", "514"},
}

// TestOracleFilters compares, on every corpus capture, the events sysdig
// 0.29.3 selects with a filter on a field it cannot print (evt.type.is,
// the ancestor fields without index, fd.ip, fd.port) with the events
// whose value we extract matches.
func TestOracleFilters(t *testing.T) {
	sysdig := scaptest.Sysdig(t)
	src := Syscall()
	for _, in := range scaptest.CorpusFiles(t) {
		base := filepath.Base(in)
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			o := loadOracleFile(t, in)
			all, err := scaptest.RunSysdig(sysdig, in, "-p", "%evt.num")
			if err != nil {
				t.Fatal(err)
			}
			outs := make([][]byte, len(oracleFilters))
			errs := make([]error, len(oracleFilters))
			var wg sync.WaitGroup
			for i, f := range oracleFilters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					outs[i], errs[i] = scaptest.RunSysdig(sysdig, in, "-p", "%evt.num", f.filter)
				}()
			}
			wg.Wait()
			for i, f := range oracleFilters {
				b, err := lookupToken(src, f.field)
				if err != nil {
					t.Fatal(err)
				}
				out, err := outs[i], errs[i]
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]bool{}
				for _, l := range splitLines(out) {
					want[l] = true
				}
				var diffs []string
				for _, l := range splitLines(all) {
					num, _ := strconv.ParseUint(l, 10, 64)
					c := &Ctx{Ev: o.events[num], Tables: o.tables}
					v, ok := b.Ext(c)
					got := ok && (v.String() == f.value || (v.Kind == TStrings && contains(v.List, f.value)))
					// The fds the capture lost, and the UDP socket whose
					// addresses sysdig garbles: see knownDiff.
					if got != want[l] && !((o.lostEnter[num] || udpUnbound(c.Ev)) && strings.HasPrefix(f.field, "fd.")) {
						diffs = append(diffs, fmt.Sprintf("#%s ours=%v sysdig=%v", l, got, want[l]))
					}
				}
				if len(diffs) > 0 {
					t.Errorf("%s: %d events differ, first %v", f.filter, len(diffs), diffs[:min(5, len(diffs))])
				} else {
					t.Logf("%s: %d events selected, as sysdig", f.filter, len(want))
				}
			}
		})
	}
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}
