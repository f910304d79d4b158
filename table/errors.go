package table

import "errors"

var (
	// ErrColumn is returned for a column list that names no field, or a
	// field no table can hold.
	ErrColumn = errors.New("bad column")
	// ErrFormat is returned for an output format this package does not
	// write, or a target it cannot write it to.
	ErrFormat = errors.New("bad output format")
	// ErrSQL is returned for an SQL statement SQLite rejects (an unknown
	// table or column, a syntax error).
	ErrSQL = errors.New("bad SQL")
)
