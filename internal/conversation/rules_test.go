package conversation_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	cv "github.com/hush-cc/hush/internal/conversation"
)

// Rule 1: a capability is in progress only when no reason is held, and each
// way of releasing a reason releases only its own.
func TestRule1ReleaseOnlyOwnReason(t *testing.T) {
	rec, tr := cv.Recording, cv.Transcription
	tests := []struct {
		name        string
		steps       []cv.Input
		wantRec     []rk
		wantTr      []rk
		wantRecDesc cv.State
		wantTrDesc  cv.State
	}{
		{
			name:        "pause adds the caller's manual reason",
			steps:       []cv.Input{cmd(rec, cv.OpPause, "alice")},
			wantRec:     reasons("manual:alice"),
			wantTr:      reasons(),
			wantRecDesc: cv.Paused, wantTrDesc: cv.InProgress,
		},
		{
			name:        "resume removes the caller's own reason",
			steps:       []cv.Input{cmd(rec, cv.OpPause, "alice"), cmd(rec, cv.OpResume, "alice")},
			wantRec:     reasons(),
			wantTr:      reasons(),
			wantRecDesc: cv.InProgress, wantTrDesc: cv.InProgress,
		},
		{
			name:        "resume by another actor keeps the pause",
			steps:       []cv.Input{cmd(rec, cv.OpPause, "alice"), cmd(rec, cv.OpResume, "bob")},
			wantRec:     reasons("manual:alice"),
			wantTr:      reasons(),
			wantRecDesc: cv.Paused, wantTrDesc: cv.InProgress,
		},
		{
			name: "resume of one of two pauses keeps the other",
			steps: []cv.Input{
				cmd(rec, cv.OpPause, "alice"), cmd(rec, cv.OpPause, "bob"), cmd(rec, cv.OpResume, "alice"),
			},
			wantRec:     reasons("manual:bob"),
			wantTr:      reasons(),
			wantRecDesc: cv.Paused, wantTrDesc: cv.InProgress,
		},
		{
			name:        "resume on one capability leaves the other's pause",
			steps:       []cv.Input{cmd(rec, cv.OpPause, "alice"), cmd(tr, cv.OpPause, "alice"), cmd(tr, cv.OpResume, "alice")},
			wantRec:     reasons("manual:alice"),
			wantTr:      reasons(),
			wantRecDesc: cv.Paused, wantTrDesc: cv.InProgress,
		},
		{
			name:        "start of a started capability releases only the caller's pause",
			steps:       []cv.Input{cmd(rec, cv.OpPause, "alice"), cmd(rec, cv.OpPause, "bob"), cmd(rec, cv.OpStart, "alice")},
			wantRec:     reasons("manual:bob"),
			wantTr:      reasons(),
			wantRecDesc: cv.Paused, wantTrDesc: cv.InProgress,
		},
		{
			name:        "an agent's resume never releases a hold",
			steps:       []cv.Input{hold("h1"), cmd(rec, cv.OpResume, "alice")},
			wantRec:     reasons("hold:"),
			wantTr:      reasons("hold:"),
			wantRecDesc: cv.Paused, wantTrDesc: cv.Paused,
		},
		{
			name:        "an agent's resume never un-pauses a secure payment",
			steps:       []cv.Input{secureStart("s1", time.Time{}), cmd(rec, cv.OpResume, "alice"), cmd(rec, cv.OpStart, "alice")},
			wantRec:     reasons("secure:s1"),
			wantTr:      reasons("secure:s1"),
			wantRecDesc: cv.Paused, wantTrDesc: cv.Paused,
		},
		{
			name:        "an agent's resume never releases a stopped source",
			steps:       []cv.Input{sourcePause("caller"), cmd(rec, cv.OpResume, "caller")},
			wantRec:     reasons("source:caller"),
			wantTr:      reasons("source:caller"),
			wantRecDesc: cv.Paused, wantTrDesc: cv.Paused,
		},
		{
			name:        "unhold removes the hold",
			steps:       []cv.Input{hold("h1"), unhold("u1")},
			wantRec:     reasons(),
			wantTr:      reasons(),
			wantRecDesc: cv.InProgress, wantTrDesc: cv.InProgress,
		},
		{
			name:        "unhold never un-pauses a manual pause",
			steps:       []cv.Input{cmd(rec, cv.OpPause, "alice"), hold("h1"), unhold("u1")},
			wantRec:     reasons("manual:alice"),
			wantTr:      reasons(),
			wantRecDesc: cv.Paused, wantTrDesc: cv.InProgress,
		},
		{
			name: "unhold keeps secure and source reasons",
			steps: []cv.Input{
				hold("h1"), secureStart("s1", time.Time{}), sourcePause("agent"), unhold("u1"),
			},
			wantRec:     reasons("secure:s1", "source:agent"),
			wantTr:      reasons("secure:s1", "source:agent"),
			wantRecDesc: cv.Paused, wantTrDesc: cv.Paused,
		},
		{
			name: "completing a secure session removes only its reason",
			steps: []cv.Input{
				secureStart("s1", time.Time{}), secureStart("s2", time.Time{}), hold("h1"),
				cmd(rec, cv.OpPause, "alice"), secureComplete("s1"),
			},
			wantRec:     reasons("hold:", "manual:alice", "secure:s2"),
			wantTr:      reasons("hold:", "secure:s2"),
			wantRecDesc: cv.Paused, wantTrDesc: cv.Paused,
		},
		{
			name:        "completing the last secure session resumes",
			steps:       []cv.Input{secureStart("s1", time.Time{}), secureComplete("s1")},
			wantRec:     reasons(),
			wantTr:      reasons(),
			wantRecDesc: cv.InProgress, wantTrDesc: cv.InProgress,
		},
		{
			name:        "source pause and resume are per stream",
			steps:       []cv.Input{sourcePause("caller"), sourcePause("agent"), sourceResume("caller")},
			wantRec:     reasons("source:agent"),
			wantTr:      reasons("source:agent"),
			wantRecDesc: cv.Paused, wantTrDesc: cv.Paused,
		},
		{
			name:        "resuming an unknown stream changes nothing",
			steps:       []cv.Input{sourcePause("caller"), sourceResume("other")},
			wantRec:     reasons("source:caller"),
			wantTr:      reasons("source:caller"),
			wantRecDesc: cv.Paused, wantTrDesc: cv.Paused,
		},
		{
			name:        "a source resume never releases a hold",
			steps:       []cv.Input{hold("h1"), sourcePause("caller"), sourceResume("caller")},
			wantRec:     reasons("hold:"),
			wantTr:      reasons("hold:"),
			wantRecDesc: cv.Paused, wantTrDesc: cv.Paused,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := applyAll(t, fixture(t, cv.InProgress, cv.InProgress), tt.steps...)
			if got := held(c.Recording); !reflect.DeepEqual(got, tt.wantRec) {
				t.Errorf("recording reasons = %v, want %v", got, tt.wantRec)
			}
			if got := held(c.Transcription); !reflect.DeepEqual(got, tt.wantTr) {
				t.Errorf("transcription reasons = %v, want %v", got, tt.wantTr)
			}
			if got := c.Recording.Desired(); got != tt.wantRecDesc {
				t.Errorf("recording desired = %s, want %s", got, tt.wantRecDesc)
			}
			if got := c.Transcription.Desired(); got != tt.wantTrDesc {
				t.Errorf("transcription desired = %s, want %s", got, tt.wantTrDesc)
			}
		})
	}
}

