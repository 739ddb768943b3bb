package conversation_test

import (
	"reflect"
	"testing"
	"time"

	cv "github.com/hush-cc/hush/internal/conversation"
)

func transfer(agent string) cv.Input {
	return cv.Input{Kind: cv.KindTransfer, AgentID: agent, Actor: "ingest"}
}

func consent(s cv.ConsentState) cv.Input {
	return cv.Input{Kind: cv.KindConsent, Consent: s, Actor: "ingest"}
}

// A transfer changes who owns the call and nothing else: held reasons stay
// held, whoever placed them.
func TestTransferKeepsTheConversation(t *testing.T) {
	rec := cv.Recording
	tests := []struct {
		name      string
		steps     []cv.Input
		wantAgent string
		wantRec   []rk
	}{
		{"hands the call to the new agent", []cv.Input{transfer("bob")}, "bob", reasons()},
		{"a hold stays held", []cv.Input{hold("h1"), transfer("bob")}, "bob", reasons("hold:")},
		{"the old agent's pause stays held", []cv.Input{cmd(rec, cv.OpPause, "agent:alice"), transfer("bob")}, "bob", reasons("manual:agent:alice")},
		{"the new agent's resume does not release the old agent's pause",
			[]cv.Input{cmd(rec, cv.OpPause, "agent:alice"), transfer("bob"), cmd(rec, cv.OpResume, "agent:bob")}, "bob", reasons("manual:agent:alice")},
		{"a secure session stays held", []cv.Input{secureStart("s1", at(time.Hour)), transfer("bob")}, "bob", reasons("secure:s1")},
		{"a second transfer moves it again", []cv.Input{transfer("bob"), transfer("carol")}, "carol", reasons()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := applyAll(t, fixture(t, cv.InProgress, cv.InProgress), tt.steps...)
			if c.AgentID != tt.wantAgent {
				t.Errorf("agent = %q, want %q", c.AgentID, tt.wantAgent)
			}
			if got := held(c.Recording); !reflect.DeepEqual(got, tt.wantRec) {
				t.Errorf("recording reasons = %v, want %v", got, tt.wantRec)
			}
		})
	}
}

func TestTransferRefusals(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	if _, err := tryApply(t, c, transfer(""), at(time.Second), cv.DefaultPolicy()); errCode(t, err) != cv.CodeInvalid {
		t.Errorf("transfer without an agent: %v", err)
	}
	ended := applyAll(t, c, end("e1"))
	if _, err := tryApply(t, ended, transfer("bob"), at(time.Minute), cv.DefaultPolicy()); errCode(t, err) != cv.CodeEnded {
		t.Errorf("transfer after the end: %v", err)
	}
	same := apply(t, c, transfer("alice"), at(time.Second))
	if same.Changed || len(same.Events) != 0 {
		t.Errorf("transfer to the owner changed %+v", same)
	}
}

// A declined consent pauses both capabilities under a reason nothing
// releases, refuses every start and resume, and cannot be taken back.
func TestConsentLock(t *testing.T) {
	rec, tr := cv.Recording, cv.Transcription
	declined := applyAll(t, fixture(t, cv.InProgress, cv.NotStarted), consent(cv.ConsentDeclined))
	if declined.Consent != cv.ConsentDeclined {
		t.Fatalf("consent = %q", declined.Consent)
	}
	if got := held(declined.Recording); !reflect.DeepEqual(got, reasons("consent:")) {
		t.Errorf("recording reasons = %v", got)
	}
	if d := declined.Recording.Desired(); d != cv.Paused {
		t.Errorf("recording desired %s, want paused", d)
	}
	if d := declined.Transcription.Desired(); d != cv.NotStarted {
		t.Errorf("a never-started transcription stays not-started, got %s", d)
	}
	now := at(time.Minute)
	refused := []struct {
		name string
		in   cv.Input
		code string
	}{
		{"start recording", cmd(rec, cv.OpStart, "agent:alice"), cv.CodeConsentDeclined},
		{"resume recording", cmd(rec, cv.OpResume, "agent:alice"), cv.CodeConsentDeclined},
		{"supervisor resume", cmd(rec, cv.OpResume, "supervisor:k1"), cv.CodeConsentDeclined},
		{"start transcription", cmd(tr, cv.OpStart, "agent:alice"), cv.CodeConsentDeclined},
		{"resume transcription", cmd(tr, cv.OpResume, "admin:k1"), cv.CodeConsentDeclined},
		{"granted after declined", consent(cv.ConsentGranted), cv.CodeConsentDeclined},
		{"an answer that is not one", consent("maybe"), cv.CodeInvalid},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tryApply(t, declined, tt.in, now, cv.DefaultPolicy()); errCode(t, err) != tt.code {
				t.Errorf("err = %v, want %s", err, tt.code)
			}
		})
	}
	allowed := []struct {
		name string
		in   cv.Input
	}{
		{"pause", cmd(rec, cv.OpPause, "agent:alice")},
		{"stop", cmd(rec, cv.OpStop, "agent:alice")},
		{"unhold", unhold("u1")},
		{"declined again", consent(cv.ConsentDeclined)},
	}
	for _, tt := range allowed {
		t.Run(tt.name, func(t *testing.T) {
			out := apply(t, declined, tt.in, now)
			if !out.Conversation.Recording.Holds(cv.Consent, "") && !out.Conversation.Recording.Stopped {
				t.Errorf("%s released the consent lock", tt.name)
			}
		})
	}
	// Past every maximum age the lock still holds.
	late := apply(t, declined, expire(), at(24*time.Hour)).Conversation
	if !late.Recording.Holds(cv.Consent, "") {
		t.Error("expiry released the consent lock")
	}
	granted := applyAll(t, fixture(t, cv.InProgress, cv.InProgress), consent(cv.ConsentGranted), cmd(rec, cv.OpPause, "a"), cmd(rec, cv.OpResume, "a"))
	if granted.Consent != cv.ConsentGranted || granted.Recording.Desired() != cv.InProgress {
		t.Errorf("granted consent: %s, recording desired %s", granted.Consent, granted.Recording.Desired())
	}
}
