package media

import (
	"math"
	"slices"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

// open marks a span that has not ended.
const open = math.MaxInt64

// SpanReason names one pause reason of a paused span.
type SpanReason struct {
	Kind conversation.ReasonKind `json:"kind"`
	ID   string                  `json:"id,omitempty"`
}

// span is a stretch of the timeline the gate keeps shut: [start, end).
type span struct {
	start, end int64
	reasons    []SpanReason
	notStarted bool // the capability had not been started yet
	// closedAt is when the pause reached the gate: its distance from the
	// request is the pause latency, whatever time the pause names.
	closedAt time.Time
}

// gate decides, sample by sample, whether audio passes. Its spans are
// sorted and never overlap; spans wholly before the commit point are
// forgotten, since their audio has already been decided.
type gate struct {
	spans []span
}

// paused reports whether the gate is shut from now on.
func (g *gate) paused() bool {
	n := len(g.spans)
	return n > 0 && g.spans[n-1].end == open
}

// pause shuts the gate from position from on. A pause reaching back into
// (or touching) an earlier span joins it, so one pause is one span.
func (g *gate) pause(from int64, reasons []SpanReason, now time.Time) {
	n := len(g.spans)
	if n == 0 || g.spans[n-1].end < from {
		g.spans = append(g.spans, span{start: from, end: open, reasons: slices.Clone(reasons), closedAt: now})
		return
	}
	last := &g.spans[n-1]
	last.end = open
	last.start = min(last.start, from)
	last.reasons = mergeReasons(last.reasons, reasons)
	for len(g.spans) > 1 {
		n = len(g.spans)
		prev, cur := g.spans[n-2], g.spans[n-1]
		if prev.end < cur.start {
			break
		}
		cur.start = min(prev.start, cur.start)
		cur.reasons = mergeReasons(prev.reasons, cur.reasons)
		cur.notStarted = prev.notStarted && cur.notStarted
		if !prev.closedAt.IsZero() {
			cur.closedAt = prev.closedAt
		}
		g.spans = append(g.spans[:n-2], cur)
	}
}

// resume opens the gate from position at on. A pause that would only have
// started at or after at never takes effect.
func (g *gate) resume(at int64) {
	n := len(g.spans)
	if n == 0 || g.spans[n-1].end != open {
		return
	}
	if g.spans[n-1].start >= at {
		g.spans = g.spans[:n-1]
		return
	}
	g.spans[n-1].end = at
}

// at returns whether position p is shut, the span shutting it, and the
// first position after p (capped at limit) where that may change.
func (g *gate) at(p, limit int64) (shut bool, sp span, until int64) {
	for _, s := range g.spans {
		if p < s.start {
			return false, span{}, min(s.start, limit)
		}
		if p < s.end {
			return true, s, min(s.end, limit)
		}
	}
	return false, span{}, limit
}

// forget drops the spans that end at or before position p.
func (g *gate) forget(p int64) {
	i := 0
	for i < len(g.spans) && g.spans[i].end <= p {
		i++
	}
	if i > 0 {
		g.spans = slices.Delete(g.spans, 0, i)
	}
}

// mergeReasons returns the union of a and b, in order of first appearance.
func mergeReasons(a, b []SpanReason) []SpanReason {
	out := slices.Clone(a)
	for _, r := range b {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// spanReasons reduces held pause reasons to what the segment map names.
func spanReasons(rs []conversation.Reason) []SpanReason {
	out := make([]SpanReason, 0, len(rs))
	for _, r := range rs {
		sr := SpanReason{Kind: r.Kind, ID: r.ID}
		if !slices.Contains(out, sr) {
			out = append(out, sr)
		}
	}
	return out
}
