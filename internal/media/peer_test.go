package media

import (
	"context"
	"crypto/rand"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/hush-cc/hush/internal/conversation"
)

// udpSender is a socket on its own port sending RTP to a listener.
type udpSender struct {
	t    *testing.T
	conn *net.UDPConn
}

func dialListener(t *testing.T, l *Listener) udpSender {
	t.Helper()
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(l.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return udpSender{t: t, conn: conn}
}

func (s udpSender) addr() netip.AddrPort { return s.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

func (s udpSender) send(p *rtp.Packet) {
	s.t.Helper()
	b, err := p.Marshal()
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.conn.Write(b); err != nil {
		s.t.Fatal(err)
	}
}

// loud is an injected packet: full-scale audio the genuine tone never has.
func loud(ssrc uint32, seq uint16, ts uint32) *rtp.Packet {
	payload := make([]byte, FrameSamples)
	for i := range payload {
		payload[i] = 0x00 // µ-law -32124
	}
	return &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: PayloadPCMU, SSRC: ssrc, SequenceNumber: seq, Timestamp: ts}, Payload: payload}
}

// listenCall opens a call on the real clock with one caller listener.
func listenCall(t *testing.T) (*Recorder, *Call, *Listener) {
	t.Helper()
	r, err := NewRecorder(Config{Dir: t.TempDir(), Ports: testPorts(t, 2), Host: loopback})
	if err != nil {
		t.Fatal(err)
	}
	call, err := r.Open(context.Background(), "c", CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := call.Listen(Caller, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r, call, l
}

// waitCaller waits until the caller stream has taken accepted packets and
// dropped rejected ones.
func waitCaller(t *testing.T, call *Call, accepted, rejected int64) StreamStats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := call.Stats().Caller
		if st.Packets+st.Duplicates+st.Late >= accepted && st.Foreign+st.Unauthenticated >= rejected {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("caller stream stats %+v, want %d packets in and %d dropped", st, accepted, rejected)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// finish stops the call once the audio sent, which a burst places up to
// its length ahead of its arrival, lies in the past, and returns the
// caller channel and the segment map.
func finish(t *testing.T, r *Recorder, call *Call) ([]int16, SegmentMap) {
	t.Helper()
	time.Sleep(time.Until(call.Start().Add(time.Second)))
	for _, k := range conversation.AllCapabilities() {
		if err := call.Stop(context.Background(), k, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	wav, segs := r.Paths("c")
	_, left, _ := readWAV(t, wav)
	m, err := ReadSegmentMap(segs)
	if err != nil {
		t.Fatal(err)
	}
	return left, m
}

// checkOnlyTone asserts that ch holds exactly n packets of the caller's
// tone, in one piece, and digital silence everywhere else.
func checkOnlyTone(t *testing.T, ch []int16, n int) {
	t.Helper()
	want := callerTone.expected(0, n*FrameSamples)
	first := slices.IndexFunc(ch, func(v int16) bool { return v != 0 })
	if first < 0 {
		t.Fatal("the recording is silent: the genuine audio is gone")
	}
	start := first - slices.IndexFunc(want, func(v int16) bool { return v != 0 })
	if start < 0 || start+len(want) > len(ch) {
		t.Fatalf("genuine audio at %d does not fit the %d samples recorded", start, len(ch))
	}
	for i, v := range want {
		if ch[start+i] != v {
			t.Fatalf("sample %d of the genuine audio is %d, want %d: it was replaced", i, ch[start+i], v)
		}
	}
	if !silent(ch[:start]) || !silent(ch[start+len(want):]) {
		t.Fatal("audio outside the genuine stream's span: injected audio was recorded")
	}
}

// TestInjectionFromAnotherPortIsDropped sends a call's genuine stream from
// the address its offer named and, from another port, audio that tries to
// take the stream over, add to it or replace it. The recording must hold
// the genuine audio exactly and nothing of the injection.
func TestInjectionFromAnotherPortIsDropped(t *testing.T) {
	const packets = 30
	cases := []struct {
		name   string
		inject func(i int) []*rtp.Packet // injected before genuine packet i
	}{
		{"new-SSRC flood", func(i int) []*rtp.Packet {
			var out []*rtp.Packet
			for k := range 5 {
				g := callerTone.packet(i)
				out = append(out, loud(uint32(0x5000+i*5+k), g.SequenceNumber, g.Timestamp))
			}
			return out
		}},
		{"single packet with a new SSRC", func(i int) []*rtp.Packet {
			if i != 10 {
				return nil
			}
			g := callerTone.packet(i)
			return []*rtp.Packet{loud(0xBAD, 1, g.Timestamp)}
		}},
		{"same SSRC, sequence ahead", func(i int) []*rtp.Packet {
			if i < 10 {
				return nil
			}
			g := callerTone.packet(i)
			return []*rtp.Packet{loud(callerTone.ssrc, g.SequenceNumber, g.Timestamp)}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, call, l := listenCall(t)
			genuine, attacker := dialListener(t, l), dialListener(t, l)
			if err := l.Expect(Peer{Addr: genuine.addr()}); err != nil {
				t.Fatal(err)
			}
			injected := 0
			for i := range packets {
				for _, p := range tc.inject(i) {
					attacker.send(p)
					injected++
				}
				genuine.send(callerTone.packet(i))
			}
			st := waitCaller(t, call, packets, int64(injected))
			if st.Packets != packets || st.Foreign != int64(injected) {
				t.Fatalf("stats %+v: want %d packets taken and %d foreign", st, packets, injected)
			}
			left, m := finish(t, r, call)
			checkOnlyTone(t, left, packets)
			if m.Stats == nil || m.Stats.Caller.Foreign != int64(injected) {
				t.Fatalf("segment map stats %+v, want %d foreign packets", m.Stats, injected)
			}
		})
	}
}

// TestLatchingTakesTheFirstSourceOnly covers a peer behind NAT: its offer
// names an address it does not send from, so the listener latches onto
// the first source and drops every other.
func TestLatchingTakesTheFirstSourceOnly(t *testing.T) {
	const packets = 30
	r, call, l := listenCall(t)
	genuine, attacker := dialListener(t, l), dialListener(t, l)
	if err := l.Expect(Peer{Addr: netip.MustParseAddrPort("10.1.2.3:40000"), Latch: true}); err != nil {
		t.Fatal(err)
	}
	for i := range packets {
		genuine.send(callerTone.packet(i))
		g := callerTone.packet(i)
		attacker.send(loud(callerTone.ssrc, g.SequenceNumber+1, g.Timestamp+FrameSamples))
		attacker.send(loud(uint32(0x7000+i), g.SequenceNumber, g.Timestamp))
	}
	st := waitCaller(t, call, packets, 2*packets)
	if st.Packets != packets || st.Foreign != 2*packets {
		t.Fatalf("stats %+v: want %d packets taken and %d foreign", st, packets, 2*packets)
	}
	left, _ := finish(t, r, call)
	checkOnlyTone(t, left, packets)
}

// TestUnexpectedListenerTakesNothing: a port whose peer is not known yet,
// or is on hold (c=0.0.0.0), records nothing.
func TestUnexpectedListenerTakesNothing(t *testing.T) {
	r, call, l := listenCall(t)
	s := dialListener(t, l)
	for i := range 5 {
		s.send(callerTone.packet(i))
	}
	waitCaller(t, call, 0, 5)
	if err := l.Expect(Peer{Addr: netip.AddrPortFrom(netip.IPv4Unspecified(), s.addr().Port())}); err != nil {
		t.Fatal(err)
	}
	for i := 5; i < 10; i++ {
		s.send(callerTone.packet(i))
	}
	st := waitCaller(t, call, 0, 10)
	if st.Packets != 0 {
		t.Fatalf("stats %+v: packets taken from no peer", st)
	}
	left, _ := finish(t, r, call)
	if !silent(left) {
		t.Fatal("audio recorded from a source never negotiated")
	}
}

// srtpSender encrypts the caller's tone as an SDES peer would.
func srtpSender(t *testing.T, suite string) (*SRTPKey, *srtp.Context) {
	t.Helper()
	key := &SRTPKey{Suite: suite, Key: make([]byte, SRTPKeyLen)}
	if _, err := rand.Read(key.Key); err != nil {
		t.Fatal(err)
	}
	prof, err := key.profile()
	if err != nil {
		t.Fatal(err)
	}
	enc, err := srtp.CreateContext(key.Key[:16], key.Key[16:], prof)
	if err != nil {
		t.Fatal(err)
	}
	return key, enc
}

// TestSRTPIsDecryptedAndForgeriesDropped records an SRTP stream of each
// suite, with a forged packet (plain RTP) and a replayed one from the
// genuine source in between: only the genuine audio is kept.
func TestSRTPIsDecryptedAndForgeriesDropped(t *testing.T) {
	for _, suite := range []string{SuiteAES128SHA1_80, SuiteAES128SHA1_32} {
		t.Run(suite, func(t *testing.T) {
			const packets = 30
			r, call, l := listenCall(t)
			s := dialListener(t, l)
			key, enc := srtpSender(t, suite)
			if err := l.Expect(Peer{Addr: s.addr(), SRTP: key}); err != nil {
				t.Fatal(err)
			}
			var first []byte
			for i := range packets {
				b, err := callerTone.packet(i).Marshal()
				if err != nil {
					t.Fatal(err)
				}
				ct, err := enc.EncryptRTP(nil, b, nil)
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = ct
				}
				if _, err := s.conn.Write(ct); err != nil {
					t.Fatal(err)
				}
				if i == 20 {
					g := callerTone.packet(i + 1)
					s.send(loud(callerTone.ssrc, g.SequenceNumber, g.Timestamp)) // forged: no valid tag
					if _, err := s.conn.Write(first); err != nil {               // replayed
						t.Fatal(err)
					}
				}
			}
			st := waitCaller(t, call, packets, 2)
			if st.Packets != packets || st.Unauthenticated != 2 {
				t.Fatalf("stats %+v: want %d packets taken and 2 unauthenticated", st, packets)
			}
			left, _ := finish(t, r, call)
			checkOnlyTone(t, left, packets)
		})
	}
}

func TestSRTPKeyNeverPrinted(t *testing.T) {
	k := SRTPKey{Suite: SuiteAES128SHA1_80, Key: []byte("0123456789abcdefghijklmnopqrst")}
	for _, s := range []string{k.String(), k.GoString()} {
		if s == "" || slices.Contains([]string{string(k.Key)}, s) || len(s) > 40 {
			t.Fatalf("key printed as %q", s)
		}
	}
}
