package media

import (
	"slices"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"pgregory.net/rapid"
)

var (
	hold   = SpanReason{Kind: conversation.Hold}
	manual = SpanReason{Kind: conversation.Manual, ID: "agent-7"}
)

func TestGateMergesPauses(t *testing.T) {
	var g gate
	g.pause(100, []SpanReason{manual}, time.Time{})
	g.pause(100, []SpanReason{manual}, time.Time{}) // same pause again: one span, one reason
	g.resume(200)
	g.pause(300, []SpanReason{hold}, time.Time{})
	g.resume(400)
	// A retroactive pause reaching into both earlier spans joins them.
	g.pause(150, []SpanReason{hold}, time.Time{})
	if len(g.spans) != 1 {
		t.Fatalf("spans = %+v, want one", g.spans)
	}
	sp := g.spans[0]
	if sp.start != 100 || sp.end != open || !slices.Equal(sp.reasons, []SpanReason{manual, hold}) {
		t.Fatalf("span = %+v", sp)
	}
	// A resume before a pause takes effect cancels it.
	g.resume(500)
	g.pause(900, []SpanReason{manual}, time.Time{})
	g.resume(800)
	if len(g.spans) != 1 || g.spans[0].end != 500 {
		t.Fatalf("spans = %+v", g.spans)
	}
}

func TestGateAt(t *testing.T) {
	var g gate
	g.pause(100, []SpanReason{manual}, time.Time{})
	g.resume(200)
	cases := []struct {
		p, limit, until int64
		shut            bool
	}{
		{0, 1000, 100, false},
		{0, 50, 50, false},
		{100, 1000, 200, true},
		{150, 160, 160, true},
		{200, 1000, 1000, false},
	}
	for _, c := range cases {
		shut, _, until := g.at(c.p, c.limit)
		if shut != c.shut || until != c.until {
			t.Fatalf("at(%d, %d) = %v, %d; want %v, %d", c.p, c.limit, shut, until, c.shut, c.until)
		}
	}
	g.forget(200)
	if len(g.spans) != 0 {
		t.Fatalf("spans = %+v after forgetting them", g.spans)
	}
}

// TestGateMatchesModel checks the gate against a per-position model: after
// any sequence of pauses and resumes, a position is shut exactly when the
// latest operation covering it was a pause.
func TestGateMatchesModel(t *testing.T) {
	const size = 200
	rapid.Check(t, func(rt *rapid.T) {
		var g gate
		model := make([]bool, size)
		now := int64(0)
		for range rapid.IntRange(0, 20).Draw(rt, "ops") {
			if rapid.Bool().Draw(rt, "pause") {
				from := rapid.Int64Range(0, size-1).Draw(rt, "from")
				g.pause(from, []SpanReason{manual}, time.Time{})
				for p := from; p < size; p++ {
					model[p] = true
				}
				continue
			}
			// Resumes only move forward, as they never reach into the past.
			now = rapid.Int64Range(now, size-1).Draw(rt, "at")
			if !g.paused() {
				continue
			}
			g.resume(now)
			for p := now; p < size; p++ {
				model[p] = false
			}
		}
		for p := int64(0); p < size; p++ {
			if shut, _, _ := g.at(p, size); shut != model[p] {
				rt.Fatalf("position %d: gate shut=%v, model %v; spans %+v", p, shut, model[p], g.spans)
			}
		}
		for i := 1; i < len(g.spans); i++ {
			if g.spans[i-1].end >= g.spans[i].start {
				rt.Fatalf("spans overlap or touch: %+v", g.spans)
			}
		}
	})
}
