package amazonconnect_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/testwait"
)

// Each reason suspends its own recordings, through the engine to the fake
// Connect API: a hold the agent's voice, a secure session and a manual
// pause the voice and the screen. Only the difference is ever called, and
// the conversation shows the screen still recorded while only the voice is
// paused.
func TestRecordingTypesFollowTheReasons(t *testing.T) {
	env := newApplierEnv(t, engine.Config{})
	ctx := context.Background()
	_, err := env.eng.Create(ctx, conversation.Spec{ID: "c1", AgentID: "ana", Platform: amazonconnect.Platform,
		Recording: conversation.InProgress, Transcription: conversation.NotStarted}, "test")
	if err != nil {
		t.Fatal(err)
	}
	voiceOnly := []conversation.Part{{Name: "AGENT", State: conversation.Paused}, {Name: "SCREEN", State: conversation.InProgress}}
	at := time.Now().Add(-time.Minute)
	step := func(name string, in conversation.Input, calls []string, state conversation.State, parts []conversation.Part) {
		t.Helper()
		before := len(env.connect.Calls())
		at = at.Add(time.Second)
		in.At = at
		if _, err := env.eng.Apply(ctx, "c1", in); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var c conversation.Conversation
		testwait.Eventually(t, func() (bool, error) {
			c, err = env.st.Conversation(ctx, "c1")
			return err == nil && c.Recording.Driving == nil && c.Recording.Converged(), fmt.Errorf("recording %+v (%v)", c.Recording, err)
		}, "%s: the recording to settle", name)
		if got := env.connect.Typed()[before:]; !slices.Equal(got, calls) {
			t.Fatalf("%s: calls %q, want %q", name, got, calls)
		}
		v := c.View().Recording
		if v.State != state || !slices.Equal(v.Parts, parts) {
			t.Fatalf("%s: recording %s %+v, want %s %+v", name, v.State, v.Parts, state, parts)
		}
	}
	step("hold", conversation.Input{Kind: conversation.KindHold},
		[]string{"SuspendContactRecording AGENT"}, conversation.Paused, voiceOnly)
	step("secure session", conversation.Input{Kind: conversation.KindSecureStart, SessionID: "s1"},
		[]string{"SuspendContactRecording SCREEN"}, conversation.Paused, nil)
	step("unhold during the payment", conversation.Input{Kind: conversation.KindUnhold},
		nil, conversation.Paused, nil)
	step("hold again", conversation.Input{Kind: conversation.KindHold},
		nil, conversation.Paused, nil)
	step("payment done, still on hold", conversation.Input{Kind: conversation.KindSecureComplete, SessionID: "s1"},
		[]string{"ResumeContactRecording SCREEN"}, conversation.Paused, voiceOnly)
	step("agent pauses", conversation.Input{Kind: conversation.KindCommand, Capability: conversation.Recording,
		Operation: conversation.OpPause, Actor: "agent:ana"},
		[]string{"SuspendContactRecording SCREEN"}, conversation.Paused, nil)
	step("unhold", conversation.Input{Kind: conversation.KindUnhold}, nil, conversation.Paused, nil)
	step("agent resumes", conversation.Input{Kind: conversation.KindCommand, Capability: conversation.Recording,
		Operation: conversation.OpResume, Actor: "agent:ana"},
		[]string{"ResumeContactRecording AGENT", "ResumeContactRecording SCREEN"}, conversation.InProgress, nil)
	step("hold", conversation.Input{Kind: conversation.KindHold},
		[]string{"SuspendContactRecording AGENT"}, conversation.Paused, voiceOnly)
	step("end on hold", conversation.Input{Kind: conversation.KindEnd}, nil, conversation.Stopped, nil)
	if got := env.connect.Suspended("c1"); !slices.Equal(got, []string{"AGENT"}) {
		t.Fatalf("Connect left %q suspended, want the voice, to the contact's end", got)
	}
}
