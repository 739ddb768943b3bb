package conversation_test

import (
	"testing"
	"time"

	cv "github.com/hush-cc/hush/internal/conversation"
)

func autoPause(detector string, at time.Time) cv.Input {
	return cv.Input{Kind: cv.KindAutoPause, SourceID: detector, At: at, Actor: "recorder"}
}

func autoResume(detector string, at time.Time) cv.Input {
	return cv.Input{Kind: cv.KindAutoResume, SourceID: detector, At: at, Actor: "recorder"}
}

// An auto pause covers both capabilities from the time the detector names,
// and only its detector's release (or its age limit) ends it.
func TestAutoPauseHeldUntilItsDetectorReleases(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	c = applyAll(t, c, autoPause("keypad", at(1500*time.Millisecond)))
	for _, k := range cv.AllCapabilities() {
		if got := held(*c.Cap(k)); len(got) != 1 || got[0] != (rk{cv.Auto, "keypad"}) {
			t.Fatalf("%s holds %v", k, got)
		}
		if since := c.Cap(k).Reasons[0].Since; !since.Equal(at(1500 * time.Millisecond)) {
			t.Errorf("%s paused since %v, want the detector's time", k, since)
		}
	}
	// Another detector's release and an agent's resume leave it held.
	c = applyAll(t, c, autoResume("spoken", at(3*time.Second)), cmd(cv.Recording, cv.OpResume, "alice"))
	if got := held(*c.Cap(cv.Recording)); len(got) != 1 {
		t.Fatalf("recording holds %v after another detector's release and an agent resume", got)
	}
	c = applyAll(t, c, autoResume("keypad", at(10*time.Second)))
	for _, k := range cv.AllCapabilities() {
		if got := held(*c.Cap(k)); len(got) != 0 {
			t.Fatalf("%s still holds %v", k, got)
		}
	}
}

// Where the policy allows it, a caller's resume releases auto pauses like
// its own, but still no hold, secure session or other principal's pause.
func TestAutoPauseResumableByPolicy(t *testing.T) {
	p := cv.DefaultPolicy()
	p.ResumeAuto = true
	c := fixture(t, cv.InProgress, cv.InProgress)
	c = applyAll(t, c, autoPause("keypad", at(time.Second)), hold("h1"), cmd(cv.Recording, cv.OpPause, "bob"))
	c = applyP(t, c, cmd(cv.Recording, cv.OpResume, "alice"), at(10*time.Second), p).Conversation
	want := reasons("hold:", "manual:bob")
	if got := held(*c.Cap(cv.Recording)); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("recording holds %v, want %v", got, want)
	}
	if got := held(*c.Cap(cv.Transcription)); len(got) != 2 {
		t.Fatalf("transcription holds %v: a recording resume released its auto pause", got)
	}
}

// A detector that never releases its pause does not lose the rest of the
// call: past AutoMaxAge hush releases it and says so.
func TestAutoPauseMaxAge(t *testing.T) {
	p := cv.DefaultPolicy()
	c := fixture(t, cv.InProgress, cv.InProgress)
	c = applyAll(t, c, autoPause("spoken", at(time.Second)))
	if d := c.NextDeadline(p); !d.Equal(at(time.Second + p.AutoMaxAge)) {
		t.Fatalf("next deadline %v, want %v", d, at(time.Second+p.AutoMaxAge))
	}
	out := applyP(t, c, cv.Input{Kind: cv.KindExpire}, at(time.Second+p.AutoMaxAge), p)
	if n := len(held(*out.Conversation.Cap(cv.Recording))); n != 0 {
		t.Fatalf("recording still holds %d reasons", n)
	}
	if n := len(autoResumed(t, out)); n != 2 {
		t.Fatalf("auto-resumed events: %d, want one per capability", n)
	}
}

// Auto pauses are platform events: a duplicate changes nothing. But they
// name a time in the recorder's buffer, earlier than events that came in
// while the detector listened, and apply all the same.
func TestAutoPauseDuplicateAndRetroactive(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	in := autoPause("keypad", at(2*time.Second))
	in.EventID = "d1"
	c = applyAll(t, c, in)
	if out := apply(t, c, in, at(3*time.Second)); out.Ignored != cv.IgnoredDuplicate {
		t.Errorf("duplicate: ignored %q", out.Ignored)
	}
	c = applyAll(t, c, withAt(hold("h1"), at(5*time.Second)), withAt(unhold("h2"), at(6*time.Second)),
		autoResume("keypad", at(7*time.Second)))
	out := apply(t, c, autoPause("keypad", at(4*time.Second)), at(8*time.Second))
	if out.Ignored != "" || !out.Conversation.Cap(cv.Recording).Holds(cv.Auto, "keypad") {
		t.Fatalf("a detector's pause naming a time before the newest event: ignored %q, reasons %v",
			out.Ignored, held(*out.Conversation.Cap(cv.Recording)))
	}
	if got := out.Conversation.Cap(cv.Recording).Reasons[0].Since; !got.Equal(at(4 * time.Second)) {
		t.Fatalf("paused since %v, want the time the detector named", got)
	}
}