// Rule 1 also sets the call state: hold and unhold move it.
func TestRule1HoldSetsCallState(t *testing.T) {
	c := applyAll(t, fixture(t, cv.InProgress, cv.InProgress), hold("h1"))
	if c.CallState != cv.OnHold {
		t.Fatalf("call state after hold = %s", c.CallState)
	}
	c = applyAll(t, c, withAt(unhold("u1"), at(time.Minute)))
	if c.CallState != cv.Connected {
		t.Fatalf("call state after unhold = %s", c.CallState)
	}
}

// Rule 2: pausing twice for the same reason is one reason, and the first
// one's time stands.
func TestRule2PauseIsIdempotent(t *testing.T) {
	tests := []struct {
		name   string
		first  cv.Input
		second cv.Input
		want   []rk
	}{
		{"manual pause by the same actor", cmd(cv.Recording, cv.OpPause, "alice"), cmd(cv.Recording, cv.OpPause, "alice"), reasons("manual:alice")},
		{"hold twice with distinct event ids", hold("h1"), hold("h2"), reasons("hold:")},
		{"source pause twice", sourcePause("caller"), sourcePause("caller"), reasons("source:caller")},
		{"secure start twice", secureStart("s1", time.Time{}), secureStart("s1", time.Time{}), reasons("secure:s1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture(t, cv.InProgress, cv.InProgress)
			first := apply(t, c, withTx(withAt(tt.first, at(time.Second)), "tx-1"), at(time.Second))
			second := apply(t, first.Conversation, withTx(withAt(tt.second, at(time.Minute)), "tx-2"), at(time.Minute))
			r := second.Conversation.Recording
			if got := held(r); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("reasons = %v, want %v", got, tt.want)
			}
			if !r.Reasons[0].Since.Equal(at(time.Second)) {
				t.Errorf("since = %v, want the first pause's %v", r.Reasons[0].Since, at(time.Second))
			}
			if len(second.Drives) != 0 {
				t.Errorf("second pause drove again: %+v", second.Drives)
			}
			if len(eventsOf(second, cv.EventSecureStarted)) != 0 {
				t.Errorf("second secure start announced a new session")
			}
		})
	}
}

