package render

import (
	"os/exec"
	"strings"
	"testing"

	"forensics/event"
	"forensics/internal/scaptest"
)

// ptNames maps the type names `sysdig -L` prints to ours.
var ptNames = map[string]event.ParamType{"INT8": event.PTInt8, "INT16": event.PTInt16,
	"INT32": event.PTInt32, "INT64": event.PTInt64, "UINT8": event.PTUint8, "UINT16": event.PTUint16,
	"UINT32": event.PTUint32, "UINT64": event.PTUint64, "CHARBUF": event.PTCharBuf,
	"BYTEBUF": event.PTByteBuf, "ERRNO": event.PTErrno, "SOCKADDR": event.PTSockAddr,
	"SOCKTUPLE": event.PTSockTuple, "FD": event.PTFD, "PID": event.PTPID, "FDLIST": event.PTFDList,
	"FSPATH": event.PTFSPath, "SYSCALLID": event.PTSyscallID, "SIGTYPE": event.PTSigType,
	"RELTIME": event.PTRelTime, "ABSTIME": event.PTAbsTime, "DYNAMIC": event.PTDyn,
	"FLAGS8": event.PTFlags8, "FLAGS16": event.PTFlags16, "FLAGS32": event.PTFlags32,
	"UID": event.PTUID, "GID": event.PTGID, "SIGSET": event.PTSigSet, "MODE": event.PTMode,
	"FSRELPATH": event.PTFSRelPath}

// sameRendering reports whether a parameter of type a (0.29.3) prints as
// one of type b (ours, after the overrides) does.
func sameRendering(a, b event.ParamType, table string) bool {
	if a == b {
		return true
	}
	flagWidth := map[event.ParamType]int{event.PTFlags8: 1, event.PTFlags16: 2, event.PTFlags32: 4,
		event.PTEnumFlags8: 1, event.PTEnumFlags16: 2, event.PTEnumFlags32: 4}
	if wa, ok := flagWidth[a]; ok {
		if wb, ok := flagWidth[b]; ok && wa == wb {
			return true // 0.29.3 has no ENUMFLAGS; both walk the table
		}
		// FLAGS without a table print as the unsigned number.
		if table == "" && (b == event.PTUint8 && wa == 1 || b == event.PTUint32 && wa == 4) {
			return true
		}
	}
	return false
}

// TestLayoutsMatchSysdig checks our event layouts, with the 0.29.3
// overrides of data/params.tsv and data/events.tsv, against the event
// table sysdig 0.29.3 lists with -L (name, direction, parameter names and
// types of every event it does not mark old). An event of the list is
// matched to the next of our types, in id order, with the same name,
// direction and leading parameter names.
func TestLayoutsMatchSysdig(t *testing.T) {
	sysdig := scaptest.Sysdig(t)
	out, err := exec.Command(sysdig, "-L").Output()
	if err != nil {
		t.Fatal(err)
	}
	next := event.Type(0)
	matched := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		open := strings.IndexByte(line, '(')
		if len(line) < 3 || open < 0 {
			continue
		}
		dir, name := line[0], line[2:open]
		var ps [][2]string // type, name
		if args := strings.TrimSuffix(line[open+1:], ")"); args != "" {
			for _, a := range strings.Split(args, ", ") {
				sp := strings.IndexByte(a, ' ')
				ps = append(ps, [2]string{a[:sp], a[sp+1:]})
			}
		}
		if name == "tracer" || name == "pluginevent" {
			continue // not in our table's forensic layouts
		}
		found := false
		for id := next; id < MaxType0293; id++ {
			info := event.Lookup(id)
			if info == nil || info.Dir().String() != string(dir) {
				continue
			}
			ev := &event.Event{Type: id}
			if typeName(id) != name || len(info.Params) < len(ps) {
				continue
			}
			ok := true
			descs := make([]paramDesc, len(ps))
			for i := range ps {
				descs[i] = describe(ev, info, i)
				if descs[i].name != ps[i][1] {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			for i := range ps {
				pt, known := ptNames[ps[i][0]]
				if !known {
					t.Errorf("%s: unknown type %s", line, ps[i][0])
					continue
				}
				if !sameRendering(pt, descs[i].typ, descs[i].table) {
					t.Errorf("type %d %s %c param %s: 0.29.3 has %s, we render as type %d",
						id, name, dir, ps[i][1], ps[i][0], descs[i].typ)
				}
			}
			next, found = id+1, true
			matched++
			break
		}
		if !found {
			t.Errorf("no event of our table matches 0.29.3's %q", line)
		}
	}
	if matched < 200 {
		t.Errorf("only %d events of sysdig -L matched", matched)
	}
}
