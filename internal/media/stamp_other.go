//go:build !linux

package media

import (
	"net"
	"time"
)

// enableTimestamps reports that this platform gives no receive times.
func enableTimestamps(*net.UDPConn) bool { return false }

func receivedAt([]byte) time.Time { return time.Time{} }
