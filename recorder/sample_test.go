package recorder

import (
	"testing"

	"forensics/samples"
)

// TestRecordedSample finds each step of the incident in the capture that
// samples/record-incident.sh recorded (samples.Recorded).
func TestRecordedSample(t *testing.T) {
	path, err := samples.WriteRecorded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ step, filter string }{
		{"untrusted program reads shadow", "evt.type=openat and proc.name=dumpcreds and fd.name=/etc/shadow and proc.exepath startswith /tmp/"},
		{"private key read", "evt.type=openat and proc.name=dumpcreds and fd.name endswith /.ssh/id_rsa"},
		{"write below /usr/bin", "evt.type=openat and fd.name=/usr/bin/.forensics-sample-helper and evt.arg.flags contains O_CREAT"},
		{"write below /etc", "evt.type=write and fd.name=/etc/cron.d/forensics-sample-update"},
		{"file below /dev", "evt.type=openat and fd.name=/dev/.forensics-sample and evt.arg.flags contains O_F_CREATED"},
		{"shell with a terminal", "evt.type=execve and proc.name=bash and proc.tty!=0 and proc.pname=script"},
		{"outbound connection", "evt.type=connect and fd.sip=127.0.0.1 and fd.sport=4444 and evt.res=SUCCESS and proc.name=bash"},
		{"setuid bit", "evt.type=fchmodat and evt.arg.mode contains S_ISUID and proc.name=chmod"},
		{"run from /tmp", "evt.type=execve and proc.name=payload and proc.exepath startswith /tmp/"},
		{"bash history deleted", "evt.type=unlinkat and evt.arg.name endswith .bash_history"},
		{"log truncated", "evt.type=openat and fd.name=/var/log/forensics-sample.log and evt.arg.flags contains O_TRUNC"},
		{"symlink to shadow", "evt.type=symlinkat and evt.arg.target=/etc/shadow"},
		{"private keys searched", "evt.type=execve and proc.name=find and proc.args contains id_rsa"},
		{"shadow read in a container", "evt.type=openat and fd.name=/etc/shadow and container.id!=host and proc.name=cat"},
		{"user names resolved", "evt.type=execve and user.name=root and proc.name=dumpcreds"},
	} {
		if got := lines(t, path, tt.filter, "%evt.num"); len(got) == 0 {
			t.Errorf("%s: nothing matches %q", tt.step, tt.filter)
		}
	}
}
