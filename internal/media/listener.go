package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

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
}

func newListener(conn *net.UDPConn, port int, ports *Ports) *Listener {
	return &Listener{conn: conn, port: port, ports: ports, done: make(chan struct{})}
}

// Port returns the local port.
func (l *Listener) Port() int { return l.port }

// Addr returns the local address.
func (l *Listener) Addr() netip.AddrPort { return l.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// Serve reads datagrams and passes each to handle until the listener is
// closed. handle must not keep the slice: it is reused for the next read.
func (l *Listener) Serve(handle func(b []byte)) error {
	defer close(l.done)
	buf := make([]byte, 2048)
	for {
		n, _, err := l.conn.ReadFromUDPAddrPort(buf)
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
		handle(buf[:n])
	}
}

// Close stops Serve and releases the port. It may be called more than
// once.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		err = l.conn.Close()
		l.ports.release(l.port)
	})
	return err
}

// Wait blocks until Serve has returned. Only call it after Serve started.
func (l *Listener) Wait() { <-l.done }

// Listen binds an RTP port for channel ch of the call and feeds what
// arrives there into it until the call is released. payloads is the
// negotiated payload type map (nil for the static G.711 types).
func (c *Call) Listen(ch Channel, payloads PayloadMap) (*Listener, error) {
	if c.rec.ports == nil {
		return nil, errors.New("media: recorder has no rtp ports")
	}
	l, err := c.rec.ports.Listen(c.rec.host)
	if err != nil {
		return nil, fmt.Errorf("media: listen for %s: %w", c.id, err)
	}
	c.mu.Lock()
	if c.done[0] && c.done[1] {
		c.mu.Unlock()
		l.Close()
		return nil, ErrStopped
	}
	c.listeners = append(c.listeners, l)
	if payloads != nil {
		c.streams[ch&1].payloads = payloads
	}
	c.mu.Unlock()
	go func() {
		var p rtp.Packet
		err := l.Serve(func(b []byte) {
			if p.Unmarshal(b) == nil {
				c.Push(ch, &p, c.rec.now())
			}
		})
		if err != nil {
			c.log.Warn("rtp listener stopped", "port", l.Port(), "err", err)
		}
	}()
	return l, nil
}
