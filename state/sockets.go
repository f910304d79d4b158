package state

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"forensics/event"
)

// Socket families as the drivers encode them (PPM_AF_*).
const (
	afUnix    = 1
	afInet    = 2
	afInet6   = 10
	afNetlink = 16
)

// decodeSockaddr decodes a SOCKADDR parameter: family u8, then an IPv4 or
// IPv6 address and a host-order port, or a unix path.
func decodeSockaddr(b []byte) (family byte, addr netip.Addr, port uint16, path string, ok bool) {
	if len(b) < 1 {
		return 0, netip.Addr{}, 0, "", false
	}
	family = b[0]
	switch family {
	case afInet:
		if len(b) < 7 {
			return family, netip.Addr{}, 0, "", false
		}
		return family, netip.AddrFrom4([4]byte(b[1:5])), binary.LittleEndian.Uint16(b[5:]), "", true
	case afInet6:
		if len(b) < 19 {
			return family, netip.Addr{}, 0, "", false
		}
		return family, netip.AddrFrom16([16]byte(b[1:17])).Unmap(), binary.LittleEndian.Uint16(b[17:]), "", true
	case afUnix:
		return family, netip.Addr{}, 0, cstring(b[1:]), true
	}
	return family, netip.Addr{}, 0, "", false
}

// decodeTuple decodes a SOCKTUPLE parameter into t. It returns the family,
// the unix path for unix sockets, and false when the parameter is empty or
// malformed.
func decodeTuple(b []byte, t *event.Tuple) (family byte, path string, ok bool) {
	if len(b) < 1 {
		return 0, "", false
	}
	family = b[0]
	switch family {
	case afInet:
		if len(b) < 13 {
			return family, "", false
		}
		t.SIP = netip.AddrFrom4([4]byte(b[1:5]))
		t.SPort = binary.LittleEndian.Uint16(b[5:])
		t.DIP = netip.AddrFrom4([4]byte(b[7:11]))
		t.DPort = binary.LittleEndian.Uint16(b[11:])
		return family, "", true
	case afInet6:
		if len(b) < 37 {
			return family, "", false
		}
		t.SIP = netip.AddrFrom16([16]byte(b[1:17])).Unmap()
		t.SPort = binary.LittleEndian.Uint16(b[17:])
		t.DIP = netip.AddrFrom16([16]byte(b[19:35])).Unmap()
		t.DPort = binary.LittleEndian.Uint16(b[35:])
		return family, "", true
	case afUnix:
		if len(b) < 17 {
			return family, "", false
		}
		t.SrcPtr = binary.LittleEndian.Uint64(b[1:])
		t.DstPtr = binary.LittleEndian.Uint64(b[9:])
		return family, cstring(b[17:]), true
	}
	return family, "", false
}

// TupleName renders a connection as sysdig's fd.name does:
// "sip:sport->dip:dport".
func TupleName(t *event.Tuple) string {
	return Endpoint(t.SIP, t.SPort) + "->" + Endpoint(t.DIP, t.DPort)
}

// Endpoint renders an address and port, "0.0.0.0:port" for no address.
func Endpoint(a netip.Addr, port uint16) string {
	s := "0.0.0.0"
	if a.IsValid() {
		s = a.String()
	}
	return s + ":" + strconv.Itoa(int(port))
}

// unixName renders a unix socket's name: the path when it has one,
// otherwise the two kernel pointers in hex, as sysdig shows them.
func unixName(t *event.Tuple, path string) string {
	if path != "" {
		return path
	}
	return strconv.FormatUint(t.SrcPtr, 16) + "->" + strconv.FormatUint(t.DstPtr, 16)
}
