package conversation_test

import (
	"reflect"
	"testing"
	"time"

	cv "github.com/hush-cc/hush/internal/conversation"
)

// autoResumed returns the pause.auto-resumed events of an outcome.
func autoResumed(t *testing.T, out cv.Outcome) []cv.AutoResumed {
	t.Helper()
	var evs []cv.AutoResumed
	for _, d := range eventsOf(out, cv.EventAutoResumed) {
		e, ok := d.(cv.AutoResumed)
		if !ok {
			t.Fatalf("%s carries %T", cv.EventAutoResumed, d)
		}
		evs = append(evs, e)
	}
	return evs
}

func sessionEvents(t *testing.T, out cv.Outcome, typ string) []cv.SessionEvent {
	t.Helper()
	var evs []cv.SessionEvent
	for _, d := range eventsOf(out, typ) {
		e, ok := d.(cv.SessionEvent)
		if !ok {
			t.Fatalf("%s carries %T", typ, d)
		}
		evs = append(evs, e)
	}
	return evs
}

// Rule 4: a manual pause past its maximum age is released by hush, which
// says so.
func TestRule4ManualPauseExpires(t *testing.T) {
	p := cv.DefaultPolicy()
	c := confirm(t, applyAll(t, fixture(t, cv.InProgress, cv.InProgress),
		withAt(cmd(cv.Recording, cv.OpPause, "alice"), at(time.Second)),
		hold("h1"),
	), at(time.Minute))

	early := apply(t, c, expire(), at(time.Second+p.ManualMaxAge-time.Nanosecond))
	if early.Changed || len(early.Events) != 0 || len(early.Drives) != 0 {
		t.Fatalf("expire before the maximum age had effects: %+v", early)
	}

	c = apply(t, c, unhold("u1"), at(2*time.Minute)).Conversation
	c = confirm(t, c, at(2*time.Minute))
	out := apply(t, c, withTx(expire(), "tx-exp"), at(time.Second+p.ManualMaxAge))
	if got := held(out.Conversation.Recording); len(got) != 0 {
		t.Fatalf("reasons after expiry = %v", got)
	}
	evs := autoResumed(t, out)
	if len(evs) != 1 {
		t.Fatalf("auto-resumed events = %+v, want one", evs)
	}
	e := evs[0]
	if e.Capability != cv.Recording || e.Reason.Kind != cv.Manual || e.Reason.ID != "alice" || e.DesiredState != cv.InProgress || e.ConversationID != "c1" {
		t.Errorf("auto-resumed = %+v", e)
	}
	ds := drivesFor(out, cv.Recording)
	if len(ds) != 1 || ds[0].Operation != cv.OpResume || ds[0].Target != cv.InProgress {
		t.Errorf("drives = %+v, want one resume", ds)
	}
}

// Rule 4: one expiry releases every manual pause that is past its age, on
// every capability, and only those.
func TestRule4ExpireReleasesEveryAgedPause(t *testing.T) {
	p := cv.DefaultPolicy()
	c := applyAll(t, fixture(t, cv.InProgress, cv.InProgress),
		withAt(cmd(cv.Recording, cv.OpPause, "alice"), at(time.Second)),
		withAt(cmd(cv.Recording, cv.OpPause, "bob"), at(2*time.Second)),
		withAt(cmd(cv.Recording, cv.OpPause, "carol"), at(3*time.Second)),
		withAt(cmd(cv.Transcription, cv.OpPause, "alice"), at(4*time.Second)),
		withAt(cmd(cv.Recording, cv.OpPause, "dave"), at(10*time.Minute)),
	)
	out := apply(t, c, expire(), at(5*time.Second+p.ManualMaxAge))
	if got, want := held(out.Conversation.Recording), reasons("manual:dave"); !reflect.DeepEqual(got, want) {
		t.Errorf("recording reasons = %v, want %v", got, want)
	}
	if got := held(out.Conversation.Transcription); len(got) != 0 {
		t.Errorf("transcription reasons = %v, want none", got)
	}
	var released []rk
	for _, e := range autoResumed(t, out) {
		released = append(released, rk{cv.ReasonKind(string(e.Capability) + "/" + string(e.Reason.Kind)), e.Reason.ID})
	}
	want := []rk{
		{"recording/manual", "alice"}, {"recording/manual", "bob"}, {"recording/manual", "carol"},
		{"transcription/manual", "alice"},
	}
	if !reflect.DeepEqual(released, want) {
		t.Errorf("auto-resumed = %v, want %v", released, want)
	}
	if next := out.Conversation.NextDeadline(p); !next.Equal(at(10*time.Minute + p.ManualMaxAge)) {
		t.Errorf("next deadline = %v, want dave's", next)
	}
}

