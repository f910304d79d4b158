package rules

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers test with errors.Is.
var (
	// ErrInvalid is wrapped by every *LoadError: a rules file that Falco would
	// refuse (bad YAML, a bad item, a condition that does not compile).
	ErrInvalid = errors.New("invalid rules")
	// ErrRead is wrapped when a rules file or directory cannot be read.
	ErrRead = errors.New("cannot read rules")
)

// Pos is a place in a rules file: 1-based line and column.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Message is an error or a warning about a rules file: where it is, the
// item it concerns, Falco's code for it (LOAD_ERR_*, LOAD_*) and what is
// wrong.
type Message struct {
	Pos      Pos
	ItemType string // "rule", "macro", "list", "exception", "rules content", ...
	ItemName string
	Code     string
	Text     string
}

// String prints the message as one line:
//
//	falco_rules.yaml:397:3: rule 'Read sensitive file untrusted': LOAD_UNKNOWN_FILTER: ...
func (m Message) String() string {
	s := m.Pos.String() + ": "
	if m.ItemName != "" {
		s += fmt.Sprintf("%s '%s': ", m.ItemType, m.ItemName)
	} else if m.ItemType != "" {
		s += m.ItemType + ": "
	}
	return s + m.Code + ": " + m.Text
}

// LoadError is a rules error. It wraps ErrInvalid.
type LoadError struct{ Message }

func (e *LoadError) Error() string { return e.Message.String() }
func (e *LoadError) Unwrap() error { return ErrInvalid }

// LoadWarning is a rules warning: the rules still load.
type LoadWarning struct{ Message }

func (w LoadWarning) String() string { return w.Message.String() }

// The codes of errors and warnings, Falco's names (rules.md §8).
const (
	CodeErrFileRead         = "LOAD_ERR_FILE_READ"
	CodeErrYAMLParse        = "LOAD_ERR_YAML_PARSE"
	CodeErrYAMLValidate     = "LOAD_ERR_YAML_VALIDATE"
	CodeErrValidate         = "LOAD_ERR_VALIDATE"
	CodeErrCompileCondition = "LOAD_ERR_COMPILE_CONDITION"
	CodeErrCompileOutput    = "LOAD_ERR_COMPILE_OUTPUT"

	CodeUnknownSource    = "LOAD_UNKNOWN_SOURCE"
	CodeNoEvttype        = "LOAD_NO_EVTTYPE"
	CodeUnknownFilter    = "LOAD_UNKNOWN_FILTER"
	CodeUnusedMacro      = "LOAD_UNUSED_MACRO"
	CodeUnusedList       = "LOAD_UNUSED_LIST"
	CodeUnknownItem      = "LOAD_UNKNOWN_ITEM"
	CodeDeprecatedItem   = "LOAD_DEPRECATED_ITEM"
	CodeAppendNoValues   = "LOAD_APPEND_NO_VALUES"
	CodeExceptionName    = "LOAD_EXCEPTION_NAME_NOT_UNIQUE"
	CodeInvalidMacro     = "LOAD_INVALID_MACRO_NAME"
	CodeInvalidList      = "LOAD_INVALID_LIST_NAME"
	CodeUnknownKey       = "LOAD_UNKNOWN_KEY"
	CodePluginVersion    = "LOAD_PLUGIN_VERSION"
	CodeUnsafeNACheck    = "LOAD_UNSAFE_NA_CHECK"
	CodeCompileCondition = "LOAD_COMPILE_CONDITION"
)
