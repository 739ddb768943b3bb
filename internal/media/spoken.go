package media

import (
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/detect"
)

// Spotter finds digits read aloud in one stream as it arrives
// (asr.DigitSpotter is one). It is used by one goroutine at a time.
type Spotter interface {
	// Feed takes audio whose first sample lies at timeline position pos
	// and returns the digits the spotter became sure of.
	Feed(pos int64, pcm []int16) []detect.Digit
	// Close frees the spotter.
	Close() error
}

// SpotLag is how long after the start of a digit word the spotter may
// report it, counted in audio it has been fed: the word itself, the digit
// words after it that make it part of a sequence, and the wait for the
// recognizer's hypothesis to settle. The commit stays this far, and the
// guard, behind what the spotter has heard, so a run found in the newest
// audio can still reach back to its first digit.
const SpotLag = 2 * time.Second

// spoken runs a call's spoken-digit spotter over the caller's stream, on
// a goroutine of its own: a recognizer is too slow to run under the call's
// lock, where it would hold up the packets of the call. The fields above
// qmu belong to the call's lock.
type spoken struct {
	runs    *detect.Runs
	behind  int64 // how far the commit stays behind heard, samples
	front   int64 // caller positions handed to the spotter so far
	heard   int64 // positions the spotter has finished with
	unheard int64 // samples committed before the spotter reached them
	deaf    bool  // the spotter could not be loaded

	qmu     sync.Mutex
	queue   []chunk
	started bool
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

// chunk is caller audio waiting for the spotter.
type chunk struct {
	pos int64
	pcm []int16
}

func newSpoken(p detect.RunPolicy) *spoken {
	return &spoken{runs: detect.NewRuns(p), behind: detect.Samples(p.Guard + SpotLag),
		wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// hear hands the spotter the caller's audio placed up to to, starting it
// on the first audio. Called with c.mu held.
func (c *Call) hear(to int64) {
	s := c.dig.spoken
	if s == nil {
		return
	}
	from := max(s.front, c.ring.base)
	if from >= to {
		return
	}
	pcm := make([]int16, to-from)
	c.ring.peek(int(Caller), from, pcm)
	s.front = to
	s.qmu.Lock()
	if s.closed {
		s.qmu.Unlock()
		return
	}
	if !s.started {
		s.started = true
		go c.spot(s)
	}
	s.queue = append(s.queue, chunk{pos: from, pcm: pcm})
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// spot runs the spotter until the call ends. Audio the commit has already
// passed is not fed but counted: it can no longer be paused, and catching
// up protects what follows.
func (c *Call) spot(s *spoken) {
	defer close(s.done)
	sp, err := c.dig.cfg.Spotter()
	if err != nil {
		c.log.Error("spoken digits are not detected on this call", "err", err)
		c.mu.Lock()
		s.deaf = true
		c.mu.Unlock()
		for _, ok := s.pop(); ok; _, ok = s.pop() {
		}
		return
	}
	for {
		ch, ok := s.pop()
		if !ok {
			break
		}
		end := ch.pos + int64(len(ch.pcm))
		c.mu.Lock()
		stale := end <= c.ring.base
		c.mu.Unlock()
		var got []detect.Digit
		if !stale {
			got = sp.Feed(ch.pos, ch.pcm)
		}
		c.mu.Lock()
		if stale {
			s.unheard += int64(len(ch.pcm))
		}
		for _, dg := range got {
			if dec, ok := s.runs.Digit(dg); ok {
				c.decide(detect.Spoken, dec)
			}
		}
		s.heard = max(s.heard, end)
		if dec, ok := s.runs.Advance(s.heard); ok {
			c.decide(detect.Spoken, dec)
		}
		c.mu.Unlock()
	}
	if err := sp.Close(); err != nil {
		c.log.Warn("close spoken-digit spotter", "err", err)
	}
	c.mu.Lock()
	unheard := s.unheard
	c.mu.Unlock()
	if unheard > 0 {
		c.log.Warn("the spoken-digit spotter fell behind: caller audio was committed before it was heard",
			"seconds", float64(unheard)/SampleRate)
	}
}

// pop waits for the next chunk; false once the call has ended.
func (s *spoken) pop() (chunk, bool) {
	for {
		s.qmu.Lock()
		if len(s.queue) > 0 {
			ch := s.queue[0]
			s.queue[0] = chunk{}
			s.queue = s.queue[1:]
			s.qmu.Unlock()
			return ch, true
		}
		closed := s.closed
		s.qmu.Unlock()
		if closed {
			return chunk{}, false
		}
		<-s.wake
	}
}

// close ends the spotter's goroutine, dropping what it has not heard, and
// waits for it to free the spotter.
func (s *spoken) close() {
	s.qmu.Lock()
	s.closed, s.queue = true, nil
	started := s.started
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	if started {
		<-s.done
	}
}

// hold returns how far the commit may go for the spotter: never past the
// guard before an undecided spoken digit, nor closer to the newest audio
// it has heard than the guard and its lag. Called with c.mu held.
func (s *spoken) hold() (int64, bool) {
	if s.deaf {
		return 0, false
	}
	h := s.heard - s.behind
	if r, ok := s.runs.Hold(); ok {
		h = min(h, r)
	}
	return h, true
}