// Rule 2: a redelivered or out-of-date platform event changes nothing.
func TestRule2DuplicateAndStaleEvents(t *testing.T) {
	base := applyAll(t, fixture(t, cv.InProgress, cv.InProgress),
		withAt(hold("h1"), at(10*time.Second)),
		withAt(unhold("u1"), at(20*time.Second)),
	)
	tests := []struct {
		name string
		in   cv.Input
		want string
	}{
		{"same hold event again", withAt(hold("h1"), at(30*time.Second)), cv.IgnoredDuplicate},
		{"same unhold event again", withAt(unhold("u1"), at(30*time.Second)), cv.IgnoredDuplicate},
		{"hold older than the newest event", withAt(hold("h9"), at(15*time.Second)), cv.IgnoredStale},
		{"source pause older than the newest event", withAt(sourcePause("caller"), at(19*time.Second)), cv.IgnoredStale},
		{"unhold older than the newest event", withAt(unhold("u9"), at(5*time.Second)), cv.IgnoredStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := apply(t, base, withTx(tt.in, "tx-dup"), at(40*time.Second))
			if out.Ignored != tt.want {
				t.Fatalf("Ignored = %q, want %q", out.Ignored, tt.want)
			}
			if out.Changed || len(out.Drives) != 0 || len(out.Events) != 0 {
				t.Errorf("ignored event had effects: changed=%v drives=%v events=%v", out.Changed, out.Drives, out.Events)
			}
			if !reflect.DeepEqual(out.Conversation, base) {
				t.Errorf("ignored event changed the conversation:\n got %+v\nwant %+v", out.Conversation, base)
			}
		})
	}
}

// An event at the same instant as the newest one is not stale, and an end
// is final whenever it arrives.
func TestRule2StaleBoundaries(t *testing.T) {
	base := applyAll(t, fixture(t, cv.InProgress, cv.InProgress), withAt(hold("h1"), at(10*time.Second)))
	out := apply(t, base, withAt(unhold("u1"), at(10*time.Second)), at(11*time.Second))
	if out.Ignored != "" || out.Conversation.CallState != cv.Connected {
		t.Fatalf("unhold at the same instant: ignored=%q state=%s", out.Ignored, out.Conversation.CallState)
	}
	out = apply(t, base, withAt(end("e1"), at(time.Second)), at(11*time.Second))
	if out.Ignored != "" || out.Conversation.Active() {
		t.Fatalf("late end: ignored=%q state=%s", out.Ignored, out.Conversation.CallState)
	}
	again := apply(t, out.Conversation, end("e2"), at(12*time.Second))
	if again.Ignored != cv.IgnoredDuplicate || again.Changed {
		t.Fatalf("second end: ignored=%q changed=%v", again.Ignored, again.Changed)
	}
}

