package event

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"forensics/internal/testenv"
)

// needEventsMD reads the reference the table is generated from; it skips
// the test when ../shared is absent, and fails under FORENSICS_CI=1.
func needEventsMD(t *testing.T) ([]byte, string) {
	t.Helper()
	path := testenv.Shared(t, "reference/events.md")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return src, path
}

func TestLayouts(t *testing.T) {
	tests := []struct {
		typ     Type
		enum    string
		name    string
		status  Status
		nparams int
	}{
		{0, "GENERIC_E", "syscall", StatusOld, 2},
		{1, "GENERIC_X", "syscall", StatusCurrent, 2},
		{2, "SYSCALL_OPEN_E", "open", StatusTOCTOU, 3},
		{5, "SYSCALL_CLOSE_X", "close", StatusCurrent, 2},
		{26, "SOCKET_ACCEPT_E", "accept", StatusOld, 0},
		{186, "PROCEXIT_1_E", "procexit", StatusCurrent, 5},
		{293, "SYSCALL_EXECVE_19_X", "execve", StatusCurrent, 31},
		{307, "SYSCALL_OPENAT_2_X", "openat", StatusCurrent, 7},
		{331, "SYSCALL_EXECVEAT_X", "execveat", StatusCurrent, 30},
		{354, "USER_ADDED_E", "useradded", StatusCurrent, 6},
		{356, "USER_DELETED_E", "userdeleted", StatusCurrent, 6},
		{358, "GROUP_ADDED_E", "groupadded", StatusCurrent, 3},
		{360, "GROUP_DELETED_E", "groupdeleted", StatusCurrent, 3},
		{451, "SYSCALL_CLOSE_RANGE_X", "close_range", StatusCurrent, 4},
	}
	for _, tt := range tests {
		info := Lookup(tt.typ)
		if info == nil {
			t.Errorf("Lookup(%d) = nil", tt.typ)
			continue
		}
		if info.Type != tt.typ || info.Enum != tt.enum || info.Name != tt.name || info.Status != tt.status || len(info.Params) != tt.nparams {
			t.Errorf("Lookup(%d) = {%d %s %s status %d, %d params}, want {%d %s %s status %d, %d params}",
				tt.typ, info.Type, info.Enum, info.Name, info.Status, len(info.Params),
				tt.typ, tt.enum, tt.name, tt.status, tt.nparams)
		}
		if tt.typ.Info() != info {
			t.Errorf("Type(%d).Info() != Lookup(%d)", tt.typ, tt.typ)
		}
		if got := tt.typ.String(); got != tt.name {
			t.Errorf("Type(%d).String() = %q, want %q", tt.typ, got, tt.name)
		}
	}
}

func TestUnknownTypes(t *testing.T) {
	// 17, 147 and 449 are unused ("NA") odd twins of enter-only events.
	for _, typ := range []Type{17, 147, 449, MaxType, MaxType + 1, 0xffff} {
		if info := Lookup(typ); info != nil {
			t.Errorf("Lookup(%d) = %s, want nil", typ, info.Enum)
		}
	}
	if got := Type(17).String(); got != "type(17)" {
		t.Errorf("Type(17).String() = %q", got)
	}
	if got := ByName("no_such_event"); got != nil {
		t.Errorf("ByName(unknown) = %v, want nil", got)
	}
}

func TestParams(t *testing.T) {
	tests := []struct {
		typ   Type
		index int
		want  ParamInfo
	}{
		{307, 0, ParamInfo{Name: "fd", Type: PTFD, DirFD: -1}},
		{307, 1, ParamInfo{Name: "dirfd", Type: PTFD, DirFD: -1}},
		{307, 2, ParamInfo{Name: "name", Type: PTFSRelPath, DirFD: 1}},
		{307, 3, ParamInfo{Name: "flags", Type: PTFlags32, Table: "file_flags", DirFD: -1}},
		{306, 1, ParamInfo{Name: "name", Type: PTFSRelPath, DirFD: 0}},
		{102, 1, ParamInfo{Name: "name", Type: PTCharBuf, DirFD: -1}},
		// FSRELPATH(dirfd) where the dirfd parameter has another name.
		{181, 3, ParamInfo{Name: "linkpath", Type: PTFSRelPath, DirFD: 2}}, // symlinkat: linkdirfd
		{177, 2, ParamInfo{Name: "oldpath", Type: PTFSRelPath, DirFD: 1}},  // renameat: olddirfd
		{177, 4, ParamInfo{Name: "newpath", Type: PTFSRelPath, DirFD: 3}},  // renameat: newdirfd
		{319, 4, ParamInfo{Name: "newpath", Type: PTFSRelPath, DirFD: 3}},  // renameat2: newdirfd
		{311, 2, ParamInfo{Name: "oldpath", Type: PTFSRelPath, DirFD: 1}},  // linkat: olddir
		{311, 4, ParamInfo{Name: "newpath", Type: PTFSRelPath, DirFD: 3}},  // linkat: newdir
		{293, 30, ParamInfo{Name: "filename", Type: PTFSPath, DirFD: -1}},  // execve
		{315, 2, ParamInfo{Name: "mode", Type: PTMode, Table: "chmod_mode", DirFD: -1}},
		{45, 4, ParamInfo{Name: "val", Type: PTDyn, Table: "sockopt_dynamic_param", DirFD: -1}},
		{151, 2, ParamInfo{Name: "cmd", Type: PTEnumFlags8, Table: "fcntl_commands", DirFD: -1}},
		{0, 0, ParamInfo{Name: "ID", Type: PTSyscallID, DirFD: -1}},
		{186, 2, ParamInfo{Name: "sig", Type: PTSigType, DirFD: -1}},
		// Rows of extra.tsv.
		{36, 1, ParamInfo{Name: "how", Type: PTEnumFlags8, Table: "shutdown_how", DirFD: -1}},
		{65, 2, ParamInfo{Name: "op", Type: PTFlags16, Table: "futex_operations", DirFD: -1}},
		{419, 2, ParamInfo{Name: "path", Type: PTFSRelPath, DirFD: 1}}, // newfstatat
		{430, 0, ParamInfo{Name: "ppid", Type: PTPID32, DirFD: -1}},
		{432, 4, ParamInfo{Name: "local_port", Type: PTPort, DirFD: -1}},
		{434, 3, ParamInfo{Name: "local_ip", Type: PTIPv6Addr, DirFD: -1}},
		{436, 0, ParamInfo{Name: "fd", Type: PTFD32, DirFD: -1}},
		{268, 1, ParamInfo{Name: "tags", Type: PTCharBufArr, DirFD: -1}},
		{268, 2, ParamInfo{Name: "args", Type: PTCharBufPairArr, DirFD: -1}},
		{453, 1, ParamInfo{Name: "operation", Type: PTEnumFlags32, Table: "keyctl_operations", DirFD: -1}},
		{191, 8, ParamInfo{Name: "dqb_btime", Type: PTRelTime, DirFD: -1}}, // quotactl
	}
	for _, tt := range tests {
		info := Lookup(tt.typ)
		if info == nil || tt.index >= len(info.Params) {
			t.Errorf("type %d: no parameter %d", tt.typ, tt.index)
			continue
		}
		if got := info.Params[tt.index]; got != tt.want {
			t.Errorf("%s param %d = %+v, want %+v", info.Enum, tt.index, got, tt.want)
		}
		if got := info.Param(tt.want.Name); got != tt.index {
			t.Errorf("%s.Param(%q) = %d, want %d", info.Enum, tt.want.Name, got, tt.index)
		}
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		typ       Type
		want, not EventFlags
	}{
		{5, EFDestroysFD | EFUsesFD, EFCreatesFD | EFOldVersion},
		{4, EFDestroysFD | EFUsesFD | EFOldVersion, EFCreatesFD},
		{3, EFCreatesFD | EFModifiesState, EFUsesFD},
		{307, EFCreatesFD | EFModifiesState, EFUsesFD | EFOldVersion},
		{306, 0, EFCreatesFD | EFOldVersion},
		{103, EFCreatesFD | EFOldVersion, 0},
		{367, EFCreatesFD | EFUsesFD, 0}, // dup: res is the new fd, oldfd is used
		{151, EFCreatesFD | EFUsesFD, 0}, // fcntl
		{247, EFCreatesFD, EFUsesFD},     // accept
		{7, EFUsesFD | EFReadsFromFD, EFWritesToFD | EFModifiesState},
		{6, EFUsesFD | EFReadsFromFD | EFOldVersion, 0},
		{9, EFUsesFD | EFWritesToFD, EFReadsFromFD},
		{35, EFUsesFD | EFReadsFromFD | EFModifiesState, 0}, // recvfrom with tuple
		{31, EFUsesFD | EFWritesToFD | EFModifiesState, 0},  // sendto with tuple
		{189, EFUsesFD, EFReadsFromFD | EFWritesToFD},       // sendfile: in_fd/out_fd
		{167, EFUsesFD, 0},                                  // splice: fd_in/fd_out
		{333, EFUsesFD, 0},                                  // copy_file_range: fdin/fdout
		{293, EFModifiesState, EFLargePayload | EFOldVersion},
		{223, EFModifiesState, EFLargePayload},
		{186, EFModifiesState, 0}, // procexit (enter)
		{152, EFModifiesState, 0}, // switch
		{354, EFModifiesState, 0}, // useradded
		{451, EFModifiesState, EFDestroysFD},
		{25, EFUsesFD, EFModifiesState}, // listen
		{322, EFLargePayload, 0},
		{324, EFLargePayload | EFModifiesState, 0},
		{402, EFLargePayload | EFModifiesState, 0},
		{272, EFOldVersion, EFLargePayload},
		{1, 0, EFOldVersion},
		// Rows of extra.tsv.
		{63, EFCreatesFD | EFModifiesState, EFUsesFD | EFOldVersion},  // eventfd
		{62, EFOldVersion, EFCreatesFD},                               // eventfd enter
		{397, EFCreatesFD | EFModifiesState, EFUsesFD},                // eventfd2
		{399, EFCreatesFD | EFModifiesState | EFUsesFD, 0},            // signalfd4: res new fd, fd used
		{137, EFCreatesFD | EFModifiesState, EFUsesFD},                // timerfd_create
		{139, EFCreatesFD | EFModifiesState, 0},                       // inotify_init
		{395, EFCreatesFD | EFModifiesState, 0},                       // inotify_init1
		{375, EFCreatesFD | EFModifiesState, 0},                       // epoll_create
		{377, EFCreatesFD | EFModifiesState, 0},                       // epoll_create1
		{71, EFUsesFD, EFCreatesFD | EFModifiesState | EFOldVersion},  // fstat
		{11, EFOldVersion, 0},                                         // brk_1 exit
		{85, EFOldVersion, 0},                                         // newselect exit
		{159, EFModifiesState, EFOldVersion},                          // brk_4 exit
		{28, EFUsesFD | EFWritesToFD | EFOldVersion, EFModifiesState}, // send enter
		{36, EFUsesFD | EFOldVersion, EFModifiesState},                // shutdown enter
		{430, 0, EFModifiesState | EFLargePayload},                    // iterator task: not in State effects
		{453, 0, EFOldVersion | EFModifiesState},                      // keyctl
	}
	for _, tt := range tests {
		info := Lookup(tt.typ)
		if info == nil {
			t.Errorf("Lookup(%d) = nil", tt.typ)
			continue
		}
		if info.Flags&tt.want != tt.want || info.Flags&tt.not != 0 {
			t.Errorf("%s (%d) flags = %#x, want %#x set and %#x clear", info.Enum, tt.typ, info.Flags, tt.want, tt.not)
		}
	}
}

