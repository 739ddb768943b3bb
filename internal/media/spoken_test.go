package media

import (
	"errors"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/detect"
	"github.com/hush-cc/hush/internal/testwait"
)

// wordSpotter hears the words it is given once it has been fed lag past
// each one's end, as a recognizer does; until release is closed (when
// set), its first Feed does not return.
type wordSpotter struct {
	words   []detect.Digit
	lag     int64
	release chan struct{}
	closed  chan struct{}
}

func (w *wordSpotter) Feed(pos int64, pcm []int16) []detect.Digit {
	if w.release != nil {
		<-w.release
	}
	var out []detect.Digit
	for len(w.words) > 0 && w.words[0].End+w.lag <= pos+int64(len(pcm)) {
		out = append(out, w.words[0])
		w.words = w.words[1:]
	}
	return out
}

func (w *wordSpotter) Close() error {
	close(w.closed)
	return nil
}

// heardAll waits until the call's spotter has finished with all the audio
// handed to it.
func heardAll(t *testing.T, c *Call) {
	t.Helper()
	s := c.dig.spoken
	testwait.Eventually(t, func() (bool, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return s.heard >= s.front, nil
	}, "the spotter to hear the audio")
}

// A card number read aloud, of which the spotter hears every other word
// 300 ms after it ends, pauses recording and transcription from the
// spoken guard before the first word it heard: nothing said from there
// until the quiet time after the last word reaches the WAV, though the
// engine takes 500 ms to apply the pause, by which time its start is
// further back than the commit delay.
func TestSpokenCardNumberNeverReachesTheWAV(t *testing.T) {
	start := 7 * time.Second
	sp := &wordSpotter{lag: samples(300 * time.Millisecond), closed: make(chan struct{})}
	var last time.Duration
	for i := 0; i < 16; i += 2 {
		at := start + time.Duration(i)*400*time.Millisecond
		last = at + 300*time.Millisecond
		sp.words = append(sp.words, detect.Digit{Symbol: '4', Start: samples(at), End: samples(last), Source: detect.Spoken})
	}
	dig := DefaultDigits()
	dig.Spotter = func() (Spotter, error) { return sp, nil }
	const lag = 500 * time.Millisecond
	left, decisions := runDetected(t, dig, newKeyed(22*time.Second, nil), noEvents, func(c *Call) { heardAll(t, c) }, lag)
	<-sp.closed
	if len(decisions) != 2 || !decisions[0].pause || decisions[1].pause || decisions[0].src != detect.Spoken {
		t.Fatalf("decisions %+v, want a spoken pause then its end", decisions)
	}
	guard := dig.SpokenRuns.Guard
	if from := decisions[0].at.Sub(t0); from != start-guard {
		t.Fatalf("the pause starts %v into the call, want %v", from, start-guard)
	}
	for p := samples(start - guard); p < samples(last+dig.SpokenRuns.Quiet); p += FrameSamples {
		if frameLoud(left, p) {
			t.Fatalf("the recording holds audio at %v, inside the spoken card number's pause", time.Duration(p*nsPerSample))
		}
	}
	for _, d := range []time.Duration{time.Second, start - guard - 100*time.Millisecond, last + dig.SpokenRuns.Quiet + lag + 500*time.Millisecond} {
		if !frameLoud(left, samples(d)) {
			t.Fatalf("the recording is silent at %v, outside the pause", d)
		}
	}
}

// The commit waits for a spotter that has not heard the audio yet, for as
// long as the buffer can hold it; beyond that the audio is committed and
// the spotter, once it goes on, counts what it did not hear and skips it.
func TestCommitWaitsForTheSpotter(t *testing.T) {
	sp := &wordSpotter{release: make(chan struct{}), closed: make(chan struct{})}
	dig := DefaultDigits()
	dig.Spotter = func() (Spotter, error) { return sp, nil }
	s := newSim(t, Config{Digits: &dig})
	c := s.call
	s.run(7*time.Second, nil)
	c.mu.Lock()
	base := c.ring.base
	c.mu.Unlock()
	if base != 0 {
		t.Fatalf("committed %v of audio the spotter has not heard", time.Duration(base*nsPerSample))
	}
	s.run(12*time.Second, nil)
	c.mu.Lock()
	base = c.ring.base
	c.mu.Unlock()
	if base == 0 {
		t.Fatal("the commit waited for the spotter beyond what the buffer holds")
	}
	close(sp.release)
	heardAll(t, c)
	c.mu.Lock()
	unheard := c.dig.spoken.unheard
	c.mu.Unlock()
	if unheard == 0 || unheard > base {
		t.Fatalf("%d samples counted unheard, %d committed", unheard, base)
	}
	s.stop()
	<-sp.closed
}

// A spotter that cannot be loaded holds no commit: the call is recorded
// as if spoken digits were not detected, and the failure is logged.
func TestSpotterThatDoesNotLoadHoldsNothing(t *testing.T) {
	dig := DefaultDigits()
	dig.Spotter = func() (Spotter, error) { return nil, errors.New("no model") }
	s := newSim(t, Config{Digits: &dig})
	c := s.call
	s.run(2*time.Second, nil)
	testwait.Eventually(t, func() (bool, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.dig.spoken.deaf, nil
	}, "the spotter to fail")
	s.run(8*time.Second, nil)
	c.mu.Lock()
	base := c.ring.base
	c.mu.Unlock()
	if want := samples(8*time.Second - DefaultCommitDelay); base < want-FrameSamples {
		t.Fatalf("committed up to %v, want %v", time.Duration(base*nsPerSample), time.Duration(want*nsPerSample))
	}
	s.stop()
}

// A pause the engine never applies holds the commit only as long as the
// buffer can: after it, the call is committed as far behind as the
// spotter's own hold (the jitter margin, the guard and SpotLag behind the
// newest audio) or the commit delay, whichever is further, again.
func TestUnappliedPauseIsLetGo(t *testing.T) {
	sp := &wordSpotter{lag: samples(300 * time.Millisecond), closed: make(chan struct{})}
	for i := range 4 {
		at := 3*time.Second + time.Duration(i)*400*time.Millisecond
		sp.words = append(sp.words, detect.Digit{Symbol: '4', Start: samples(at), End: samples(at + 300*time.Millisecond), Source: detect.Spoken})
	}
	dig := DefaultDigits()
	dig.Spotter = func() (Spotter, error) { return sp, nil }
	decided := make(chan bool, 4)
	dig.Run = func(_ string, _ detect.Source, pause bool, _ time.Time) { decided <- pause }
	s := newSim(t, Config{Digits: &dig})
	c := s.call
	s.run(6*time.Second, nil)
	heardAll(t, c)
	if !<-decided {
		t.Fatal("the run was not decided as a pause")
	}
	s.run(20*time.Second, func(time.Time) { heardAll(t, c) })
	c.mu.Lock()
	base, applying := c.ring.base, len(c.dig.applying)
	c.mu.Unlock()
	behind := max(DefaultCommitDelay, time.Duration(jitterMargin*nsPerSample)+dig.SpokenRuns.Guard+SpotLag)
	// What the spotter heard and the hold both fall on frame boundaries.
	if want := samples(20*time.Second - behind); base < want-2*FrameSamples || applying != 0 {
		t.Fatalf("committed up to %v with %d pauses held, want %v and none", time.Duration(base*nsPerSample), applying, time.Duration(want*nsPerSample))
	}
	s.stop()
	<-sp.closed
}
