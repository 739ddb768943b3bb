package media

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// commit moves the buffered audio up to timeline position target, frame by
// frame, through both gates, and finalizes a stopped capability when its
// stop is reached. Called with c.mu held.
func (c *Call) commit(ctx context.Context, target int64) error {
	var err error
	for c.ring.base < target {
		from := c.ring.base
		to := min((from/FrameSamples+1)*FrameSamples, target)
		for i, stop := range c.stopAt {
			if !c.done[i] && from < stop {
				to = min(to, stop)
			}
		}
		n := int(to - from)
		left, right := c.scratch[0][:n], c.scratch[1][:n]
		c.ring.take(n, [2][]int16{left, right})
		c.mask(from, left, right)
		if !c.done[0] {
			err = errors.Join(err, c.commitRecording(from, to, left, right))
		}
		if !c.done[1] {
			c.commitTranscription(ctx, from, to, left, right)
		}
		err = errors.Join(err, c.finishDue())
	}
	if !c.done[0] && c.wavErr == nil {
		// One write a commit, and the buffer goes back to the pool.
		if ferr := c.wav.flush(); ferr != nil {
			err = errors.Join(err, c.wavFailed(ferr))
		}
	}
	c.gates[0].forget(c.ring.base)
	c.gates[1].forget(c.ring.base)
	if !c.done[0] && c.ring.base-c.checkpoint >= c.rec.checkpointEvery {
		err = errors.Join(err, c.writeCheckpoint())
	}
	return err
}

// commitRecording writes positions [from, to) to the WAV file: audio where
// the recording gate is open, silence or nothing where it is shut.
func (c *Call) commitRecording(from, to int64, left, right []int16) error {
	if c.wavErr != nil {
		return nil
	}
	for p := from; p < to; {
		shut, sp, until := c.gates[0].at(p, to)
		w0 := c.wav.Frames()
		var err error
		state := SegmentRecorded
		switch {
		case !shut:
			err = c.wav.WriteStereo(left[p-from:until-from], right[p-from:until-from])
		case c.rec.policy == PolicySilence:
			err = c.wav.WriteSilence(until - p)
		}
		if shut {
			state = shutState(sp)
		}
		if err != nil {
			return c.wavFailed(err)
		}
		c.recLog.add(state, p, until, w0, c.wav.Frames(), sp)
		p = until
	}
	return nil
}

// commitTranscription hands the open stretches of [from, to) to the sink.
func (c *Call) commitTranscription(ctx context.Context, from, to int64, left, right []int16) {
	if c.sink == nil {
		return
	}
	for p := from; p < to; {
		shut, sp, until := c.gates[1].at(p, to)
		state := SegmentRecorded
		if shut {
			state = shutState(sp)
		} else {
			f := Frame{Offset: p, Time: c.tl.time(p), Caller: left[p-from : until-from], Agent: right[p-from : until-from]}
			if err := c.sink.Write(ctx, f); err != nil {
				c.sinkErrors++
				if c.sinkErrors == 1 {
					c.log.Warn("transcriber rejected audio", "err", err)
				}
			}
		}
		c.trLog.add(state, p, until, 0, 0, sp)
		p = until
	}
}

// wavFailed stops the recording writing after err, which it returns.
func (c *Call) wavFailed(err error) error {
	c.wavErr = err
	c.log.Error("recording stopped writing", "err", err)
	return err
}

func shutState(sp span) string {
	if sp.notStarted {
		return SegmentNotStarted
	}
	return SegmentPaused
}

// mapEvery is how many checkpoints may pass without a new segment before
// the segment map is rewritten anyway. Rewriting it costs far more than
// the WAV header, and until a segment starts only the end of the last one
// moves: after a crash that end is the end of the WAV's data.
const mapEvery = 5

// writeCheckpoint makes the WAV header cover everything committed so far,
// and the segment map too (through its journal) when it has new segments
// or is getting old.
func (c *Call) writeCheckpoint() error {
	c.checkpoint = c.ring.base
	var err error
	if c.wavErr == nil {
		err = c.wav.Checkpoint()
	}
	if len(c.recLog.segs) != c.mapRec || len(c.trLog.segs) != c.mapTr ||
		c.ring.base-c.mapAt >= mapEvery*c.rec.checkpointEvery {
		err = errors.Join(err, c.appendJournal())
	}
	return err
}

// writeMap writes the segment map as committed so far.
func (c *Call) writeMap(final bool) error {
	c.mapAt, c.mapRec, c.mapTr = c.ring.base, len(c.recLog.segs), len(c.trLog.segs)
	_, mapPath := c.rec.Paths(c.id)
	return writeJSON(mapPath, c.segmentMap(final), final)
}

// segmentMap returns the segment map as committed so far.
func (c *Call) segmentMap(final bool) SegmentMap {
	wavPath, _ := c.rec.Paths(c.id)
	m := SegmentMap{
		ConversationID: c.id,
		Recording:      filepath.Base(wavPath),
		Start:          formatTime(c.tl.start),
		SampleRate:     SampleRate,
		Channels:       []string{"caller", "agent"},
		Policy:         c.rec.policy,
		Complete:       final && c.wavErr == nil,
		DurationMs:     ms(c.ring.base),
		WAVSamples:     c.wav.Frames(),
		Segments:       c.recLog.render(),
	}
	if c.sink != nil {
		m.Transcription = c.trLog.spans()
	}
	if final {
		st := c.stats()
		m.Stats = &st
	}
	return m
}

// finishRecording fixes and syncs the WAV file, then writes the final
// segment map: the map says the recording is complete only once the WAV
// file is durable, and never when closing it failed. Called with c.mu
// held.
func (c *Call) finishRecording() error {
	c.checkpoint = c.ring.base
	var err error
	if cerr := c.wav.Close(); cerr != nil && c.wavErr == nil {
		c.wavErr, err = cerr, cerr
		c.log.Error("recording not finalized", "err", cerr)
	}
	if werr := errors.Join(c.writeMap(true), syncDir(c.rec.dir)); werr != nil {
		// The journal still brings the last map written up to date.
		err = errors.Join(err, werr, c.closeJournal())
	} else {
		err = errors.Join(err, c.dropJournal())
	}
	if err == nil && c.rec.onFinished != nil {
		wav, _ := c.rec.Paths(c.id)
		c.rec.onFinished(c.id, wav)
	}
	return err
}

// finishTranscription closes the sink and brings the segment map's
// transcription spans up to date. Called with c.mu held.
func (c *Call) finishTranscription() error {
	if c.sink == nil {
		return nil
	}
	var err error
	if cerr := c.sink.Close(); cerr != nil {
		err = fmt.Errorf("close transcriber: %w", cerr)
	}
	return errors.Join(err, c.writeMap(c.done[0]))
}

// syncDir makes the creation and renames of files in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync recordings dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync recordings dir: %w", err)
	}
	return nil
}
