package media

import (
	"bytes"
	"fmt"
	"net/netip"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// Peer says whose RTP a listener takes: the one source the session
// negotiated, and the key its packets are protected with. Anything else
// that reaches the port is dropped and counted, so nothing sent from
// elsewhere can displace, silence or add to a stream.
type Peer struct {
	// Addr is the address and port the offer named for the stream. An
	// unspecified address (c=0.0.0.0, a hold the RFC 2543 way) or port 0
	// takes nothing.
	Addr netip.AddrPort
	// Latch, for peers behind NAT whose offer names an address they do
	// not send from, takes instead the source of the first packet and
	// never another (until an offer names a new Addr).
	Latch bool
	// SRTP, if set, is the key the peer encrypts with (RFC 4568 SDES):
	// only packets it authenticates are taken.
	SRTP *SRTPKey
	// Sending says the peer should be sending on the stream (it is
	// neither inactive nor on hold): a call whose sending streams all
	// stay silent for the RTP timeout is over.
	Sending bool
}

// SRTP crypto suites the recorder receives (RFC 4568 section 6.2).
const (
	SuiteAES128SHA1_80 = "AES_CM_128_HMAC_SHA1_80"
	SuiteAES128SHA1_32 = "AES_CM_128_HMAC_SHA1_32"
)

// SRTPKeyLen is the length of an AES_CM_128 master key and salt together.
const SRTPKeyLen = 30

// SRTPKey is an SDES master key and salt with its crypto suite. Its
// String and its log value name the suite only: keys are never logged.
type SRTPKey struct {
	Suite string
	Key   []byte // master key (16 bytes) then master salt (14 bytes)
}

// String names the suite, never the key.
func (k SRTPKey) String() string { return k.Suite }

// GoString names the suite, never the key.
func (k SRTPKey) GoString() string { return "media.SRTPKey{" + k.Suite + "}" }

// profile returns the pion protection profile of the suite.
func (k SRTPKey) profile() (srtp.ProtectionProfile, error) {
	switch k.Suite {
	case SuiteAES128SHA1_80:
		return srtp.ProtectionProfileAes128CmHmacSha1_80, nil
	case SuiteAES128SHA1_32:
		return srtp.ProtectionProfileAes128CmHmacSha1_32, nil
	}
	return 0, fmt.Errorf("media: unsupported srtp suite %q", k.Suite)
}

// srtpReplayWindow is how many packets back SRTP replay protection
// remembers: more than the commit delay holds at 20 ms a packet.
const srtpReplayWindow = 512

// newSRTP returns a decryption context for k.
func newSRTP(k *SRTPKey) (*srtp.Context, error) {
	prof, err := k.profile()
	if err != nil {
		return nil, err
	}
	if len(k.Key) != SRTPKeyLen {
		return nil, fmt.Errorf("media: srtp key of %d bytes, want %d", len(k.Key), SRTPKeyLen)
	}
	ctx, err := srtp.CreateContext(k.Key[:16], k.Key[16:], prof, srtp.SRTPReplayProtection(srtpReplayWindow))
	if err != nil {
		return nil, fmt.Errorf("media: srtp context: %w", err)
	}
	return ctx, nil
}

// peerFilter is a listener's view of its Peer: the source it accepts and
// the SRTP context that checks and decrypts its packets.
type peerFilter struct {
	peer    Peer
	latched netip.AddrPort
	srtp    *srtp.Context
	dec     []byte
}

// Expect sets whose packets the listener takes from now on. Until it is
// called, a listener takes nothing. Setting the same peer again keeps
// what was learned (the latched source, SRTP replay and rollover state).
func (l *Listener) Expect(p Peer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.filter
	f := &peerFilter{peer: p}
	if old != nil && old.peer.Addr == p.Addr && old.peer.Latch == p.Latch {
		f.latched = old.latched
	}
	switch {
	case p.SRTP == nil:
	case old != nil && old.srtp != nil && old.peer.SRTP != nil && old.peer.SRTP.Suite == p.SRTP.Suite &&
		bytes.Equal(old.peer.SRTP.Key, p.SRTP.Key):
		f.srtp, f.dec = old.srtp, old.dec
	default:
		ctx, err := newSRTP(p.SRTP)
		if err != nil {
			return err
		}
		f.srtp, f.dec = ctx, make([]byte, 0, 2048)
	}
	l.filter = f
	if l.call != nil {
		l.call.expectSending(l.ch, p.Sending)
	}
	return nil
}

// verdict says what became of a datagram.
type verdict uint8

const (
	admitted        verdict = iota
	foreign                 // from another source than the peer
	unauthenticated         // failed SRTP authentication, or plain where SRTP was negotiated
	malformedRTP            // not an RTP packet
)

// admit checks that b came from the peer and, under SRTP, authenticates
// and decrypts it into p.
func (l *Listener) admit(b []byte, from netip.AddrPort, p *rtp.Packet) verdict {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.filter
	if f == nil || !f.accepts(from.Addr().Unmap(), from.Port()) {
		return foreign
	}
	if f.srtp == nil {
		if p.Unmarshal(b) != nil {
			return malformedRTP
		}
		f.latch(from)
		return admitted
	}
	var h rtp.Header
	if _, err := h.Unmarshal(b); err != nil {
		return malformedRTP
	}
	dec, err := f.srtp.DecryptRTP(f.dec[:0], b, &h)
	if err != nil || p.Unmarshal(dec) != nil {
		return unauthenticated
	}
	f.latch(from)
	return admitted
}

// accepts reports whether a packet from addr:port is the peer's.
func (f *peerFilter) accepts(addr netip.Addr, port uint16) bool {
	want := f.peer.Addr
	if f.peer.Latch {
		if f.latched.IsValid() {
			want = f.latched
		} else {
			return true // the first packet names the source
		}
	}
	if !want.IsValid() || want.Addr().IsUnspecified() || want.Port() == 0 {
		return false
	}
	return want.Addr().Unmap() == addr && want.Port() == port
}

// latch fixes the source of a latching peer at its first good packet.
func (f *peerFilter) latch(from netip.AddrPort) {
	if f.peer.Latch && !f.latched.IsValid() {
		f.latched = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	}
}

// reject counts a datagram of channel ch that was dropped, and logs the
// first of each kind once: a flood costs counters, never log lines.
func (c *Call) reject(ch Channel, v verdict) {
	c.mu.Lock()
	st := &c.streams[ch&1].stats
	var n int64
	reason := "source"
	if v == unauthenticated {
		st.Unauthenticated++
		n, reason = st.Unauthenticated, "srtp"
	} else {
		st.Foreign++
		n = st.Foreign
	}
	c.mu.Unlock()
	c.rec.metrics.rejected(reason)
	if n == 1 {
		c.log.Warn("rtp dropped: not from the negotiated peer", "channel", ch, "reason", reason)
	}
}
