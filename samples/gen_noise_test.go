package samples

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"
)

// This file holds the background noise: what web-01 does anyway while the
// attack goes on. nginx answers web clients and logs them, postgres writes
// its WAL and data files, cron runs a job at its minute tick.

// Stream ids: each stream's random choices are its own.
const (
	streamIncident = iota + 1
	streamCron
	streamWeb
	streamWAL
	streamBgwriter
)

// noiseEnd is when the background activity stops, just before the end.
const noiseEnd = 59_800 * time.Millisecond

// cronTick is cron's tick at 03:14:00: it rereads its tables and runs the
// health check of /etc/cron.d/healthcheck through sh.
func (g *gen) cronTick(w *world) *stream {
	s := g.newStream(streamCron)
	cron := w.cron
	s.at(2700 * time.Microsecond)
	s.openat(cron, 4, "/etc/crontab", oRDONLY, 0)
	s.readN(cron, 4, []byte("# /etc/crontab: system-wide crontab\n# Unlike any other crontab you don't have to run the `crontab'\n"), 1042, 4096)
	s.close(cron, 4)
	s.openat(cron, 4, "/etc/cron.d", oRDONLY|oNONBLOCK|oDIRECTORY|oCLOEXEC, 0)
	s.close(cron, 4)
	table := "*/2 * * * * root /usr/local/sbin/healthcheck >/dev/null 2>&1\n"
	s.openat(cron, 4, "/etc/cron.d/healthcheck", oRDONLY, 0)
	s.read(cron, 4, []byte(table), 4096)
	s.close(cron, 4)

	job := s.fork(cron, 2108)
	job.Cwd = "/root"
	s.wait(400 * time.Microsecond)
	env := []string{"HOME=/root", "LOGNAME=root", "PATH=/usr/bin:/bin", "SHELL=/bin/sh", "LANG=C.UTF-8"}
	s.exec(job, image{filename: "/bin/sh", path: "/usr/bin/dash", exe: "/bin/sh",
		args: []string{"-c", "/usr/local/sbin/healthcheck >/dev/null 2>&1"}, comm: "sh", env: env,
		ctime: installed(), mtime: installed(), vmSize: 2_580, vmRSS: 900, libs: []string{"libc.so.6"}})
	s.openat(job, 3, "/dev/null", oWRONLY|oCREAT|oTRUNC, 0o666)
	s.close(job, 3)
	// dash executes the last command of -c in place.
	const check = "/usr/local/sbin/healthcheck"
	built := unixNs(time.Date(2026, 3, 2, 14, 20, 0, 0, time.UTC))
	s.exec(job, image{filename: check, path: check, exe: check, comm: "healthcheck", env: env,
		ctime: built, mtime: built, vmSize: 2_400, vmRSS: 1_100, libs: []string{"libc.so.6"}})
	s.openat(job, 3, "/proc/loadavg", oRDONLY|oCLOEXEC, 0)
	s.read(job, 3, []byte("0.08 0.03 0.01 1/142 2108\n"), 64)
	s.close(job, 3)
	s.openat(job, 3, "/var/lib/healthcheck/status", oWRONLY|oCREAT|oTRUNC|oCLOEXEC, 0o644)
	s.write(job, 3, []byte("ok "+g.facts.Start.Format(time.RFC3339)+" load=0.08\n"))
	s.close(job, 3)
	s.exit(job, 0)
	return s
}

// webPage is a URL that clients ask nginx for.
type webPage struct {
	url    string
	file   string // below /var/www/html; "" when nginx answers 404
	ctype  string
	size   int
	status int
}

func webPages() []webPage {
	return []webPage{
		{"/", "/index.html", "text/html", 615, 200},
		{"/", "/index.html", "text/html", 615, 200},
		{"/", "/index.html", "text/html", 615, 200},
		{"/about.html", "/about.html", "text/html", 2214, 200},
		{"/css/site.css", "/css/site.css", "text/css", 5120, 200},
		{"/css/site.css", "/css/site.css", "text/css", 5120, 200},
		{"/js/app.js", "/js/app.js", "application/javascript", 18342, 200},
		{"/js/app.js", "/js/app.js", "application/javascript", 18342, 200},
		{"/img/logo.png", "/img/logo.png", "image/png", 9821, 200},
		{"/favicon.ico", "/favicon.ico", "image/x-icon", 1150, 200},
		{"/wp-login.php", "", "text/html", 153, 404},
		{"/.env", "", "text/html", 153, 404},
	}
}

