package fields

import (
	"fmt"
	"strings"
)

// printForm is how sysdig prints a field's value when it is not the
// value's plain text (its PF_* print format).
type printForm uint8

const (
	printPlain  printForm = iota
	printPad9             // PF_10_PADDED_DEC: decimal, zero-padded to 9 digits
	printHexU32           // PF_HEX: upper-case hex of the 32-bit value
)

var printForms = map[string]printForm{
	"evt.reltime": printPad9, "evt.reltime.ns": printPad9, "evt.rawtime.ns": printPad9,
	"fd.dev": printHexU32, "fd.dev.major": printHexU32, "fd.dev.minor": printHexU32,
}

// Print renders a value of the field as sysdig 0.29.3 prints it in an
// output line (-p with a leading *): <NA> when missing; a buffer in its
// default text form, every byte that is not printable ASCII shown as a
// dot; evt.reltime, evt.reltime.ns and evt.rawtime.ns zero-padded to 9
// digits; fd.dev and its parts in upper-case hex; anything else as
// Value.String.
func (f *Field) Print(v Value, ok bool) string {
	if !ok {
		return "<NA>"
	}
	if v.Kind == TBytes {
		b := make([]byte, len(v.Buf))
		for i, c := range v.Buf {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			b[i] = c
		}
		return string(b)
	}
	switch printForms[f.Name] {
	case printPad9:
		switch v.Kind {
		case TInt, TRelTime:
			return fmt.Sprintf("%09d", v.I)
		case TUint, TAbsTime:
			return fmt.Sprintf("%09d", v.U)
		}
	case printHexU32:
		return strings.ToUpper(fmt.Sprintf("%x", uint32(v.I)))
	}
	return v.String()
}
