package conversation_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	cv "github.com/hush-cc/hush/internal/conversation"
)

// Rule 5: a change of desired state emits exactly one drive per capability
// that must move, shaped after the move.
func TestRule5DriveShape(t *testing.T) {
	type want struct {
		op         cv.Operation
		from, to   cv.State
		transcribe bool // whether transcription moves too
	}
	tests := []struct {
		name    string
		rec, tr cv.State
		before  []cv.Input
		in      cv.Input
		want    want
	}{
		{"pause", cv.InProgress, cv.InProgress, nil, cmd(cv.Recording, cv.OpPause, "alice"), want{cv.OpPause, cv.InProgress, cv.Paused, false}},
		{"hold", cv.InProgress, cv.InProgress, nil, hold("h1"), want{cv.OpPause, cv.InProgress, cv.Paused, true}},
		{"source pause", cv.InProgress, cv.InProgress, nil, sourcePause("caller"), want{cv.OpPause, cv.InProgress, cv.Paused, true}},
		{"secure start", cv.InProgress, cv.InProgress, nil, secureStart("s1", time.Time{}), want{cv.OpPause, cv.InProgress, cv.Paused, true}},
		{"resume", cv.InProgress, cv.InProgress, []cv.Input{cmd(cv.Recording, cv.OpPause, "alice")}, cmd(cv.Recording, cv.OpResume, "alice"), want{cv.OpResume, cv.Paused, cv.InProgress, false}},
		{"unhold", cv.InProgress, cv.InProgress, []cv.Input{hold("h1")}, unhold("u1"), want{cv.OpResume, cv.Paused, cv.InProgress, true}},
		{"secure complete", cv.InProgress, cv.InProgress, []cv.Input{secureStart("s1", time.Time{})}, secureComplete("s1"), want{cv.OpResume, cv.Paused, cv.InProgress, true}},
		{"start", cv.NotStarted, cv.InProgress, nil, cmd(cv.Recording, cv.OpStart, "alice"), want{cv.OpStart, cv.NotStarted, cv.InProgress, false}},
		{"stop", cv.InProgress, cv.InProgress, nil, cmd(cv.Recording, cv.OpStop, "alice"), want{cv.OpStop, cv.InProgress, cv.Stopped, false}},
		{"stop while paused", cv.InProgress, cv.InProgress, []cv.Input{hold("h1")}, cmd(cv.Recording, cv.OpStop, "alice"), want{cv.OpStop, cv.Paused, cv.Stopped, false}},
		{"end", cv.InProgress, cv.InProgress, nil, end("e1"), want{cv.OpStop, cv.InProgress, cv.Stopped, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := confirm(t, applyAll(t, fixture(t, tt.rec, tt.tr), tt.before...), at(time.Minute))
			now := at(2 * time.Minute)
			out := apply(t, c, withTx(tt.in, "tx-in"), now)
			for _, k := range cv.AllCapabilities() {
				ds := drivesFor(out, k)
				if k == cv.Transcription && !tt.want.transcribe {
					if len(ds) != 0 || out.Conversation.Transcription.Driving != nil {
						t.Errorf("transcription drives = %+v, want none", ds)
					}
					continue
				}
				if len(ds) != 1 {
					t.Fatalf("%s drives = %+v, want one", k, ds)
				}
				d := ds[0]
				if d.TransactionID != "tx-in" || d.Operation != tt.want.op || d.From != tt.want.from || d.Target != tt.want.to {
					t.Errorf("%s drive = %+v, want %s %s -> %s under tx-in", k, d, tt.want.op, tt.want.from, tt.want.to)
				}
				if !d.At.Equal(now) || !d.Since.Equal(now) {
					t.Errorf("%s drive at %v since %v, want %v", k, d.At, d.Since, now)
				}
				if got := out.Conversation.Cap(k).Driving; got == nil || !reflect.DeepEqual(*got, d) {
					t.Errorf("%s Driving = %+v, want the emitted drive", k, got)
				}
				if !slices.Equal(d.Reasons, out.Conversation.Cap(k).Reasons) {
					t.Errorf("%s drive reasons = %+v, want the held ones", k, d.Reasons)
				}
			}
			if len(out.Drives) > len(cv.AllCapabilities()) {
				t.Errorf("too many drives: %+v", out.Drives)
			}
		})
	}
}

