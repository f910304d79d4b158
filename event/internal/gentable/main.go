// Command gentable generates event/table_gen.go, the libs event table, from
// the markdown reference shared/reference/events.md and the data file
// internal/gentable/extra.tsv, which holds the rows events.md leaves out.
//
// Usage (from the event directory, see the go:generate line in table.go):
//
//	go run ./internal/gentable -in ../../shared/reference/events.md \
//		-extra internal/gentable/extra.tsv -out table_gen.go
//
// -extra is optional; without it only events.md is read.
//
// Input: every markdown table whose header starts with "| syscall |" is an
// event table with the columns
//
//	syscall | enum | id | dir | status | parameters
//
// A row whose first column is empty continues the syscall named in the last
// **bold** first column. "**syscall (generic)**" names "syscall" (a trailing
// parenthetical is dropped); a first column listing alternatives
// ("**useradded / userdeleted**") takes the name from each row's enum
// (USER_ADDED_E -> useradded). Parameters are "name:TYPE", "name:TYPE[table]"
// or "name:FSRELPATH(dirfd)", separated by commas; "—" means none.
//
// extra.tsv has one event per line, six TAB-separated columns in the same
// order and notation (the enum without backticks, the evt.type name spelled
// out); lines starting with # and blank lines are ignored. See the header of
// extra.tsv.
//
// The generator is strict: any row of an event table or of extra.tsv it
// cannot parse, an unknown parameter type, a duplicate id or enum (within a
// file, or an extra.tsv row that repeats an events.md id or enum: events.md
// wins, and the extra row must go), an id whose parity disagrees with the dir
// column or the enum suffix, or an FSRELPATH whose dirfd cannot be resolved
// stops it with an error naming the file and line. Nothing is written then.
//
// The EF_* flags are in neither file; they are derived by the rules in
// deriveFlags below (the one place that defines them), for the rows of both.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	in := flag.String("in", "", "events.md to read")
	extra := flag.String("extra", "", "extra.tsv to read (optional)")
	out := flag.String("out", "", "Go file to write")
	flag.Parse()
	if *in == "" || *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gentable -in events.md [-extra extra.tsv] -out table_gen.go")
		os.Exit(2)
	}
	if err := run(*in, *extra, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gentable:", err)
		os.Exit(1)
	}
}

func run(in, extra, out string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	events, err := parse(src)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := checkStateSection(src); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if extra != "" {
		xsrc, err := os.ReadFile(extra)
		if err != nil {
			return err
		}
		xevents, err := parseExtra(xsrc)
		if err != nil {
			return fmt.Errorf("%s: %w", extra, err)
		}
		if err := checkDisjoint(events, xevents); err != nil {
			return fmt.Errorf("%s: %w", extra, err)
		}
		for _, ev := range xevents {
			ev.order = len(events)
			events = append(events, ev)
		}
	}
	deriveAllFlags(events)
	code, err := generate(events)
	if err != nil {
		return err
	}
	return os.WriteFile(out, code, 0o644)
}

// ---------------------------------------------------------------------------
// Parsing

// param is one parsed parameter.
type param struct {
	name   string
	typ    string // Go constant name, e.g. "PTFSRelPath"
	table  string
	dirfd  int    // index of the dirfd parameter, or -1
	relRef string // the name inside FSRELPATH(...)
}

// event is one parsed table row.
type event struct {
	line   int // 1-based line in its file (events.md or extra.tsv)
	id     int
	enum   string
	name   string
	exit   bool
	status string // Go constant name, e.g. "StatusCurrent"
	params []param
	flags  []string // Go constant names, in EF* declaration order
	order  int      // position in events.md, then in extra.tsv
}

func (e *event) hasParam(pred func(p *param) bool) bool {
	for i := range e.params {
		if pred(&e.params[i]) {
			return true
		}
	}
	return false
}