// Rule 2: a backend result that does not answer the running drive is stale.
func TestRule2StaleBackendResult(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	paused := apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-pause"), at(time.Second))
	running := paused.Conversation
	confirmed := apply(t, running, success(cv.Recording, "tx-pause"), at(2*time.Second)).Conversation

	tests := []struct {
		name string
		c    cv.Conversation
		in   cv.Input
	}{
		{"unknown transaction", running, success(cv.Recording, "tx-other")},
		{"failure of an unknown transaction", running, failure(cv.Recording, "tx-other", "boom", true)},
		{"result for the capability that is not driving", running, success(cv.Transcription, "tx-pause")},
		{"second answer to a finished drive", confirmed, success(cv.Recording, "tx-pause")},
		{"no drive at all", c, success(cv.Recording, "tx-pause")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := apply(t, tt.c, tt.in, at(3*time.Second))
			if out.Ignored != cv.IgnoredStale {
				t.Fatalf("Ignored = %q, want stale", out.Ignored)
			}
			if out.Changed || len(out.Drives) != 0 || len(out.Events) != 0 || !reflect.DeepEqual(out.Conversation, tt.c) {
				t.Fatalf("stale result had effects: %+v", out)
			}
		})
	}
}

// Rule 3: a conversation that ends while paused is stopped, never resumed.
func TestRule3EndWhilePausedStops(t *testing.T) {
	tests := []struct {
		name    string
		rec, tr cv.State
		before  []cv.Input
		wantRec cv.State
		wantTr  cv.State
	}{
		{"manual pause, confirmed", cv.InProgress, cv.InProgress, []cv.Input{cmd(cv.Recording, cv.OpPause, "alice")}, cv.Stopped, cv.Stopped},
		{"on hold", cv.InProgress, cv.InProgress, []cv.Input{hold("h1")}, cv.Stopped, cv.Stopped},
		{"secure session open", cv.InProgress, cv.InProgress, []cv.Input{secureStart("s1", time.Time{})}, cv.Stopped, cv.Stopped},
		{"transcription never started", cv.InProgress, cv.NotStarted, []cv.Input{hold("h1")}, cv.Stopped, cv.NotStarted},
		{"nothing started", cv.NotStarted, cv.NotStarted, []cv.Input{hold("h1")}, cv.NotStarted, cv.NotStarted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := confirm(t, applyAll(t, fixture(t, tt.rec, tt.tr), tt.before...), at(time.Minute))
			out := apply(t, c, withTx(withAt(end("e1"), at(2*time.Minute)), "tx-end"), at(2*time.Minute))
			got := out.Conversation
			if got.Active() || got.CallState != cv.Ended || !got.EndedAt.Equal(at(2*time.Minute)) {
				t.Fatalf("after end: call state %s, ended at %v", got.CallState, got.EndedAt)
			}
			for k, want := range map[cv.Capability]cv.State{cv.Recording: tt.wantRec, cv.Transcription: tt.wantTr} {
				if d := got.Cap(k).Desired(); d != want {
					t.Errorf("%s desired = %s, want %s", k, d, want)
				}
				ds := drivesFor(out, k)
				if want == cv.Stopped {
					if len(ds) != 1 || ds[0].Target != cv.Stopped || ds[0].Operation != cv.OpStop {
						t.Errorf("%s drives = %+v, want one stop", k, ds)
					}
				} else if len(ds) != 0 {
					t.Errorf("%s drives = %+v, want none", k, ds)
				}
			}
			if len(eventsOf(out, cv.EventEnded)) != 1 {
				t.Errorf("want one %s event in %+v", cv.EventEnded, out.Events)
			}
			// Even once the stop is confirmed and every pause has aged
			// out, an ended conversation stays stopped.
			done := confirm(t, got, at(3*time.Minute))
			late := apply(t, done, expire(), at(24*time.Hour))
			if late.Changed || len(late.Drives) != 0 || len(eventsOf(late, cv.EventAutoResumed)) != 0 {
				t.Errorf("expire after end had effects: %+v", late)
			}
			for _, k := range cv.AllCapabilities() {
				if s := late.Conversation.Cap(k).Desired(); s == cv.InProgress {
					t.Errorf("%s desired in-progress after end", k)
				}
			}
		})
	}
}

