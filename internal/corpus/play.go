package corpus

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtp"
	"github.com/zaf/g711"
)

// Payload types the player sends: PCMU, and RFC 4733 telephone events as
// the demo SBC's offer names them.
const (
	ptPCMU  = 0
	ptEvent = 101
)

// packet is 20 ms at Rate.
const packet = Rate / 50

// Streams are the two sockets a call's media leaves from, so the offer
// can name each stream's source exactly.
type Streams struct {
	Caller, Agent *net.UDPConn
}

// OpenStreams opens both sockets on host.
func OpenStreams(host netip.Addr) (*Streams, error) {
	open := func() (*net.UDPConn, error) {
		return net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(host, 0)))
	}
	c, err := open()
	if err != nil {
		return nil, fmt.Errorf("corpus: caller socket: %w", err)
	}
	a, err := open()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("corpus: agent socket: %w", err)
	}
	return &Streams{Caller: c, Agent: a}, nil
}

// Ports are the local ports of the caller's and the agent's stream.
func (s *Streams) Ports() (int, int) {
	return s.Caller.LocalAddr().(*net.UDPAddr).Port, s.Agent.LocalAddr().(*net.UDPAddr).Port
}

// Close closes both sockets.
func (s *Streams) Close() {
	s.Caller.Close()
	s.Agent.Close()
}

// Play sends the call in real time, 20 ms packets paced by the clock, to
// the recorder's caller and agent addresses. Keyed-events calls carry
// their keys as telephone events in place of audio. It returns when the
// first card digit was sent.
func (s *Streams) Play(ctx context.Context, c Call, caller, agent netip.AddrPort) (time.Time, error) {
	var cardAt time.Time
	var card Span
	for _, sp := range c.Spans {
		if sp.Kind == SpanCard {
			card = sp
		}
	}
	cs := &sender{conn: s.Caller, to: caller, ssrc: 0x1000 + uint32(len(c.ID)), keys: c.Keys, events: c.Condition.Mode == KeyedEvents}
	as := &sender{conn: s.Agent, to: agent, ssrc: 0x2000 + uint32(len(c.ID))}
	start := time.Now()
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	n := int64(0)
	total := (int64(len(c.Caller)) + packet - 1) / packet
	for n < total {
		select {
		case <-ctx.Done():
			return cardAt, ctx.Err()
		case now := <-t.C:
			due := min(total, int64(now.Sub(start)/(20*time.Millisecond))+1)
			for ; n < due; n++ {
				pos := n * packet
				if cardAt.IsZero() && card.End > card.Start && pos+packet > card.Start {
					cardAt = time.Now()
				}
				if err := cs.send(c.Caller, pos); err != nil {
					return cardAt, err
				}
				if err := as.send(c.Agent, pos); err != nil {
					return cardAt, err
				}
			}
		}
	}
	return cardAt, nil
}

// sender is one RTP stream.
type sender struct {
	conn   *net.UDPConn
	to     netip.AddrPort
	ssrc   uint32
	seq    uint16
	keys   []Key
	events bool
	ended  map[int]int // key index → end packets sent
	buf    [1500]byte
}

func (s *sender) send(pcm []int16, pos int64) error {
	if s.events {
		for i, k := range s.keys {
			if pos+packet > k.Start && pos < k.End+3*packet {
				return s.event(i, k, pos)
			}
		}
	}
	payload := make([]byte, packet)
	for i := range payload {
		var v int16
		if p := pos + int64(i); p < int64(len(pcm)) {
			v = pcm[p]
		}
		payload[i] = g711.EncodeUlawFrame(v)
	}
	return s.write(rtp.Header{PayloadType: ptPCMU, Timestamp: uint32(pos)}, payload)
}

// event sends key i as RFC 4733 says: the key's start as timestamp, its
// duration so far, and three end packets once it is over.
func (s *sender) event(i int, k Key, pos int64) error {
	if s.ended == nil {
		s.ended = map[int]int{}
	}
	sym := map[byte]byte{'*': 10, '#': 11}[k.Symbol]
	if k.Symbol >= '0' && k.Symbol <= '9' {
		sym = k.Symbol - '0'
	}
	dur := min(pos+packet, k.End) - k.Start
	end := pos+packet >= k.End
	if end && s.ended[i] >= 3 {
		return nil
	}
	flags := byte(10) // volume -10 dBm0
	if end {
		flags |= 0x80
		s.ended[i]++
	}
	h := rtp.Header{PayloadType: ptEvent, Timestamp: uint32(k.Start), Marker: pos <= k.Start}
	return s.write(h, []byte{sym, flags, byte(dur >> 8), byte(dur)})
}

func (s *sender) write(h rtp.Header, payload []byte) error {
	h.Version, h.SSRC, h.SequenceNumber = 2, s.ssrc, s.seq
	s.seq++
	p := rtp.Packet{Header: h, Payload: payload}
	n, err := p.MarshalTo(s.buf[:])
	if err != nil {
		return err
	}
	_, err = s.conn.WriteToUDPAddrPort(s.buf[:n], s.to)
	return err
}
