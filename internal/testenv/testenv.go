// Package testenv tells tests where the shared reference material and
// corpus are, and what the machine can do, with one rule for what is
// missing: skip with a clear message, or fail when FORENSICS_CI=1 (CI must
// never skip silently).
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// CI reports whether the tests run under CI (FORENSICS_CI=1).
func CI() bool { return os.Getenv("FORENSICS_CI") == "1" }

// Missing skips t, or fails it under CI, because what is named is absent.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if CI() {
		t.Fatalf("required under FORENSICS_CI=1: "+format, args...)
	}
	t.Skipf("skipped: "+format+" (FORENSICS_CI=1 makes this fail)", args...)
}

// repoRoot returns the module's root directory, from this file's place.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Shared returns the path of rel inside ../shared (beside the repository),
// or skips/fails t when it is absent.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(repoRoot(), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		Missing(t, "%s not found beside the repository", filepath.Join("../shared", rel))
	}
	return p
}

// Tool returns the path of an external program the test needs, or
// skips/fails t when it is not installed.
func Tool(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not installed (%s)", name, install)
	}
	return p
}
