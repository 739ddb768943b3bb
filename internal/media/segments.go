package media

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Segment states.
const (
	SegmentRecorded   = "recorded"
	SegmentPaused     = "paused"
	SegmentNotStarted = "not-started"
)

// timeLayout is RFC 3339 with milliseconds, the precision of the map.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// Span is a stretch of the conversation timeline in which a capability was
// either running or paused.
type Span struct {
	State   string       `json:"state"`
	StartMs int64        `json:"startMs"` // from the conversation start
	EndMs   int64        `json:"endMs"`
	Start   string       `json:"start"` // RFC 3339, UTC, milliseconds
	End     string       `json:"end"`
	Reasons []SpanReason `json:"reasons,omitempty"`
	// GateClosedAt, on a paused span, is when the pause reached the gate
	// (RFC 3339, nanoseconds): the request's time plus the pause latency.
	// The span itself starts at the time the pause named, often earlier.
	GateClosedAt string `json:"gateClosedAt,omitempty"`
	// StartSample and EndSample locate the span on the timeline, in samples
	// per channel from the conversation start.
	StartSample int64 `json:"startSample"`
	EndSample   int64 `json:"endSample"`
}

// Segment is a span of the recording and where it lies in the WAV file.
type Segment struct {
	Span
	// WAVStart and WAVEnd locate it in the WAV file, in sample frames from
	// the start of the data. A span removed by the gap policy has
	// WAVStart == WAVEnd.
	WAVStart int64 `json:"wavStartSample"`
	WAVEnd   int64 `json:"wavEndSample"`
}

// SegmentMap is the JSON document written beside each WAV file.
type SegmentMap struct {
	ConversationID string    `json:"conversationId"`
	Recording      string    `json:"recording"` // the WAV file's name
	Start          string    `json:"start"`     // timeline origin, RFC 3339
	SampleRate     int       `json:"sampleRate"`
	Channels       []string  `json:"channels"`
	Policy         Policy    `json:"policy"`
	Complete       bool      `json:"complete"` // false while the call runs or after a crash
	DurationMs     int64     `json:"durationMs"`
	WAVSamples     int64     `json:"wavSamples"`
	Segments       []Segment `json:"segments"`
	// Transcription lists what the transcriber was and was not given.
	Transcription []Span `json:"transcription,omitempty"`
	// Stats counts the packets each stream delivered; it is filled in
	// when the recording ends.
	Stats *CallStats `json:"stats,omitempty"`
	// EndReason, on a recording the recorder's restart closed, is
	// Interrupted; its last segment is then lost.
	EndReason string `json:"endReason,omitempty"`
}

// segmentLog accumulates the spans one gate let through or kept out as
// audio is committed.
type segmentLog struct {
	tl       timeline
	segs     []Segment
	closedAt []time.Time // per segment: when its pause reached the gate
}

// add records that timeline positions [from, to) were committed in state,
// occupying WAV frames [wavFrom, wavTo).
func (l *segmentLog) add(state string, from, to, wavFrom, wavTo int64, sp span) {
	if from >= to {
		return
	}
	if n := len(l.segs); n > 0 {
		last := &l.segs[n-1]
		if last.State == state && last.EndSample == from && slices.Equal(last.Reasons, sp.reasons) &&
			l.closedAt[n-1].Equal(sp.closedAt) {
			last.EndSample, last.WAVEnd = to, wavTo
			return
		}
	}
	l.segs = append(l.segs, Segment{
		Span:     Span{State: state, StartSample: from, EndSample: to, Reasons: slices.Clone(sp.reasons)},
		WAVStart: wavFrom, WAVEnd: wavTo,
	})
	l.closedAt = append(l.closedAt, sp.closedAt)
}

// render returns the segments with their times filled in.
func (l *segmentLog) render() []Segment { return l.renderFrom(0) }

// renderFrom returns the segments from index from on, with their times
// filled in.
func (l *segmentLog) renderFrom(from int) []Segment {
	out := slices.Clone(l.segs[min(from, len(l.segs)):])
	for i := range out {
		s := &out[i]
		s.StartMs, s.EndMs = ms(s.StartSample), ms(s.EndSample)
		s.Start = l.tl.time(s.StartSample).UTC().Format(timeLayout)
		s.End = l.tl.time(s.EndSample).UTC().Format(timeLayout)
		if t := l.closedAt[from+i]; !t.IsZero() && s.State == SegmentPaused {
			s.GateClosedAt = t.UTC().Format(time.RFC3339Nano)
		}
	}
	if out == nil {
		out = []Segment{}
	}
	return out
}

// spans returns the rendered segments without their WAV offsets.
func (l *segmentLog) spans() []Span { return spansOf(l.render()) }

// spansOf returns segs without their WAV offsets.
func spansOf(segs []Segment) []Span {
	out := make([]Span, len(segs))
	for i, s := range segs {
		out[i] = s.Span
	}
	return out
}

// writeJSON replaces path with v atomically, so a reader or a crash never
// sees half a file; sync makes it durable.
func writeJSON(path string, v any, sync bool) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// ReadSegmentMap reads a segment map written by the recorder, up to date
// with its journal while the call runs (or after a crash).
func ReadSegmentMap(path string) (SegmentMap, error) {
	m, _, err := readJournaled(path)
	return m, err
}

// formatTime renders t as the segment map does.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }
