package samples

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/klauspost/compress/zstd"

	"forensics/event"
	"forensics/format"
)

// This file holds the generator's skeleton: the streams that the attack and
// each source of background noise write into, their merge by time, and the
// writing of the capture file.

// seed seeds every random choice of the generator.
const seed = 0x5eed_2026_1126

// gen is what the streams share: the facts, the time origin and the
// allocation of process keys.
type gen struct {
	facts   Facts
	t0      uint64 // the capture's start, ns since the epoch
	lastKey event.ProcKey
}

func newGen() *gen {
	f := IncidentFacts()
	return &gen{facts: f, t0: uint64(f.Start.UnixNano())}
}

// newKey returns the key of a new process incarnation.
func (g *gen) newKey() event.ProcKey {
	g.lastKey++
	return g.lastKey
}

// ts is the timestamp d after the capture's start.
func (g *gen) ts(d time.Duration) uint64 { return g.t0 + uint64(d) }

// item is one entry of a stream: an event, or a process record that goes
// into the file before the events that refer to it.
type item struct {
	ts   uint64
	ev   *event.Event
	proc *event.Process
}

// stream is the time-ordered output of one actor: the attack, or one source
// of background noise. Each has its own clock and random source.
type stream struct {
	g     *gen
	rng   *rand.Rand
	now   uint64
	items []item
}

// newStream returns a stream whose random choices are seeded with id.
func (g *gen) newStream(id uint64) *stream {
	return &stream{g: g, rng: rand.New(rand.NewPCG(seed, id)), now: g.t0}
}

// at moves the clock to d after the capture's start. Time never goes back.
func (s *stream) at(d time.Duration) {
	ts := s.g.ts(d)
	if ts < s.now {
		panic(fmt.Sprintf("stream clock going back from +%v to +%v", time.Duration(s.now-s.g.t0), d))
	}
	s.now = ts
}

// wait advances the clock by d.
func (s *stream) wait(d time.Duration) { s.now += uint64(d) }

// waitAbout advances the clock by a random time between lo and hi.
func (s *stream) waitAbout(lo, hi time.Duration) {
	s.now += uint64(lo) + s.rng.Uint64N(uint64(hi-lo))
}

// elapsed is the time since the capture's start.
func (s *stream) elapsed() time.Duration { return time.Duration(s.now - s.g.t0) }

// emit adds an event of p and advances the clock by the time a system
// call takes (4 to 40µs).
func (s *stream) emit(p *proc, t event.Type, fd event.FD, params ...[]byte) {
	ev := &event.Event{Ts: s.now, CPU: p.cpu, Tid: p.Tid, Type: t, Params: params, FD: fd, Proc: p.Key}
	s.items = append(s.items, item{ts: s.now, ev: ev})
	s.now += 4_000 + s.rng.Uint64N(36_000)
}

// put records the current state of a process incarnation.
func (s *stream) put(p *event.Process) {
	rec := *p
	s.items = append(s.items, item{ts: s.now, proc: &rec})
}

// merge interleaves the streams by time; at equal times the earlier stream
// goes first.
func merge(streams ...*stream) []item {
	var out []item
	pos := make([]int, len(streams))
	for {
		best := -1
		for i, s := range streams {
			if pos[i] == len(s.items) {
				continue
			}
			if best < 0 || s.items[pos[i]].ts < streams[best].items[pos[best]].ts {
				best = i
			}
		}
		if best < 0 {
			return out
		}
		out = append(out, streams[best].items[pos[best]])
		pos[best]++
	}
}

// writerOptions are the default options but for small blocks (so the
// sample has several) and the best compression.
func writerOptions() *format.WriterOptions {
	return &format.WriterOptions{BlockEvents: 512, Level: zstd.SpeedBestCompression}
}

// generateIncident writes the incident capture to path, which must not
// exist. The writer stamps the footer with the wall clock when it closes the
// file, so a reproducible file needs a fake clock that reads the end of the
// story then (see TestGenerateIncident).
func generateIncident(path string) error {
	g := newGen()
	w := g.newWorld()
	// Noise first: its streams allocate process keys for times before the
	// attack's, so keys grow with time.
	cron := g.cronTick(w)
	web := g.nginxTraffic(w)
	wal := g.postgresWAL(w)
	bgw := g.postgresBgwriter(w)
	attack := g.incident(w)

	out, err := format.Create(path, g.header(), w.snapshot(), writerOptions())
	if err != nil {
		return err
	}
	for _, it := range merge(attack, cron, web, wal, bgw) {
		if it.proc != nil {
			err = out.PutProcess(it.proc)
		} else {
			err = out.Write(it.ev)
		}
		if err != nil {
			out.Close()
			return err
		}
	}
	return out.Close()
}
