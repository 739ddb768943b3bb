package media

import (
	"context"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// BenchmarkPacketPath measures the per-packet work of a two-stream call:
// RTP unmarshal, sequence tracking, G.711 decode, placement on the
// timeline, and (once per 20 ms of both streams) the commit through the
// gates into the WAV file. Packets per second per core is reported.
func BenchmarkPacketPath(b *testing.B) { packetPath(b, nil) }

// packetPath is BenchmarkPacketPath with the card-digit detectors digits.
func packetPath(b *testing.B, digits *Digits) {
	clock := &fakeClock{t: t0}
	r, err := NewRecorder(Config{Dir: b.TempDir(), Now: clock.Now, Digits: digits})
	if err != nil {
		b.Fatal(err)
	}
	call, err := r.Open(context.Background(), "bench", CallOptions{Start: t0})
	if err != nil {
		b.Fatal(err)
	}
	const distinct = 500 // 10 s of packets, resent with advancing numbers
	var wire [2][distinct][]byte
	for ch, s := range []sender{callerTone, agentTone} {
		for i := range distinct {
			wire[ch][i], _ = s.packet(i).Marshal()
		}
	}
	var p rtp.Packet
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for n := range b.N {
		i, ch := n/2, n%2
		buf := wire[ch][i%distinct]
		if err := p.Unmarshal(buf); err != nil {
			b.Fatal(err)
		}
		// Continue the stream past the stored packets.
		p.SequenceNumber += uint16(i - i%distinct)
		p.Timestamp += uint32((i - i%distinct) * FrameSamples)
		now := t0.Add(time.Duration(i) * FrameDuration)
		call.Push(Channel(ch), &p, now)
		if ch == 1 {
			if err := call.Advance(ctx, now); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/packet")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
	if st := call.Stats(); st.Caller.Late+st.Agent.Late+st.Caller.Early+st.Agent.Early > 0 {
		b.Fatalf("packets dropped: %+v", st)
	}
	clock.Set(t0.Add(time.Duration(b.N/2) * FrameDuration))
	if err := r.Close(ctx); err != nil {
		b.Fatal(err)
	}
}
