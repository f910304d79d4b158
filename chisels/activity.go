package chisels

import (
	"bufio"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"forensics/query/fields"
)

func activityChisels() []*Chisel {
	return []*Chisel{
		{Name: "httplog", Category: "Application", Short: "HTTP requests log",
			Desc: "One line per HTTP transaction seen in socket I/O (a request line, then the response status on the " +
				"same process and fd): time, < (served) or > (requested), method, URL, status, latency, size.",
			run: runHTTPLog},
		{Name: "spy_users", Category: "Security", Short: "Display interactive user activity",
			Desc: "The commands run and directories entered below a shell: login shell pid, time, user, command line, " +
				"indented by depth below the shell.",
			Args: []Arg{{Name: "max_depth", Desc: "hide commands deeper than this below the shell", Optional: true},
				{Name: "disable_color", Desc: "pass disable_color to print without colors", Optional: true}},
			run: runSpyUsers},
		{Name: "list_login_shells", Category: "Security", Short: "List the login shell IDs",
			Desc: "The distinct login shell ids (proc.loginshellid) of the execve calls, optionally of those running " +
				"a command containing the given text with arguments containing the given text. sysdig prints only the " +
				"last id, three times (a bug), and matches Lua patterns; this lists every id once and matches text.",
			Args: []Arg{{Name: "command", Desc: "text the executable must contain (* for any)", Optional: true},
				{Name: "arguments", Desc: "text the arguments must contain", Optional: true}},
			run: runLoginShells},
	}
}

var (
	httpRequest  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Z]+) (\S+)`) })
	httpHost     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`Host: (\S+?)\.\.`) })
	httpResponse = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^HTTP/\S+ (\d+)`) })
	httpLength   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`Content-Length: (\d+)\.\.`) })
)

