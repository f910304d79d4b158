package format

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers test with errors.Is.
var (
	// ErrNotCapture: the file does not start with a capture header.
	ErrNotCapture = errors.New("not a forensics capture file")
	// ErrVersion: the file's major format version is one this build can't read.
	ErrVersion = errors.New("unsupported capture format version")
	// ErrCorrupt: a frame, block or record fails its checksum or does not parse.
	ErrCorrupt = errors.New("corrupt capture data")
	// ErrTruncated: the file ends inside a frame.
	ErrTruncated = errors.New("capture file truncated")
	// ErrNoFooter: the file has no index footer (its writer died); its
	// complete blocks are still readable and repair rebuilds the footer.
	ErrNoFooter = errors.New("capture file has no footer")
	// ErrChain: the digest chain is broken (a block removed, reordered or
	// altered).
	ErrChain = errors.New("block digest chain broken")
	// ErrLimit: a length or count exceeds the format's limits.
	ErrLimit = errors.New("capture limit exceeded")
	// ErrClosed: the writer is closed.
	ErrClosed = errors.New("capture writer closed")
)

// PosError locates an error in a file: the file name and the byte offset of
// the frame or record at fault.
type PosError struct {
	File   string
	Offset int64
	What   string // e.g. "block 12", "header"
	Err    error
}

func (e *PosError) Error() string {
	if e.What != "" {
		return fmt.Sprintf("%s: offset %d: %s: %v", e.File, e.Offset, e.What, e.Err)
	}
	return fmt.Sprintf("%s: offset %d: %v", e.File, e.Offset, e.Err)
}

func (e *PosError) Unwrap() error { return e.Err }