func TestTableInvariants(t *testing.T) {
	all := All()
	if len(all) == 0 {
		t.Fatal("All() is empty")
	}
	seen := map[Type]bool{}
	enums := map[string]bool{}
	large := 0
	for i, info := range all {
		if i > 0 && all[i-1].Type >= info.Type {
			t.Errorf("All() not sorted by Type: %d before %d", all[i-1].Type, info.Type)
		}
		if seen[info.Type] {
			t.Errorf("duplicate Type %d", info.Type)
		}
		seen[info.Type] = true
		if enums[info.Enum] {
			t.Errorf("duplicate enum %s", info.Enum)
		}
		enums[info.Enum] = true
		if info.Type >= MaxType {
			t.Errorf("%s: Type %d >= MaxType", info.Enum, info.Type)
		}
		if Lookup(info.Type) != info {
			t.Errorf("Lookup(%d) does not return All()'s entry", info.Type)
		}
		if info.Name == "" || info.Enum == "" {
			t.Errorf("Type %d: empty name or enum", info.Type)
		}
		// The enum suffix is the dir column: _E enter (even), _X exit (odd).
		wantDir := DirEnter
		if strings.HasSuffix(info.Enum, "_X") {
			wantDir = DirExit
		} else if !strings.HasSuffix(info.Enum, "_E") {
			t.Errorf("%s: enum lacks an _E/_X suffix", info.Enum)
		}
		if info.Dir() != wantDir {
			t.Errorf("%s: Type %d has dir %s", info.Enum, info.Type, info.Dir())
		}
		if (info.Status == StatusOld) != (info.Flags&EFOldVersion != 0) {
			t.Errorf("%s: status %d but flags %#x", info.Enum, info.Status, info.Flags)
		}
		if info.Status == StatusTOCTOU && info.Dir() != DirEnter {
			t.Errorf("%s: TOCTOU status on an exit event", info.Enum)
		}
		if info.Flags&EFLargePayload != 0 {
			large++
		}
		found := false
		for _, b := range ByName(info.Name) {
			found = found || b == info
		}
		if !found {
			t.Errorf("ByName(%q) lacks %s", info.Name, info.Enum)
		}
		names := map[string]bool{}
		for k, p := range info.Params {
			if p.Name == "" {
				t.Errorf("%s: param %d has no name", info.Enum, k)
			}
			if names[p.Name] {
				t.Errorf("%s: duplicate param %q", info.Enum, p.Name)
			}
			names[p.Name] = true
			if p.Type == PTNone || p.Type > PTPID32 {
				t.Errorf("%s.%s: bad type %d", info.Enum, p.Name, p.Type)
			}
			if p.Type == PTFSRelPath {
				if p.DirFD < 0 || p.DirFD >= len(info.Params) || info.Params[p.DirFD].Type != PTFD {
					t.Errorf("%s.%s: DirFD %d is not an FD parameter", info.Enum, p.Name, p.DirFD)
				}
			} else if p.DirFD != -1 {
				t.Errorf("%s.%s: DirFD = %d on a %d parameter", info.Enum, p.Name, p.DirFD, p.Type)
			}
		}
	}
	if large != 3 {
		t.Errorf("%d EFLargePayload events, want 3 (322, 324, 402)", large)
	}
	// All() hands out a fresh slice.
	all[0] = nil
	if All()[0] == nil {
		t.Error("All() returns shared state")
	}
}