// Rule 5: while a drive runs, further commands wait on it; its success
// confirms the state and completes every waiter once.
func TestRule5WaitersShareTheRunningDrive(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	first := apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), at(time.Second))
	if len(first.Drives) != 1 || first.Drives[0].TransactionID != "tx-1" {
		t.Fatalf("first pause drives = %+v", first.Drives)
	}
	c = first.Conversation
	for i, actor := range []string{"bob", "carol"} {
		tx := []string{"tx-2", "tx-3"}[i]
		out := apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, actor), tx), at(time.Duration(2+i)*time.Second))
		if len(out.Drives) != 0 {
			t.Fatalf("pause by %s started a second drive: %+v", actor, out.Drives)
		}
		if len(completions(t, out, cv.Recording)) != 0 {
			t.Fatalf("pause by %s completed before the backend answered", actor)
		}
		c = out.Conversation
	}
	if got := len(c.Recording.Waiters); got != 2 {
		t.Fatalf("waiters = %+v, want 2", c.Recording.Waiters)
	}

	out := apply(t, c, withTx(success(cv.Recording, "tx-1"), "tx-r"), at(5*time.Second))
	got := out.Conversation.Recording
	if got.State != cv.Paused || got.Driving != nil || len(got.Waiters) != 0 || got.Failure != nil {
		t.Fatalf("recording after success = %+v", got)
	}
	ops := completions(t, out, cv.Recording)
	if len(ops) != 3 {
		t.Fatalf("completions = %+v, want the drive's and two waiters'", ops)
	}
	for _, tx := range []string{"tx-1", "tx-2", "tx-3"} {
		op := completionOf(t, out, cv.Recording, tx)
		if op.Result != cv.ResultSucceeded || op.CurrentState != cv.Paused || op.DesiredState != cv.Paused || op.Operation != cv.OpPause || op.ConversationID != "c1" || op.LiveWorkItemID != "c1" {
			t.Errorf("completion of %s = %+v", tx, op)
		}
	}
	if len(out.Drives) != 0 {
		t.Errorf("converged capability drove again: %+v", out.Drives)
	}
	if len(eventsOf(out, cv.EventUpdated)) != 1 {
		t.Errorf("want one %s event", cv.EventUpdated)
	}
}

// Rule 5: a success re-drives when the desired state changed meanwhile; a
// command waiting for the new target lends it its transaction.
func TestRule5SuccessRedrives(t *testing.T) {
	t.Run("a waiting stop lends its transaction", func(t *testing.T) {
		c := fixture(t, cv.InProgress, cv.InProgress)
		c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), at(time.Second)).Conversation
		c = apply(t, c, withTx(cmd(cv.Recording, cv.OpStop, "alice"), "tx-2"), at(2*time.Second)).Conversation
		out := apply(t, c, withTx(success(cv.Recording, "tx-1"), "tx-r"), at(3*time.Second))
		op := completionOf(t, out, cv.Recording, "tx-1")
		if op.Result != cv.ResultSucceeded || op.CurrentState != cv.Paused || op.DesiredState != cv.Stopped {
			t.Fatalf("pause completion = %+v", op)
		}
		ds := drivesFor(out, cv.Recording)
		if len(ds) != 1 || ds[0].TransactionID != "tx-2" || ds[0].Operation != cv.OpStop || ds[0].From != cv.Paused || ds[0].Target != cv.Stopped {
			t.Fatalf("re-drive = %+v", ds)
		}
		out = apply(t, out.Conversation, withTx(success(cv.Recording, "tx-2"), "tx-r2"), at(4*time.Second))
		if op := completionOf(t, out, cv.Recording, "tx-2"); op.Result != cv.ResultSucceeded || op.CurrentState != cv.Stopped {
			t.Fatalf("stop completion = %+v", op)
		}
		if out.Conversation.Recording.State != cv.Stopped || len(out.Drives) != 0 {
			t.Fatalf("after stop: %+v", out.Conversation.Recording)
		}
	})
	t.Run("a resume meanwhile drives back", func(t *testing.T) {
		c := fixture(t, cv.InProgress, cv.InProgress)
		c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), at(time.Second)).Conversation
		resumed := apply(t, c, withTx(cmd(cv.Recording, cv.OpResume, "alice"), "tx-2"), at(2*time.Second))
		if op := completionOf(t, resumed, cv.Recording, "tx-2"); op.Result != cv.ResultSucceeded || op.CurrentState != cv.InProgress {
			t.Fatalf("resume completion = %+v", op)
		}
		out := apply(t, resumed.Conversation, withTx(success(cv.Recording, "tx-1"), "tx-r"), at(3*time.Second))
		ds := drivesFor(out, cv.Recording)
		if len(ds) != 1 || ds[0].TransactionID != "tx-r" || ds[0].From != cv.Paused || ds[0].Target != cv.InProgress || ds[0].Operation != cv.OpResume {
			t.Fatalf("re-drive = %+v", ds)
		}
	})
	t.Run("the backend's confirmed state wins", func(t *testing.T) {
		c := fixture(t, cv.InProgress, cv.InProgress)
		c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), at(time.Second)).Conversation
		in := success(cv.Recording, "tx-1")
		in.Result.State = cv.Unknown
		out := apply(t, c, withTx(in, "tx-r"), at(2*time.Second))
		if got := out.Conversation.Recording.State; got != cv.Unknown {
			t.Fatalf("state = %s, want the reported unknown", got)
		}
		if ds := drivesFor(out, cv.Recording); len(ds) != 1 || ds[0].From != cv.Unknown || ds[0].Target != cv.Paused {
			t.Fatalf("re-drive = %+v", ds)
		}
	})
}

