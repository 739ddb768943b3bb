package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// ErrNoPorts is returned when every RTP port of the range is taken.
var ErrNoPorts = errors.New("media: no free rtp port")

// Ports hands out RTP ports from a range. RTP takes the even port of a
// pair and RTCP the odd one above it (RFC 3550), so only even ports are
// given out and each reserves its pair. A port is free again once the
// listener holding it is closed.
type Ports struct {
	lo, hi int // inclusive bounds of the even ports handed out
	mu     sync.Mutex
	next   int
	used   map[int]bool
}

// ParsePortRange parses "LO-HI", as given to --rtp-ports.
func ParsePortRange(s string) (lo, hi int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return 0, 0, fmt.Errorf("rtp port range %q: want LO-HI", s)
	}
	if lo, err = strconv.Atoi(a); err == nil {
		hi, err = strconv.Atoi(b)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("rtp port range %q: %w", s, err)
	}
	return lo, hi, nil
}

// NewPorts returns an allocator for ports lo..hi, which must hold at least
// one even/odd pair.
func NewPorts(lo, hi int) (*Ports, error) {
	if lo < 1 || hi > 65535 || lo > hi {
		return nil, fmt.Errorf("rtp port range %d-%d: out of bounds", lo, hi)
	}
	first := lo + lo%2
	last := hi - 1
	last -= last % 2
	if first > last {
		return nil, fmt.Errorf("rtp port range %d-%d: no even/odd port pair", lo, hi)
	}
	return &Ports{lo: first, hi: last, next: first, used: map[int]bool{}}, nil
}

// Size returns how many ports the range can hand out at once.
func (p *Ports) Size() int { return (p.hi-p.lo)/2 + 1 }

// InUse returns how many ports are handed out.
func (p *Ports) InUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.used)
}

// Listen binds a UDP listener on host at the next free even port. Ports
// another process holds are skipped.
func (p *Ports) Listen(host netip.Addr) (*Listener, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var lastErr error
	for range p.Size() {
		port := p.next
		p.next += 2
		if p.next > p.hi {
			p.next = p.lo
		}
		if p.used[port] {
			continue
		}
		conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(host, uint16(port))))
		if err != nil {
			lastErr = err
			continue
		}
		p.used[port] = true
		return newListener(conn, port, p), nil
	}
	if lastErr != nil {
		return nil, fmt.Errorf("%w (last: %w)", ErrNoPorts, lastErr)
	}
	return nil, ErrNoPorts
}

func (p *Ports) release(port int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.used, port)
}
