package rules

import (
	"fmt"
	"strings"
)

// Priority is a rule's priority: lower is more severe, as in Falco
// (Emergency 0 ... Debug 7).
type Priority uint8

// The priorities.
const (
	Emergency Priority = iota
	Alert
	Critical
	Error
	Warning
	Notice
	Informational
	Debug
)

var priorityNames = [...]string{"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"}

// String is the long capitalised name Falco prints ("Informational").
func (p Priority) String() string {
	if int(p) < len(priorityNames) {
		return priorityNames[p]
	}
	return fmt.Sprintf("Priority(%d)", p)
}

// ParsePriority reads a priority as Falco does: the long names in any
// case, and "info". WARN, ERR, CRIT and the like are not priorities.
func ParsePriority(s string) (Priority, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	if l == "info" {
		return Informational, nil
	}
	for i, n := range priorityNames {
		if strings.ToLower(n) == l {
			return Priority(i), nil
		}
	}
	return 0, fmt.Errorf("invalid priority %q: want one of emergency, alert, critical, error, warning, notice, informational (info), debug", s)
}
