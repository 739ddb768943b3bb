package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/hush-cc/hush/internal/conversation"
)

// Channel is a side of the stereo recording.
type Channel int

// Channels: the caller is recorded on the left, the agent on the right.
const (
	Caller Channel = 0
	Agent  Channel = 1
)

// ErrStopped is returned when a stopped capability is asked to pause or
// resume.
var ErrStopped = errors.New("media: capability already stopped")

// capIndex indexes the two gates.
func capIndex(k conversation.Capability) (int, error) {
	switch k {
	case conversation.Recording:
		return 0, nil
	case conversation.Transcription:
		return 1, nil
	}
	return 0, fmt.Errorf("media: unknown capability %q", k)
}

// CallStats counts what a call received and wrote.
type CallStats struct {
	Caller     StreamStats `json:"caller"`
	Agent      StreamStats `json:"agent"`
	WAVSamples int64       `json:"wavSamples"`
	SinkErrors int64       `json:"sinkErrors"`
}

// Call is the audio of one conversation: two streams onto one timeline,
// the commit-delay buffer, the recording and transcription gates, and the
// files they feed. Its methods are safe for concurrent use.
type Call struct {
	id    string
	rec   *Recorder
	log   *slog.Logger
	tl    timeline
	delay int64 // commit delay, samples

	mu      sync.Mutex
	ring    ring
	streams [2]*stream
	early   [2]int64 // packets placed too far ahead to hold
	late    [2]int64 // packets whose audio was already committed
	gates   [2]gate
	// prov is, per capability, the pause its gate took before it was
	// durable, until a drive confirms or supersedes it.
	prov [2]provisional
	done [2]bool
	// stopAt is, per capability, the timeline position its stop takes
	// effect at; open until it is stopped. A capability stopped while the
	// other runs on is finalized only when the commit reaches stopAt, so
	// the other keeps its whole commit delay for retroactive pauses.
	stopAt     [2]int64
	wav        *WAVWriter
	wavErr     error
	recLog     segmentLog
	sink       Sink
	trLog      segmentLog
	sinkErrors int64
	checkpoint int64 // ring position of the last checkpoint
	mapAt      int64 // ring position of the last segment map write or journal line
	// mapRec and mapTr are the recording and transcription segments it
	// held.
	mapRec, mapTr int
	journal       *os.File // the segment map's journal, once a checkpoint opened it
	listeners     []*Listener
	scratch       [2][FrameSamples]int16
	// advancing is set while a worker of Recorder.Run commits the call.
	advancing atomic.Bool
	// phase is the group of calls Recorder.Run commits it with.
	phase int
	// sending says which channels' peers should be sending; heard is when
	// each last took a packet (or started sending). See silentFor.
	sending  [2]bool
	heard    [2]time.Time
	timedOut bool
	// dig listens for card digits; nil when detection is off.
	dig *digits
}

// ID returns the conversation id.
func (c *Call) ID() string { return c.id }

// Start returns the wall-clock time of timeline position 0.
func (c *Call) Start() time.Time { return c.tl.start }

// SetPayloads sets the payload types channel ch decodes, as negotiated.
func (c *Call) SetPayloads(ch Channel, m PayloadMap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m == nil {
		m = DefaultPayloads()
	}
	c.streams[ch&1].payloads = m
}