// Rule 4: a retroactive pause ages from the time it names.
func TestRule4RetroactivePauseAgesFromItsTime(t *testing.T) {
	p := cv.DefaultPolicy()
	c := apply(t, fixture(t, cv.InProgress, cv.InProgress),
		withAt(cmd(cv.Recording, cv.OpPause, "alice"), at(0)), at(5*time.Second)).Conversation
	if next := c.NextDeadline(p); !next.Equal(at(p.ManualMaxAge)) {
		t.Fatalf("next deadline = %v, want %v", next, at(p.ManualMaxAge))
	}
	out := apply(t, c, expire(), at(p.ManualMaxAge))
	if len(out.Conversation.Recording.Reasons) != 0 {
		t.Fatalf("retroactive pause outlived its age: %v", held(out.Conversation.Recording))
	}
}

// Rule 4: a secure session past its expiry ends as expired and releases its
// reason on both capabilities.
func TestRule4SecureSessionExpires(t *testing.T) {
	expires := at(5 * time.Minute)
	c := confirm(t, applyAll(t, fixture(t, cv.InProgress, cv.InProgress),
		secureStart("s1", expires),
		cmd(cv.Recording, cv.OpPause, "bob"),
	), at(time.Minute))

	if out := apply(t, c, expire(), expires.Add(-time.Nanosecond)); out.Changed || len(out.Events) != 0 {
		t.Fatalf("expire before ExpiresAt had effects: %+v", out)
	}
	out := apply(t, c, withTx(expire(), "tx-exp"), expires)
	got := out.Conversation
	s, ok := got.Session("s1")
	if !ok || s.State != cv.SessionExpired || !s.EndedAt.Equal(expires) {
		t.Fatalf("session after expiry = %+v", s)
	}
	evs := sessionEvents(t, out, cv.EventSecureExpired)
	if len(evs) != 1 || evs[0].Session.ID != "s1" || evs[0].Session.State != cv.SessionExpired {
		t.Fatalf("expired events = %+v", evs)
	}
	ar := autoResumed(t, out)
	if len(ar) != 2 {
		t.Fatalf("auto-resumed events = %+v, want one per capability", ar)
	}
	for _, e := range ar {
		if e.Reason.Kind != cv.Secure || e.Reason.ID != "s1" {
			t.Errorf("auto-resumed reason = %+v", e.Reason)
		}
	}
	if want := reasons("manual:bob"); !reflect.DeepEqual(held(got.Recording), want) {
		t.Errorf("recording reasons = %v, want %v", held(got.Recording), want)
	}
	if len(got.Transcription.Reasons) != 0 || got.Transcription.Desired() != cv.InProgress {
		t.Errorf("transcription = %+v", got.Transcription)
	}
	if ar[0].DesiredState != cv.Paused || ar[1].DesiredState != cv.InProgress {
		t.Errorf("auto-resumed desired states = %s, %s", ar[0].DesiredState, ar[1].DesiredState)
	}
	if len(drivesFor(out, cv.Recording)) != 0 || len(drivesFor(out, cv.Transcription)) != 1 {
		t.Errorf("drives = %+v, want a resume of transcription only", out.Drives)
	}

	_, err := tryApply(t, got, secureComplete("s1"), expires.Add(time.Second), cv.DefaultPolicy())
	if err == nil || errCode(t, err) != cv.CodeSessionClosed {
		t.Fatalf("completing an expired session: %v", err)
	}
	_, err = tryApply(t, got, secureStart("s1", time.Time{}), expires.Add(time.Second), cv.DefaultPolicy())
	if err == nil || errCode(t, err) != cv.CodeSessionClosed {
		t.Fatalf("restarting an expired session: %v", err)
	}
}