// paramTypes maps the type names of events.md to the ParamType constants
// of types.go. FSRELPATH carries its "(dirfd)" reference separately.
var paramTypes = map[string]string{
	"INT8":               "PTInt8",
	"INT16":              "PTInt16",
	"INT32":              "PTInt32",
	"INT64":              "PTInt64",
	"UINT8":              "PTUint8",
	"UINT16":             "PTUint16",
	"UINT32":             "PTUint32",
	"UINT64":             "PTUint64",
	"CHARBUF":            "PTCharBuf",
	"BYTEBUF":            "PTByteBuf",
	"ERRNO":              "PTErrno",
	"SOCKADDR":           "PTSockAddr",
	"SOCKTUPLE":          "PTSockTuple",
	"FD":                 "PTFD",
	"PID":                "PTPID",
	"FDLIST":             "PTFDList",
	"FSPATH":             "PTFSPath",
	"SYSCALLID":          "PTSyscallID",
	"SIGTYPE":            "PTSigType",
	"RELTIME":            "PTRelTime",
	"ABSTIME":            "PTAbsTime",
	"PORT":               "PTPort",
	"L4PROTO":            "PTL4Proto",
	"SOCKFAMILY":         "PTSockFamily",
	"BOOL":               "PTBool",
	"IPV4ADDR":           "PTIPv4Addr",
	"DYN":                "PTDyn",
	"FLAGS8":             "PTFlags8",
	"FLAGS16":            "PTFlags16",
	"FLAGS32":            "PTFlags32",
	"UID":                "PTUID",
	"GID":                "PTGID",
	"DOUBLE":             "PTDouble",
	"SIGSET":             "PTSigSet",
	"CHARBUFARRAY":       "PTCharBufArr",
	"CHARBUF_PAIR_ARRAY": "PTCharBufPairArr",
	"IPV4NET":            "PTIPv4Net",
	"IPV6ADDR":           "PTIPv6Addr",
	"IPV6NET":            "PTIPv6Net",
	"IPADDR":             "PTIPAddr",
	"IPNET":              "PTIPNet",
	"MODE":               "PTMode",
	"FSRELPATH":          "PTFSRelPath",
	"ENUMFLAGS8":         "PTEnumFlags8",
	"ENUMFLAGS16":        "PTEnumFlags16",
	"ENUMFLAGS32":        "PTEnumFlags32",
	"FD32":               "PTFD32",
	"PID32":              "PTPID32",
}

// tableTypes are the parameter types that may (and the only ones that may)
// name a flag or enum table.
var tableTypes = map[string]bool{
	"PTFlags8": true, "PTFlags16": true, "PTFlags32": true,
	"PTEnumFlags8": true, "PTEnumFlags16": true, "PTEnumFlags32": true,
	"PTMode": true, "PTDyn": true,
}

var statuses = map[string]string{
	"current":                 "StatusCurrent",
	"current (enter, TOCTOU)": "StatusTOCTOU",
	"old":                     "StatusOld",
}