// Rule 5: a failure is recorded and reported to the drive and to every
// waiter, and the same target is retried only after RetryAfter.
func TestRule5FailureWaitsBeforeRetry(t *testing.T) {
	p := cv.DefaultPolicy()
	c := fixture(t, cv.InProgress, cv.InProgress)
	c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), at(time.Second)).Conversation
	c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "bob"), "tx-2"), at(time.Second)).Conversation

	failedAt := at(2 * time.Second)
	out := apply(t, c, withTx(failure(cv.Recording, "tx-1", "boom", false), "tx-r"), failedAt)
	got := out.Conversation.Recording
	wantFailure := cv.Failure{Target: cv.Paused, Error: "boom", Final: false, At: failedAt}
	if got.Failure == nil || *got.Failure != wantFailure {
		t.Fatalf("failure = %+v, want %+v", got.Failure, wantFailure)
	}
	if got.State != cv.InProgress || got.Driving != nil || len(got.Waiters) != 0 {
		t.Fatalf("recording after failure = %+v", got)
	}
	for _, tx := range []string{"tx-1", "tx-2"} {
		op := completionOf(t, out, cv.Recording, tx)
		if op.Result != cv.ResultFailed || op.Error != "boom" || op.CurrentState != cv.InProgress || op.DesiredState != cv.Paused {
			t.Errorf("completion of %s = %+v", tx, op)
		}
	}
	if len(out.Drives) != 0 {
		t.Fatalf("failure re-drove at once: %+v", out.Drives)
	}
	c = out.Conversation

	// A command meanwhile waits; so does the reconciler.
	waiting := apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "carol"), "tx-3"), failedAt.Add(time.Second))
	if len(waiting.Drives) != 0 || len(completions(t, waiting, cv.Recording)) != 0 {
		t.Fatalf("command during the retry delay: drives %+v events %+v", waiting.Drives, waiting.Events)
	}
	c = waiting.Conversation
	if early := apply(t, c, reconcile(), failedAt.Add(p.RetryAfter-time.Nanosecond)); len(early.Drives) != 0 || early.Changed {
		t.Fatalf("reconcile before RetryAfter: %+v", early)
	}

	retry := apply(t, c, withTx(reconcile(), "tx-rc"), failedAt.Add(p.RetryAfter))
	ds := drivesFor(retry, cv.Recording)
	if len(ds) != 1 || ds[0].TransactionID != "tx-3" || ds[0].Target != cv.Paused || ds[0].From != cv.InProgress {
		t.Fatalf("retry drives = %+v, want a pause under the waiting command's transaction", ds)
	}
	done := apply(t, retry.Conversation, success(cv.Recording, "tx-3"), failedAt.Add(p.RetryAfter+time.Second))
	if r := done.Conversation.Recording; r.State != cv.Paused || r.Failure != nil {
		t.Fatalf("after a successful retry: %+v", r)
	}
}