func TestByName(t *testing.T) {
	tests := []struct {
		name string
		want []Type
	}{
		// Old layouts: events.md's first, then extra.tsv's.
		{"execve", []Type{293, 292, 289, 283, 231, 215, 173, 155, 13, 12, 154, 172, 214, 230, 282, 288}},
		{"openat", []Type{307, 306, 102, 103}},
		{"accept", []Type{247, 246, 27, 26, 56, 248}},
		{"accept4", []Type{389, 388, 249, 57}},
		{"syscall", []Type{1, 0}},
		{"close_range", []Type{451, 450}},
		{"select", []Type{83, 82, 84, 85}},
		{"keyctl", []Type{453, 452}},
		{"container", []Type{324, 272, 228}},
	}
	for _, tt := range tests {
		got := ByName(tt.name)
		var types []Type
		for _, info := range got {
			types = append(types, info.Type)
		}
		if !equalTypes(types, tt.want) {
			t.Errorf("ByName(%q) = %v, want %v", tt.name, types, tt.want)
		}
	}
	got := ByName("execve")
	if len(got) == 0 || got[0].Status != StatusCurrent || got[0].Type != 293 {
		t.Fatalf("ByName(execve)[0] is not the current layout 293")
	}
	got[0] = nil
	if ByName("execve")[0] == nil {
		t.Error("ByName returns shared state")
	}
}

