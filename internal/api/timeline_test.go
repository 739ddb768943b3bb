package api_test

import (
	"testing"

	"github.com/hush-cc/hush/internal/timeline"
)

// A timeline read mid-call shows the call from its start: a hold and a
// manual pause that ended before anyone looked.
func TestTimelineFromTheStart(t *testing.T) {
	e := newEnv(t)
	e.register("c1", "alice")
	e.mustDo(202, "POST", "/v1/conversations/c1/hold", e.ingest, nil)
	e.mustDo(202, "POST", "/v1/conversations/c1/unhold", e.ingest, nil)
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/pause", e.alice, map[string]string{"reason": "card"})
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/resume", e.alice, nil)
	var tl timeline.Timeline
	e.mustDo(200, "GET", "/v1/conversations/c1/timeline", e.alice, nil).decode(t, &tl)
	if tl.ConversationID != "c1" || tl.CreatedAt.IsZero() || !tl.EndedAt.IsZero() {
		t.Fatalf("timeline bounds: %+v", tl)
	}
	if len(tl.Holds) != 1 || tl.Holds[0].End.IsZero() {
		t.Fatalf("holds = %+v, want one closed hold", tl.Holds)
	}
	kinds := map[string]bool{}
	for _, r := range tl.Recording.Reasons {
		kinds[string(r.Kind)] = true
		if r.End.IsZero() || r.End.Before(r.Start) {
			t.Fatalf("reason %+v is not closed", r)
		}
	}
	if !kinds["hold"] || !kinds["manual"] {
		t.Fatalf("recording reasons %+v, want hold and manual", tl.Recording.Reasons)
	}
	if len(tl.Recording.Active) != 1 || !tl.Recording.Active[0].Start.Equal(tl.CreatedAt) {
		t.Fatalf("recording active = %+v, want one span from the start", tl.Recording.Active)
	}
	e.mustDo(403, "GET", "/v1/conversations/c1/timeline", e.bob, nil)
	e.mustDo(404, "GET", "/v1/conversations/nope/timeline", e.admin, nil)
}
