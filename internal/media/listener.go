package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// Listener receives RTP on one UDP port taken from Ports. Closing it gives
// the port back.
type Listener struct {
	conn  *net.UDPConn
	port  int
	ports *Ports
	once  sync.Once
	done  chan struct{}
	// detach, when a recorder's receivers serve the listener (conn is
	// then closed and they hold the socket), stops them and closes it.
	detach func()

	mu     sync.Mutex
	filter *peerFilter // nil until Expect: nothing is taken
	call   *Call       // the call and channel fed, when Call.Listen made it
	ch     Channel
}

func newListener(conn *net.UDPConn, port int, ports *Ports) *Listener {
	return &Listener{conn: conn, port: port, ports: ports, done: make(chan struct{})}
}

// Port returns the local port.
func (l *Listener) Port() int { return l.port }

// Addr returns the local address.
func (l *Listener) Addr() netip.AddrPort { return l.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// Serve reads datagrams and passes each to handle until the listener is
// closed, with its source and the time the kernel received it (zero where
// the platform does not say). handle must not keep the slice: it is
// reused for the next read.
func (l *Listener) Serve(handle func(b []byte, from netip.AddrPort, at time.Time)) error {
	defer close(l.done)
	buf := make([]byte, 2048)
	oob := make([]byte, 128)
	stamps := enableTimestamps(l.conn)
	for {
		n, oobn, _, from, err := l.conn.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		var at time.Time
		if stamps {
			at = receivedAt(oob[:oobn])
		}
		handle(buf[:n], from, at)
	}
}

// Close stops Serve and releases the port. It may be called more than
// once.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		if l.detach != nil {
			l.detach() // closes the socket the receivers hold
		} else {
			err = l.conn.Close()
		}
		l.ports.release(l.port)
	})
	return err
}

// Wait blocks until Serve has returned. Only call it after Serve started.
func (l *Listener) Wait() { <-l.done }

// Listen binds an RTP port for channel ch of the call and feeds what
// arrives there from the listener's peer into it until the call is
// released; the peer is set with Expect, and until then nothing is taken.
// payloads is the negotiated payload type map (nil for the static G.711
// types).
func (c *Call) Listen(ch Channel, payloads PayloadMap) (*Listener, error) {
	if c.rec.ports == nil {
		return nil, errors.New("media: recorder has no rtp ports")
	}
	l, err := c.rec.ports.Listen(c.rec.host)
	if err != nil {
		return nil, fmt.Errorf("media: listen for %s: %w", c.id, err)
	}
	var p rtp.Packet
	handle := func(b []byte, from netip.AddrPort, at time.Time) {
		switch v := l.admit(b, from, &p); v {
		case admitted:
			c.Push(ch, &p, c.rec.arrival(at))
		case foreign, unauthenticated:
			c.reject(ch, v)
		}
	}
	// Served before the call knows the listener, so that a release
	// closing it also stops what serves it.
	batched := c.rec.rx.add(l, handle) == nil
	c.mu.Lock()
	if c.done[0] && c.done[1] {
		c.mu.Unlock()
		l.Close()
		return nil, ErrStopped
	}
	l.call, l.ch = c, ch&1
	c.listeners = append(c.listeners, l)
	if payloads != nil {
		c.streams[ch&1].payloads = payloads
	}
	c.mu.Unlock()
	if !batched {
		go func() {
			if err := l.Serve(handle); err != nil {
				c.log.Warn("rtp listener stopped", "port", l.Port(), "err", err)
			}
		}()
	}
	return l, nil
}

// maxStampSkew bounds how far a kernel receive time may be from the
// clock before it is distrusted (the clock was set meanwhile).
const maxStampSkew = 10 * time.Second

// arrival returns when a packet arrived: the kernel's receive time when
// there is one and the recorder runs on the real clock, else now. The
// kernel's time keeps packets in place even when the process was not
// scheduled for a while and read a backlog at once.
func (r *Recorder) arrival(kernel time.Time) time.Time {
	now := r.now()
	if kernel.IsZero() || !r.realClock {
		return now
	}
	if d := now.Sub(kernel); d < -maxStampSkew || d > maxStampSkew {
		return now
	}
	return kernel
}
