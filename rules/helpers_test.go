package rules

import (
	"testing"

	"forensics/event"
)

// eventType returns the type of an event by name and direction.
func eventType(t testing.TB, name string, exit bool) event.Type {
	t.Helper()
	for _, info := range event.ByName(name) {
		if (info.Type%2 == 1) == exit {
			return info.Type
		}
	}
	t.Fatalf("no event %s (exit %v)", name, exit)
	return 0
}
