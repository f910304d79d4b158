package scapconv

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"forensics/capture"
	"forensics/internal/testenv"
	"forensics/scap"
)

func TestQuickRoundTrip(t *testing.T) {
	dir := testenv.Shared(t, "corpus/scap")
	sysdig := testenv.Tool(t, "sysdig", "apt-get install sysdig")
	for _, name := range []string{"cat_write.scap", "connect_localhost.scap", "syscall.scap", "sample.scap", "empty.scap", "ping_sendto.scap", "open-multiple-files.scap", "502Error.scap"} {
		in := filepath.Join(dir, name)
		tmp := t.TempDir()
		out := filepath.Join(tmp, "c.zst")
		st, err := ImportFile(context.Background(), in, out, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c, err := capture.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		rt := filepath.Join(tmp, "rt.scap")
		f, _ := os.Create(rt)
		n, err := Export(context.Background(), c, f, scap.Options{})
		f.Close()
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		a, _ := exec.Command(sysdig, "-r", in).Output()
		b, _ := exec.Command(sysdig, "-r", rt).Output()
		t.Logf("%s: imported %d, exported %d; sysdig lines %d vs %d, equal %v", name, st.Events, n, bytes.Count(a, []byte("\n")), bytes.Count(b, []byte("\n")), bytes.Equal(a, b))
	}
}