// Rule 4: a hold never expires.
func TestRule4HoldNeverExpires(t *testing.T) {
	p := cv.DefaultPolicy()
	c := confirm(t, applyAll(t, fixture(t, cv.InProgress, cv.InProgress), hold("h1"), sourcePause("caller")), at(time.Minute))
	if next := c.NextDeadline(p); !next.IsZero() {
		t.Fatalf("next deadline with only a hold and a source = %v", next)
	}
	out := apply(t, c, expire(), at(30*24*time.Hour))
	if out.Changed || len(out.Events) != 0 {
		t.Fatalf("expire released a hold: %+v", out)
	}
	if want := reasons("hold:", "source:caller"); !reflect.DeepEqual(held(out.Conversation.Recording), want) {
		t.Fatalf("reasons = %v", held(out.Conversation.Recording))
	}
}

func TestNextDeadline(t *testing.T) {
	p := cv.DefaultPolicy()
	base := fixture(t, cv.InProgress, cv.InProgress)
	tests := []struct {
		name   string
		steps  []cv.Input
		policy cv.Policy
		want   time.Time
	}{
		{"nothing held", nil, p, time.Time{}},
		{"manual pause", []cv.Input{withAt(cmd(cv.Recording, cv.OpPause, "alice"), at(time.Minute))}, p, at(time.Minute + p.ManualMaxAge)},
		{
			"earliest of two manual pauses",
			[]cv.Input{
				withAt(cmd(cv.Transcription, cv.OpPause, "bob"), at(2*time.Minute)),
				withAt(cmd(cv.Recording, cv.OpPause, "alice"), at(time.Minute)),
			},
			p, at(time.Minute + p.ManualMaxAge),
		},
		{
			"secure session sooner than a manual pause",
			[]cv.Input{withAt(cmd(cv.Recording, cv.OpPause, "alice"), at(time.Minute)), secureStart("s1", at(3*time.Minute))},
			p, at(3 * time.Minute),
		},
		{
			"completed secure session no longer counts",
			[]cv.Input{
				withAt(cmd(cv.Recording, cv.OpPause, "alice"), at(time.Minute)),
				withAt(secureStart("s1", at(3*time.Minute)), at(2*time.Minute)),
				withAt(secureComplete("s1"), at(2*time.Minute)),
			},
			p, at(time.Minute + p.ManualMaxAge),
		},
		{
			"manual pauses never expire without a maximum age",
			[]cv.Input{withAt(cmd(cv.Recording, cv.OpPause, "alice"), at(time.Minute))},
			cv.Policy{SecureMaxAge: time.Minute}, time.Time{},
		},
		{
			"nothing after the end",
			[]cv.Input{withAt(cmd(cv.Recording, cv.OpPause, "alice"), at(time.Minute)), secureStart("s1", at(3*time.Minute)), end("e1")},
			p, time.Time{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := applyAll(t, base, tt.steps...)
			if got := c.NextDeadline(tt.policy); !got.Equal(tt.want) {
				t.Fatalf("NextDeadline = %v, want %v", got, tt.want)
			}
		})
	}
}

// A secure session's expiry is what the caller asked, capped by the policy.
func TestSecureSessionExpiry(t *testing.T) {
	p := cv.DefaultPolicy()
	now := at(time.Minute)
	tests := []struct {
		name    string
		expires time.Time
		want    time.Time
	}{
		{"no expiry asked", time.Time{}, now.Add(p.SecureMaxAge)},
		{"within the limit", now.Add(2 * time.Minute), now.Add(2 * time.Minute)},
		{"past the limit", now.Add(time.Hour), now.Add(p.SecureMaxAge)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := apply(t, fixture(t, cv.InProgress, cv.InProgress), withTx(secureStart("s1", tt.expires), "tx-s"), now)
			s, ok := out.Conversation.Session("s1")
			if !ok || s.State != cv.SessionActive || !s.ExpiresAt.Equal(tt.want) || !s.StartedAt.Equal(now) || s.By != "alice" {
				t.Fatalf("session = %+v, want active until %v", s, tt.want)
			}
			evs := sessionEvents(t, out, cv.EventSecureStarted)
			if len(evs) != 1 || evs[0].Session != *s {
				t.Fatalf("started events = %+v", evs)
			}
			if len(out.Drives) != 2 {
				t.Fatalf("secure start drives = %+v, want a pause of each capability", out.Drives)
			}
		})
	}
}

