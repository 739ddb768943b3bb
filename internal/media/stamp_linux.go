package media

import (
	"encoding/binary"
	"net"
	"syscall"
	"time"
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
// returns the zero time.
func receivedAt(oob []byte) time.Time {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}
	}
	for _, m := range msgs {
		if m.Header.Level != syscall.SOL_SOCKET || m.Header.Type != syscall.SCM_TIMESTAMPNS {
			continue
		}
		switch len(m.Data) {
		case 16: // struct timespec with 64-bit fields
			sec := int64(binary.NativeEndian.Uint64(m.Data[0:]))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:]))
			return time.Unix(sec, nsec)
		case 8:
			sec := int64(int32(binary.NativeEndian.Uint32(m.Data[0:])))
			nsec := int64(int32(binary.NativeEndian.Uint32(m.Data[4:])))
			return time.Unix(sec, nsec)
		}
	}
	return time.Time{}
}
