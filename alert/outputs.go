package alert

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Sink is one output channel.
type Sink interface {
	// Name names the channel in reports: "stdout", "file", "syslog",
	// "http", "program".
	Name() string
	// Send delivers one alert; msg is the alert as the configuration
	// formats it (text or JSON), without a newline. An error makes the
	// worker retry the same alert later, unless it wraps ErrRejected.
	Send(ctx context.Context, a *Alert, msg []byte) error
	// Flush pushes out buffered alerts; called when the queue is empty.
	Flush() error
	Close() error
}

// Options tune Outputs.
type Options struct {
	// Report receives failures and recoveries of channels (nil: none).
	// It may be called from several goroutines at once.
	Report func(sink string, msg string)
	// RetryMin and RetryMax bound the delay between attempts (default
	// 100 ms and 5 s); it doubles after each failure.
	RetryMin, RetryMax time.Duration
	// DrainTimeout bounds how long Close waits for failing channels
	// (default 30 s).
	DrainTimeout time.Duration
}

// Stats counts one channel's deliveries.
type Stats struct {
	Sink     string `json:"sink"`
	Sent     int    `json:"sent"`
	Retries  int    `json:"retries"`
	Rejected int    `json:"rejected"`
	Lost     int    `json:"lost"`
}

// Outputs delivers alerts to channels, each from its own queue.
type Outputs struct {
	opts    Options
	workers []*worker
}

type item struct {
	a   *Alert
	msg []byte
}

type worker struct {
	sink  Sink
	opts  *Options
	mu    sync.Mutex
	cond  *sync.Cond
	queue []item
	done  chan struct{}
	stats Stats
	// closing is set by Close; deadline passed: give up on retries.
	closing  bool
	giveUp   bool
	deadline chan struct{}
}

// New starts a worker per sink.
func New(sinks []Sink, opts Options) (*Outputs, error) {
	if len(sinks) == 0 {
		return nil, ErrNoOutput
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = 100 * time.Millisecond
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(5*time.Second, opts.RetryMin)
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 30 * time.Second
	}
	o := &Outputs{opts: opts}
	for _, s := range sinks {
		w := &worker{sink: s, opts: &o.opts, done: make(chan struct{}), deadline: make(chan struct{}),
			stats: Stats{Sink: s.Name()}}
		w.cond = sync.NewCond(&w.mu)
		o.workers = append(o.workers, w)
		go w.run()
	}
	return o, nil
}

// Send queues an alert on every channel; msg is its formatted form.
func (o *Outputs) Send(a *Alert, msg []byte) {
	for _, w := range o.workers {
		w.mu.Lock()
		w.queue = append(w.queue, item{a, msg})
		w.cond.Signal()
		w.mu.Unlock()
	}
}

// Close waits for every queue to drain, at most DrainTimeout (or until ctx
// ends), closes the channels and returns their counts. The error wraps
// ErrUndelivered when alerts were lost.
func (o *Outputs) Close(ctx context.Context) ([]Stats, error) {
	for _, w := range o.workers {
		w.mu.Lock()
		w.closing = true
		w.cond.Signal()
		w.mu.Unlock()
	}
	timer := time.NewTimer(o.opts.DrainTimeout)
	defer timer.Stop()
	for _, w := range o.workers {
		select {
		case <-w.done:
			continue
		case <-timer.C:
		case <-ctx.Done():
		}
		break
	}
	for _, w := range o.workers {
		w.mu.Lock()
		if !w.giveUp {
			w.giveUp = true
			close(w.deadline)
		}
		w.cond.Signal()
		w.mu.Unlock()
	}
	var errs []error
	var stats []Stats
	lost := 0
	for _, w := range o.workers {
		<-w.done
		if err := w.sink.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s output: %w", w.sink.Name(), err))
		}
		stats = append(stats, w.stats)
		lost += w.stats.Lost
	}
	if lost > 0 {
		errs = append(errs, fmt.Errorf("%w: %d", ErrUndelivered, lost))
	}
	return stats, errors.Join(errs...)
}

func (w *worker) report(format string, args ...any) {
	if w.opts.Report != nil {
		w.opts.Report(w.sink.Name(), fmt.Sprintf(format, args...))
	}
}

// run delivers the queue in order.
func (w *worker) run() {
	defer close(w.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-w.deadline:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		w.mu.Lock()
		for len(w.queue) == 0 && !w.closing {
			w.mu.Unlock()
			if err := w.sink.Flush(); err != nil {
				w.report("flush failed: %v", err)
			}
			w.mu.Lock()
			for len(w.queue) == 0 && !w.closing {
				w.cond.Wait()
			}
		}
		if len(w.queue) == 0 { // closing and drained
			w.mu.Unlock()
			if err := w.sink.Flush(); err != nil {
				w.report("flush failed: %v", err)
			}
			return
		}
		it := w.queue[0]
		w.queue[0] = item{}
		w.queue = w.queue[1:]
		w.mu.Unlock()
		if !w.deliver(ctx, it) {
			// Given up: count the rest as lost.
			w.mu.Lock()
			w.stats.Lost += 1 + len(w.queue)
			w.queue = nil
			w.mu.Unlock()
			w.report("gave up: %d alerts not delivered", w.stats.Lost)
			return
		}
	}
}

// deliver sends one alert, retrying until it goes out or the deadline
// passes (false).
func (w *worker) deliver(ctx context.Context, it item) bool {
	delay := w.opts.RetryMin
	failing := 0
	for {
		err := w.sink.Send(ctx, it.a, it.msg)
		if err == nil {
			w.stats.Sent++
			if failing > 0 {
				w.report("recovered after %d retries", failing)
			}
			return true
		}
		if errors.Is(err, ErrRejected) {
			w.stats.Rejected++
			w.report("alert for rule %q rejected, not retried: %v", it.a.Rule, err)
			return true
		}
		if failing == 0 {
			w.report("failed: %v; retrying (alerts wait in the queue)", err)
		}
		failing++
		w.stats.Retries++
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			w.report("failed: %v; giving up at shutdown", err)
			return false
		}
		delay = min(2*delay, w.opts.RetryMax)
	}
}
