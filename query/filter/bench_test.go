package filter

import "testing"

// benchCondition is a long condition in the style of a Falco rule with its
// macros written out: event types, process lists, ancestry, containers and
// exceptions, with every kind of value.
const benchCondition = `(evt.type in (execve, execveat) and evt.dir = < and proc.name in (bash, sh, zsh, dash, ksh, csh, tcsh, fish))
and (container.id != host and container.image.repository exists)
and not (proc.pname in (runc, containerd-shim, dockerd, crio, conmon) or proc.aname[2] in (systemd, init))
and not proc.cmdline startswith "sh -c /usr/share/initramfs-tools"
and not (proc.cmdline contains "/opt/agent/bin" and user.name = root)
and not proc.exepath pmatch (/usr/lib/jvm, /opt/google, "/snap/bin")
and (proc.tty != 0 or proc.env[TERM] exists)
and not k8s.ns.name in (kube-system, kube-public, "monitoring")
and not tolower(proc.pname) = val(proc.name)
and not fd.name glob '/var/lib/*/overlay*'
and evt.rawres >= 0 and proc.vpid > 1 and thread.cap_effective icontains sys_admin
and proc.cmdline contains anyof (curl, wget, "nc -e", ncat)
and not basename(proc.exepath) in (known_binaries)
and not user_known_shell_spawn_activities`

func BenchmarkParse(b *testing.B) {
	if _, err := Parse(benchCondition); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchCondition)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchCondition); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkString(b *testing.B) {
	e, err := Parse(benchCondition)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.String()
	}
}

func BenchmarkParseFormat(b *testing.B) {
	const format = "*%evt.time %evt.type user=%user.name user_uid=%user.uid process=%proc.name " +
		"proc_exepath=%proc.exepath parent=%proc.pname command=%proc.cmdline terminal=%proc.tty " +
		"gparent=%proc.aname[2] file=%fd.name %20tolower(container.name) (%container.id)"
	if _, err := ParseFormat(format); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(format)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFormat(format); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseFalcoRules parses every condition of the official rules
// (../shared/corpus; skipped when absent).
func BenchmarkParseFalcoRules(b *testing.B) {
	conds, _ := falcoCorpus(b)
	n := 0
	for _, c := range conds {
		n += len(c.text)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range conds {
			if _, err := Parse(c.text); err != nil && !c.fragment {
				b.Fatal(err)
			}
		}
	}
}