// Push places one RTP packet of channel ch, which arrived at arrival, on
// the timeline. Packets whose audio has already been committed are dropped.
func (c *Call) Push(ch Channel, p *rtp.Packet, arrival time.Time) {
	i := int(ch & 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.heardAt(i, arrival)
	pos, payload, law, ok := c.streams[i].receive(p, c.tl.floor(arrival))
	if !ok {
		return
	}
	if law == CodecEvent {
		c.event(i, p.Timestamp, pos, payload)
		return
	}
	if !c.ring.place(i, pos, payload, law) {
		if pos < c.ring.base {
			c.late[i]++
		} else {
			c.early[i]++
		}
	}
}

// Advance commits the audio that has waited out the commit delay at now:
// whole frames, through the gates, to the WAV file and the transcriber.
func (c *Call) Advance(ctx context.Context, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	pos := c.tl.floor(now)
	c.listen(pos)
	target := pos - c.delay
	target -= target % FrameSamples
	return c.commit(ctx, c.hold(target, pos))
}

// Pause shuts the gate of capability k from at on, reaching back at most to
// audio not yet committed. It returns the time the pause really applies
// from. A zero at means now.
func (c *Call) Pause(k conversation.Capability, at time.Time, reasons []conversation.Reason) (time.Time, error) {
	i, err := capIndex(k)
	if err != nil {
		return time.Time{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// The gate closes once the lock is held: now is taken after waiting
	// for it, so the latency recorded includes the wait.
	now := c.rec.now()
	if at.IsZero() {
		at = now
	}
	if c.stopped(i) {
		return time.Time{}, ErrStopped
	}
	c.prov[i] = provisional{}
	from := max(c.tl.ceil(at), c.ring.base)
	c.gates[i].pause(from, spanReasons(reasons), now)
	if applied := c.tl.time(from); applied.Sub(at) >= time.Duration(nsPerSample) {
		c.log.Warn("pause reaches back beyond the commit delay", "capability", k,
			"requested", at, "applied", applied)
	}
	return c.tl.time(from), nil
}

// Resume opens the gate of capability k from at on, or from now if at has
// passed: a resume never lets through audio captured while paused.
func (c *Call) Resume(k conversation.Capability, at time.Time) (time.Time, error) {
	i, err := capIndex(k)
	if err != nil {
		return time.Time{}, err
	}
	now := c.rec.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped(i) {
		return time.Time{}, ErrStopped
	}
	c.prov[i] = provisional{}
	from := max(c.tl.ceil(at), c.tl.ceil(now), c.ring.base)
	c.gates[i].resume(from)
	return c.tl.time(from), nil
}

// Stop ends capability k at at: nothing after it reaches k's output.
// While the other capability runs on, k's audio up to at is committed
// when its delay is up, as the other's is, and k's output finalized then:
// committing it at once would commit the other's too, out of reach of a
// retroactive pause. Once both are stopped, what is buffered is committed
// at once, the outputs are finalized and the call releases its ports and
// leaves the recorder. Stopping twice is harmless.
func (c *Call) Stop(ctx context.Context, k conversation.Capability, at time.Time) error {
	i, err := capIndex(k)
	if err != nil {
		return err
	}
	now := c.rec.now()
	if at.IsZero() || at.After(now) {
		at = now
	}
	c.mu.Lock()
	if c.stopped(i) {
		c.mu.Unlock()
		return nil
	}
	c.stopAt[i] = max(c.tl.floor(at), c.ring.base)
	if c.live(1 - i) {
		err = c.finishDue()
	} else {
		// No pause can reach an output any more: commit the rest now.
		target := c.stopAt[i]
		if c.stopAt[1-i] != open {
			target = max(target, c.stopAt[1-i])
		}
		err = errors.Join(c.commit(ctx, target), c.finishDue())
	}
	finished := c.done[0] && c.done[1]
	c.mu.Unlock()
	if finished {
		c.release()
	}
	return err
}

// stopped reports whether capability i was stopped, even if its output
// is not finalized yet. Called with c.mu held.
func (c *Call) stopped(i int) bool { return c.done[i] || c.stopAt[i] != open }

// live reports whether capability i is running and has an output that
// audio could still reach. Called with c.mu held.
func (c *Call) live(i int) bool {
	return !c.stopped(i) && (i == 0 || c.sink != nil)
}

// finishDue finalizes the stopped capabilities whose stop the commit has
// reached. Called with c.mu held.
func (c *Call) finishDue() error {
	var err error
	for i := range c.stopAt {
		if c.done[i] || c.ring.base < c.stopAt[i] {
			continue
		}
		c.done[i] = true
		if i == 0 {
			err = errors.Join(err, c.finishRecording())
		} else {
			err = errors.Join(err, c.finishTranscription())
		}
	}
	return err
}

// State returns the state of capability k as the recorder sees it.
func (c *Call) State(k conversation.Capability) conversation.State {
	i, err := capIndex(k)
	if err != nil {
		return conversation.Unknown
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	g := &c.gates[i]
	switch {
	case c.stopped(i):
		return conversation.Stopped
	case g.paused() && g.spans[len(g.spans)-1].notStarted:
		return conversation.NotStarted
	case g.paused():
		return conversation.Paused
	}
	return conversation.InProgress
}

// Stats returns the call's counters.
func (c *Call) Stats() CallStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats()
}

// stats returns the call's counters. Called with c.mu held.
func (c *Call) stats() CallStats {
	st := CallStats{Caller: c.streams[0].snapshot(), Agent: c.streams[1].snapshot(), SinkErrors: c.sinkErrors}
	st.Caller.Late += c.late[0]
	st.Agent.Late += c.late[1]
	st.Caller.Early, st.Agent.Early = c.early[0], c.early[1]
	if c.wav != nil {
		st.WAVSamples = c.wav.Frames()
	}
	return st
}

// release closes the call's listeners and removes it from the recorder. It
// runs without the call's lock, since listeners push into the call.
func (c *Call) release() {
	c.mu.Lock()
	ls := c.listeners
	c.listeners = nil
	c.ring.free()
	c.mu.Unlock()
	c.stopListening()
	for _, l := range ls {
		if err := l.Close(); err != nil {
			c.log.Warn("close rtp listener", "port", l.Port(), "err", err)
		}
	}
	c.rec.remove(c)
}

// abort closes what a call that never got going opened and removes its
// files.
func (c *Call) abort() {
	c.done = [2]bool{true, true}
	if c.wav != nil {
		c.wav.Close()
	}
	if c.sink != nil {
		c.sink.Close()
	}
	c.dropJournal()
	wav, segs := c.rec.Paths(c.id)
	os.Remove(wav)
	os.Remove(segs)
}

// Discard gives up a call that should never have been recorded, such as
// one whose INVITE was refused after Open: it releases its ports and
// removes its files.
func (c *Call) Discard() {
	c.mu.Lock()
	finished := c.done[0] && c.done[1]
	if !finished {
		c.abort()
	}
	c.mu.Unlock()
	if !finished {
		c.release()
	}
}