// Rule 5: a failure that retrying cannot fix never re-drives the same
// target, but a different target is driven at once.
func TestRule5FinalFailure(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), at(time.Second)).Conversation
	out := apply(t, c, withTx(failure(cv.Recording, "tx-1", "contact gone", true), "tx-r"), at(2*time.Second))
	if f := out.Conversation.Recording.Failure; f == nil || !f.Final {
		t.Fatalf("failure = %+v", f)
	}
	c = out.Conversation
	if later := apply(t, c, withTx(reconcile(), "tx-rc"), at(24*time.Hour)); len(later.Drives) != 0 {
		t.Fatalf("final failure re-drove: %+v", later.Drives)
	}

	// A command for the target that cannot be reached is answered at once
	// rather than left waiting for a drive that will never come.
	again := apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "bob"), "tx-2"), at(3*time.Second))
	if len(again.Drives) != 0 {
		t.Fatalf("pause after a final failure drove: %+v", again.Drives)
	}
	op := completionOf(t, again, cv.Recording, "tx-2")
	if op.Result != cv.ResultFailed || op.Error != "contact gone" {
		t.Fatalf("completion = %+v, want failed with the final error", op)
	}
	if w := again.Conversation.Recording.Waiters; len(w) != 0 {
		t.Fatalf("waiters left behind: %+v", w)
	}

	stop := apply(t, again.Conversation, withTx(cmd(cv.Recording, cv.OpStop, "alice"), "tx-3"), at(4*time.Second))
	ds := drivesFor(stop, cv.Recording)
	if len(ds) != 1 || ds[0].Target != cv.Stopped || ds[0].TransactionID != "tx-3" {
		t.Fatalf("stop after a final pause failure = %+v", ds)
	}
}

// Rule 5: a final failure blocks its target only until the desired state
// changes; asking for that target again later is a new try.
func TestRule5FinalFailureClearsWhenDesireChanges(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), at(time.Second)).Conversation
	c = apply(t, c, failure(cv.Recording, "tx-1", "contact gone", true), at(2*time.Second)).Conversation
	resumed := apply(t, c, withTx(cmd(cv.Recording, cv.OpResume, "alice"), "tx-2"), at(3*time.Second))
	if r := resumed.Conversation.Recording; r.Failure != nil || !r.Converged() {
		t.Fatalf("after the resume: %+v", r)
	}
	out := apply(t, resumed.Conversation, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-3"), at(4*time.Second))
	if ds := drivesFor(out, cv.Recording); len(ds) != 1 || ds[0].TransactionID != "tx-3" || ds[0].Target != cv.Paused {
		t.Fatalf("a new pause after the desire changed = %+v, want a drive", ds)
	}
}

// A failed result may report the state the backend is really in.
func TestRule5FailureReportsState(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), at(time.Second)).Conversation
	in := failure(cv.Recording, "tx-1", "timeout", false)
	in.Result.State = cv.Unknown
	out := apply(t, c, in, at(2*time.Second))
	if got := out.Conversation.Recording.State; got != cv.Unknown {
		t.Fatalf("state = %s, want unknown", got)
	}
	if op := completionOf(t, out, cv.Recording, "tx-1"); op.CurrentState != cv.Unknown || op.Result != cv.ResultFailed {
		t.Fatalf("completion = %+v", op)
	}
}

