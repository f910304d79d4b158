package recorder

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"forensics/internal/testenv"
)

// TestSystemdUnit checks the unit file in contrib/ with systemd-analyze
// verify (its ExecStart pointed at an executable that exists here).
func TestSystemdUnit(t *testing.T) {
	tool := testenv.Tool(t, "systemd-analyze", "apt-get install systemd")
	src, err := os.ReadFile(filepath.Join("..", "contrib", "forensics-record.service"))
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := strings.ReplaceAll(string(src), "/usr/local/bin/forensics", exe)
	path := filepath.Join(t.TempDir(), "forensics-record.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	for _, want := range []string{"Type=notify", "CapabilityBoundingSet=CAP_BPF", "ProtectSystem=strict",
		"StateDirectory=forensics", "ExecReload=/bin/kill -HUP $MAINPID"} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q", want)
		}
	}
}