// runHTTPLog pairs requests and responses per process and fd, as sysdig's
// http.lua does on the rendered buffers (CR LF shows as "..").
func runHTTPLog(ctx context.Context, e *Env, _ []string) error {
	g, err := e.getter("evt.arg.data", "proc.pid", "fd.num", "evt.io_dir", "evt.datetime")
	if err != nil {
		return err
	}
	type pending struct {
		method, url, dir string
		ts               uint64
	}
	open := map[string]*pending{}
	w := bufio.NewWriterSize(e.Out, 1<<16)
	err = e.pass(ctx, "evt.is_io=true and evt.buflen>0 and (fd.sockfamily=ip or fd.sockfamily=unix)", func(c *fields.Ctx) error {
		buf := g.str("evt.arg.data", c, "")
		key := g.str("proc.pid", c, "") + "/" + g.str("fd.num", c, "")
		p := open[key]
		if p == nil {
			m := httpRequest().FindStringSubmatch(buf)
			if m == nil {
				return nil
			}
			p = &pending{method: m[1], url: m[2], ts: c.Ev.Ts, dir: ">"}
			if h := httpHost().FindStringSubmatch(buf); h != nil {
				p.url = h[1] + p.url
			}
			if g.str("evt.io_dir", c, "") == "read" {
				p.dir = "<"
			}
			open[key] = p
			return nil
		}
		m := httpResponse().FindStringSubmatch(buf)
		if m == nil {
			return nil
		}
		delete(open, key)
		size := 0
		if l := httpLength().FindStringSubmatch(buf); l != nil {
			size, _ = strconv.Atoi(l[1])
		}
		lat := int64(c.Ev.Ts-p.ts) / 1_000_000
		if e.JSON {
			return e.jsonLineTo(w, map[string]any{"ts": c.Ev.Ts, "dir": p.dir, "method": p.method, "url": p.url,
				"response_code": m[1], "latency_ms": lat, "size": size})
		}
		fmt.Fprintf(w, "%s %s method=%s url=%s response_code=%s latency=%dms size=%dB\n",
			g.str("evt.datetime", c, "<NA>"), p.dir, p.method, p.url, m[1], lat, size)
		return nil
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// runSpyUsers prints what runs below shells (spy_users.lua): for each
// execve (or a shell's chdir) the eldest ancestor whose name ends in "sh"
// is the login shell, and the line is indented by the depth below the
// nearest one; processes without a shell ancestor are left out.
func runSpyUsers(ctx context.Context, e *Env, args []string) error {
	tokens := []string{"evt.type", "proc.pid", "proc.name", "proc.exe", "proc.args", "user.name", "evt.time.s", "evt.arg.path", "container.id"}
	for i := 1; i <= 16; i++ {
		tokens = append(tokens, fmt.Sprintf("proc.aname[%d]", i), fmt.Sprintf("proc.apid[%d]", i))
	}
	g, err := e.getter(tokens...)
	if err != nil {
		return err
	}
	maxDepth := -1
	if len(args) > 0 && args[0] != "disable_color" {
		if maxDepth, err = strconv.Atoi(args[0]); err != nil {
			return fmt.Errorf("%w: max_depth %q: %v", ErrArgs, args[0], err)
		}
	}
	w := bufio.NewWriterSize(e.Out, 1<<16)
	filter := "((evt.type=execve and evt.dir=<) or (evt.type=chdir and evt.dir=< and proc.name contains sh and " +
		"not proc.name contains sshd)) and evt.failed=false"
	err = e.pass(ctx, filter, func(c *fields.Ctx) error {
		depth, shell := 0, ""
		for i := 1; i <= 16; i++ {
			n, ok := g.val(fmt.Sprintf("proc.aname[%d]", i), c)
			if !ok {
				break
			}
			if strings.HasSuffix(n.S, "sh") {
				if depth == 0 {
					depth = i // below the nearest shell
				}
				shell = g.str(fmt.Sprintf("proc.apid[%d]", i), c, "") // the eldest shell
			}
		}
		if shell == "" || (maxDepth >= 0 && depth > maxDepth) {
			return nil
		}
		what := g.str("proc.exe", c, "<NA>") + " " + g.str("proc.args", c, "")
		if g.str("evt.type", c, "") == "chdir" {
			what = "cd " + g.str("evt.arg.path", c, "")
		}
		if e.JSON {
			return e.jsonLineTo(w, map[string]any{"ts": c.Ev.Ts, "login_shell": shell, "depth": depth,
				"user": g.str("user.name", c, "<NA>"), "command": what})
		}
		fmt.Fprintf(w, "%s%s %s %s) %s\n", strings.Repeat("   ", depth-1), shell, g.str("evt.time.s", c, "<NA>"),
			g.str("user.name", c, "<NA>"), what)
		return nil
	})
	return e.endColored(w, err, len(args) > 1 && args[1] == "disable_color" || len(args) == 1 && args[0] == "disable_color")
}

// runLoginShells lists the distinct login shell ids of the execve calls.
func runLoginShells(ctx context.Context, e *Env, args []string) error {
	g, err := e.getter("proc.loginshellid", "evt.arg.exe", "evt.arg.args")
	if err != nil {
		return err
	}
	command, arguments := "", ""
	if len(args) > 0 && args[0] != "*" {
		command = args[0]
	}
	if len(args) > 1 {
		arguments = args[1]
	}
	ids := map[int64]bool{}
	err = e.pass(ctx, "evt.type=execve", func(c *fields.Ctx) error {
		id, ok := g.int("proc.loginshellid", c)
		exe, ok2 := g.val("evt.arg.exe", c)
		if !ok || !ok2 {
			return nil
		}
		if strings.Contains(exe.String(), command) && strings.Contains(g.str("evt.arg.args", c, ""), arguments) {
			ids[id] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	if e.JSON {
		return e.writeJSON(map[string]any{"chisel": "list_login_shells", "command": command, "login_shells": list})
	}
	w := bufio.NewWriter(e.Out)
	if command == "" {
		fmt.Fprintln(w, "All shells:")
	} else {
		fmt.Fprintf(w, "Shells containing %s:\n", command)
	}
	for _, id := range list {
		fmt.Fprintln(w, id)
	}
	return w.Flush()
}
