package asr

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/media"
)

// channelNames are the transcript's names of the recorder's channels.
var channelNames = [2]string{"caller", "agent"}

// sink transcribes one conversation. Write runs inside the recorder's
// commit, so it only segments and queues; workers do the rest.
type sink struct {
	t     *Transcriber
	id    string
	start time.Time
	segs  [2]*segmenter // touched by Write and Close only

	mu      sync.Mutex
	doc     Transcript
	pending int  // utterances queued and not yet recognized
	closed  bool // Close was called
}

// Write implements media.Sink.
func (s *sink) Write(_ context.Context, f media.Frame) error {
	for ch, pcm := range [2][]int16{f.Caller, f.Agent} {
		for _, u := range s.segs[ch].write(f.Offset, pcm) {
			s.queue(ch, u)
		}
	}
	return nil
}

// Close implements media.Sink: it cuts the last utterances; the
// transcript is complete once they are recognized.
func (s *sink) Close() error {
	for ch, seg := range s.segs {
		for _, u := range seg.flush(nil) {
			s.queue(ch, u)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.maybeFinish()
}

func (s *sink) queue(ch int, u utterance) {
	s.mu.Lock()
	s.pending++
	s.mu.Unlock()
	if !s.t.enqueue(job{sink: s, ch: ch, u: u}) {
		s.mu.Lock()
		s.pending--
		s.doc.Dropped++
		s.mu.Unlock()
	}
}

// recognized adds a worker's result to the transcript.
func (s *sink) recognized(j job, res Result, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending--
	if err != nil {
		s.doc.Dropped++
		s.t.cfg.Logger.Warn("transcription failed", "conversation", s.id, "err", err)
	} else {
		end := j.u.offset + int64(j.u.n)
		seg := Segment{
			Channel: channelNames[j.ch],
			StartMs: j.u.offset * 1000 / rate8k, EndMs: end * 1000 / rate8k,
			Start: formatTime(s.at(j.u.offset)), End: formatTime(s.at(end)),
			Text: res.Text,
		}
		i, _ := slices.BinarySearchFunc(s.doc.Segments, seg, func(a, b Segment) int {
			if a.StartMs != b.StartMs {
				return int(a.StartMs - b.StartMs)
			}
			return 0
		})
		s.doc.Segments = slices.Insert(s.doc.Segments, i, seg)
	}
	werr := s.maybeFinish()
	if !s.closed {
		werr = s.t.cfg.Write(s.id, s.doc, false)
	}
	if werr != nil {
		s.t.cfg.Logger.Warn("write transcript", "conversation", s.id, "err", werr)
	}
}

// maybeFinish writes the complete transcript once the sink is closed and
// nothing is pending. Called with s.mu held.
func (s *sink) maybeFinish() error {
	if !s.closed || s.pending > 0 || s.doc.Complete {
		return nil
	}
	s.doc.Complete = true
	return s.t.cfg.Write(s.id, s.doc, true)
}

func (s *sink) at(pos int64) time.Time {
	return s.start.Add(time.Duration(pos) * time.Second / rate8k)
}
