package media

import (
	"context"
	"io"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/zaf/g711"

	"github.com/hush-cc/hush/internal/conversation"
)

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// tone returns sample n of a sine of freq Hz as it comes out of G.711.
func tone(freq float64, n int, codec Codec) int16 {
	v := int16(6000 * math.Sin(2*math.Pi*freq*float64(n)/SampleRate))
	if codec == CodecPCMA {
		return g711.DecodeAlawFrame(g711.EncodeAlawFrame(v))
	}
	return g711.DecodeUlawFrame(g711.EncodeUlawFrame(v))
}

// sender makes the RTP packets of one side of a call: a tone, 20 ms each.
type sender struct {
	freq  float64
	ssrc  uint32
	seq0  uint16
	ts0   uint32
	codec Codec
}

func (s sender) packet(i int) *rtp.Packet {
	pt := uint8(PayloadPCMU)
	if s.codec == CodecPCMA {
		pt = PayloadPCMA
	}
	payload := make([]byte, FrameSamples)
	for k := range payload {
		v := int16(6000 * math.Sin(2*math.Pi*s.freq*float64(i*FrameSamples+k)/SampleRate))
		if s.codec == CodecPCMA {
			payload[k] = g711.EncodeAlawFrame(v)
		} else {
			payload[k] = g711.EncodeUlawFrame(v)
		}
	}
	return &rtp.Packet{
		Header: rtp.Header{
			Version: 2, PayloadType: pt, SSRC: s.ssrc,
			SequenceNumber: s.seq0 + uint16(i),
			Timestamp:      s.ts0 + uint32(i*FrameSamples),
		},
		Payload: payload,
	}
}

// expected returns what the sender's channel holds at timeline positions
// [from, to) when its first packet is at position 0.
func (s sender) expected(from, to int) []int16 {
	out := make([]int16, to-from)
	for n := from; n < to; n++ {
		out[n-from] = tone(s.freq, n, s.codec)
	}
	return out
}

var (
	callerTone = sender{freq: 440, ssrc: 0x1111, seq0: 65500, ts0: math.MaxUint32 - 4000}
	agentTone  = sender{freq: 620, ssrc: 0x2222, seq0: 7, ts0: 123456, codec: CodecPCMA}
)

// sim drives one call packet by packet on a fake clock.
type sim struct {
	t     *testing.T
	clock *fakeClock
	rec   *Recorder
	call  *Call
	step  int
}

func newSim(t *testing.T, cfg Config) *sim {
	t.Helper()
	clock := &fakeClock{t: t0}
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	cfg.Now = clock.Now
	rec, err := NewRecorder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	call, err := rec.Open(context.Background(), "conv-1", CallOptions{Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	return &sim{t: t, clock: clock, rec: rec, call: call}
}

// now returns the time of the current step.
func (s *sim) now() time.Time { return t0.Add(time.Duration(s.step) * FrameDuration) }

// at returns the time d after the call start.
func at(d time.Duration) time.Time { return t0.Add(d) }

// run sends both streams up to d after the start, one packet per side per
// 20 ms, committing as time goes by. hook runs before each step's packets.
func (s *sim) run(d time.Duration, hook func(now time.Time)) {
	s.t.Helper()
	for ; time.Duration(s.step)*FrameDuration < d; s.step++ {
		now := s.now()
		s.clock.Set(now)
		if hook != nil {
			hook(now)
		}
		s.call.Push(Caller, callerTone.packet(s.step), now)
		s.call.Push(Agent, agentTone.packet(s.step), now)
		if err := s.call.Advance(context.Background(), now); err != nil {
			s.t.Fatal(err)
		}
	}
	s.clock.Set(s.now())
	if err := s.call.Advance(context.Background(), s.now()); err != nil {
		s.t.Fatal(err)
	}
}

// stop ends both capabilities at the current time.
func (s *sim) stop() {
	s.t.Helper()
	for _, k := range conversation.AllCapabilities() {
		if err := s.call.Stop(context.Background(), k, s.now()); err != nil {
			s.t.Fatal(err)
		}
	}
}

func (s *sim) pause(k conversation.Capability, from time.Time) time.Time {
	s.t.Helper()
	applied, err := s.call.Pause(k, from, []conversation.Reason{{Kind: conversation.Manual, ID: "agent-7", Since: from}})
	if err != nil {
		s.t.Fatal(err)
	}
	return applied
}

func (s *sim) resume(k conversation.Capability, from time.Time) time.Time {
	s.t.Helper()
	applied, err := s.call.Resume(k, from)
	if err != nil {
		s.t.Fatal(err)
	}
	return applied
}

func (s *sim) wav() (left, right []int16) {
	s.t.Helper()
	path, _ := s.rec.Paths(s.call.ID())
	_, left, right = readWAV(s.t, path)
	return left, right
}

func (s *sim) segments() SegmentMap {
	s.t.Helper()
	_, path := s.rec.Paths(s.call.ID())
	m, err := ReadSegmentMap(path)
	if err != nil {
		s.t.Fatal(err)
	}
	return m
}

// readWAV parses a WAV file written by WAVWriter, checking its header
// against the file's size.
func readWAV(t *testing.T, path string) (WAVInfo, []int16, []int16) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := ReadWAVInfo(f)
	if err != nil {
		t.Fatal(err)
	}
	if info.Channels != 2 || info.SampleRate != SampleRate || info.Bits != 16 {
		t.Fatalf("format = %+v, want stereo 8 kHz 16-bit", info)
	}
	if info.RIFFSize != info.DataSize+36 {
		t.Fatalf("RIFF size %d does not match data size %d", info.RIFFSize, info.DataSize)
	}
	data := make([]byte, info.DataSize)
	if _, err := f.ReadAt(data, info.DataOffset); err != nil && err != io.EOF {
		t.Fatalf("data chunk shorter than its header says: %v", err)
	}
	n := len(data) / 4
	left, right := make([]int16, n), make([]int16, n)
	for i := range n {
		left[i] = int16(uint16(data[4*i]) | uint16(data[4*i+1])<<8)
		right[i] = int16(uint16(data[4*i+2]) | uint16(data[4*i+3])<<8)
	}
	return info, left, right
}

// rms returns the root mean square of 20 ms frame i of ch.
func rms(ch []int16, i int) float64 {
	var sum float64
	frame := ch[i*FrameSamples : (i+1)*FrameSamples]
	for _, v := range frame {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(frame)))
}

// silent reports whether every sample of s is digital zero.
func silent(s []int16) bool {
	for _, v := range s {
		if v != 0 {
			return false
		}
	}
	return true
}

// checkFrames asserts, per 20 ms frame in [from, to), that both channels
// carry audio (RMS above a tone's floor) or are digital silence.
func checkFrames(t *testing.T, left, right []int16, from, to int, audio bool) {
	t.Helper()
	for i := from; i < to; i++ {
		for c, ch := range [][]int16{left, right} {
			f := ch[i*FrameSamples : (i+1)*FrameSamples]
			switch {
			case audio && rms(ch, i) < 1000:
				t.Fatalf("frame %d channel %d: RMS %.0f, want audio", i, c, rms(ch, i))
			case !audio && !silent(f):
				t.Fatalf("frame %d channel %d: RMS %.0f, want digital silence", i, c, rms(ch, i))
			}
		}
	}
}

// checkExact asserts that the WAV holds exactly what both senders sent for
// timeline positions [from, to), starting at WAV sample wavFrom.
func checkExact(t *testing.T, left, right []int16, wavFrom, from, to int) {
	t.Helper()
	wantL, wantR := callerTone.expected(from, to), agentTone.expected(from, to)
	for i := range to - from {
		if left[wavFrom+i] != wantL[i] || right[wavFrom+i] != wantR[i] {
			t.Fatalf("sample %d (timeline %d): got (%d, %d), want (%d, %d)",
				wavFrom+i, from+i, left[wavFrom+i], right[wavFrom+i], wantL[i], wantR[i])
		}
	}
}

// collector is a transcriber sink that keeps copies of what it is given.
type collector struct {
	mu     sync.Mutex
	frames []Frame
	closed bool
}

func (c *collector) Write(_ context.Context, f Frame) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f.Caller, f.Agent = append([]int16(nil), f.Caller...), append([]int16(nil), f.Agent...)
	c.frames = append(c.frames, f)
	return nil
}

func (c *collector) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}