// webClient is a web client: an address (in TEST-NET-1) and its user agent.
type webClient struct {
	addr  netip.Addr
	agent string
}

func webClients() []webClient {
	agents := []string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	}
	var out []webClient
	for i, last := range []byte{14, 23, 37, 41, 58, 66, 72, 89, 101, 117, 140, 203} {
		out = append(out, webClient{netip.AddrFrom4([4]byte{192, 0, 2, last}), agents[i%len(agents)]})
	}
	return out
}

// nginxTraffic is nginx's worker serving one request after another.
func (g *gen) nginxTraffic(w *world) *stream {
	s := g.newStream(streamWeb)
	pages, clients := webPages(), webClients()
	s.at(310 * time.Millisecond)
	for s.elapsed() < noiseEnd {
		c := clients[s.rng.IntN(len(clients))]
		client := netip.AddrPortFrom(c.addr, uint16(32768+s.rng.IntN(28000)))
		g.serve(s, w.nginxWorker, client, c.agent, pages[s.rng.IntN(len(pages))])
		s.waitAbout(55*time.Millisecond, 270*time.Millisecond)
	}
	return s
}

// serve is one HTTP request: accept, read the request, open the file,
// answer, log, close.
func (g *gen) serve(s *stream, worker *proc, client netip.AddrPort, agent string, page webPage) {
	server := netip.AddrPortFrom(g.facts.LocalIP, 80)
	worker.cpu = uint16(s.rng.IntN(2))
	s.accept4(worker, 8, client, server, 511)
	s.waitAbout(50*time.Microsecond, 400*time.Microsecond)
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: web-01.example.com\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n", page.url, agent)
	s.read(worker, 8, []byte(req), 1024)
	if page.file != "" {
		s.openat(worker, 9, "/var/www/html"+page.file, oRDONLY|oNONBLOCK, 0)
	}
	now := time.Unix(0, int64(s.now)).UTC()
	reason := "OK"
	if page.status == 404 {
		reason = "Not Found"
	}
	head := fmt.Sprintf("HTTP/1.1 %d %s\r\nServer: nginx/1.22.1\r\nDate: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		page.status, reason, now.Format("Mon, 02 Jan 2006 15:04:05 GMT"), page.ctype, page.size)
	s.writeN(worker, 8, []byte(head), len(head)+page.size)
	if page.file != "" {
		s.close(worker, 9)
	}
	line := fmt.Sprintf("%s - - [%s] \"GET %s HTTP/1.1\" %d %d \"-\" \"%s\"\n",
		client.Addr(), now.Format("02/Jan/2006:15:04:05 -0700"), page.url, page.status, page.size, agent)
	s.write(worker, 4, []byte(line))
	s.close(worker, 8)
}

// postgresWAL is the WAL writer flushing a page of the WAL every 200ms
// when there is something to flush.
func (g *gen) postgresWAL(w *world) *stream {
	s := g.newStream(streamWAL)
	s.at(137 * time.Millisecond)
	for s.elapsed() < noiseEnd {
		if s.rng.IntN(3) > 0 {
			head := append([]byte{0x10, 0xd1, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00}, randomBytes(s.rng, snaplen-8)...)
			s.writeN(w.walwriter, 3, head, 8192)
		}
		s.waitAbout(195*time.Millisecond, 205*time.Millisecond)
	}
	return s
}

// postgresBgwriter is the background writer writing dirty pages of a few
// tables.
func (g *gen) postgresBgwriter(w *world) *stream {
	s := g.newStream(streamBgwriter)
	bg := w.bgwr
	tables := []string{"16402", "16409", "16411", "16420", "2619", "1259"}
	s.at(480 * time.Millisecond)
	for s.elapsed() < noiseEnd {
		s.openat(bg, 6, pgData+"/base/16384/"+tables[s.rng.IntN(len(tables))], oRDWR|oCLOEXEC, 0)
		for n := 1 + s.rng.IntN(3); n > 0; n-- {
			s.writeN(bg, 6, randomBytes(s.rng, snaplen), 8192)
		}
		s.close(bg, 6)
		s.waitAbout(700*time.Millisecond, 1300*time.Millisecond)
	}
	return s
}

// randomBytes returns n bytes from rng.
func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}
