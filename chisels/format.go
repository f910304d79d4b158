package chisels

import (
	"fmt"
	"math"
	"strings"
)

// Text formatting as sysdig's chisels do it (common.lua).

// extend pads s with spaces to width; a longer s is cut to width-1 and
// followed by one space (extend_string).
func extend(s string, width int) string {
	if len(s) < width {
		return s + strings.Repeat(" ", width-len(s))
	}
	return s[:width-1] + " "
}

// formatBytes is format_bytes: 1024-based units with two decimals.
func formatBytes(v int64) string {
	f := float64(v)
	const k = 1024.0
	switch {
	case f > k*k*k*k*k:
		return fix2(f/(k*k*k*k*k)) + "P"
	case f > k*k*k*k:
		return fix2(f/(k*k*k*k)) + "T"
	case f > k*k*k:
		return fix2(f/(k*k*k)) + "G"
	case f > k*k:
		return fix2(f/(k*k)) + "M"
	case f > k:
		return fix2(f/k) + "KB"
	}
	return fmt.Sprintf("%dB", v)
}

// fix2 is %.2f rounding halves up, as sysdig's Lua prints them (90.625
// is 90.63; Go's %.2f would round to even).
func fix2(f float64) string {
	return fmt.Sprintf("%.2f", math.Floor(f*100+0.5)/100)
}

// formatTime is format_time_interval for a duration in ns.
func formatTime(v int64) string {
	const s, ms, us = 1_000_000_000, 1_000_000, 1_000
	switch {
	case v >= s:
		return fmt.Sprintf("%d.%02ds", v/s, (v%s)/10_000_000)
	case v >= s/100:
		return fmt.Sprintf("%dms", v/ms)
	case v >= s/1000:
		return fmt.Sprintf("%d.%02dms", v/ms, (v%ms)/10_000)
	case v >= s/100000:
		return fmt.Sprintf("%dus", v/us)
	case v >= s/1000000:
		return fmt.Sprintf("%d.%02dus", v/us, (v%us)/10)
	}
	return fmt.Sprintf("%dns", v)
}

// asciiEOL renders a buffer as sysdig's -A mode does: a leading newline,
// printable characters and line breaks kept (\r and \r\n become \n), the
// rest dropped.
func asciiEOL(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('\n')
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\r':
			sb.WriteByte('\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case c == '\n' || (c >= 0x20 && c < 0x7f):
			sb.WriteByte(c)
		}
	}
	return sb.String()
}