// Rule 5: the reconciler abandons a drive that went unanswered for
// StaleDrive, ends its transaction, and drives again.
func TestRule5ReconcileAbandonsStaleDrive(t *testing.T) {
	p := cv.DefaultPolicy()
	c := fixture(t, cv.InProgress, cv.InProgress)
	started := at(time.Second)
	c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), started).Conversation

	if early := apply(t, c, reconcile(), started.Add(p.StaleDrive-time.Nanosecond)); early.Changed || len(early.Drives) != 0 {
		t.Fatalf("reconcile before StaleDrive: %+v", early)
	}
	now := started.Add(p.StaleDrive)
	out := apply(t, c, withTx(reconcile(), "tx-rc"), now)
	ds := drivesFor(out, cv.Recording)
	if len(ds) != 1 || ds[0].TransactionID != "tx-rc" || ds[0].Target != cv.Paused || !ds[0].Since.Equal(now) {
		t.Fatalf("drives = %+v, want a new pause drive", ds)
	}
	if len(drivesFor(out, cv.Transcription)) != 0 {
		t.Fatalf("reconcile drove a converged capability: %+v", out.Drives)
	}
	if op := completionOf(t, out, cv.Recording, "tx-1"); op.Result != cv.ResultFailed || op.Error == "" {
		t.Fatalf("abandoned drive's completion = %+v, want failed with a reason", op)
	}

	late := apply(t, out.Conversation, success(cv.Recording, "tx-1"), now.Add(time.Second))
	if late.Ignored != cv.IgnoredStale {
		t.Fatalf("answer to the abandoned drive: ignored=%q", late.Ignored)
	}
	fresh := apply(t, out.Conversation, success(cv.Recording, "tx-rc"), now.Add(time.Second))
	if fresh.Ignored != "" || fresh.Conversation.Recording.State != cv.Paused {
		t.Fatalf("answer to the new drive: %+v", fresh)
	}
}

// Rule 5: a drive lost after its capability came back to the confirmed
// state (pause, then resume before the answer, then a crash) is abandoned
// too: left in place it would keep the next pause from being driven.
func TestRule5ReconcileAbandonsLostDriveOfConvergedCapability(t *testing.T) {
	p := cv.DefaultPolicy()
	c := fixture(t, cv.InProgress, cv.InProgress)
	started := at(time.Second)
	c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), started).Conversation
	c = apply(t, c, withTx(cmd(cv.Recording, cv.OpResume, "alice"), "tx-2"), started).Conversation
	if !c.Recording.Converged() || c.Recording.Driving == nil {
		t.Fatalf("fixture: want a converged capability with a pause drive running, got %+v", c.Recording)
	}

	now := started.Add(p.StaleDrive)
	out := apply(t, c, withTx(reconcile(), "tx-rc"), now)
	if op := completionOf(t, out, cv.Recording, "tx-1"); op.Result != cv.ResultFailed || op.Error == "" {
		t.Fatalf("lost drive's completion = %+v, want failed with a reason", op)
	}
	// The lost pause may have reached the backend: drive it back to be sure.
	ds := drivesFor(out, cv.Recording)
	if len(ds) != 1 || ds[0].From != cv.Unknown || ds[0].Target != cv.InProgress || ds[0].TransactionID != "tx-rc" {
		t.Fatalf("drives = %+v, want one from unknown to in-progress", ds)
	}
	c = confirm(t, out.Conversation, now)

	next := apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-3"), now.Add(time.Second))
	if ds := drivesFor(next, cv.Recording); len(ds) != 1 || ds[0].Target != cv.Paused || ds[0].TransactionID != "tx-3" {
		t.Fatalf("pause after the lost drive: drives = %+v, want a pause drive", ds)
	}
}

// Rule 5: a reconcile of a converged conversation changes nothing.
func TestRule5ReconcileConvergedIsNoop(t *testing.T) {
	c := confirm(t, applyAll(t, fixture(t, cv.InProgress, cv.NotStarted), hold("h1")), at(time.Minute))
	out := apply(t, c, reconcile(), at(time.Hour))
	if out.Changed || len(out.Drives) != 0 || len(out.Events) != 0 {
		t.Fatalf("reconcile of a converged conversation: %+v", out)
	}
}

