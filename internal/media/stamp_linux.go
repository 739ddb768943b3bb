package media

import (
	"encoding/binary"
	"net"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// enableTimestamps asks the kernel to stamp each datagram with its
// receive time (SO_TIMESTAMPNS).
func enableTimestamps(conn *net.UDPConn) bool {
	raw, err := conn.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return false
	}
	return true
}

// receivedAt finds the receive time in a datagram's control messages, or
// returns the zero time if there is none or they are malformed. It walks
// the headers in place, since it runs once a packet.
func receivedAt(oob []byte) time.Time {
	var at time.Time
	found := false
	hdr := unix.CmsgLen(0)
	for i := 0; i+hdr <= len(oob); {
		b := oob[i:]
		var n int
		if unix.SizeofCmsghdr == 16 {
			n = int(binary.NativeEndian.Uint64(b))
		} else {
			n = int(binary.NativeEndian.Uint32(b))
		}
		if n < unix.SizeofCmsghdr || n > len(b) {
			return time.Time{}
		}
		lvl := int32(binary.NativeEndian.Uint32(b[unix.SizeofCmsghdr-8:]))
		typ := int32(binary.NativeEndian.Uint32(b[unix.SizeofCmsghdr-4:]))
		if !found && lvl == unix.SOL_SOCKET && typ == unix.SCM_TIMESTAMPNS {
			switch data := b[hdr:n]; len(data) {
			case 16: // struct timespec with 64-bit fields
				sec := int64(binary.NativeEndian.Uint64(data[0:]))
				nsec := int64(binary.NativeEndian.Uint64(data[8:]))
				at, found = time.Unix(sec, nsec), true
			case 8:
				sec := int64(int32(binary.NativeEndian.Uint32(data[0:])))
				nsec := int64(int32(binary.NativeEndian.Uint32(data[4:])))
				at, found = time.Unix(sec, nsec), true
			}
		}
		i += unix.CmsgSpace(n - hdr)
	}
	return at
}