// Rule 3: an end that arrives while a pause drive is still running stops
// once the pause is confirmed, without resuming in between.
func TestRule3EndDuringPauseDrive(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.NotStarted)
	c = apply(t, c, withTx(hold("h1"), "tx-hold"), at(time.Second)).Conversation
	ended := apply(t, c, withTx(end("e1"), "tx-end"), at(2*time.Second))
	if len(ended.Drives) != 0 {
		t.Fatalf("end drove while a drive was running: %+v", ended.Drives)
	}
	out := apply(t, ended.Conversation, withTx(success(cv.Recording, "tx-hold"), "tx-r1"), at(3*time.Second))
	ds := drivesFor(out, cv.Recording)
	if len(ds) != 1 || ds[0].Target != cv.Stopped || ds[0].From != cv.Paused {
		t.Fatalf("drives after the pause result = %+v, want paused -> stopped", ds)
	}
}

// Rule 3: commands after the end are refused with conversation_ended, and
// commands on a stopped capability with capability_stopped.
func TestRule3CommandsAfterEnd(t *testing.T) {
	ended := applyAll(t, fixture(t, cv.InProgress, cv.InProgress), secureStart("s1", time.Time{}), end("e1"))
	stopped := applyAll(t, fixture(t, cv.InProgress, cv.InProgress), cmd(cv.Recording, cv.OpStop, "alice"))
	tests := []struct {
		name string
		c    cv.Conversation
		in   cv.Input
		code string
	}{
		{"start after end", ended, cmd(cv.Recording, cv.OpStart, "alice"), cv.CodeEnded},
		{"pause after end", ended, cmd(cv.Recording, cv.OpPause, "alice"), cv.CodeEnded},
		{"resume after end", ended, cmd(cv.Transcription, cv.OpResume, "alice"), cv.CodeEnded},
		{"stop after end", ended, cmd(cv.Transcription, cv.OpStop, "alice"), cv.CodeEnded},
		{"hold after end", ended, hold("h9"), cv.CodeEnded},
		{"unhold after end", ended, unhold("u9"), cv.CodeEnded},
		{"source pause after end", ended, sourcePause("caller"), cv.CodeEnded},
		{"source resume after end", ended, sourceResume("caller"), cv.CodeEnded},
		{"secure start after end", ended, secureStart("s2", time.Time{}), cv.CodeEnded},
		{"secure complete after end", ended, secureComplete("s1"), cv.CodeEnded},
		{"resume a stopped capability", stopped, cmd(cv.Recording, cv.OpResume, "alice"), cv.CodeStopped},
		{"pause a stopped capability", stopped, cmd(cv.Recording, cv.OpPause, "alice"), cv.CodeStopped},
		{"start a stopped capability", stopped, cmd(cv.Recording, cv.OpStart, "alice"), cv.CodeStopped},
		{"unknown capability", stopped, cmd("video", cv.OpPause, "alice"), cv.CodeInvalid},
		{"unknown operation", stopped, cmd(cv.Transcription, "rewind", "alice"), cv.CodeInvalid},
		{"unknown input kind", stopped, cv.Input{Kind: "teleport"}, cv.CodeInvalid},
		{"result without a result", stopped, cv.Input{Kind: cv.KindResult, Capability: cv.Recording}, cv.CodeInvalid},
		{"result without a capability", stopped, cv.Input{Kind: cv.KindResult, Result: &cv.Result{TransactionID: "x"}}, cv.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tryApply(t, tt.c, withTx(tt.in, "tx-late"), at(time.Hour), cv.DefaultPolicy())
			if err == nil {
				t.Fatalf("Apply accepted %s", tt.name)
			}
			if code := errCode(t, err); code != tt.code {
				t.Fatalf("code = %q, want %q (%v)", code, tt.code, err)
			}
		})
	}
}

