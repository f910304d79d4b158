package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// Exit status convention of forensics. Scripts can rely on it:
//
//	0  success; for a yes/no question, the answer is positive
//	   (e.g. verify found the file intact)
//	1  the command ran fine and the answer is negative
//	   (e.g. verify found damage)
//	2  usage error: unknown command or flag, bad or missing arguments
//	3  runtime error: I/O, unreadable input, interrupted, ...
const (
	exitOK       = 0
	exitNegative = 1
	exitUsage    = 2
	exitRuntime  = 3
)

// exitStatusHelp describes the convention in the root command's help.
const exitStatusHelp = `Exit status:
  0  success (for a yes/no question: yes, e.g. the file is intact)
  1  the command ran fine and the answer is negative (e.g. damage found)
  2  usage error: unknown command or flag, bad or missing arguments
  3  runtime error (I/O, unreadable input, interrupted, ...)`

// exitError is an error that carries the exit status of the process.
type exitError struct {
	code int
	err  error // nil for a silent exit (nothing is printed)
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withCode returns err carrying the exit status code. A subcommand returns
// withCode(exitNegative, nil) to exit with 1 without printing anything
// (after printing its own report), or withCode(exitNegative, err) to print
// "forensics: <err>" too. withCode(exitOK, err) returns err unchanged, and
// withCode(exitOK, nil) returns nil.
//
// Errors that a subcommand returns without a code exit with exitRuntime;
// errors of cobra's own parsing of the command line exit with exitUsage.
func withCode(code int, err error) error {
	if code == exitOK {
		return err
	}
	return &exitError{code: code, err: err}
}

// usageErrorf returns an error that exits with exitUsage, for arguments
// that a subcommand finds wrong after cobra parsed them.
func usageErrorf(format string, args ...any) error {
	return withCode(exitUsage, fmt.Errorf(format, args...))
}

// exitCode returns the exit status for err, the error of a command run.
// An error without a code is one of cobra's parsing errors: every error
// that our own code returns is given a code (see markRuntimeErrors).
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	if e, ok := errors.AsType[*exitError](err); ok {
		return e.code
	}
	return exitUsage
}

// markRuntimeErrors gives exitRuntime to the errors without a code that
// fn, a RunE or hook of a command, returns; nil stays nil.
func markRuntimeErrors(fn func(cmd *cobra.Command, args []string) error) func(cmd *cobra.Command, args []string) error {
	if fn == nil {
		return nil
	}
	return func(cmd *cobra.Command, args []string) error {
		err := fn(cmd, args)
		if err == nil {
			return nil
		}
		if _, ok := errors.AsType[*exitError](err); ok {
			return err
		}
		return withCode(exitRuntime, err)
	}
}