var (
	reBold     = regexp.MustCompile(`^\*\*([^*]+)\*\*$`)
	reName     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reEnum     = regexp.MustCompile("^`([A-Z][A-Z0-9_]*_[EX])`$")
	reBareEnum = regexp.MustCompile(`^[A-Z][A-Z0-9_]*_([EX])$`)
	reParam    = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*):([A-Z][A-Z0-9_]*)(?:\(([A-Za-z_][A-Za-z0-9_]*)\))?(?:\[([a-z][a-z0-9_]*)\])?$`)
)

// noParams is the em dash events.md writes for an empty parameter list.
const noParams = "—"

// parse reads every event table of events.md.
func parse(src []byte) ([]*event, error) {
	var (
		events  []*event
		inTable bool   // inside an event table's body
		group   string // first column of the last bold row
		sawHdr  bool
	)
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		cells := splitRow(line)
		if !inTable {
			if len(cells) > 0 && cells[0] == "syscall" {
				if len(cells) != 6 {
					return nil, fmt.Errorf("line %d: event table header has %d columns, want 6", n, len(cells))
				}
				inTable, sawHdr, group = true, true, ""
			}
			continue // header of an event table, or a row of another table
		}
		if isSeparator(cells) {
			continue
		}
		ev, g, err := parseRow(cells, group)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		group = g
		ev.line, ev.order = n, len(events)
		events = append(events, ev)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !sawHdr || len(events) == 0 {
		return nil, errors.New("no event table found")
	}
	return events, checkTable(events)
}

func splitRow(line string) []string {
	line = strings.TrimPrefix(line, "|")
	line = strings.TrimSuffix(line, "|")
	cells := strings.Split(line, "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

func isSeparator(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, ":-") != "" || c == "" {
			return false
		}
	}
	return true
}

// parseRow parses the cells of one event row. group is the first column of
// the last bold row; the returned group is the one that applies afterwards.
func parseRow(cells []string, group string) (*event, string, error) {
	if len(cells) != 6 {
		return nil, group, fmt.Errorf("row has %d columns, want 6", len(cells))
	}
	if cells[0] != "" {
		m := reBold.FindStringSubmatch(cells[0])
		if m == nil {
			return nil, group, fmt.Errorf("first column %q is neither empty nor **bold**", cells[0])
		}
		group = strings.TrimSpace(m[1])
	}
	if group == "" {
		return nil, group, errors.New("continuation row without a preceding **bold** syscall row")
	}

	m := reEnum.FindStringSubmatch(cells[1])
	if m == nil {
		return nil, group, fmt.Errorf("bad enum %q", cells[1])
	}
	name, err := eventName(group, m[1])
	if err != nil {
		return nil, group, err
	}
	ev, err := newEvent(cells[2], m[1], name, cells[3], cells[4], cells[5])
	return ev, group, err
}

// newEvent checks and converts the id, enum, name, dir, status and
// parameter columns of one row, from events.md or extra.tsv. enum is the
// bare PPME_ name without prefix.
func newEvent(idCol, enum, name, dir, status, params string) (*event, error) {
	m := reBareEnum.FindStringSubmatch(enum)
	if m == nil {
		return nil, fmt.Errorf("bad enum %q", enum)
	}
	ev := &event{enum: enum}
	enumExit := m[1] == "X"
	if !reName.MatchString(name) {
		return nil, fmt.Errorf("bad syscall name %q", name)
	}
	ev.name = name

	id, err := strconv.Atoi(idCol)
	if err != nil || id < 0 || id > 0xffff {
		return nil, fmt.Errorf("bad id %q", idCol)
	}
	ev.id = id

	switch dir {
	case ">":
	case "<":
		ev.exit = true
	default:
		return nil, fmt.Errorf("bad dir %q", dir)
	}
	if ev.exit != (id&1 == 1) {
		return nil, fmt.Errorf("id %d: parity disagrees with dir %q", id, dir)
	}
	if ev.exit != enumExit {
		return nil, fmt.Errorf("enum %s: suffix disagrees with dir %q", ev.enum, dir)
	}

	st, ok := statuses[status]
	if !ok {
		return nil, fmt.Errorf("unknown status %q", status)
	}
	ev.status = st

	ev.params, err = parseParams(params)
	if err != nil {
		return nil, fmt.Errorf("%s (%d): %w", ev.enum, id, err)
	}
	return ev, nil
}

// parseExtra reads extra.tsv: one event per line, six TAB-separated
// columns id, enum, name, dir, status, parameters; # comments and blank lines
// are skipped.
func parseExtra(src []byte) ([]*event, error) {
	var events []*event
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		cells := strings.Split(line, "\t")
		if len(cells) != 6 {
			return nil, fmt.Errorf("line %d: %d TAB-separated columns, want 6", n, len(cells))
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		ev, err := newEvent(cells[0], cells[1], cells[2], cells[3], cells[4], cells[5])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		ev.line = n
		events = append(events, ev)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, errors.New("no event rows")
	}
	return events, checkTable(events)
}

// checkDisjoint fails when an extra.tsv row repeats an id or an enum of
// events.md: events.md wins on conflict, so the extra row must be removed
// (or events.md fixed) rather than silently dropped.
func checkDisjoint(md, extra []*event) error {
	byID := map[int]*event{}
	byEnum := map[string]*event{}
	for _, ev := range md {
		byID[ev.id], byEnum[ev.enum] = ev, ev
	}
	for _, ev := range extra {
		if o := byID[ev.id]; o != nil {
			return fmt.Errorf("line %d: id %d (%s) is already in events.md line %d (%s); events.md wins, remove the extra row",
				ev.line, ev.id, ev.enum, o.line, o.enum)
		}
		if o := byEnum[ev.enum]; o != nil {
			return fmt.Errorf("line %d: enum %s is already in events.md line %d (id %d); events.md wins, remove the extra row",
				ev.line, ev.enum, o.line, o.id)
		}
	}
	return nil
}

// eventName derives the evt.type name from the bold first column and the
// enum of the row.
func eventName(group, enum string) (string, error) {
	// "syscall (generic)" -> "syscall": drop a trailing parenthetical.
	if i := strings.Index(group, " ("); i > 0 && strings.HasSuffix(group, ")") {
		group = group[:i]
	}
	if !strings.Contains(group, "/") {
		if !reName.MatchString(group) {
			return "", fmt.Errorf("bad syscall name %q", group)
		}
		return group, nil
	}
	// "useradded / userdeleted": the enum picks the alternative,
	// USER_ADDED_E -> useradded.
	base := enum[:len(enum)-2] // drop _E / _X
	want := strings.ToLower(strings.ReplaceAll(base, "_", ""))
	for alt := range strings.SplitSeq(group, "/") {
		if strings.TrimSpace(alt) == want {
			return want, nil
		}
	}
	return "", fmt.Errorf("enum %s matches none of %q", enum, group)
}

func parseParams(s string) ([]param, error) {
	if s == noParams {
		return nil, nil
	}
	if s == "" {
		return nil, errors.New("empty parameter column (use " + noParams + " for none)")
	}
	var ps []param
	seen := map[string]bool{}
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		m := reParam.FindStringSubmatch(f)
		if m == nil {
			return nil, fmt.Errorf("cannot parse parameter %q", f)
		}
		p := param{name: m[1], table: m[4], dirfd: -1}
		typ, ok := paramTypes[m[2]]
		if !ok {
			return nil, fmt.Errorf("parameter %q: unknown type %s", f, m[2])
		}
		p.typ = typ
		switch {
		case typ == "PTFSRelPath" && m[3] == "":
			return nil, fmt.Errorf("parameter %q: FSRELPATH without (dirfd)", f)
		case typ != "PTFSRelPath" && m[3] != "":
			return nil, fmt.Errorf("parameter %q: only FSRELPATH takes (dirfd)", f)
		case p.table != "" && !tableTypes[typ]:
			return nil, fmt.Errorf("parameter %q: type %s takes no [table]", f, m[2])
		}
		p.relRef = m[3]
		if seen[p.name] {
			return nil, fmt.Errorf("duplicate parameter name %q", p.name)
		}
		seen[p.name] = true
		ps = append(ps, p)
	}
	for i := range ps {
		if ps[i].relRef == "" {
			continue
		}
		k := resolveDirFD(ps, i)
		if k < 0 {
			return nil, fmt.Errorf("parameter %s: cannot resolve FSRELPATH(%s) to an FD parameter", ps[i].name, ps[i].relRef)
		}
		ps[i].dirfd = k
	}
	return ps, nil
}

// resolveDirFD finds the FD parameter an FSRELPATH parameter is relative
// to. events.md writes FSRELPATH(dirfd) even where the parameter has another
// name (symlinkat's linkdirfd, renameat's olddirfd/newdirfd, linkat's
// olddir/newdir). Tried in order:
//  1. the FD parameter with exactly the referenced name;
//  2. the nearest preceding FD parameter whose name ends in the referenced
//     name ("linkdirfd", "olddirfd" for "dirfd");
//  3. the nearest preceding FD parameter whose name starts with the
//     referenced name minus its "fd" suffix, with an old/new/link prefix
//     ("olddir", "newdir" for "dirfd").
//
// It returns -1 when none matches.
func resolveDirFD(ps []param, i int) int {
	ref := ps[i].relRef
	for k := range ps {
		if ps[k].name == ref && ps[k].typ == "PTFD" {
			return k
		}
	}
	for k := i - 1; k >= 0; k-- {
		if ps[k].typ == "PTFD" && strings.HasSuffix(ps[k].name, ref) {
			return k
		}
	}
	stem := strings.TrimSuffix(ref, "fd")
	for k := i - 1; k >= 0; k-- {
		if ps[k].typ != "PTFD" {
			continue
		}
		for _, pre := range []string{"old", "new", "link"} {
			if ps[k].name == pre+stem {
				return k
			}
		}
	}
	return -1
}

// checkTable enforces table-wide invariants.
func checkTable(events []*event) error {
	byID := map[int]*event{}
	byEnum := map[string]*event{}
	for _, ev := range events {
		if o := byID[ev.id]; o != nil {
			return fmt.Errorf("line %d: id %d already used on line %d", ev.line, ev.id, o.line)
		}
		if o := byEnum[ev.enum]; o != nil {
			return fmt.Errorf("line %d: enum %s already used on line %d", ev.line, ev.enum, o.line)
		}
		byID[ev.id], byEnum[ev.enum] = ev, ev
	}
	return nil
}

// ---------------------------------------------------------------------------
// Flags

// The flag rules. Neither events.md nor extra.tsv lists EF_* flags per
// event, so they are derived here from the event name, direction, status and
// parameters:
//
//   - EFOldVersion: status "old".
//   - EFCreatesFD: exit events of the fd-creating syscalls (fdCreating, the
//     "add fd" / "copy fd entry" rows of events.md's State effects table;
//     "eventfd(2)" there names both eventfd and eventfd2, likewise
//     signalfd(4), inotify_init(1) and epoll_create(1)).
//   - EFDestroysFD: every close event.
//   - EFUsesFD: events with an FD-typed parameter named in fdParamNames,
//     not counting parameter 0 of an EFCreatesFD event (that is the new fd,
//     the call's result, not an fd it uses), plus every close event. So
//     open/socket/accept exits (fd = result) do not get it, while dup*
//     exits (oldfd) and fcntl exits (fd) do, as in libs.
//   - EFReadsFromFD / EFWritesToFD: every event of the syscalls in
//     readSyscalls / writeSyscalls.
//   - EFModifiesState: the rows of the State effects table, which lists exit
//     events unless noted: exit events of the syscalls in stateSyscalls;
//     exit events of the socket I/O syscalls (readSyscalls, writeSyscalls)
//     that carry a SOCKTUPLE ("sendto/recvfrom/… with tuple"); and, for the
//     tracepoint and meta events in stateSyscalls that have no exit layout
//     at all (procexit, switch, useradded, container, asyncevent, …), their
//     enter events.
//   - EFLargePayload: only the events whose parameter lengths are u32 on the
//     wire. scap-format.md §6.3 lists them: pluginevent 322, container
//     JSON_2 324 and asyncevent 402, i.e. the current layouts of
//     largePayload; libs' event_table.c sets EF_LARGE_PAYLOAD on exactly
//     these three. (execve/clone exits and the older container layouts use
//     u16 lengths; flagging them would make a reader misparse them.)
//
// The rules are the same for the rows of extra.tsv, so they can disagree
// with libs' own EF_* bits there (libs sets EF_MODIFIES_STATE on the
// iterator events task/task_file_*, which the State effects table does not
// list, and EF_USES_FD only where libsinsp looks an fd up). Names absent from
// the table are harmless; checkStateSection verifies that every name used
// here does occur in the State effects section, so the lists cannot silently
// drift from it.

var fdCreating = set(
	"open", "creat", "openat", "openat2", "open_by_handle_at", "memfd_create",
	"socket", "socketpair", "accept", "accept4",
	"pipe", "pipe2", "dup", "dup2", "dup3", "fcntl",
	"pidfd_open", "pidfd_getfd", "bpf", "userfaultfd", "io_uring_setup",
	"eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create",
	"inotify_init", "inotify_init1", "epoll_create", "epoll_create1",
)

var fdParamNames = set("fd", "in_fd", "out_fd", "fd_in", "fd_out", "fdin", "fdout", "oldfd")

var readSyscalls = set("read", "pread64", "readv", "preadv", "recvfrom", "recv", "recvmsg", "recvmmsg")

var writeSyscalls = set("write", "pwrite64", "writev", "pwritev", "sendto", "send", "sendmsg", "sendmmsg")

var stateSyscalls = set(
	"open", "creat", "openat", "openat2", "open_by_handle_at",
	"socket", "socketpair", "accept", "accept4",
	"bind", "connect",
	"pipe", "pipe2", "eventfd", "eventfd2", "signalfd", "signalfd4",
	"timerfd_create", "inotify_init", "inotify_init1", "epoll_create",
	"epoll_create1", "bpf", "userfaultfd", "io_uring_setup", "memfd_create",
	"pidfd_open", "pidfd_getfd",
	"dup", "dup2", "dup3", "fcntl",
	"close", "close_range",
	"clone", "clone3", "fork", "vfork",
	"execve", "execveat",
	"procexit",
	"chdir", "fchdir", "getcwd",
	"chroot",
	"setuid", "setgid", "setresuid", "setresgid", "setreuid", "setregid", "capset",
	"setsid", "setpgid",
	"unshare", "setns",
	"brk", "mmap", "mmap2", "munmap", "switch",
	"getrlimit", "setrlimit", "prlimit",
	"useradded", "userdeleted", "groupadded", "groupdeleted",
	"container", "asyncevent",
)

var largePayload = set("pluginevent", "container", "asyncevent")

// flagOrder is the declaration order of the EF* constants in types.go.
var flagOrder = []string{
	"EFCreatesFD", "EFDestroysFD", "EFUsesFD", "EFReadsFromFD",
	"EFWritesToFD", "EFModifiesState", "EFLargePayload", "EFOldVersion",
}

// deriveFlags applies the rules above to one event. hasExit reports
// whether a name has any exit layout.
func deriveFlags(ev *event, hasExit map[string]bool) []string {
	f := map[string]bool{}
	hasTuple := func(p *param) bool { return p.typ == "PTSockTuple" }

	f["EFOldVersion"] = ev.status == "StatusOld"
	f["EFCreatesFD"] = ev.exit && fdCreating[ev.name]
	f["EFDestroysFD"] = ev.name == "close"
	usesFD := false
	for i, p := range ev.params {
		if p.typ == "PTFD" && fdParamNames[p.name] && !(i == 0 && f["EFCreatesFD"]) {
			usesFD = true
		}
	}
	f["EFUsesFD"] = ev.name == "close" || usesFD
	f["EFReadsFromFD"] = readSyscalls[ev.name]
	f["EFWritesToFD"] = writeSyscalls[ev.name]
	f["EFModifiesState"] = (ev.exit && stateSyscalls[ev.name]) ||
		(ev.exit && (readSyscalls[ev.name] || writeSyscalls[ev.name]) && ev.hasParam(hasTuple)) ||
		(!hasExit[ev.name] && stateSyscalls[ev.name])
	f["EFLargePayload"] = largePayload[ev.name] && ev.status == "StatusCurrent"

	var out []string
	for _, name := range flagOrder {
		if f[name] {
			out = append(out, name)
		}
	}
	return out
}

func deriveAllFlags(events []*event) {
	hasExit := map[string]bool{}
	for _, ev := range events {
		if ev.exit {
			hasExit[ev.name] = true
		}
	}
	for _, ev := range events {
		ev.flags = deriveFlags(ev, hasExit)
	}
}

// checkStateSection verifies that every syscall name the fd-creation and
// state rules use occurs as a word in events.md's "State effects" section.
// A word followed by a lower-case parenthetical suffix stands for both
// spellings: "eventfd(2)" is eventfd and eventfd2, "epoll_create(1)" is
// epoll_create and epoll_create1.
func checkStateSection(src []byte) error {
	text := string(src)
	start := strings.Index(text, "## State effects")
	if start < 0 {
		return errors.New(`no "## State effects" section`)
	}
	sec := text[start+2:]
	if end := strings.Index(sec, "\n## "); end >= 0 {
		sec = sec[:end]
	}
	words := map[string]bool{}
	for _, w := range regexp.MustCompile(`[a-z][a-z0-9_]*`).FindAllString(sec, -1) {
		words[w] = true
	}
	for _, m := range regexp.MustCompile(`([a-z][a-z0-9_]*)\(([a-z0-9_]+)\)`).FindAllStringSubmatch(sec, -1) {
		words[m[1]+m[2]] = true
	}
	var missing []string
	for _, s := range []map[string]bool{fdCreating, stateSyscalls} {
		for name := range s {
			if !words[name] {
				missing = append(missing, name)
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("State effects section does not mention %s", strings.Join(slices.Compact(missing), ", "))
	}
	return nil
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// ---------------------------------------------------------------------------
// Output

var statusRank = map[string]int{"StatusCurrent": 0, "StatusTOCTOU": 1, "StatusOld": 2}

func generate(events []*event) ([]byte, error) {
	rows := slices.Clone(events)
	slices.SortFunc(rows, func(a, b *event) int { return a.id - b.id })

	var b bytes.Buffer
	b.WriteString("// Code generated by gentable from events.md and extra.tsv; DO NOT EDIT.\n\n")
	b.WriteString("package event\n\n")

	fmt.Fprintf(&b, "// table holds the %d event layouts of events.md and extra.tsv, sorted by Type.\n", len(rows))
	b.WriteString("var table = [...]Info{\n")
	for _, ev := range rows {
		status := ev.status
		flags := "0"
		if len(ev.flags) > 0 {
			flags = strings.Join(ev.flags, " | ")
		}
		fmt.Fprintf(&b, "\t{Type: %d, Enum: %q, Name: %q, Status: %s, Flags: %s", ev.id, ev.enum, ev.name, status, flags)
		if len(ev.params) == 0 {
			b.WriteString("},\n")
			continue
		}
		b.WriteString(", Params: []ParamInfo{\n")
		for _, p := range ev.params {
			fmt.Fprintf(&b, "\t\t{Name: %q, Type: %s", p.name, p.typ)
			if p.table != "" {
				fmt.Fprintf(&b, ", Table: %q", p.table)
			}
			fmt.Fprintf(&b, ", DirFD: %d},\n", p.dirfd)
		}
		b.WriteString("\t}},\n")
	}
	b.WriteString("}\n\n")

	b.WriteString("// tableIndex maps a Type to 1 + its index in table; 0 means unknown.\n")
	b.WriteString("var tableIndex = [MaxType]uint16{\n")
	for i, ev := range rows {
		fmt.Fprintf(&b, "\t%d: %d,\n", ev.id, i+1)
	}
	b.WriteString("}\n\n")

	// Layouts per name: current, then TOCTOU, then old; events.md order,
	// then extra.tsv order, within a status.
	byName := map[string][]*event{}
	for _, ev := range events {
		byName[ev.name] = append(byName[ev.name], ev)
	}
	names := make([]string, 0, len(byName))
	for n, evs := range byName {
		names = append(names, n)
		slices.SortStableFunc(evs, func(a, b *event) int {
			if d := statusRank[a.status] - statusRank[b.status]; d != 0 {
				return d
			}
			return a.order - b.order
		})
	}
	slices.Sort(names)
	b.WriteString("// nameIndex lists the Types of each evt.type name: current layouts\n")
	b.WriteString("// first, then TOCTOU enter events, then old ones.\n")
	b.WriteString("var nameIndex = map[string][]Type{\n")
	for _, n := range names {
		ids := make([]string, len(byName[n]))
		for i, ev := range byName[n] {
			ids[i] = strconv.Itoa(ev.id)
		}
		fmt.Fprintf(&b, "\t%q: {%s},\n", n, strings.Join(ids, ", "))
	}
	b.WriteString("}\n")

	code, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting generated code: %w", err)
	}
	return code, nil
}
