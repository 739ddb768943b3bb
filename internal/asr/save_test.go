package asr_test

import (
	"context"
	"math"
	"sync"
	"testing"

	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/testwait"
)

// A live transcript is rewritten at most once per five seconds of audio,
// however many utterances end meanwhile, and still flows while the call
// lasts; the complete one, with every segment, follows the call's end.
func TestLiveTranscriptIsSavedEveryFewSeconds(t *testing.T) {
	var mu sync.Mutex
	var live []int
	var final *asr.Transcript
	eng := &heard{}
	tr, err := asr.New(asr.Config{Engine: eng, Workers: 1, Write: func(_ string, tx asr.Transcript, done bool) error {
		mu.Lock()
		defer mu.Unlock()
		if done {
			final = &tx
		} else {
			live = append(live, len(tx.Segments))
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	sink, err := tr.Open(context.Background(), "c1", t0)
	if err != nil {
		t.Fatal(err)
	}
	// 60 s of the caller talking 0.6 s in every 1.2 s: 50 utterances.
	const seconds = 60
	talk := make([]int16, media.FrameSamples)
	for k := range talk {
		talk[k] = int16(6000 * math.Sin(2*math.Pi*400*float64(k)/media.SampleRate))
	}
	quiet := make([]int16, media.FrameSamples)
	for i := range seconds * 50 {
		pcm := quiet
		if i%60 < 30 {
			pcm = talk
		}
		f := media.Frame{Offset: int64(i * media.FrameSamples), Time: t0, Caller: pcm, Agent: quiet}
		if err := sink.Write(context.Background(), f); err != nil {
			t.Fatal(err)
		}
		if i%60 == 59 {
			// The utterance ended in this quiet stretch: let it be heard,
			// as a real-time call would, before more audio comes.
			testwait.Eventually(t, func() (bool, error) {
				eng.mu.Lock()
				defer eng.mu.Unlock()
				return len(eng.utts) > i/60, nil
			}, "utterance %d to be recognized", i/60)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if final == nil || !final.Complete || len(final.Segments) != 50 {
		t.Fatalf("final transcript = %+v, want 50 segments, complete", final)
	}
	// One write when the sink opens, then at most one per 5 s of audio.
	if len(live) > 1+seconds/5 {
		t.Fatalf("live transcript written %d times in %d s of audio (segment counts %v)", len(live), seconds, live)
	}
	withSegments := 0
	for _, n := range live {
		if n > 0 {
			withSegments++
		}
	}
	if withSegments < 2 {
		t.Fatalf("live transcript written with segments %d times (segment counts %v), want it to flow while the call lasts", withSegments, live)
	}
}
