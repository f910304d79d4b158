package fields

import (
	"strconv"
	"strings"

	"forensics/event"
)

// Fields of fields.md that a capture answers from the process record,
// the capture header or the event alone, beyond those sysdig 0.29.3 has
// (they follow current libs).

func moreFields() []*Field {
	return []*Field{
		field("evt.hostname", TString, "name of the host the capture was recorded on", extHostname),
		field("evt.source", TString, "event source: syscall", func(*Ctx) (Value, bool) { return Str("syscall"), true }),
		field("evt.is_async", TBool, "true for events the kernel did not raise for a system call (container, user and group changes, plugin events)", extIsAsync),
		field("proc.cmdnargs", TUint, "number of command-line arguments, argv[0] excluded", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			return Uint(uint64(len(p.Args))), true
		})),
		field("proc.cmdlenargs", TUint, "total length of the command-line arguments, argv[0] excluded, with a separator each", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			n := 0
			for _, a := range p.Args {
				n += len(a) + 1
			}
			return Uint(uint64(n)), true
		})),
		field("proc.pgid", TInt, "process group id of the process", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			return Int(p.Pgid), p.Pgid > 0
		})),
		field("proc.vpgid", TInt, "process group id in the process's pid namespace", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			return Int(p.VPgid), p.VPgid > 0
		})),
		field("proc.is_pgid_leader", TBool, "true when the process leads its process group", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			return Bool(p.Pgid > 0 && p.Pid == p.Pgid), p.Pgid > 0
		})),
		field("proc.is_sid_leader", TBool, "true when the process leads its session", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			return Bool(p.Sid > 0 && p.Pid == p.Sid), p.Sid > 0
		})),
		field("proc.fdlimit", TInt, "the process's limit of open fds", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			return Int(p.FDLimit), p.FDLimit > 0
		})),
		field("proc.pid.ts", TAbsTime, "start time of the process (ns since the epoch), when the capture saw it start", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			return AbsTime(p.StartTs), p.StartTs > 0
		})),
		field("proc.pidns_init_start_ts", TUint, "start time of the init process of the process's pid namespace", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			return Uint(p.PidNSStart), p.PidNSStart > 0
		})),
		field("proc.pvpid", TInt, "pid of the parent in its pid namespace", parentVal(func(p *event.Process) (Value, bool) {
			return Int(p.VPid), p.VPid > 0
		})),
		field("proc.ppid.ts", TAbsTime, "start time of the parent, when the capture saw it start", parentVal(func(p *event.Process) (Value, bool) {
			return AbsTime(p.StartTs), p.StartTs > 0
		})),
		field("thread.nametid", TString, "proc.name and thread.tid joined by a colon", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			return Str(comm(p) + ":" + strconv.FormatInt(c.Ev.Tid, 10)), true
		})),
		field("thread.cgroups", TString, "the thread's cgroups as subsystem=path pairs, space-separated", procField(func(c *Ctx, p *event.Process) (Value, bool) {
			return Str(strings.Join(p.Cgroups, " ")), true
		})),
		argField("thread.cgroup", TString, ArgKey|ArgRequired, 0, "the thread's cgroup of one subsystem: thread.cgroup.cpuacct, thread.cgroup[memory]", bindCgroup),
	}
}

func extHostname(c *Ctx) (Value, bool) {
	if c.Tables == nil || c.Tables.file == nil || c.Tables.file.Header.Host.Hostname == "" {
		return Value{}, false
	}
	return Str(c.Tables.file.Header.Host.Hostname), true
}

func extIsAsync(c *Ctx) (Value, bool) {
	switch factOf(c.Ev.Type).name {
	case "container", "useradded", "userdeleted", "groupadded", "groupdeleted", "asyncevent", "pluginevent":
		return Bool(true), true
	}
	return Bool(false), true
}

// parentVal makes an extractor of a value of the event's parent that may
// be unknown.
func parentVal(get func(p *event.Process) (Value, bool)) Extractor {
	return func(c *Ctx) (Value, bool) {
		p := parentOf(c, proc(c))
		if p == nil {
			return Value{}, false
		}
		return get(p)
	}
}

func bindCgroup(arg string, hasArg bool) (Extractor, error) {
	prefix := arg + "="
	return procField(func(c *Ctx, p *event.Process) (Value, bool) {
		for _, cg := range p.Cgroups {
			if strings.HasPrefix(cg, prefix) {
				return Str(cg[len(prefix):]), true
			}
			// cgroup v2 lists one unified hierarchy, "=/path" or
			// "0::/path" style: every subsystem is there.
			if strings.HasPrefix(cg, "=") {
				return Str(cg[1:]), true
			}
		}
		return Value{}, false
	}), nil
}
