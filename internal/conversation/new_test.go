package conversation_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	cv "github.com/hush-cc/hush/internal/conversation"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		rec, tr cv.State
		id      string
		wantRec cv.State
		wantTr  cv.State
		code    string
	}{
		{name: "both running", id: "c1", rec: cv.InProgress, tr: cv.InProgress, wantRec: cv.InProgress, wantTr: cv.InProgress},
		{name: "none given", id: "c1", wantRec: cv.NotStarted, wantTr: cv.NotStarted},
		{name: "recording only", id: "c1", rec: cv.InProgress, tr: cv.NotStarted, wantRec: cv.InProgress, wantTr: cv.NotStarted},
		{name: "missing id", rec: cv.InProgress, code: cv.CodeInvalid},
		{name: "paused at creation", id: "c1", rec: cv.Paused, code: cv.CodeInvalid},
		{name: "stopped at creation", id: "c1", tr: cv.Stopped, code: cv.CodeInvalid},
		{name: "unknown at creation", id: "c1", rec: cv.Unknown, code: cv.CodeInvalid},
		{name: "made-up state", id: "c1", tr: "recording-ish", code: cv.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := map[string]string{"queue": "billing"}
			out, err := cv.New(cv.Spec{ID: tt.id, AgentID: "alice", Platform: "none", Attributes: attrs, Recording: tt.rec, Transcription: tt.tr, At: t0})
			if tt.code != "" {
				if err == nil {
					t.Fatalf("New accepted %s", tt.name)
				}
				if code := errCode(t, err); code != tt.code {
					t.Fatalf("code = %q, want %q", code, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			c := out.Conversation
			if c.ID != tt.id || c.AgentID != "alice" || c.Platform != "none" || c.CallState != cv.Connected || !c.Active() {
				t.Fatalf("conversation = %+v", c)
			}
			if !c.CreatedAt.Equal(t0) || !c.UpdatedAt.Equal(t0) || !c.EndedAt.IsZero() {
				t.Fatalf("times = %v %v %v", c.CreatedAt, c.UpdatedAt, c.EndedAt)
			}
			for k, want := range map[cv.Capability]cv.State{cv.Recording: tt.wantRec, cv.Transcription: tt.wantTr} {
				cp := c.Cap(k)
				if cp.State != want || cp.Desired() != want || !cp.Converged() || cp.Started != (want == cv.InProgress) || len(cp.Reasons) != 0 {
					t.Errorf("%s = %+v, want confirmed %s", k, *cp, want)
				}
			}
			if !out.Changed || len(out.Drives) != 0 {
				t.Errorf("outcome changed=%v drives=%+v", out.Changed, out.Drives)
			}
			if len(out.Events) != 1 || out.Events[0].Type != cv.EventCreated {
				t.Fatalf("events = %+v, want one %s", out.Events, cv.EventCreated)
			}
			if data, ok := out.Events[0].Data.(cv.View); !ok || !reflect.DeepEqual(data, c.View()) {
				t.Fatalf("created event data = %+v", out.Events[0].Data)
			}
			attrs["queue"] = "changed"
			if c.Attributes["queue"] != "billing" {
				t.Fatalf("New kept the caller's attribute map")
			}
		})
	}
}

// richConversation has something in every field Apply might touch.
func richConversation(t *testing.T) cv.Conversation {
	t.Helper()
	c := fixture(t, cv.InProgress, cv.InProgress)
	c.Attributes = map[string]string{"queue": "billing"}
	c = applyAll(t, c,
		withAt(hold("h1"), at(time.Second)),
		cmd(cv.Recording, cv.OpPause, "alice"),
		cmd(cv.Recording, cv.OpPause, "bob"),
		secureStart("s1", time.Time{}),
		sourcePause("caller"),
	)
	c = apply(t, c, withTx(failure(cv.Transcription, c.Transcription.Driving.TransactionID, "busy", false), "tx-f"), at(10*time.Second)).Conversation
	c = apply(t, c, withTx(cmd(cv.Transcription, cv.OpPause, "carol"), "tx-w"), at(11*time.Second)).Conversation
	if c.Recording.Driving == nil || len(c.Recording.Waiters) == 0 || c.Transcription.Failure == nil || len(c.Transcription.Waiters) == 0 {
		t.Fatalf("fixture lacks drives, waiters or failures: %+v", c)
	}
	return c
}

// Apply never modifies the conversation it is given, whatever the input,
// and what it returns shares no memory with it.
func TestApplyLeavesItsInputAlone(t *testing.T) {
	c := richConversation(t)
	p := cv.DefaultPolicy()
	inputs := []cv.Input{
		hold("h1"), hold("h2"), unhold("u1"), end("e1"), sourcePause("agent"), sourceResume("caller"),
		cmd(cv.Recording, cv.OpStart, "alice"), cmd(cv.Recording, cv.OpPause, "dave"),
		cmd(cv.Recording, cv.OpResume, "alice"), cmd(cv.Transcription, cv.OpStop, "bob"),
		secureStart("s2", time.Time{}), secureComplete("s1"), secureComplete("nope"),
		expire(), reconcile(),
		success(cv.Recording, c.Recording.Driving.TransactionID),
		failure(cv.Recording, c.Recording.Driving.TransactionID, "boom", true),
		success(cv.Transcription, "unknown"),
		{Kind: "bogus"},
	}
	for _, now := range []time.Time{at(20 * time.Second), at(time.Hour)} {
		for _, in := range inputs {
			before := snapshot(t, c)
			in.TransactionID = "tx-purity"
			out, err := cv.Apply(c, in, now, p)
			if after := snapshot(t, c); !bytes.Equal(before, after) {
				t.Fatalf("Apply(%s) at %v modified its input", in.Kind, now)
			}
			if err != nil || out.Ignored != "" {
				continue
			}
			// Scribble over the result; the input must not see it.
			n := out.Conversation
			n.Attributes["queue"] = "scribbled"
			for _, k := range cv.AllCapabilities() {
				cp := n.Cap(k)
				for i := range cp.Reasons {
					cp.Reasons[i].ID = "scribbled"
				}
				for i := range cp.Waiters {
					cp.Waiters[i].TransactionID = "scribbled"
				}
				if cp.Driving != nil {
					cp.Driving.TransactionID = "scribbled"
					for i := range cp.Driving.Reasons {
						cp.Driving.Reasons[i].ID = "scribbled"
					}
				}
				if cp.Failure != nil {
					cp.Failure.Error = "scribbled"
				}
			}
			for i := range n.Sessions {
				n.Sessions[i].ID = "scribbled"
			}
			for i := range n.SeenEvents {
				n.SeenEvents[i] = "scribbled"
			}
			if after := snapshot(t, c); !bytes.Equal(before, after) {
				t.Fatalf("Apply(%s) returned memory shared with its input", in.Kind)
			}
		}
	}
}

// Conversation events carry a copy, so a subscriber cannot change the state
// through them.
func TestEventsCarryCopies(t *testing.T) {
	c := richConversation(t)
	out := apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "dave"), "tx-e"), at(time.Minute))
	before := snapshot(t, out.Conversation)
	views := eventsOf(out, cv.EventUpdated)
	if len(views) != 1 {
		t.Fatalf("want one %s event, got %+v", cv.EventUpdated, out.Events)
	}
	v, ok := views[0].(cv.View)
	if !ok {
		t.Fatalf("%s carries %T", cv.EventUpdated, views[0])
	}
	if !reflect.DeepEqual(v, out.Conversation.View()) {
		t.Fatalf("event view = %+v, want the new state's", v)
	}
	v.Recording.PauseReasons[0].ID = "scribbled"
	v.Attributes["queue"] = "scribbled"
	v.SecureSessions[0].ID = "scribbled"
	if after := snapshot(t, out.Conversation); !bytes.Equal(before, after) {
		t.Fatalf("an event shares memory with the new state")
	}
}

// A secure session keeps its token hash, and nothing published shows it.
func TestSecureTokenHashStaysPrivate(t *testing.T) {
	in := withTx(secureStart("s1", time.Time{}), "tx-s")
	in.TokenHash = "hash-of-token"
	out := apply(t, fixture(t, cv.InProgress, cv.InProgress), in, at(time.Second))
	if s, ok := out.Conversation.Session("s1"); !ok || s.TokenHash != "hash-of-token" {
		t.Fatalf("session = %+v, want the token hash kept", s)
	}
	ended := apply(t, out.Conversation, end("e1"), at(2*time.Second))
	for _, o := range []cv.Outcome{out, ended} {
		b, err := json.Marshal(o.Events)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("hash-of-token")) {
			t.Fatalf("events show the token hash: %s", b)
		}
	}
	b, err := json.Marshal(ended.Conversation.View())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("hash-of-token")) {
		t.Fatalf("the view shows the token hash: %s", b)
	}
}
