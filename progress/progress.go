// Package progress is the one progress reporter that every forensics command
// uses for long reads and writes.
//
// [New] returns a [Reporter]. It draws a progress bar (schollz/progressbar)
// only when it writes to a terminal; everywhere else (a pipe, a file, a
// bytes.Buffer, CI logs) it returns a no-op reporter whose methods cost
// nothing, so callers report progress unconditionally:
//
//	rep := progress.New(os.Stderr, size, "reading capture", progress.Bytes)
//	defer rep.Finish()
//	r := progress.NewReader(f, rep)
//
// The bar is also off when the environment variable FORENSICS_NO_PROGRESS is
// set to a true value ("1", "true", ...) or when the [Quiet] option is given.
// The bar only appears once an operation has run for a short while, so quick
// commands never flash one; it redraws at most every ~65ms and is cleared
// from the terminal by [Reporter.Finish], leaving no trace in the output.
//
// Write the bar to stderr (or another terminal that is not the command's
// data output); never to stdout, which may be the data being produced.
package progress

import (
	"io"
	"os"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// EnvNoProgress names the environment variable that turns every progress
// bar off when set to a true value (see [strconv.ParseBool]; any other
// non-empty value except "0" and "false" counts as true too).
const EnvNoProgress = "FORENSICS_NO_PROGRESS"

const (
	// redrawInterval is the least time between two redraws of the bar.
	redrawInterval = 65 * time.Millisecond
	// showDelay is how long an operation runs before its bar appears.
	showDelay = 250 * time.Millisecond
	// barWidth is the width of the bar itself; the bar shrinks to fit a
	// narrower terminal.
	barWidth = 30
)

// Reporter receives the progress of one long operation.
//
// A Reporter is not safe for concurrent use: call its methods from one
// goroutine at a time (for example, only from the goroutine that reads).
// Finish must be called once the operation ends, successfully or not
// (typically deferred); methods called after Finish do nothing.
type Reporter interface {
	// Add records that n more units are done.
	Add(n int64)
	// SetTotal changes the expected total; n <= 0 means unknown. Raising
	// a known total keeps the bar going; any other change (from or to
	// unknown, or below the count so far) restarts its rate and ETA.
	SetTotal(n int64)
	// Describe changes the text shown before the bar.
	Describe(s string)
	// Finish ends the operation and clears the bar from the terminal.
	Finish()
}

// Unit is what a [Reporter] counts.
type Unit int

// The units that a [Reporter] counts.
const (
	Bytes  Unit = iota // bytes read or written, shown as KB, MB, ...
	Events             // events
	Blocks             // capture file blocks
)

// String returns the unit's plural name, as shown after a count.
func (u Unit) String() string {
	switch u {
	case Bytes:
		return "bytes"
	case Events:
		return "events"
	case Blocks:
		return "blocks"
	default:
		return "Unit(" + strconv.Itoa(int(u)) + ")"
	}
}

// Option changes how [New] decides whether to draw a bar.
type Option func(config) config

type config struct {
	quiet bool
	force bool
}

// Quiet turns the bar off when on is true (a command's --no-progress or
// --quiet flag). It wins over [Force].
func Quiet(on bool) Option {
	return func(c config) config { c.quiet = on; return c }
}

// Force draws the bar when on is true even if the writer is not a terminal,
// and from the first update on, without the initial delay. It is meant for
// tests and debugging; [Quiet] and FORENSICS_NO_PROGRESS still turn it off.
func Force(on bool) Option {
	return func(c config) config { c.force = on; return c }
}

// Nop returns a Reporter that does nothing.
func Nop() Reporter { return nop{} }

// New returns a Reporter for an operation of total units (total <= 0 when
// unknown) described by description. It draws a bar on w when w is a
// terminal (an *os.File, or anything with an Fd method, for which
// term.IsTerminal holds) and returns a no-op Reporter otherwise, when the
// [Quiet] option is on, or when FORENSICS_NO_PROGRESS is set.
func New(w io.Writer, total int64, description string, unit Unit, opts ...Option) Reporter {
	var c config
	for _, o := range opts {
		c = o(c)
	}
	if !c.enabled(w) {
		return nop{}
	}
	return newBar(w, total, description, unit, c.force)
}

// enabled reports whether a bar should be drawn on w.
func (c config) enabled(w io.Writer) bool {
	if c.quiet || w == nil || envDisabled(os.Getenv(EnvNoProgress)) {
		return false
	}
	if c.force {
		return true
	}
	if os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// envDisabled reports whether v, the value of FORENSICS_NO_PROGRESS, turns
// the bar off.
func envDisabled(v string) bool {
	if v == "" {
		return false
	}
	on, err := strconv.ParseBool(v)
	return on || err != nil
}

// nop is the Reporter used when no bar is drawn.
type nop struct{}

func (nop) Add(int64)       {}
func (nop) SetTotal(int64)  {}
func (nop) Describe(string) {}
func (nop) Finish()         {}

// bar is the Reporter that draws a progressbar.ProgressBar. It batches Add
// calls and forwards them to the bar at most every redrawInterval, so that
// reporting one event at a time stays cheap.
type bar struct {
	pb       *progressbar.ProgressBar
	opts     []progressbar.Option // options of pb but its description
	desc     string               // description shown before the bar
	total    int64                // expected total, <= 0 when unknown
	done     int64                // units reported through Add
	shown    int64                // units forwarded to pb
	start    time.Time            // when the bar was created
	next     time.Duration        // earliest time since start of the next forward to pb
	visible  bool                 // units have been forwarded to pb
	finished bool
}

func newBar(w io.Writer, total int64, description string, unit Unit, force bool) *bar {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(barWidth),
		progressbar.OptionThrottle(redrawInterval),
		progressbar.OptionClearOnFinish(),
		// No spinner goroutine: the spinner moves on each redraw instead.
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionSpinnerType(14),
	}
	if unit == Bytes {
		opts = append(opts,
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionShowCount())
	} else {
		opts = append(opts,
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(unit.String()))
	}
	b := &bar{opts: opts, desc: description, total: total}
	b.restart()
	b.start = time.Now()
	if !force {
		b.next = showDelay
	}
	return b
}

// restart replaces pb by a new bar for the current total, without drawing
// it. Its clock starts now, so that its rate and ETA count from here rather
// than from the first redraw.
func (b *bar) restart() {
	opts := append(b.opts[:len(b.opts):len(b.opts)], progressbar.OptionSetDescription(b.desc))
	b.pb = progressbar.NewOptions64(maxFor(b.total), opts...)
	b.pb.StartWithoutRender()
	b.shown = 0
}

// maxFor converts a total to progressbar's max, where -1 means unknown.
func maxFor(total int64) int64 {
	if total <= 0 {
		return -1
	}
	return total
}

// target is the count to show: done, but below total while the total is
// known, so that the bar only completes (and clears itself) on Finish.
func (b *bar) target() int64 {
	if b.total > 0 && b.done >= b.total {
		return b.total - 1
	}
	return b.done
}

func (b *bar) Add(n int64) {
	if b.finished || n <= 0 {
		return
	}
	b.done += n
	// time.Since reads only the monotonic clock: half the cost of time.Now.
	now := time.Since(b.start)
	if now < b.next {
		return
	}
	b.next = now + redrawInterval
	b.forward()
}

// forward brings pb up to date with done; progress is best effort, so
// drawing errors are ignored.
func (b *bar) forward() {
	if t := b.target(); t > b.shown {
		_ = b.pb.Add64(t - b.shown)
		b.shown = t
	}
	// Add64 redraws a bar of known length only when its percentage
	// changes: redraw anyway (subject to the throttle) so that counts and
	// rates stay current.
	_ = b.pb.RenderBlank()
	b.visible = true
}

func (b *bar) SetTotal(n int64) {
	n = max(n, 0)
	if b.finished || n == b.total {
		return
	}
	old := b.total
	b.total = n
	if b.visible && old > 0 && n > b.shown {
		// Known to known and still ahead of what is shown: the bar's
		// count stays valid, only its end moves.
		b.pb.ChangeMax64(n)
		b.forward()
		return
	}
	// The bar's count is not valid under the new total (it is kept
	// modulo the width while the total is unknown, and must stay below
	// the total when known), or the bar is not drawn yet: start afresh
	// at the current count.
	if b.visible {
		_ = b.pb.Clear()
	}
	b.restart()
	if b.visible {
		b.forward()
	}
}

func (b *bar) Describe(s string) {
	if b.finished {
		return
	}
	b.desc = s
	if !b.visible {
		// Set the text without drawing the bar before its time.
		progressbar.OptionSetDescription(s)(b.pb)
		return
	}
	b.pb.Describe(s)
}

func (b *bar) Finish() {
	if b.finished {
		return
	}
	b.finished = true
	// Finish fills the bar, which then clears itself (OptionClearOnFinish);
	// nothing is drawn if it never was.
	_ = b.pb.Finish()
}

// NewReader returns a Reader that reads from r and reports each byte read
// to rep. It returns r itself when rep is nil or does nothing.
func NewReader(r io.Reader, rep Reporter) io.Reader {
	if isNop(rep) {
		return r
	}
	return &reader{r: r, rep: rep}
}

// NewWriter returns a Writer that writes to w and reports each byte written
// to rep. It returns w itself when rep is nil or does nothing.
func NewWriter(w io.Writer, rep Reporter) io.Writer {
	if isNop(rep) {
		return w
	}
	return &writer{w: w, rep: rep}
}

func isNop(rep Reporter) bool {
	if rep == nil {
		return true
	}
	_, ok := rep.(nop)
	return ok
}

type reader struct {
	r   io.Reader
	rep Reporter
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.rep.Add(int64(n))
	}
	return n, err
}

type writer struct {
	w   io.Writer
	rep Reporter
}

func (w *writer) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if n > 0 {
		w.rep.Add(int64(n))
	}
	return n, err
}
