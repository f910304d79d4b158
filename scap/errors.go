package scap

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers test with errors.Is.
var (
	// ErrNotScap: the stream does not start with a section header block.
	ErrNotScap = errors.New("not a scap capture")
	// ErrByteOrder: the section header's magic is byte-swapped, i.e. the
	// file was written on a big-endian host. libscap refuses such files and
	// so does this package.
	ErrByteOrder = errors.New("scap capture written in big-endian byte order (unsupported)")
	// ErrVersion: the section's major version is newer than 1.
	ErrVersion = errors.New("unsupported scap major version")
	// ErrCorrupt: a block or an entry inside it does not parse.
	ErrCorrupt = errors.New("corrupt scap data")
	// ErrTruncated: the stream ends inside a block.
	ErrTruncated = errors.New("scap capture truncated")
	// ErrNewSection: Next met a new section header block (captures can be
	// concatenated). The new section's metadata is in Reader.Section; call
	// Next again for its events. It is returned once per new section.
	ErrNewSection = errors.New("new scap section")
	// ErrLimit: a value does not fit the format (a parameter longer than
	// 4 GiB, an event longer than its u32 length field).
	ErrLimit = errors.New("scap limit exceeded")
	// ErrClosed: the writer is closed.
	ErrClosed = errors.New("scap writer closed")
)

// PosError locates a read error: the file name and the byte offset of the
// block at fault, counted in the decompressed stream (the same as the file
// offset for a plain, uncompressed capture).
type PosError struct {
	File   string
	Offset int64
	// Gzip is true when the capture is gzip-compressed, so Offset is not a
	// file offset.
	Gzip bool
	Err  error
}

func (e *PosError) Error() string {
	where := "offset"
	if e.Gzip {
		where = "decompressed offset"
	}
	return fmt.Sprintf("%s: %s %d: %v", e.File, where, e.Offset, e.Err)
}

func (e *PosError) Unwrap() error { return e.Err }
