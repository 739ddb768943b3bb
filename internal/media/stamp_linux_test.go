package media

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

// The kernel stamps each RTP datagram with its receive time, which the
// recorder prefers to the time it got around to reading it.
func TestListenerStampsArrival(t *testing.T) {
	ports, err := NewPorts(46000, 46099)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ports.Listen(netip.MustParseAddr("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan time.Time, 1)
	go func() {
		_ = l.Serve(func(b []byte, _ netip.AddrPort, at time.Time) {
			select {
			case got <- at:
			default:
			}
		})
	}()
	defer func() {
		l.Close()
		l.Wait()
	}()
	conn, err := net.Dial("udp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sent := time.Now()
	if _, err := conn.Write([]byte("rtp")); err != nil {
		t.Fatal(err)
	}
	at := <-got
	if at.IsZero() || at.Before(sent.Add(-time.Second)) || at.After(time.Now().Add(time.Second)) {
		t.Fatalf("receive time %v for a datagram sent at %v", at, sent)
	}
}
