package conversation_test

import (
	"slices"
	"testing"
	"time"

	cv "github.com/hush-cc/hush/internal/conversation"
)

// result answers the running recording drive.
func result(t *testing.T, c cv.Conversation, state cv.State, parts []cv.Part, errText string, now time.Time) cv.Outcome {
	t.Helper()
	d := c.Recording.Driving
	if d == nil {
		t.Fatal("no drive running")
	}
	return apply(t, c, cv.Input{Kind: cv.KindResult, Capability: cv.Recording,
		Result: &cv.Result{TransactionID: d.TransactionID, State: state, Parts: parts, Err: errText}}, now)
}

// A backend that pauses in parts is driven again when the reasons change
// while the capability stays paused, and the commands wait for it; a
// backend without parts is not. The view lists the parts only while they
// differ from the capability's state.
func TestPartsAreDrivenWhenReasonsChange(t *testing.T) {
	voice := []cv.Part{{Name: "AGENT", State: cv.Paused}, {Name: "SCREEN", State: cv.InProgress}}
	both := []cv.Part{{Name: "AGENT", State: cv.Paused}, {Name: "SCREEN", State: cv.Paused}}

	c := fixture(t, cv.InProgress, cv.NotStarted)
	out := apply(t, c, hold("e1"), at(time.Second))
	out = result(t, out.Conversation, cv.Paused, voice, "", at(2*time.Second))
	c = out.Conversation
	if v := c.View().Recording; v.State != cv.Paused || !slices.Equal(v.Parts, voice) || !c.Recording.Converged() {
		t.Fatalf("after the hold: %+v, converged %v", v, c.Recording.Converged())
	}

	out = apply(t, c, cv.Input{Kind: cv.KindSecureStart, SessionID: "s1"}, at(3*time.Second))
	d := out.Conversation.Recording.Driving
	if len(out.Drives) != 1 || d == nil || d.From != cv.Paused || d.Target != cv.Paused || len(d.Reasons) != 2 {
		t.Fatalf("a secure session on hold drives %+v", out.Drives)
	}
	if out.Conversation.Recording.Converged() {
		t.Fatal("converged before the screen was paused")
	}
	// The screen's pause failed: the parts are as the backend knows them,
	// and the capability is still not converged.
	out = result(t, out.Conversation, "", voice, "throttled", at(4*time.Second))
	if c := out.Conversation; c.Recording.Converged() || !slices.Equal(c.View().Recording.Parts, voice) {
		t.Fatalf("after a failure: %+v", c.Recording)
	}
	out = apply(t, out.Conversation, cv.Input{Kind: cv.KindReconcile}, at(time.Minute))
	out = result(t, out.Conversation, cv.Paused, both, "", at(time.Minute+time.Second))
	c = out.Conversation
	if v := c.View().Recording; !c.Recording.Converged() || v.Parts != nil || v.State != cv.Paused {
		t.Fatalf("both paused: %+v, converged %v", v, c.Recording.Converged())
	}
	if !slices.Equal(c.Recording.PartsFor, []cv.ReasonKind{cv.Hold, cv.Secure}) {
		t.Fatalf("parts confirmed for %v", c.Recording.PartsFor)
	}

	// Without parts, a new reason on a paused capability drives nothing.
	plain := fixture(t, cv.InProgress, cv.NotStarted)
	out = apply(t, plain, hold("e1"), at(time.Second))
	out = result(t, out.Conversation, cv.Paused, nil, "", at(2*time.Second))
	out = apply(t, out.Conversation, cv.Input{Kind: cv.KindSecureStart, SessionID: "s1"}, at(3*time.Second))
	if len(out.Drives) != 0 || !out.Conversation.Recording.Converged() {
		t.Fatalf("without parts: drives %+v", out.Drives)
	}
}
