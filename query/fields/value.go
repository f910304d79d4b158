package fields

import (
	"net/netip"
	"strconv"
	"strings"
)

// Type is a field's value type.
type Type uint8

const (
	TString Type = iota + 1
	TInt         // signed integer
	TUint        // unsigned integer
	TBool
	TIP      // an IPv4 or IPv6 address
	TPort    // a port number
	TAbsTime // ns since the epoch
	TRelTime // a duration in ns
	TBytes   // a buffer
	TStrings // a list of strings (proc.aname without index, ...)
	TCharBuf = TString
)

var typeNames = map[Type]string{TString: "CHARBUF", TInt: "INT64", TUint: "UINT64", TBool: "BOOL",
	TIP: "IPADDR", TPort: "PORT", TAbsTime: "ABSTIME", TRelTime: "RELTIME", TBytes: "BYTEBUF", TStrings: "LIST"}

// String returns the type's name as `forensics fields` lists it.
func (t Type) String() string { return typeNames[t] }

// Value is an extracted value. Which member holds it follows Kind.
type Value struct {
	Kind Type
	S    string
	I    int64  // TInt, TRelTime
	U    uint64 // TUint, TPort, TAbsTime
	B    bool
	// Paren prints a TStrings value as Falco prints a plugin's list
	// field: (a,b,c) instead of space-separated.
	Paren bool
	IP    netip.Addr
	Buf   []byte
	List  []string
}

// Str, Int, Uint, Bool, IPVal, BufVal and ListVal make values.
func Str(s string) Value       { return Value{Kind: TString, S: s} }
func Int(v int64) Value        { return Value{Kind: TInt, I: v} }
func Uint(v uint64) Value      { return Value{Kind: TUint, U: v} }
func Bool(v bool) Value        { return Value{Kind: TBool, B: v} }
func IPVal(a netip.Addr) Value { return Value{Kind: TIP, IP: a} }
func Port(p uint16) Value      { return Value{Kind: TPort, U: uint64(p)} }
func BufVal(b []byte) Value    { return Value{Kind: TBytes, Buf: b} }
func ListVal(l []string) Value { return Value{Kind: TStrings, List: l} }
func AbsTime(ns uint64) Value  { return Value{Kind: TAbsTime, U: ns} }
func RelTime(ns int64) Value   { return Value{Kind: TRelTime, I: ns} }

// String renders the value as sysdig prints a field.
// AppendText appends String's text to dst without making the string.
func (v Value) AppendText(dst []byte) []byte {
	switch v.Kind {
	case TString:
		return append(dst, v.S...)
	case TInt, TRelTime:
		return strconv.AppendInt(dst, v.I, 10)
	case TUint, TPort, TAbsTime:
		return strconv.AppendUint(dst, v.U, 10)
	case TIP:
		if v.IP.IsValid() { // String says "invalid IP" where AppendTo adds nothing
			return v.IP.AppendTo(dst)
		}
	case TBytes:
		return append(dst, v.Buf...)
	}
	return append(dst, v.String()...)
}

func (v Value) String() string {
	switch v.Kind {
	case TString:
		return v.S
	case TInt, TRelTime:
		return strconv.FormatInt(v.I, 10)
	case TUint, TPort, TAbsTime:
		return strconv.FormatUint(v.U, 10)
	case TBool:
		if v.B {
			return "true"
		}
		return "false"
	case TIP:
		return v.IP.String()
	case TBytes:
		return string(v.Buf)
	case TStrings:
		if v.Paren {
			return "(" + strings.Join(v.List, ",") + ")"
		}
		s := ""
		for i, e := range v.List {
			if i > 0 {
				s += " "
			}
			s += e
		}
		return s
	}
	return ""
}
