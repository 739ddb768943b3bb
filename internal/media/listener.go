package media

import (
	"errors"
	"net"
	"net/netip"
	"sync"
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
