package asr_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/zaf/g711"

	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/media"
)

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// heard is an engine that keeps every utterance it is given.
type heard struct {
	mu   sync.Mutex
	utts [][]int16
}

func (h *heard) Name() string { return "test" }
func (h *heard) Close() error { return nil }
func (h *heard) Recognize(_ context.Context, u asr.Utterance) (asr.Result, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if u.Rate != 16000 {
		panic("the transcriber must hand engines 16 kHz audio")
	}
	h.utts = append(h.utts, append([]int16(nil), u.PCM...))
	return asr.Result{Text: "words"}, nil
}

// clock is a settable clock for the recorder.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// packet is 20 ms of a tone of freq Hz, PCMU, the i-th of its stream.
func packet(i int, freq float64, ssrc uint32) *rtp.Packet {
	payload := make([]byte, media.FrameSamples)
	for k := range payload {
		payload[k] = g711.EncodeUlawFrame(int16(6000 * math.Sin(2*math.Pi*freq*float64(i*media.FrameSamples+k)/media.SampleRate)))
	}
	return &rtp.Packet{Header: rtp.Header{Version: 2, SSRC: ssrc, SequenceNumber: uint16(i), Timestamp: uint32(i * media.FrameSamples)}, Payload: payload}
}

// goertzel returns the power of freq in pcm sampled at rate.
func goertzel(pcm []int16, freq, rate float64) float64 {
	w := 2 * math.Pi * freq / rate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range pcm {
		s := float64(v) + c*s1 - s2
		s2, s1 = s1, s
	}
	return (s1*s1 + s2*s2 - c*s1*s2) / float64(len(pcm)*len(pcm))
}

// Transcription pauses on its own: while only it is paused the recording
// goes on, and the engine never receives the paused audio, not even the
// second of it that had arrived before the (retroactive) pause.
func TestPausedAudioNeverReachesTheEngine(t *testing.T) {
	dir := t.TempDir()
	eng := &heard{}
	clk := &clock{t: t0}
	var rec *media.Recorder
	tr, err := asr.New(asr.Config{Engine: eng, Workers: 1, Write: func(id string, tx asr.Transcript, final bool) error {
		return rec.WriteSidecar(id, asr.SidecarName, tx, final)
	}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err = media.NewRecorder(media.Config{Dir: dir, Now: clk.now, Transcriber: tr.Open})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call, err := rec.Open(ctx, "c1", media.CallOptions{Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	// The caller says something secret (1500 Hz) from 3 s to 4 s; the
	// rest is 400 Hz. The agent is quiet.
	secret := func(i int) bool { return i >= 150 && i < 200 }
	for i := range 400 {
		now := t0.Add(time.Duration(i) * media.FrameDuration)
		clk.set(now)
		switch i {
		case 175: // at 3.5 s, pause from 3 s
			if _, err := call.Pause(conversation.Transcription, t0.Add(3*time.Second), []conversation.Reason{{Kind: conversation.Manual, ID: "a"}}); err != nil {
				t.Fatal(err)
			}
		case 200:
			if _, err := call.Resume(conversation.Transcription, now); err != nil {
				t.Fatal(err)
			}
		}
		freq := 400.0
		if secret(i) {
			freq = 1500
		}
		call.Push(media.Caller, packet(i, freq, 1), now)
		if err := call.Advance(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	end := t0.Add(8 * time.Second)
	clk.set(end)
	for _, k := range conversation.AllCapabilities() {
		if err := call.Stop(ctx, k, end); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}

	if len(eng.utts) != 2 {
		t.Fatalf("engine got %d utterances, want the one before and the one after the pause", len(eng.utts))
	}
	total := 0
	for i, u := range eng.utts {
		total += len(u)
		if s, n := goertzel(u, 1500, 16000), goertzel(u, 400, 16000); s > n/1000 {
			t.Fatalf("utterance %d carries the paused audio (1500 Hz power %.0f vs 400 Hz %.0f)", i, s, n)
		}
	}
	// 3 s before the pause and 4 s after it, at 16 kHz.
	if want := 7 * 16000; total < want-16000/10 || total > want {
		t.Fatalf("engine got %d samples, want about %d", total, want)
	}
	doc, err := asr.ReadTranscript(rec.SidecarPath("c1", asr.SidecarName))
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Complete || len(doc.Segments) != 2 || doc.Segments[0].Text != "words" ||
		doc.Segments[0].EndMs > 3000 || doc.Segments[1].StartMs < 4000 || doc.Segments[0].Channel != "caller" {
		t.Fatalf("transcript = %+v", doc)
	}
	// The recording was not paused: it holds the secret.
	wav, _ := rec.Paths("c1")
	left := readLeft(t, wav)
	if s := goertzel(left[3*8000:4*8000], 1500, 8000); s < 1000 {
		t.Fatalf("the recording lost audio while only transcription was paused (power %.0f)", s)
	}
}
