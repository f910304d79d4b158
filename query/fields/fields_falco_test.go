package fields_test

import (
	"context"
	"testing"

	"forensics/capture"
	"forensics/query"
	"forensics/query/fields"
	"forensics/samples"
)

// TestFalcoFields counts, on the sample incident, the events that filters
// on the fields the Falco rules need match.
func TestFalcoFields(t *testing.T) {
	path, err := samples.WriteIncident(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	count := func(flt string) int {
		f, err := query.Compile(flt, fields.Syscall(), nil)
		if err != nil {
			t.Fatalf("%s: %v", flt, err)
		}
		n := 0
		if err := query.Run(context.Background(), c, query.Options{Filter: f}, func(*fields.Ctx) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		filter string
		want   int
	}{
		{"evt.is_open_read=true and fd.name=/etc/shadow", 1},
		{"evt.is_open_write=true and fd.name in (/usr/bin/.sshd-helper, /etc/cron.d/update, /tmp/.x/kit.tgz, /tmp/.x/payload)", 4},
		{"evt.is_open_write=true and evt.is_open_read=true and not evt.arg.flags contains O_RDWR", 0},
		{"evt.is_open_read=true and evt.is_open_write=false and not evt.arg.flags contains O_RDONLY", 0},
		{"evt.is_open_exec=true and fd.name=/usr/bin/.sshd-helper", 1},
		{"evt.type=connect and fd.connected=true", 2},
		{"evt.type=connect and fd.snet=198.51.100.0/24", 2},
		{"evt.type=connect and fd.net in (198.51.100.0/24) and fd.cnet = 10.0.0.0/8 and fd.snet != 10.0.0.0/8 and fd.net != 127.0.0.0/8", 2},
		{"evt.type=connect and fd.cnet=198.51.100.0/24", 0},
		{"evt.type=execve and proc.name=payload and proc.is_exe_writable=true", 1},
		{"evt.type=execve and proc.name=cat and thread.cap_effective contains CAP_SYS_ADMIN", 1},
		{"evt.type=execve and proc.name=bash and user.uid=1000 and thread.cap_effective contains CAP_SYS_ADMIN", 0},
		{"evt.type=openat and proc.name=cat and proc.duration > 0 and proc.sname=bash", 3},
		{"container.image.repository exists or k8s.ns.name exists or fd.sip.name exists", 0},
	} {
		if got := count(tc.filter); got != tc.want {
			t.Errorf("%s: %d events, want %d", tc.filter, got, tc.want)
		}
	}
}