// Rule 5: a command that changes nothing completes at once, under its own
// transaction.
func TestRule5NoopCommandsCompleteAtOnce(t *testing.T) {
	pausedByAlice := confirm(t, applyAll(t, fixture(t, cv.InProgress, cv.InProgress), cmd(cv.Recording, cv.OpPause, "alice")), at(time.Minute))
	onHold := confirm(t, applyAll(t, fixture(t, cv.InProgress, cv.InProgress), hold("h1")), at(time.Minute))
	running := fixture(t, cv.InProgress, cv.NotStarted)
	tests := []struct {
		name  string
		c     cv.Conversation
		in    cv.Input
		k     cv.Capability
		state cv.State
	}{
		{"pause already paused by the caller", pausedByAlice, cmd(cv.Recording, cv.OpPause, "alice"), cv.Recording, cv.Paused},
		{"another pause of a paused capability", pausedByAlice, cmd(cv.Recording, cv.OpPause, "bob"), cv.Recording, cv.Paused},
		{"resume of a running capability", running, cmd(cv.Recording, cv.OpResume, "bob"), cv.Recording, cv.InProgress},
		{"start of a running capability", running, cmd(cv.Recording, cv.OpStart, "bob"), cv.Recording, cv.InProgress},
		{"resume while on hold", onHold, cmd(cv.Transcription, cv.OpResume, "alice"), cv.Transcription, cv.Paused},
		{"pause of a capability never started", running, cmd(cv.Transcription, cv.OpPause, "alice"), cv.Transcription, cv.NotStarted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := apply(t, tt.c, withTx(tt.in, "tx-noop"), at(time.Hour))
			if len(out.Drives) != 0 {
				t.Fatalf("drives = %+v", out.Drives)
			}
			op := completionOf(t, out, tt.k, "tx-noop")
			if op.Result != cv.ResultSucceeded || op.CurrentState != tt.state || op.DesiredState != tt.state || op.Operation != tt.in.Operation {
				t.Fatalf("completion = %+v", op)
			}
			if w := out.Conversation.Cap(tt.k).Waiters; len(w) != 0 {
				t.Fatalf("waiters left: %+v", w)
			}
		})
	}
}

// Rule 6: a hold that started at T pauses at T.
func TestRule6HoldPausesAtItsOwnTime(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	heldAt := at(10 * time.Second)
	out := apply(t, c, withAt(hold("h1"), heldAt), heldAt.Add(2*time.Second))
	for _, k := range cv.AllCapabilities() {
		r := out.Conversation.Cap(k).Reasons
		if len(r) != 1 || !r[0].Since.Equal(heldAt) {
			t.Fatalf("%s reasons = %+v, want a hold since %v", k, r, heldAt)
		}
		ds := drivesFor(out, k)
		if len(ds) != 1 || !ds[0].At.Equal(heldAt) || !ds[0].Since.Equal(heldAt.Add(2*time.Second)) {
			t.Fatalf("%s drives = %+v, want a pause at %v", k, ds, heldAt)
		}
	}
	if !out.Conversation.LastInputAt.Equal(heldAt) {
		t.Fatalf("last input at = %v, want the event's time", out.Conversation.LastInputAt)
	}
}

// Rule 6: an event stamped ahead of hush's clock pauses as soon as hush
// learns of it, not at the later time it names: a source whose clock runs
// fast must not let the hold's first seconds be recorded.
func TestRule6FutureStampedEventsPauseNow(t *testing.T) {
	now := at(time.Minute)
	ahead := now.Add(30 * time.Second) // ahead, but within the tolerated skew
	for _, in := range []cv.Input{hold("h1"), sourcePause("caller"), secureStart("s1", time.Time{}), cmd(cv.Recording, cv.OpPause, "alice")} {
		t.Run(string(in.Kind), func(t *testing.T) {
			out := apply(t, fixture(t, cv.InProgress, cv.InProgress), withAt(in, ahead), now)
			r := out.Conversation.Recording.Reasons
			if len(r) != 1 || !r[0].Since.Equal(now) {
				t.Fatalf("reasons = %+v, want one since %v", r, now)
			}
			if ds := drivesFor(out, cv.Recording); len(ds) != 1 || !ds[0].At.Equal(now) {
				t.Fatalf("drives = %+v, want a pause at %v", ds, now)
			}
		})
	}
}

