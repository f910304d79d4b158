// Package webhook receives Kubernetes audit events as kube-apiserver's
// audit webhook backend posts them, and stores them in capture files so
// that audit events and system calls live in the same kind of file (see
// package audit for the encoding).
//
//	kube-apiserver --audit-webhook-config-file=kubeconfig
//	     │ POST / (Content-Type: application/json)
//	     │ {"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[...]}
//	     ▼
//	Receiver ── audit.Parse: the whole body or nothing ──> 400 + reason
//	     │                                                 nothing stored
//	     ▼
//	capture.SetWriter (rotation by size, age, count), flushed per batch
//	     │
//	     ▼
//	DIR/audit-000001-20261120T100000Z.zst ...   read by query / replay
//
// A body is stored only when every event in it parses, so the API server
// (which retries a failed batch) never leaves half a batch behind.
package webhook

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"forensics/audit"
	"forensics/capture"
)

// DefaultMaxBody is the largest body accepted, as the k8saudit plugin's
// default webhookMaxBatchSize (12 MiB).
const DefaultMaxBody = 12 << 20

// ErrClosed is returned for requests after Close.
var ErrClosed = errors.New("receiver closed")

// Options configure a Receiver.
type Options struct {
	// Rotate says where and how to write the capture files; Prefix
	// defaults to "audit".
	Rotate capture.RotateOptions
	// MaxBody bounds a request body; 0 is DefaultMaxBody.
	MaxBody int64
	// Log, when set, is told of every refused request.
	Log func(format string, args ...any)
}

// Stats count what a Receiver did.
type Stats struct {
	Batches  uint64 // bodies stored
	Events   uint64 // events stored
	Refused  uint64 // requests refused
	LastFile string // the file written last
}

// Receiver is an http.Handler storing posted audit events. It is safe for
// concurrent use.
type Receiver struct {
	opts  Options
	mu    sync.Mutex
	w     *capture.SetWriter
	stats Stats
}

// New returns a Receiver writing into opts.Rotate.Dir.
func New(opts Options) (*Receiver, error) {
	if opts.Rotate.Prefix == "" {
		opts.Rotate.Prefix = "audit"
	}
	if opts.Rotate.Header.Source == "" {
		opts.Rotate.Header.Source = "k8s_audit:webhook"
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	w, err := capture.NewSetWriter(opts.Rotate)
	if err != nil {
		return nil, fmt.Errorf("audit webhook: %w", err)
	}
	return &Receiver{opts: opts, w: w}, nil
}

func (r *Receiver) refuse(w http.ResponseWriter, req *http.Request, code int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.mu.Lock()
	r.stats.Refused++
	r.mu.Unlock()
	if r.opts.Log != nil {
		r.opts.Log("%s %s from %s: %d %s", req.Method, req.URL.Path, req.RemoteAddr, code, msg)
	}
	http.Error(w, msg, code)
}

// ServeHTTP stores the events of one POSTed body: an EventList (as the
// API server sends), an Event, or an array of them.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		r.refuse(w, req, http.StatusMethodNotAllowed, "only POST is accepted")
		return
	}
	if mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type")); err != nil || !strings.Contains(mt, "json") {
		r.refuse(w, req, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, r.opts.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			r.refuse(w, req, http.StatusRequestEntityTooLarge, "body larger than %d bytes", r.opts.MaxBody)
			return
		}
		r.refuse(w, req, http.StatusBadRequest, "reading the body: %v", err)
		return
	}
	evs, err := audit.Parse(body)
	if err != nil {
		r.refuse(w, req, http.StatusBadRequest, "%v", err)
		return
	}
	if err := r.store(evs); err != nil {
		r.refuse(w, req, http.StatusInternalServerError, "storing the events: %v", err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// store writes a batch and flushes it to disk.
func (r *Receiver) store(evs []audit.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		return ErrClosed
	}
	for i := range evs {
		ev := audit.ToEvent(evs[i].Time, evs[i].Raw)
		if err := r.w.Write(&ev); err != nil {
			return err
		}
	}
	if len(evs) > 0 {
		if err := r.w.Flush(); err != nil {
			return err
		}
		r.stats.LastFile = r.w.Path()
	}
	r.stats.Batches++
	r.stats.Events += uint64(len(evs))
	return nil
}

// Rotate closes the current file; the next batch starts a new one.
func (r *Receiver) Rotate() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		return ErrClosed
	}
	return r.w.Rotate()
}

// Stats returns the counts so far.
func (r *Receiver) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Files returns the capture files of the set, oldest first.
func (r *Receiver) Files() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		return nil
	}
	return r.w.Files()
}

// Close finishes the current file (index and footer). Later requests get
// 500.
func (r *Receiver) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		return nil
	}
	err := r.w.Close()
	r.w = nil
	return err
}
