package media

import (
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/hush-cc/hush/internal/testwait"
)

// datagram is what a batch receiver handed on.
type datagram struct {
	seq  uint32
	from netip.AddrPort
	at   time.Time
}

// Datagrams already queued on a socket when its receiver starts are read
// in batches, and each keeps its own source and the time the kernel
// received it: all before the receiver existed, in the order sent.
func TestBatchReceiveKeepsSourceAndStamps(t *testing.T) {
	ports := testPorts(t, 4)
	rs := newReceivers()
	var mu sync.Mutex
	got := map[int][]datagram{}
	const perSender = 3*receiveBatch + 1
	var ls []*Listener
	var senders [2][]*net.UDPConn
	for i := range 2 {
		l, err := ports.Listen(loopback)
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		if !enableTimestamps(l.conn) {
			t.Fatal("no kernel timestamps")
		}
		for range 2 {
			c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(l.Addr()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			senders[i] = append(senders[i], c)
		}
	}
	warmStamps(t, ls[0], senders[0][0])
	// Two senders a socket, interleaved; each datagram names its sender
	// and its rank.
	for k := range perSender {
		for i := range ls {
			for s, c := range senders[i] {
				b := binary.BigEndian.AppendUint32(nil, uint32(s<<16|k))
				if _, err := c.Write(b); err != nil {
					t.Fatal(err)
				}
			}
		}
		time.Sleep(time.Millisecond) // distinct receive times
	}
	started := time.Now()
	for i, l := range ls {
		err := rs.add(l, func(b []byte, from netip.AddrPort, at time.Time) {
			mu.Lock()
			defer mu.Unlock()
			got[i] = append(got[i], datagram{binary.BigEndian.Uint32(b), from, at})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	testwait.Eventually(t, func() (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return len(got[0]) == 2*perSender && len(got[1]) == 2*perSender, nil
	}, "every datagram handed on")
	mu.Lock()
	defer mu.Unlock()
	for i := range ls {
		next := [2]int{}
		var last time.Time
		for _, d := range got[i] {
			s, k := int(d.seq>>16), int(d.seq&0xffff)
			if want := senders[i][s].LocalAddr().(*net.UDPAddr).AddrPort(); d.from.Addr().Unmap() != want.Addr() || d.from.Port() != want.Port() {
				t.Fatalf("socket %d: datagram of sender %d from %v, want %v", i, s, d.from, want)
			}
			if k != next[s] {
				t.Fatalf("socket %d sender %d: datagram %d, want %d", i, s, k, next[s])
			}
			next[s]++
			if d.at.IsZero() || !d.at.Before(started) || d.at.Before(last) || d.at.Before(started.Add(-5*time.Second)) {
				t.Fatalf("socket %d: receive time %v (previous %v, receiver started %v)", i, d.at, last, started)
			}
			last = d.at
		}
	}
	for _, l := range ls {
		l.Close()
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for i, w := range rs.workers {
		if w != nil {
			t.Fatalf("worker %d still running with no socket", i)
		}
	}
}

// warmStamps waits until the kernel stamps datagrams when they arrive:
// it turns stamping on for the whole stack only shortly after the first
// socket asks, and stamps at read time until then.
func warmStamps(t *testing.T, l *Listener, c *net.UDPConn) {
	t.Helper()
	buf, oob := make([]byte, 64), make([]byte, 128)
	testwait.Eventually(t, func() (bool, error) {
		if _, err := c.Write([]byte("warm")); err != nil {
			return false, err
		}
		time.Sleep(2 * time.Millisecond) // the datagram waits to be read
		_, oobn, _, _, err := l.conn.ReadMsgUDP(buf, oob)
		if err != nil {
			return false, err
		}
		at := receivedAt(oob[:oobn])
		return !at.IsZero() && time.Since(at) >= time.Millisecond, nil
	}, "kernel stamps datagrams on arrival")
}

// receivedAt reads the control messages as the standard library's parser
// does, whatever bytes it is given.
func FuzzReceivedAt(f *testing.F) {
	f.Add(stampMessage(1_790_000_000, 123_456_789))
	f.Add(append(syscall.UnixRights(3), stampMessage(1, 2)...))
	f.Add(stampMessage(-1, -1)[:20])
	f.Fuzz(func(t *testing.T, oob []byte) {
		if got, want := receivedAt(oob), parsedReceivedAt(oob); !got.Equal(want) {
			t.Fatalf("receivedAt = %v, want %v", got, want)
		}
	})
}

// stampMessage is the control message the kernel attaches under
// SO_TIMESTAMPNS.
func stampMessage(sec, nsec int64) []byte {
	b := make([]byte, syscall.CmsgSpace(16))
	h := (*syscall.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = syscall.SOL_SOCKET, syscall.SCM_TIMESTAMPNS
	h.SetLen(syscall.CmsgLen(16))
	binary.NativeEndian.PutUint64(b[syscall.CmsgLen(0):], uint64(sec))
	binary.NativeEndian.PutUint64(b[syscall.CmsgLen(0)+8:], uint64(nsec))
	return b
}

// parsedReceivedAt reads the receive time through the standard library's
// parser.
func parsedReceivedAt(oob []byte) time.Time {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}
	}
	for _, m := range msgs {
		if m.Header.Level != syscall.SOL_SOCKET || m.Header.Type != syscall.SCM_TIMESTAMPNS {
			continue
		}
		switch len(m.Data) {
		case 16:
			return time.Unix(int64(binary.NativeEndian.Uint64(m.Data)), int64(binary.NativeEndian.Uint64(m.Data[8:])))
		case 8:
			return time.Unix(int64(int32(binary.NativeEndian.Uint32(m.Data))), int64(int32(binary.NativeEndian.Uint32(m.Data[4:]))))
		}
	}
	return time.Time{}
}
