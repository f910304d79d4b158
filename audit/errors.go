package audit

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers test with errors.Is.
var (
	// ErrBadEvent is wrapped by every *LineError: a value that is not
	// JSON, not an audit event, or an event without a usable time.
	ErrBadEvent = errors.New("not a k8s audit event")
	// ErrTooLong is wrapped when a line exceeds MaxLine.
	ErrTooLong = errors.New("line too long")
)

// LineError is a bad line of an audit log: the reader skipped it.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }
