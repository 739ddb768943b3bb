package media

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/zaf/g711"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/detect"
)

// keyed is the caller's side of a call that talks (a 440 Hz tone) and
// keys digits in band at the given times, each key 80 ms long.
type keyed struct {
	pcm []int16
}

func newKeyed(d time.Duration, keys map[time.Duration]byte) keyed {
	n := int(samples(d))
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(3000 * math.Sin(2*math.Pi*440*float64(i)/SampleRate))
	}
	freqs := map[byte][2]float64{'1': {697, 1209}, '4': {770, 1209}, '5': {770, 1336}, '9': {852, 1477}, '0': {941, 1336}}
	for at, k := range keys {
		f := freqs[k]
		start := int(samples(at))
		for i := range 640 {
			t := float64(i) / SampleRate
			pcm[start+i] = int16(7000*math.Sin(2*math.Pi*f[0]*t) + 8000*math.Sin(2*math.Pi*f[1]*t))
		}
	}
	return keyed{pcm: pcm}
}

func (k keyed) packet(i int) *rtp.Packet {
	payload := make([]byte, FrameSamples)
	for j := range payload {
		payload[j] = g711.EncodeUlawFrame(k.pcm[i*FrameSamples+j])
	}
	return &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: PayloadPCMU, SSRC: 0x5151,
		SequenceNumber: uint16(i), Timestamp: uint32(i * FrameSamples)}, Payload: payload}
}

// decision is what the detectors asked of the recorder.
type decision struct {
	pause bool
	at    time.Time
	src   detect.Source
}

// runKeyed plays caller c against the agent's tone, applying the
// detectors' decisions to both gates as the engine would, and returns
// the WAV's caller channel and the decisions.
func runKeyed(t *testing.T, c keyed, events func(step int) *rtp.Packet) ([]int16, []decision) {
	t.Helper()
	return runDetected(t, DefaultDigits(), c, events, func(*Call) {}, 0)
}

// runDetected is runKeyed with detectors dig; settle runs after each
// step's commit, to wait for detectors on goroutines of their own; a
// decision is applied lag after it was made, as by a busy engine.
func runDetected(t *testing.T, dig Digits, c keyed, events func(step int) *rtp.Packet, settle func(*Call), lag time.Duration) ([]int16, []decision) {
	t.Helper()
	got := make(chan decision, 16)
	dig.Run = func(_ string, src detect.Source, pause bool, at time.Time) { got <- decision{pause, at, src} }
	s := newSim(t, Config{Digits: &dig})
	s.call.SetPayloads(Caller, PayloadMap{PayloadPCMU: CodecPCMU, 101: CodecEvent})
	var all, waiting []decision
	var due []time.Time
	steps := len(c.pcm) / FrameSamples
	for ; s.step < steps; s.step++ {
		now := s.now()
		s.clock.Set(now)
		for drained := false; !drained; {
			select {
			case d := <-got:
				all = append(all, d)
				waiting, due = append(waiting, d), append(due, now.Add(lag))
			default:
				drained = true
			}
		}
		for len(waiting) > 0 && !due[0].After(now) {
			d := waiting[0]
			waiting, due = waiting[1:], due[1:]
			{
				for _, k := range conversation.AllCapabilities() {
					var err error
					if d.pause {
						_, err = s.call.Pause(k, d.at, []conversation.Reason{{Kind: conversation.Auto, ID: string(d.src), Since: d.at}})
					} else {
						_, err = s.call.Resume(k, now)
					}
					if err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if p := events(s.step); p != nil {
			s.call.Push(Caller, p, now)
		} else {
			s.call.Push(Caller, c.packet(s.step), now)
		}
		s.call.Push(Agent, agentTone.packet(s.step), now)
		if err := s.call.Advance(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		settle(s.call)
		// The detectors' answers come on their own goroutine.
		time.Sleep(50 * time.Microsecond)
	}
	s.stop()
	left, _ := s.wav()
	return left, all
}

func noEvents(int) *rtp.Packet { return nil }

func frameLoud(pcm []int16, p int64) bool {
	var e float64
	for _, v := range pcm[p : p+FrameSamples] {
		e += float64(v) * float64(v)
	}
	return e/FrameSamples > 1000*1000
}

// A card number keyed in band pauses recording and transcription from the
// guard before its first digit, retroactively: no tone of it, and nothing
// said from then on, reaches the WAV; the call is recorded again once the
// caller has been quiet for the quiet time.
func TestKeyedCardNumberNeverReachesTheWAV(t *testing.T) {
	keys := map[time.Duration]byte{}
	start := 6 * time.Second
	for i, k := range []byte("4111555599990000") {
		keys[start+time.Duration(i)*200*time.Millisecond] = k
	}
	last := start + 15*200*time.Millisecond + 80*time.Millisecond
	left, decisions := runKeyed(t, newKeyed(20*time.Second, keys), noEvents)
	if len(decisions) != 2 || !decisions[0].pause || decisions[1].pause {
		t.Fatalf("decisions %+v, want one pause then its end", decisions)
	}
	if from := decisions[0].at.Sub(t0); from > start-250*time.Millisecond || from < start-400*time.Millisecond {
		t.Fatalf("the pause starts %v into the call, want the guard before %v", from, start)
	}
	for p := samples(start - 250*time.Millisecond); p < samples(last+4*time.Second); p += FrameSamples {
		if frameLoud(left, p) {
			t.Fatalf("the recording holds audio at %v, inside the card number's pause", time.Duration(p*nsPerSample))
		}
	}
	for _, d := range []time.Duration{time.Second, 5 * time.Second, last + 6*time.Second} {
		if !frameLoud(left, samples(d)) {
			t.Fatalf("the recording is silent at %v, outside the pause", d)
		}
	}
}

// Three digits (a menu choice, an extension) pause nothing, but the tones
// themselves are written as silence and the talk around them is kept.
func TestShortRunsOnlyMaskTheirTones(t *testing.T) {
	keys := map[time.Duration]byte{3 * time.Second: '1', 3400 * time.Millisecond: '9', 3800 * time.Millisecond: '0'}
	left, decisions := runKeyed(t, newKeyed(9*time.Second, keys), noEvents)
	if len(decisions) != 0 {
		t.Fatalf("decisions %+v for three digits", decisions)
	}
	for at := range keys {
		for p := samples(at); p < samples(at+80*time.Millisecond)-FrameSamples; p += FrameSamples {
			if frameLoud(left, p) {
				t.Fatalf("the tone at %v reached the recording", at)
			}
		}
	}
	for _, d := range []time.Duration{2 * time.Second, 3200 * time.Millisecond, 5 * time.Second} {
		if !frameLoud(left, samples(d)) {
			t.Fatalf("talk at %v was lost", d)
		}
	}
}

// RFC 4733 telephone events count like tones: a keyed card number sent as
// events pauses the recording from before its first key.
func TestTelephoneEventsMakeARun(t *testing.T) {
	const first = 200 // step of the first key, 4 s in
	events := func(step int) *rtp.Packet {
		k := (step - first) / 10 // a key every 200 ms, 4 packets of events each
		if step < first || k >= 6 || (step-first)%10 >= 4 {
			return nil
		}
		n := (step - first) % 10
		ts := uint32((first + k*10) * FrameSamples)
		end := byte(0)
		if n == 3 {
			end = 0x80
		}
		dur := uint16((n + 1) * FrameSamples)
		return &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, SSRC: 0x5151, SequenceNumber: uint16(step),
			Timestamp: ts, Marker: n == 0}, Payload: []byte{byte(k % 10), end | 10, byte(dur >> 8), byte(dur)}}
	}
	_, decisions := runKeyed(t, newKeyed(12*time.Second, nil), events)
	if len(decisions) == 0 || !decisions[0].pause {
		t.Fatalf("decisions %+v, want a pause", decisions)
	}
	if from := decisions[0].at.Sub(t0); from > 4*time.Second-250*time.Millisecond {
		t.Fatalf("the pause starts %v into the call, want the guard before 4s", from)
	}
}
