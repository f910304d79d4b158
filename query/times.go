package query

import (
	"fmt"
	"strings"
	"time"
)

// ParseTime reads a --since/--until time: RFC 3339 ("2026-11-26T05:02:47Z"),
// an offset from the capture's start ("+90s", "+1h30m"), or a clock time
// on the day of the start ("05:02:47", "05:02:47.5"), in UTC. start is the
// capture's first timestamp in ns.
func ParseTime(s string, start uint64) (uint64, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "+") {
		d, err := time.ParseDuration(s[1:])
		if err != nil || d < 0 {
			return 0, fmt.Errorf("bad offset %q: want +DURATION like +90s", s)
		}
		return start + uint64(d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return uint64(t.UnixNano()), nil
	}
	for _, layout := range []string{"15:04:05.999999999", "15:04:05", "15:04"} {
		if c, err := time.Parse(layout, s); err == nil {
			day := time.Unix(0, int64(start)).UTC()
			t := time.Date(day.Year(), day.Month(), day.Day(), c.Hour(), c.Minute(), c.Second(), c.Nanosecond(), time.UTC)
			return uint64(t.UnixNano()), nil
		}
	}
	return 0, fmt.Errorf("bad time %q: want RFC 3339, a clock time HH:MM:SS, or +DURATION", s)
}
