package timeline_test

import (
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/timeline"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func view(updated int, state conversation.CallState, rec []conversation.Reason) conversation.View {
	capv := func(r []conversation.Reason) conversation.CapView {
		d := conversation.InProgress
		if len(r) > 0 {
			d = conversation.Paused
		}
		return conversation.CapView{State: d, DesiredState: d, PauseReasons: r}
	}
	v := conversation.View{ID: "c1", AgentID: "alice", CallState: state, CreatedAt: t0, UpdatedAt: at(updated),
		Recording: capv(rec), Transcription: capv(nil)}
	if state == conversation.Ended {
		v.EndedAt = at(updated)
		v.Recording = conversation.CapView{State: conversation.Stopped, DesiredState: conversation.Stopped}
		v.Transcription = v.Recording
	}
	return v
}

// The whole call, from its start: a hold, a manual pause, an expired secure
// session no snapshot showed held, and the end closing everything.
func TestBuildWholeHistory(t *testing.T) {
	hold := conversation.Reason{Kind: conversation.Hold, Since: at(4)}
	manual := conversation.Reason{Kind: conversation.Manual, ID: "agent:alice", By: "agent:alice", Since: at(20)}
	sessions := []conversation.SecureSession{{ID: "s1", State: conversation.SessionExpired, StartedAt: at(30), EndedAt: at(40)}}
	ended := view(60, conversation.Ended, nil)
	ended.SecureSessions = sessions
	tl := timeline.Build([]conversation.View{
		view(0, conversation.Connected, nil),
		view(5, conversation.OnHold, []conversation.Reason{hold}),
		view(10, conversation.Connected, nil),
		view(20, conversation.Connected, []conversation.Reason{manual}),
		view(25, conversation.Connected, nil),
		ended,
	})
	if !tl.EndedAt.Equal(at(60)) || !tl.CreatedAt.Equal(t0) || tl.ConversationID != "c1" {
		t.Fatalf("bounds: %+v", tl)
	}
	if len(tl.Holds) != 1 || !tl.Holds[0].Start.Equal(at(4)) || !tl.Holds[0].End.Equal(at(10)) {
		t.Fatalf("holds = %+v, want 4s..10s", tl.Holds)
	}
	if len(tl.Recording.Active) != 1 || !tl.Recording.Active[0].Start.Equal(t0) || !tl.Recording.Active[0].End.Equal(at(60)) {
		t.Fatalf("recording active = %+v", tl.Recording.Active)
	}
	want := []struct {
		kind       conversation.ReasonKind
		start, end int
	}{{conversation.Hold, 4, 10}, {conversation.Manual, 20, 25}, {conversation.Secure, 30, 40}}
	if len(tl.Recording.Reasons) != len(want) {
		t.Fatalf("reasons = %+v", tl.Recording.Reasons)
	}
	for i, w := range want {
		r := tl.Recording.Reasons[i]
		if r.Kind != w.kind || !r.Start.Equal(at(w.start)) || !r.End.Equal(at(w.end)) {
			t.Fatalf("reason %d = %+v, want %s %d..%d", i, r, w.kind, w.start, w.end)
		}
	}
	if tl.Recording.Reasons[1].By != "agent:alice" {
		t.Fatalf("manual pause by %q", tl.Recording.Reasons[1].By)
	}
	if len(tl.Transcription.Reasons) != 1 || tl.Transcription.Reasons[0].Kind != conversation.Secure {
		t.Fatalf("transcription reasons = %+v", tl.Transcription.Reasons)
	}
}

// A live call's spans stay open; no snapshots is an empty timeline.
func TestBuildLiveAndEmpty(t *testing.T) {
	manual := conversation.Reason{Kind: conversation.Manual, ID: "k", Since: at(3)}
	tl := timeline.Build([]conversation.View{view(0, conversation.Connected, nil), view(3, conversation.Connected, []conversation.Reason{manual})})
	if !tl.EndedAt.IsZero() || !tl.Recording.Active[0].End.IsZero() || !tl.Recording.Reasons[0].End.IsZero() {
		t.Fatalf("a live call has closed spans: %+v", tl)
	}
	empty := timeline.Build(nil)
	if empty.Holds == nil || empty.Recording.Active == nil || empty.Recording.Reasons == nil {
		t.Fatalf("empty lists must be [] in JSON: %+v", empty)
	}
}

// A hold that pauses only the agent's voice leaves the screen recorded: the
// timeline keeps that part's own span, from the snapshot that showed it to
// the one that no longer did, and the end closes what is still open.
func TestBuildKeepsPartsThatDiffer(t *testing.T) {
	hold := conversation.Reason{Kind: conversation.Hold, Since: at(4)}
	onHold := view(5, conversation.OnHold, []conversation.Reason{hold})
	onHold.Recording.Parts = []conversation.Part{{Name: "AGENT", State: conversation.Paused}, {Name: "SCREEN", State: conversation.InProgress}}
	again := view(30, conversation.OnHold, []conversation.Reason{hold})
	again.Recording.Parts = []conversation.Part{{Name: "SCREEN", State: conversation.Unknown}}
	tl := timeline.Build([]conversation.View{
		view(0, conversation.Connected, nil),
		onHold,
		view(10, conversation.Connected, nil),
		again,
		view(60, conversation.Ended, nil),
	})
	got := tl.Recording.Parts
	want := []timeline.Part{
		{Name: "AGENT", State: conversation.Paused, Start: at(5), End: at(10)},
		{Name: "SCREEN", State: conversation.InProgress, Start: at(5), End: at(10)},
		{Name: "SCREEN", State: conversation.Unknown, Start: at(30), End: at(60)},
	}
	if len(got) != len(want) {
		t.Fatalf("parts: got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("part %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(tl.Transcription.Parts) != 0 {
		t.Errorf("transcription parts: %+v", tl.Transcription.Parts)
	}
}
