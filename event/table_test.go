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
	for _, typ := range []Type{10, 11, 453, MaxType, MaxType + 1, 0xffff} {
		if info := Lookup(typ); info != nil {
			t.Errorf("Lookup(%d) = %s, want nil", typ, info.Enum)
		}
	}
	if got := Type(11).String(); got != "type(11)" {
		t.Errorf("Type(11).String() = %q", got)
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
		{"execve", []Type{293, 292, 289, 283, 231, 215, 173, 155, 13}},
		{"openat", []Type{307, 306, 102, 103}},
		{"accept", []Type{247, 246, 27, 26}},
		{"syscall", []Type{1, 0}},
		{"close_range", []Type{451}},
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
	if rows != len(All()) {
		t.Errorf("events.md has %d event rows, the table %d", rows, len(All()))
	}
}

// TestGeneratedUpToDate re-runs the generator and compares its output with
// table_gen.go.
func TestGeneratedUpToDate(t *testing.T) {
	_, eventsMD := needEventsMD(t)
	// The go command that runs this test, whatever PATH says.
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out := filepath.Join(t.TempDir(), "table_gen.go")
	cmd := exec.Command(goTool, "run", "./internal/gentable", "-in", eventsMD, "-out", out)
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
