package media

import (
	"slices"
	"time"

	"github.com/hush-cc/hush/internal/detect"
)

// Digits configures the card-digit detectors that listen to a call's
// audio before it is committed.
type Digits struct {
	DTMF detect.DTMFConfig
	Runs detect.RunPolicy
	// Mask writes DTMF tones as silence on both streams, whether or not
	// they make a run.
	Mask bool
	// Spotter, if set, returns a spotter of digits read aloud for a
	// call's caller stream; the digits it hears follow SpokenRuns.
	Spotter    func() (Spotter, error)
	SpokenRuns detect.RunPolicy
	// Run is told, on its own goroutine, when a run of card digits heard
	// by detector starts a pause (from at, before the first digit) and
	// when quiet ends it (at).
	Run func(id string, detector detect.Source, pause bool, at time.Time)
}

// DefaultDigits is 4 keyed card digits within 5 s pausing from 300 ms
// before the first, for 4 s after the last, tones masked; and no spotter,
// with the spoken digits' run policy ready for one.
func DefaultDigits() Digits {
	return Digits{DTMF: detect.DefaultDTMF(), Runs: detect.DefaultRunPolicy(), Mask: true,
		SpokenRuns: detect.DefaultSpokenRunPolicy()}
}

// jitterMargin is how far behind the newest audio the detectors read, so
// that packets arriving out of order are in place first.
const jitterMargin = SampleRate / 5

// toneMargin widens a masked tone by a detector hop on each side, for the
// ramps its looks could not call a tone.
const toneMargin = detect.Hop

// digits is a call's detection state. It runs under the call's lock.
type digits struct {
	cfg    *Digits
	dtmf   [2]*detect.DTMF
	events [2]detect.Events
	front  [2]int64 // positions fed to the tone detectors so far
	runs   *detect.Runs
	masks  [2][]interval // tones to write as silence
	buf    []int16
	spoken *spoken // nil without a spotter
	// applying holds where decided pauses start until the gates are shut
	// there: the engine applies a pause on its own time, and the commit
	// must not pass its start meanwhile.
	applying []int64
}

func newDigits(cfg *Digits) *digits {
	d := &digits{cfg: cfg, runs: detect.NewRuns(cfg.Runs), buf: make([]int16, pageSamples)}
	for i := range d.dtmf {
		d.dtmf[i] = detect.NewDTMF(cfg.DTMF)
	}
	if cfg.Spotter != nil {
		d.spoken = newSpoken(cfg.SpokenRuns)
	}
	return d
}

// event takes a telephone-event packet of channel ch whose event starts at
// timeline position pos.
func (c *Call) event(ch int, rtpTS uint32, pos int64, payload []byte) {
	d := c.dig
	if d == nil {
		return
	}
	ev, ok, err := d.events[ch].Feed(rtpTS, payload)
	if err != nil || !ok {
		return
	}
	end := pos + int64(ev.Duration)
	c.digit(detect.Digit{Symbol: ev.Symbol, Start: pos, End: max(end, pos+1), Source: detect.Keypad})
}

// listen feeds the tone detectors the audio placed up to now, less the
// jitter margin, and moves the digit runs on.
func (c *Call) listen(now int64) {
	d := c.dig
	if d == nil {
		return
	}
	to := min(now-jitterMargin, c.ring.base+c.ring.size)
	c.hear(to)
	for ch := range d.dtmf {
		from := max(d.front[ch], c.ring.base)
		for from < to {
			n := min(to-from, int64(len(d.buf)))
			c.ring.peek(ch, from, d.buf[:n])
			for _, ev := range d.dtmf[ch].Feed(from, d.buf[:n]) {
				c.digit(ev.Digit)
			}
			from += n
		}
		d.front[ch] = max(d.front[ch], to)
	}
	if dec, ok := d.runs.Advance(min(d.front[0], d.front[1])); ok {
		c.decide(detect.Keypad, dec)
	}
}

// digit takes a digit a detector accepted, first when it is sure and
// again when the digit's end is known.
func (c *Call) digit(dg detect.Digit) {
	d := c.dig
	if d.cfg.Mask {
		for ch := range d.masks {
			d.masks[ch] = addMask(d.masks[ch], dg.Start-toneMargin, dg.End+toneMargin)
		}
	}
	if dec, ok := d.runs.Digit(dg); ok {
		c.decide(dg.Source, dec)
	}
}

// decide tells the recorder's owner about a run's start or end.
func (c *Call) decide(src detect.Source, dec detect.Decision) {
	run := c.dig.cfg.Run
	if run == nil {
		return
	}
	// A pause reaches back to the guard before the first digit; a release
	// takes effect when it is decided, since resumes never reach back.
	at := c.tl.time(dec.At)
	if dec.Pause {
		c.dig.applying = append(c.dig.applying, max(dec.At, c.ring.base))
	} else {
		at = c.rec.now()
	}
	id, pause := c.id, dec.Pause
	go run(id, src, pause, at)
}

// hold returns how far the commit may go while a run is undecided (never
// past the guard before its first digit) and while the spotter has not
// heard the audio, but never so far behind the newest audio that the
// buffer could not take what arrives next.
func (c *Call) hold(target, now int64) int64 {
	if c.dig == nil {
		return target
	}
	h, ok := c.dig.runs.Hold()
	if !ok {
		h = target
	}
	if s := c.dig.spoken; s != nil {
		if sh, ok := s.hold(); ok {
			h = min(h, sh)
		}
	}
	// A pause the engine never applied is let go once the buffer's limit
	// has pushed the commit past it.
	c.dig.applying = slices.DeleteFunc(c.dig.applying, func(p int64) bool { return p < c.ring.base || c.shut(p) })
	for _, p := range c.dig.applying {
		h = min(h, p)
	}
	if h >= target {
		return target
	}
	floor := now - c.ring.size + SampleRate
	return max(h-h%FrameSamples, floor-floor%FrameSamples+FrameSamples, c.ring.base)
}

// shut reports whether every capability whose output audio can still
// reach is paused at p.
func (c *Call) shut(p int64) bool {
	for i := range c.gates {
		if shut, _, _ := c.gates[i].at(p, p+1); !shut && c.live(i) {
			return false
		}
	}
	return true
}

// stopListening ends the spotter of a call that has ended.
func (c *Call) stopListening() {
	if c.dig != nil && c.dig.spoken != nil {
		c.dig.spoken.close()
	}
}

// mask silences, in the decoded audio of positions [from, from+len), the
// tones heard there, and forgets masks wholly behind it.
func (c *Call) mask(from int64, left, right []int16) {
	if c.dig == nil {
		return
	}
	to := from + int64(len(left))
	for ch, pcm := range [2][]int16{left, right} {
		ms := c.dig.masks[ch]
		for _, m := range ms {
			lo, hi := max(m.start, from), min(m.end, to)
			if lo < hi {
				clear(pcm[lo-from : hi-from])
			}
		}
		for len(ms) > 0 && ms[0].end <= to {
			ms = ms[1:]
		}
		c.dig.masks[ch] = ms
	}
}

// interval is positions [start, end) of the timeline.
type interval struct{ start, end int64 }

// addMask adds [start, end) to masks, kept sorted and merged.
func addMask(masks []interval, start, end int64) []interval {
	if n := len(masks); n > 0 && start <= masks[n-1].end {
		masks[n-1].end = max(masks[n-1].end, end)
		masks[n-1].start = min(masks[n-1].start, start)
		return masks
	}
	return append(masks, interval{start: start, end: end})
}