// Stopping a stopped capability is idempotent: it completes once the stop
// is confirmed.
func TestRule3StopTwice(t *testing.T) {
	c := confirm(t, applyAll(t, fixture(t, cv.InProgress, cv.InProgress), cmd(cv.Recording, cv.OpStop, "alice")), at(time.Minute))
	if c.Recording.State != cv.Stopped {
		t.Fatalf("recording state = %s", c.Recording.State)
	}
	out := apply(t, c, withTx(cmd(cv.Recording, cv.OpStop, "bob"), "tx-stop2"), at(2*time.Minute))
	if op := completionOf(t, out, cv.Recording, "tx-stop2"); op.Result != cv.ResultSucceeded || op.CurrentState != cv.Stopped {
		t.Fatalf("second stop completion = %+v", op)
	}
	if len(out.Drives) != 0 {
		t.Fatalf("second stop drove: %+v", out.Drives)
	}
}

// The conversation remembers the newest 64 event ids: enough for
// redeliveries, bounded for storage.
func TestSeenEventsAreBounded(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	for i := range 70 {
		in := hold(fmt.Sprintf("ev-%02d", i))
		if i%2 == 1 {
			in = unhold(fmt.Sprintf("ev-%02d", i))
		}
		c = apply(t, c, withAt(in, at(time.Duration(i)*time.Second)), at(time.Duration(i)*time.Second)).Conversation
	}
	if n := len(c.SeenEvents); n != 64 {
		t.Fatalf("remembered %d event ids, want 64", n)
	}
	if c.SeenEvents[0] != "ev-06" || c.SeenEvents[63] != "ev-69" {
		t.Fatalf("remembered %s..%s, want ev-06..ev-69", c.SeenEvents[0], c.SeenEvents[63])
	}
	if out := apply(t, c, withAt(hold("ev-06"), at(time.Hour)), at(time.Hour)); out.Ignored != cv.IgnoredDuplicate {
		t.Fatalf("a remembered id: ignored=%q", out.Ignored)
	}
	if out := apply(t, c, withAt(hold("ev-05"), at(time.Hour)), at(time.Hour)); out.Ignored != "" {
		t.Fatalf("a forgotten id at a new time: ignored=%q", out.Ignored)
	}
}

func TestHeldKinds(t *testing.T) {
	c := applyAll(t, fixture(t, cv.InProgress, cv.InProgress),
		cmd(cv.Transcription, cv.OpPause, "alice"), hold("h1"), cmd(cv.Recording, cv.OpPause, "bob"))
	got := c.HeldKinds()
	want := []cv.ReasonKind{cv.Hold, cv.Manual}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("HeldKinds = %v, want %v", got, want)
	}
	if kinds := fixture(t, cv.InProgress, cv.InProgress).HeldKinds(); len(kinds) != 0 {
		t.Fatalf("HeldKinds of a fresh conversation = %v", kinds)
	}
}

// An event stamped far ahead of hush's clock is refused: accepted, it would
// become the newest time and make every real event after it look stale.
func TestFarFutureEventIsRefused(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	c, err := cv.New(cv.Spec{ID: "c1", Recording: cv.InProgress, At: now})
	if err != nil {
		t.Fatal(err)
	}
	p := cv.DefaultPolicy()
	_, err = cv.Apply(c.Conversation, cv.Input{Kind: cv.KindHold, At: now.Add(2 * time.Minute), EventID: "e1", TransactionID: "t1"}, now, p)
	var ce *cv.Error
	if !errors.As(err, &ce) || ce.Code != cv.CodeInvalid {
		t.Fatalf("far-future hold: err %v, want invalid_input", err)
	}
	out, err := cv.Apply(c.Conversation, cv.Input{Kind: cv.KindHold, At: now.Add(30 * time.Second), EventID: "e2", TransactionID: "t2"}, now, p)
	if err != nil {
		t.Fatalf("hold within the skew: %v", err)
	}
	if got := out.Conversation.Recording.Reasons[0].Since; !got.Equal(now) {
		t.Fatalf("a hold stamped ahead pauses from %v, want now", got)
	}
	later, err := cv.Apply(out.Conversation, cv.Input{Kind: cv.KindUnhold, At: now.Add(45 * time.Second), EventID: "e3", TransactionID: "t3"}, now.Add(time.Second), p)
	if err != nil || later.Ignored != "" || len(later.Conversation.Recording.Reasons) != 0 {
		t.Fatalf("the next real event was not applied: ignored %q, err %v", later.Ignored, err)
	}
}