func equalTypes(a, b []Type) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAgainstReference checks the generated table row by row against the
// id, dir and parameter-count columns of events.md, independently of the
// generator.
func TestAgainstReference(t *testing.T) {
	src, _ := needEventsMD(t)
	row := regexp.MustCompile("^\\|[^|]*\\| `([A-Z0-9_]+)` \\| (\\d+) \\| ([<>]) \\|[^|]*\\| ([^|]*) \\|$")
	rows := 0
	for line := range strings.SplitSeq(string(src), "\n") {
		m := row.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		rows++
		id, _ := strconv.Atoi(m[2])
		info := Lookup(Type(id))
		if info == nil {
			t.Errorf("%s (%d): missing from the table", m[1], id)
			continue
		}
		if info.Enum != m[1] {
			t.Errorf("Lookup(%d).Enum = %s, want %s", id, info.Enum, m[1])
		}
		wantDir := DirEnter
		if m[3] == "<" {
			wantDir = DirExit
		}
		if info.Dir() != wantDir {
			t.Errorf("%s (%d): dir %s, events.md says %s", m[1], id, info.Dir(), m[3])
		}
		n := 0
		if p := strings.TrimSpace(m[4]); p != "—" {
			n = strings.Count(p, ",") + 1
		}
		if len(info.Params) != n {
			t.Errorf("%s (%d): %d params, events.md has %d", m[1], id, len(info.Params), n)
		}
	}
	if xrows := len(readExtra(t)); rows+xrows != len(All()) {
		t.Errorf("events.md has %d event rows and extra.tsv %d, the table %d", rows, xrows, len(All()))
	}
}

// TestGeneratedUpToDate re-runs the generator on both inputs, events.md and
// extra.tsv, and compares its output with table_gen.go.
func TestGeneratedUpToDate(t *testing.T) {
	_, eventsMD := needEventsMD(t)
	// The go command that runs this test, whatever PATH says.
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out := filepath.Join(t.TempDir(), "table_gen.go")
	cmd := exec.Command(goTool, "run", "./internal/gentable", "-in", eventsMD, "-extra", extraTSV, "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gentable failed: %v\n%s", err, msg)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("table_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, committed) {
		t.Errorf("table_gen.go is stale: run go generate in %s", "event")
	}
}

// extraTSV is the data file that completes events.md, relative to the event
// directory (the tests' working directory).
const extraTSV = "internal/gentable/extra.tsv"

// extraRow is one row of extra.tsv as the tests read it, independently of
// the generator.
type extraRow struct {
	line    int
	id      int
	enum    string
	name    string
	dir     string
	status  string
	nparams int
}

func readExtra(t *testing.T) []extraRow {
	t.Helper()
	src, err := os.ReadFile(extraTSV)
	if err != nil {
		t.Fatal(err)
	}
	var rows []extraRow
	for n, line := range strings.Split(string(src), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			t.Fatalf("%s:%d: %d columns", extraTSV, n+1, len(f))
		}
		id, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("%s:%d: bad id %q", extraTSV, n+1, f[0])
		}
		np := 0
		if f[5] != "—" {
			np = strings.Count(f[5], ",") + 1
		}
		rows = append(rows, extraRow{n + 1, id, f[1], f[2], f[3], f[4], np})
	}
	return rows
}