// Without a SecureMaxAge a session without an expiry lasts until it is
// completed or the call ends, rather than expiring at once.
func TestSecureSessionWithoutLimit(t *testing.T) {
	p := cv.Policy{ManualMaxAge: time.Minute}
	c := fixture(t, cv.InProgress, cv.InProgress)
	out := applyP(t, c, secureStart("s1", time.Time{}), at(time.Second), p)
	s, _ := out.Conversation.Session("s1")
	if !s.ExpiresAt.IsZero() {
		t.Fatalf("expires at %v, want never", s.ExpiresAt)
	}
	if next := out.Conversation.NextDeadline(p); !next.IsZero() {
		t.Fatalf("next deadline = %v, want none", next)
	}
	later := applyP(t, out.Conversation, expire(), at(24*time.Hour), p)
	if s, _ := later.Conversation.Session("s1"); s.State != cv.SessionActive || len(later.Conversation.Recording.Reasons) != 1 {
		t.Fatalf("session without a limit expired: %+v", s)
	}
	asked := applyP(t, c, secureStart("s2", at(time.Hour)), at(time.Second), p)
	if s, _ := asked.Conversation.Session("s2"); !s.ExpiresAt.Equal(at(time.Hour)) {
		t.Fatalf("expires at %v, want the asked %v", s.ExpiresAt, at(time.Hour))
	}
}

// Secure session inputs that break a rule are refused with their code.
func TestSecureSessionErrors(t *testing.T) {
	c := applyAll(t, fixture(t, cv.InProgress, cv.InProgress), secureStart("s1", time.Time{}), secureComplete("s1"))
	tests := []struct {
		name string
		in   cv.Input
		code string
	}{
		{"start without an id", secureStart("", time.Time{}), cv.CodeInvalid},
		{"complete an unknown session", secureComplete("nope"), cv.CodeSessionUnknown},
		{"restart a completed session", secureStart("s1", time.Time{}), cv.CodeSessionClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tryApply(t, c, tt.in, at(time.Hour), cv.DefaultPolicy())
			if err == nil || errCode(t, err) != tt.code {
				t.Fatalf("err = %v, want code %s", err, tt.code)
			}
		})
	}
	again := apply(t, c, secureComplete("s1"), at(time.Hour))
	if again.Changed || len(again.Events) != 0 {
		t.Fatalf("completing a completed session again had effects: %+v", again)
	}
}

// Completing a secure session announces it; ending the call completes the
// sessions still open.
func TestSecureSessionCompletion(t *testing.T) {
	c := applyAll(t, fixture(t, cv.InProgress, cv.InProgress), secureStart("s1", time.Time{}), secureStart("s2", time.Time{}))
	out := apply(t, c, secureComplete("s1"), at(time.Minute))
	evs := sessionEvents(t, out, cv.EventSecureComplete)
	if len(evs) != 1 || evs[0].Session.ID != "s1" || evs[0].Session.State != cv.SessionCompleted || !evs[0].Session.EndedAt.Equal(at(time.Minute)) {
		t.Fatalf("completed events = %+v", evs)
	}
	ended := apply(t, out.Conversation, withAt(end("e1"), at(2*time.Minute)), at(2*time.Minute))
	evs = sessionEvents(t, ended, cv.EventSecureComplete)
	if len(evs) != 1 || evs[0].Session.ID != "s2" {
		t.Fatalf("completed events at the end = %+v", evs)
	}
	for _, s := range ended.Conversation.Sessions {
		if s.State == cv.SessionActive {
			t.Fatalf("session %s still active after the end", s.ID)
		}
	}
}
