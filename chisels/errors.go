package chisels

import "errors"

var (
	// ErrUnknownChisel is returned for a name no chisel has.
	ErrUnknownChisel = errors.New("unknown chisel")
	// ErrArgs is returned for missing or malformed chisel arguments.
	ErrArgs = errors.New("bad chisel arguments")
	// ErrFilter is returned when the user's filter does not compile.
	ErrFilter = errors.New("bad filter")
)
