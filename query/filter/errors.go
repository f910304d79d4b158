package filter

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers test with errors.Is. Every error returned by
// Parse and ParseFormat is a *SyntaxError that wraps ErrSyntax and, for the
// cases below, one more sentinel.
var (
	// ErrSyntax: the text is not a valid filter or format string.
	ErrSyntax = errors.New("filter syntax error")
	// ErrEmpty: the filter or format string is empty (or only blanks).
	ErrEmpty = errors.New("empty filter")
	// ErrTooDeep: parentheses, not(...) and transformer calls nest deeper
	// than MaxDepth.
	ErrTooDeep = errors.New("filter nested too deeply")
	// ErrUnsupported: valid libsinsp syntax this parser does not implement
	// (the multi-argument transformers join, concat and getopt).
	ErrUnsupported = errors.New("unsupported filter construct")
)

// SyntaxError locates a syntax error: Pos is the 0-based byte offset into the
// source, and Error() reports it as a 1-based column ("col 17: ...") that
// counts bytes from the start of the whole source, newlines included.
type SyntaxError struct {
	Pos int
	Msg string
	// kind is an extra sentinel (ErrEmpty, ErrTooDeep, ErrUnsupported) or nil.
	kind error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("col %d: %s", e.Pos+1, e.Msg)
}

// Unwrap returns ErrSyntax and, when there is one, the more specific
// sentinel, so errors.Is works with either.
func (e *SyntaxError) Unwrap() []error {
	if e.kind != nil {
		return []error{ErrSyntax, e.kind}
	}
	return []error{ErrSyntax}
}
