// Package scapgen makes large .scap files out of small ones, for
// benchmarks that need millions of real events: Repeat writes the events
// of an input capture several times over, each repetition shifted in time
// so that the timestamps keep increasing, as one long capture would.
//
// The output is scap 1.2 as package scap writes it (EV_V2/EVF_V2 event
// blocks, whatever the input's version), plain or gzip-compressed. It
// carries the first section's metadata (machine, interfaces, users,
// threads, fds) once; the metadata of any later section of a concatenated
// input is dropped, its events are kept.
//
// Events whose timestamp is 0 (libscap's "no time", such as the container
// events sysdig writes at the start of a capture) do not count in the
// input's span and are not shifted: they take the timestamp of the event
// written before them (so they stay 0 at the very start of the output),
// which keeps time from going backwards.
package scapgen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	"forensics/scap"
)

// Gap is the time, in ns, between the last event of a repetition and the
// first of the next: repetition k is shifted by k × (span + Gap), where
// span is the time between the input's first and last timestamped events.
const Gap uint64 = 1_000_000 // 1 ms

// Repeat writes to out the first section's metadata of the .scap stream
// in, then in's events n times, repetition k (from 0) with every timestamp
// moved later by k × (span + Gap). gzip compresses the output. name names
// in in errors. It returns the number of events written.
//
// When in is an io.Seeker (a file) it is read n times from where it stands;
// otherwise it is read into memory once.
func Repeat(in io.Reader, name string, out io.Writer, n int, gzip bool) (int64, error) {
	return RepeatWith(in, name, out, n, scap.Options{Gzip: gzip})
}

// RepeatWith is Repeat with every scap.Options of the output writer (for
// instance LegacyThreads, for readers older than libs 0.10).
func RepeatWith(in io.Reader, name string, out io.Writer, n int, opts scap.Options) (int64, error) {
	if n < 1 {
		return 0, fmt.Errorf("%s: repeat count %d: want at least 1", name, n)
	}
	rewind, err := rewinder(in, name)
	if err != nil {
		return 0, err
	}
	w, err := scap.NewWriter(out, opts)
	if err != nil {
		return 0, err
	}
	var written int64
	var shift, prev uint64
	for k := range n {
		src, err := rewind(k)
		if err != nil {
			return written, err
		}
		r, err := scap.NewReader(src, name)
		if err != nil {
			return written, err
		}
		if k == 0 {
			if err := w.WriteSection(r.Section()); err != nil {
				r.Close()
				return written, err
			}
		}
		first, last, count, err := copyShifted(w, r, uint64(k)*shift, &prev)
		r.Close()
		written += count
		if err != nil {
			return written, err
		}
		if k == 0 {
			if count == 0 {
				return 0, fmt.Errorf("%s: no events to repeat", name)
			}
			if first > last { // no event has a timestamp
				first, last = 0, 0
			}
			shift = last - first + Gap
			// The last repetition's last event must not overflow.
			if n > 1 && uint64(n-1) > (math.MaxUint64-last)/shift {
				return written, fmt.Errorf("%s: %d repetitions of a %d ns span overflow the timestamps", name, n, last-first)
			}
		}
	}
	if err := w.Close(); err != nil {
		return written, err
	}
	return written, nil
}

// copyShifted writes every event of r to w, shift ns later, and returns
// the smallest and largest timestamps read (unshifted, 0 left out) and the
// count. *prev is the timestamp of the event written last; an event
// without a timestamp gets it.
func copyShifted(w *scap.Writer, r *scap.Reader, shift uint64, prev *uint64) (first, last uint64, count int64, err error) {
	first = math.MaxUint64
	var ev scap.Event
	for {
		err := r.Next(&ev)
		switch {
		case err == io.EOF:
			return first, last, count, nil
		case errors.Is(err, scap.ErrNewSection):
			continue
		case err != nil:
			return first, last, count, err
		}
		if ev.Ts == 0 {
			ev.Ts = *prev
		} else {
			first, last = min(first, ev.Ts), max(last, ev.Ts)
			ev.Ts += shift
		}
		*prev = ev.Ts
		if err := w.WriteEvent(&ev); err != nil {
			return first, last, count, err
		}
		count++
	}
}

// rewinder returns a function that gives in again from its start, for
// repetition k: by seeking back when in is seekable, else from a copy of
// in held in memory.
func rewinder(in io.Reader, name string) (func(k int) (io.Reader, error), error) {
	if s, ok := in.(io.ReadSeeker); ok {
		if start, err := s.Seek(0, io.SeekCurrent); err == nil {
			return func(k int) (io.Reader, error) {
				if k == 0 {
					return s, nil
				}
				if _, err := s.Seek(start, io.SeekStart); err != nil {
					return nil, fmt.Errorf("%s: rewinding for repetition %d: %w", name, k+1, err)
				}
				return s, nil
			}, nil
		}
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return func(int) (io.Reader, error) { return bytes.NewReader(data), nil }, nil
}