// Rule 6: a retroactive pause pauses at the time it names, and a resume at
// the time it is applied.
func TestRule6RetroactivePause(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	now := at(time.Minute)
	from := now.Add(-3 * time.Second)
	out := apply(t, c, withTx(withAt(cmd(cv.Recording, cv.OpPause, "alice"), from), "tx-1"), now)
	ds := drivesFor(out, cv.Recording)
	if len(ds) != 1 || !ds[0].At.Equal(from) {
		t.Fatalf("drives = %+v, want a pause at %v", ds, from)
	}
	if r := out.Conversation.Recording.Reasons; len(r) != 1 || !r[0].Since.Equal(from) || r[0].By != "alice" {
		t.Fatalf("reasons = %+v", r)
	}
	c = confirm(t, out.Conversation, now)
	resumeAt := now.Add(time.Minute)
	out = apply(t, c, withTx(cmd(cv.Recording, cv.OpResume, "alice"), "tx-2"), resumeAt)
	if ds := drivesFor(out, cv.Recording); len(ds) != 1 || !ds[0].At.Equal(resumeAt) {
		t.Fatalf("resume drives = %+v, want at %v", ds, resumeAt)
	}
}

// Rule 6: a pause drive takes effect at the earliest held reason's time.
func TestRule6PauseAtEarliestReason(t *testing.T) {
	p := cv.DefaultPolicy()
	c := fixture(t, cv.InProgress, cv.NotStarted)
	c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1"), at(5*time.Second)).Conversation
	c = apply(t, c, failure(cv.Recording, "tx-1", "busy", false), at(6*time.Second)).Conversation
	c = apply(t, c, withAt(hold("h1"), at(3*time.Second)), at(7*time.Second)).Conversation
	if c.Recording.Driving != nil {
		t.Fatalf("drove during the retry delay: %+v", c.Recording.Driving)
	}
	out := apply(t, c, withTx(reconcile(), "tx-rc"), at(6*time.Second).Add(p.RetryAfter))
	ds := drivesFor(out, cv.Recording)
	if len(ds) != 1 || !ds[0].At.Equal(at(3*time.Second)) {
		t.Fatalf("drives = %+v, want a pause at the hold's %v", ds, at(3*time.Second))
	}
	if len(ds[0].Reasons) != 2 {
		t.Fatalf("drive reasons = %+v, want both", ds[0].Reasons)
	}
}

// Waiters are bounded: past 32, the oldest is answered as superseded.
func TestRule5WaitersAreBounded(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	c = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-drive"), at(time.Second)).Conversation
	var last cv.Outcome
	for i := range 33 {
		last = apply(t, c, withTx(cmd(cv.Recording, cv.OpPause, fmt.Sprintf("actor-%02d", i)), fmt.Sprintf("tx-%02d", i)), at(2*time.Second))
		c = last.Conversation
	}
	if n := len(c.Recording.Waiters); n != 32 {
		t.Fatalf("waiters = %d, want 32", n)
	}
	if op := completionOf(t, last, cv.Recording, "tx-00"); op.Result != cv.ResultSuperseded {
		t.Fatalf("oldest waiter completion = %+v, want superseded", op)
	}
	out := apply(t, c, success(cv.Recording, "tx-drive"), at(3*time.Second))
	if n := len(completions(t, out, cv.Recording)); n != 33 {
		t.Fatalf("completions after success = %d, want the drive's and 32 waiters'", n)
	}
}

// An operation event gives the reason the command named, or else the kinds
// of reason held.
func TestRule5CompletionReason(t *testing.T) {
	c := fixture(t, cv.InProgress, cv.InProgress)
	in := withTx(cmd(cv.Recording, cv.OpPause, "alice"), "tx-1")
	in.Note = "card number"
	out := apply(t, c, in, at(time.Second))
	if ds := drivesFor(out, cv.Recording); len(ds) != 1 || ds[0].Note != "card number" {
		t.Fatalf("drives = %+v, want the command's note", ds)
	}
	done := apply(t, out.Conversation, success(cv.Recording, "tx-1"), at(2*time.Second))
	if op := completionOf(t, done, cv.Recording, "tx-1"); op.Reason != "card number" {
		t.Fatalf("completion reason = %q", op.Reason)
	}
	held := apply(t, fixture(t, cv.InProgress, cv.InProgress), withTx(hold("h1"), "tx-h"), at(time.Second))
	done = apply(t, held.Conversation, success(cv.Transcription, "tx-h"), at(2*time.Second))
	if op := completionOf(t, done, cv.Transcription, "tx-h"); op.Reason != "hold" {
		t.Fatalf("completion reason = %q, want the held kinds", op.Reason)
	}
}
