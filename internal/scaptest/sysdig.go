package scaptest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"forensics/internal/testenv"
)

// SysdigTimeout bounds one sysdig run.
const SysdigTimeout = 2 * time.Minute

// Sysdig returns the path of the sysdig program, or skips t (fails it
// under FORENSICS_CI=1) when it is not installed.
func Sysdig(t testing.TB) string {
	t.Helper()
	return testenv.Tool(t, "sysdig", "apt-get install sysdig")
}

// RunSysdig runs sysdig -r file args... and returns what it prints on
// stdout. On failure (including SysdigTimeout) the error holds the
// command line and sysdig's stderr.
func RunSysdig(sysdig, file string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), SysdigTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, sysdig, append([]string{"-r", file}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("sysdig -r %s %q: %w\n%s", file, args, err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// clip shortens a line for a log message.
func clip(s string) string {
	if len(s) > 240 {
		return s[:240] + "..."
	}
	return s
}

// DiffLines compares two outputs line by line: n counts the lines of a
// that b lacks at the same position, plus the lines b has beyond a; first
// describes the first difference (a's line, then b's, both clipped), for a
// log message.
func DiffLines(a, b []byte) (n int, first string) {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range la {
		if i >= len(lb) || la[i] != lb[i] {
			if n == 0 {
				first = clip(la[i])
				if i < len(lb) {
					first += "\n  rewrite:  " + clip(lb[i])
				}
			}
			n++
		}
	}
	return n + max(0, len(lb)-len(la)), first
}
