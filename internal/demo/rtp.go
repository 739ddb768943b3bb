package demo

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"golang.org/x/net/ipv4"
)

// packetSamples is 20 ms at 8 kHz, one packet's worth.
const packetSamples = 160

// sendBatch is how many packets one sendmmsg carries. A tick's packets
// go out in batches: one system call a packet cost the sender about as
// much CPU as the recorder spends receiving them, and a single goroutine
// could not keep 1,500 calls on time.
const sendBatch = 64

// Streamer sends the RTP of many streams from one socket, 50 packets a
// second each, paced by the wall clock: a stream that falls behind (a
// slow tick) catches up, so its timestamps follow real time.
type Streamer struct {
	conn *net.UDPConn
	pc   *ipv4.PacketConn
	mu   sync.Mutex
	all  map[*Stream]struct{}
	// ticking is held while a tick sends: Settle waits for it.
	ticking sync.Mutex
	// Errors counts failed sends.
	Errors atomic.Int64

	// The batch being filled; only Run's goroutine uses it.
	msgs [sendBatch]ipv4.Message
	bufs [sendBatch][]byte
	from [sendBatch]*Stream
	n    int
}

// Stream is one RTP stream: looped G.711 audio to one address.
type Stream struct {
	to      *net.UDPAddr
	audio   []byte // PCMU, a whole number of packets
	pt      uint8
	ssrc    uint32
	start   time.Time
	n       int64 // packets due so far (sent or skipped)
	sending atomic.Bool
	seq     uint16
	sent    atomic.Int64
	pkt     rtp.Packet
}

// NewStreamer opens the sending socket on host.
func NewStreamer(host netip.Addr) (*Streamer, error) {
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(host, 0)))
	if err != nil {
		return nil, fmt.Errorf("demo: rtp socket: %w", err)
	}
	_ = conn.SetWriteBuffer(4 << 20)
	s := &Streamer{conn: conn, pc: ipv4.NewPacketConn(conn), all: map[*Stream]struct{}{}}
	for i := range s.msgs {
		s.bufs[i] = make([]byte, 1500)
		s.msgs[i].Buffers = [][]byte{nil}
	}
	return s, nil
}

// Port returns the local port the streams are sent from.
func (s *Streamer) Port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

// Start begins sending audio (PCMU, looped) to to.
func (s *Streamer) Start(to netip.AddrPort, audio []byte, ssrc uint32) *Stream {
	st := &Stream{to: net.UDPAddrFromAddrPort(to), audio: audio, ssrc: ssrc, start: time.Now()}
	st.sending.Store(true)
	s.mu.Lock()
	s.all[st] = struct{}{}
	s.mu.Unlock()
	return st
}

// Stop stops a stream for good.
func (s *Streamer) Stop(st *Stream) {
	s.mu.Lock()
	delete(s.all, st)
	s.mu.Unlock()
}

// Settle returns once the tick sending when it was called, if any, has
// sent all it will: after Stop and Settle a stream's Sent count is final.
func (s *Streamer) Settle() {
	s.ticking.Lock()
	defer s.ticking.Unlock()
}

// SetSending pauses a stream (as on hold: no packets, the clock runs on)
// or resumes it.
func (st *Stream) SetSending(on bool) { st.sending.Store(on) }

// Sent returns the packets sent so far.
func (st *Stream) Sent() int64 { return st.sent.Load() }

// Run sends until ctx ends.
func (s *Streamer) Run(ctx context.Context) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	var batch []*Stream
	for {
		select {
		case <-ctx.Done():
			s.conn.Close()
			return
		case now := <-t.C:
			s.ticking.Lock()
			batch = batch[:0]
			s.mu.Lock()
			for st := range s.all {
				batch = append(batch, st)
			}
			s.mu.Unlock()
			for _, st := range batch {
				s.send(st, now)
			}
			s.flush()
			s.ticking.Unlock()
		}
	}
}

// send queues the packets of st that are due at now.
func (s *Streamer) send(st *Stream, now time.Time) {
	due := int64(now.Sub(st.start)/(20*time.Millisecond)) + 1
	for ; st.n < due; st.n++ {
		if !st.sending.Load() {
			continue
		}
		off := int(st.n*packetSamples) % len(st.audio)
		st.pkt.Header = rtp.Header{Version: 2, PayloadType: st.pt, SSRC: st.ssrc,
			SequenceNumber: st.seq, Timestamp: uint32(st.n * packetSamples)}
		st.pkt.Payload = st.audio[off : off+packetSamples]
		n, err := st.pkt.MarshalTo(s.bufs[s.n])
		if err != nil {
			s.Errors.Add(1)
			continue
		}
		st.seq++
		s.msgs[s.n].Buffers[0] = s.bufs[s.n][:n]
		s.msgs[s.n].Addr = st.to
		s.from[s.n] = st
		if s.n++; s.n == sendBatch {
			s.flush()
		}
	}
}

// flush sends the queued packets. A packet the kernel refuses is counted
// as an error and skipped; the rest still go.
func (s *Streamer) flush() {
	for i := 0; i < s.n; {
		n, err := s.pc.WriteBatch(s.msgs[i:s.n], 0)
		for _, st := range s.from[i : i+n] {
			st.sent.Add(1)
		}
		i += n
		if i < s.n && (err != nil || n == 0) {
			s.Errors.Add(1)
			i++
		}
	}
	clear(s.from[:s.n])
	s.n = 0
}