// TestAgainstExtra checks the generated table row by row against extra.tsv,
// the way TestAgainstReference does for events.md, and that the two files
// share no id.
func TestAgainstExtra(t *testing.T) {
	rows := readExtra(t)
	if len(rows) != 226 {
		t.Errorf("extra.tsv has %d rows, want 226", len(rows))
	}
	status := map[string]Status{"current": StatusCurrent, "old": StatusOld, "current (enter, TOCTOU)": StatusTOCTOU}
	for _, r := range rows {
		info := Lookup(Type(r.id))
		if info == nil {
			t.Errorf("extra.tsv:%d: %s (%d) missing from the table", r.line, r.enum, r.id)
			continue
		}
		wantDir := DirEnter
		if r.dir == "<" {
			wantDir = DirExit
		}
		if info.Enum != r.enum || info.Name != r.name || info.Dir() != wantDir ||
			info.Status != status[r.status] || len(info.Params) != r.nparams {
			t.Errorf("extra.tsv:%d: table has {%s %s %s status %d, %d params}, extra.tsv {%s %s %s %s, %d params}",
				r.line, info.Enum, info.Name, info.Dir(), info.Status, len(info.Params),
				r.enum, r.name, r.dir, r.status, r.nparams)
		}
	}
	if testenv.CI() || fileExists(filepath.Join("..", "..", "shared", "reference", "events.md")) {
		src, _ := needEventsMD(t)
		md := regexp.MustCompile("(?m)^\\|[^|]*\\| `[A-Z0-9_]+` \\| (\\d+) \\|")
		inMD := map[int]bool{}
		for _, m := range md.FindAllStringSubmatch(string(src), -1) {
			id, _ := strconv.Atoi(m[1])
			inMD[id] = true
		}
		for _, r := range rows {
			if inMD[r.id] {
				t.Errorf("extra.tsv:%d: id %d is also in events.md", r.line, r.id)
			}
		}
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// naTypes are the event codes below MaxType that libs leaves unused (name
// "NA", EF_UNUSED): the odd twins of tracepoint, meta and iterator events.
var naTypes = []Type{
	17, 147, 153, 187, 197, 229, 233, 235, 245, 261, 269, 271, 273, 281, 287,
	291, 323, 325, 355, 357, 359, 361, 403,
	431, 433, 435, 437, 439, 441, 443, 445, 447, 449,
}

// TestComplete checks that the table holds every code 0..MaxType-1 that
// libs defines, and nothing else.
func TestComplete(t *testing.T) {
	na := map[Type]bool{}
	for _, typ := range naTypes {
		na[typ] = true
	}
	for typ := Type(0); typ < MaxType; typ++ {
		info := Lookup(typ)
		switch {
		case na[typ] && info != nil:
			t.Errorf("Lookup(%d) = %s, want nil (unused in libs)", typ, info.Enum)
		case !na[typ] && info == nil:
			t.Errorf("Lookup(%d) = nil: libs defines it", typ)
		}
	}
	if want := int(MaxType) - len(naTypes); len(All()) != want || want != 421 {
		t.Errorf("table has %d rows, want %d (= %d codes - %d unused)", len(All()), want, MaxType, len(naTypes))
	}
	// Every exit event whose enter twin libs defines is a syscall pair: the
	// names match except for the old accept4 versions, which libs names
	// accept while events.md files the exits under accept4.
	for _, info := range All() {
		if info.Dir() != DirExit {
			continue
		}
		enter := Lookup(info.Type - 1)
		if enter == nil || enter.Name == info.Name {
			continue
		}
		if (info.Type == 57 || info.Type == 249) && enter.Name == "accept" {
			continue
		}
		t.Errorf("%s (%d) is %q, its enter twin %s %q", info.Enum, info.Type, info.Name, enter.Enum, enter.Name)
	}
}

// TestCorpusTypes checks the event types found in old sysdig captures of our
// corpus that events.md lacks: each must resolve, with the name sysdig
// prints.
func TestCorpusTypes(t *testing.T) {
	tests := []struct {
		typ     Type
		enum    string
		name    string
		nparams int
	}{
		{36, "SOCKET_SHUTDOWN_E", "shutdown", 2}, // 37 is SOCKET_SHUTDOWN_X, its exit
		{44, "SOCKET_SETSOCKOPT_E", "setsockopt", 0},
		{64, "SYSCALL_FUTEX_E", "futex", 3},
		{65, "SYSCALL_FUTEX_X", "futex", 4},
		{70, "SYSCALL_FSTAT_E", "fstat", 1},
		{71, "SYSCALL_FSTAT_X", "fstat", 2},
		{78, "SYSCALL_EPOLLWAIT_E", "epoll_wait", 1},
		{79, "SYSCALL_EPOLLWAIT_X", "epoll_wait", 2},
		{82, "SYSCALL_SELECT_E", "select", 0},
		{83, "SYSCALL_SELECT_X", "select", 1},
		{134, "SYSCALL_NANOSLEEP_E", "nanosleep", 1},
		{135, "SYSCALL_NANOSLEEP_X", "nanosleep", 2},
		{150, "SYSCALL_FCNTL_E", "fcntl", 2},
		{158, "SYSCALL_BRK_4_E", "brk", 1},
		{159, "SYSCALL_BRK_4_X", "brk", 5},
		{160, "SYSCALL_MMAP_E", "mmap", 6},
		{164, "SYSCALL_MUNMAP_E", "munmap", 2},
		{165, "SYSCALL_MUNMAP_X", "munmap", 6},
		{170, "SYSCALL_IOCTL_3_E", "ioctl", 3},
		{171, "SYSCALL_IOCTL_3_X", "ioctl", 4},
		{196, "SCAPEVENT_E", "scapevent", 2},
		{222, "SYSCALL_CLONE_20_E", "clone", 0},
		{248, "SOCKET_ACCEPT4_5_E", "accept", 1},
		{264, "SYSCALL_ACCESS_E", "access", 1},
		{265, "SYSCALL_ACCESS_X", "access", 3},
	}
	for _, tt := range tests {
		info := Lookup(tt.typ)
		if info == nil {
			t.Errorf("Lookup(%d) = nil, want %s", tt.typ, tt.enum)
			continue
		}
		if info.Enum != tt.enum || info.Name != tt.name || len(info.Params) != tt.nparams {
			t.Errorf("Lookup(%d) = {%s %s, %d params}, want {%s %s, %d params}",
				tt.typ, info.Enum, info.Name, len(info.Params), tt.enum, tt.name, tt.nparams)
		}
		if got := tt.typ.String(); got != tt.name {
			t.Errorf("Type(%d).String() = %q, want %q", tt.typ, got, tt.name)
		}
	}
	if info := Lookup(37); info == nil || info.Name != "shutdown" || info.Enum != "SOCKET_SHUTDOWN_X" {
		t.Errorf("Lookup(37) = %+v, want SOCKET_SHUTDOWN_X shutdown", info)
	}
}

// TestGeneratorRejectsDuplicates runs the generator with an extra.tsv that
// repeats an events.md row: it must fail and write nothing.
func TestGeneratorRejectsDuplicates(t *testing.T) {
	_, eventsMD := needEventsMD(t)
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	for _, tc := range []struct{ name, row, msg string }{
		{"id", "37\tSOCKET_SHUTDOWN_2_X\tshutdown\t<\tcurrent\tres:ERRNO", "id 37"},
		{"enum", "455\tSOCKET_SHUTDOWN_X\tshutdown\t<\tcurrent\tres:ERRNO", "enum SOCKET_SHUTDOWN_X"},
	} {
		dir := t.TempDir()
		extra := filepath.Join(dir, "extra.tsv")
		if err := os.WriteFile(extra, []byte("# test\n"+tc.row+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "table_gen.go")
		cmd := exec.Command(goTool, "run", "./internal/gentable", "-in", eventsMD, "-extra", extra, "-out", out)
		msg, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("%s: gentable accepted a duplicate row", tc.name)
		} else if !bytes.Contains(msg, []byte(tc.msg)) || !bytes.Contains(msg, []byte("events.md wins")) {
			t.Errorf("%s: gentable failed with %q, want it to name %q", tc.name, msg, tc.msg)
		}
		if fileExists(out) {
			t.Errorf("%s: gentable wrote %s", tc.name, out)
		}
	}
}
