package render

import (
	"encoding/base64"
	"fmt"
)

// appendBuffer renders a BYTEBUF in the options' buffer mode.
func (o Options) appendBuffer(dst []byte, b []byte) []byte {
	switch o.Buffer {
	case BufferASCII:
		dst = append(dst, '\n')
		for j, c := range b {
			switch {
			case printable(c):
				dst = append(dst, c)
			case c == '\r':
				dst = append(dst, '\n')
			case c == '\n':
				if j > 0 && b[j-1] != '\r' {
					dst = append(dst, '\n')
				}
			}
		}
		return dst
	case BufferHex, BufferHexASCII:
		return appendHexDump(dst, b, o.Buffer == BufferHexASCII)
	case BufferBase64:
		return base64.StdEncoding.AppendEncode(dst, b)
	}
	start, cut := len(dst), false
	if max := o.MaxBufLen; max > 0 && len(b) > max {
		// One byte out for each byte in: what is cut needs no rendering.
		b, cut = b[:max], true
	}
	for _, c := range b {
		if printable(c) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '.')
		}
	}
	if cut && len(dst)-start > 3 {
		copy(dst[len(dst)-3:], "...")
	}
	return dst
}

// appendHexDump renders rows of 16 bytes: "\n\t0xOOOO:" then the bytes as
// big-endian 16-bit groups (" %04x", a lone last byte " %02x"); with ascii
// the row is padded to eight groups and followed by two spaces and the
// bytes as text ('.' for non-printable ones). A newline ends the dump.
func appendHexDump(dst []byte, b []byte, ascii bool) []byte {
	for row := 0; row < len(b); row += 16 {
		dst = fmt.Appendf(dst, "\n\t0x%.4x:", row)
		end := min(row+16, len(b))
		groups := 0
		for i := row; i < end; i += 2 {
			if i+1 < end {
				dst = fmt.Appendf(dst, " %02x%02x", b[i], b[i+1])
			} else {
				dst = fmt.Appendf(dst, " %02x", b[i])
			}
			groups++
		}
		if ascii {
			for ; groups < 8; groups++ {
				dst = append(dst, "     "...)
			}
			dst = append(dst, ' ', ' ')
			for _, c := range b[row:end] {
				if printable(c) {
					dst = append(dst, c)
				} else {
					dst = append(dst, '.')
				}
			}
		}
	}
	return append(dst, '\n')
}
