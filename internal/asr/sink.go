package asr

import (
	"cmp"
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
	// front is how far the committed audio has reached, saved where it
	// was when the live transcript was last written, dirty whether a
	// segment came since, and saving whether a save is queued.
	front, saved  int64
	dirty, saving bool
}

// saveEvery is how much audio may pass between two writes of a live
// transcript kept without a journal (Config.Append unset, as when it is
// encrypted at rest): each write replaces the whole file, and a write a
// segment would cost the recorder more than its audio does. The complete
// transcript is written as soon as the call ends.
const saveEvery = 5 * rate8k

// Write implements media.Sink.
func (s *sink) Write(_ context.Context, f media.Frame) error {
	for ch, pcm := range [2][]int16{f.Caller, f.Agent} {
		for _, u := range s.segs[ch].write(f.Offset, pcm) {
			s.queue(ch, u)
		}
	}
	s.mu.Lock()
	s.front = f.Offset + int64(len(f.Caller))
	due := s.dirty && !s.saving && s.front-s.saved >= saveEvery
	s.saving = s.saving || due
	s.mu.Unlock()
	if due && !s.t.enqueue(job{sink: s, save: true}) {
		s.mu.Lock()
		s.saving = false
		s.mu.Unlock()
	}
	return nil
}

// save writes the live transcript if a segment came since the last write
// and the write is still due (a segment may have written it meanwhile).
// Called by a worker for a save Write queued.
func (s *sink) save() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saving = false
	if s.dirty && !s.closed && s.front-s.saved >= saveEvery {
		s.write()
	}
}

// write writes the live transcript. Called with s.mu held.
func (s *sink) write() {
	s.saved, s.dirty = s.front, false
	if err := s.t.cfg.Write(s.id, s.doc, false); err != nil {
		s.t.cfg.Logger.Warn("write transcript", "conversation", s.id, "err", err)
	}
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
	var seg *Segment
	if err != nil {
		s.doc.Dropped++
		s.t.cfg.Logger.Warn("transcription failed", "conversation", s.id, "err", err)
	} else {
		seg = s.add(j, res)
	}
	var werr error
	switch {
	case s.closed:
		werr = s.maybeFinish()
	case s.t.cfg.Append != nil:
		if seg != nil {
			werr = s.t.cfg.Append(s.id, *seg)
		}
	case s.front-s.saved >= saveEvery:
		s.write()
	default:
		s.dirty = true
	}
	if werr != nil {
		s.t.cfg.Logger.Warn("write transcript", "conversation", s.id, "err", werr)
	}
}

// add places a recognized utterance among the transcript's segments, in
// time order, and returns it. Called with s.mu held.
func (s *sink) add(j job, res Result) *Segment {
	end := j.u.offset + int64(j.u.n)
	seg := Segment{
		Channel: channelNames[j.ch],
		StartMs: j.u.offset * 1000 / rate8k, EndMs: end * 1000 / rate8k,
		Start: formatTime(s.at(j.u.offset)), End: formatTime(s.at(end)),
		Text: res.Text,
	}
	i, _ := slices.BinarySearchFunc(s.doc.Segments, seg, func(a, b Segment) int {
		return cmp.Compare(a.StartMs, b.StartMs)
	})
	s.doc.Segments = slices.Insert(s.doc.Segments, i, seg)
	return &s.doc.Segments[i]
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
