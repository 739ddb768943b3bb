package conversation

import (
	"fmt"
	"slices"
	"time"
)

// maxSeenEvents bounds the event ids remembered for de-duplication.
const maxSeenEvents = 64

// maxWaiters bounds the commands waiting on one capability.
const maxWaiters = 32

// Outcome is the result of applying an input.
type Outcome struct {
	Conversation Conversation
	// Changed is false when the input left the conversation as it was.
	Changed bool
	// Ignored says why a platform event changed nothing: "duplicate" or "stale".
	Ignored string
	// Drives are the backend calls to make, after the new state is persisted.
	Drives []Drive
	// Events are to be published, after the new state is persisted.
	Events []Event
}

// Ignore reasons.
const (
	IgnoredDuplicate = "duplicate"
	IgnoredStale     = "stale"
)

// Apply applies one input to a conversation at time now and returns the new
// state and its effects. c is not modified. An error means the input broke a
// rule and nothing changed.
func Apply(c Conversation, in Input, now time.Time, p Policy) (Outcome, error) {
	if in.At.IsZero() {
		in.At = now
	}
	if isPlatformEvent(in.Kind) && p.MaxClockSkew > 0 && in.At.After(now.Add(p.MaxClockSkew)) {
		return Outcome{}, errorf(CodeInvalid, fmt.Sprintf("event time %s is more than %s ahead of hush's clock",
			in.At.UTC().Format(time.RFC3339Nano), p.MaxClockSkew))
	}
	a := applier{next: c.Clone(), in: in, now: now, policy: p}
	if ignored := a.screen(c); ignored != "" {
		return Outcome{Conversation: c, Ignored: ignored}, nil
	}
	if err := a.dispatch(); err != nil {
		return Outcome{}, err
	}
	a.settle()
	changed := !c.Equal(a.next)
	if changed {
		a.next.UpdatedAt = now
		a.publishConversation(c)
	}
	return Outcome{Conversation: a.next, Changed: changed, Drives: a.drives, Events: a.events}, nil
}

type applier struct {
	next   Conversation
	in     Input
	now    time.Time
	policy Policy
	drives []Drive
	events []Event
}

func isPlatformEvent(k Kind) bool {
	switch k {
	case KindHold, KindUnhold, KindEnd, KindSourcePause, KindSourceResume, KindAutoPause, KindAutoResume:
		return true
	}
	return false
}

// screen drops redelivered and out-of-date platform events, and records the
// ones that pass.
func (a *applier) screen(c Conversation) string {
	in := a.in
	if in.Kind == KindResult && in.Result != nil && in.Capability.Valid() {
		// A result for a drive that is no longer running (replaced by the
		// reconciler, or answered twice) says nothing about the current one.
		d := c.Cap(in.Capability).Driving
		if d == nil || d.TransactionID != in.Result.TransactionID {
			return IgnoredStale
		}
		return ""
	}
	if !isPlatformEvent(in.Kind) {
		return ""
	}
	if in.EventID != "" && slices.Contains(c.SeenEvents, in.EventID) {
		return IgnoredDuplicate
	}
	if in.Kind == KindEnd && !c.Active() {
		return IgnoredDuplicate
	}
	// An end is final whenever it arrives; any other event older than the
	// newest one applied describes a past that has been overtaken. A
	// detector's pause is the exception: it names a moment in the
	// recorder's buffer, before the events that came while it listened.
	retro := in.Kind == KindAutoPause || in.Kind == KindAutoResume
	if in.Kind != KindEnd && !retro && in.At.Before(c.LastInputAt) {
		return IgnoredStale
	}
	if !retro && in.At.After(a.next.LastInputAt) {
		a.next.LastInputAt = in.At
	}
	if in.EventID != "" {
		a.next.SeenEvents = append(a.next.SeenEvents, in.EventID)
		if n := len(a.next.SeenEvents); n > maxSeenEvents {
			a.next.SeenEvents = slices.Clone(a.next.SeenEvents[n-maxSeenEvents:])
		}
	}
	return ""
}

func (a *applier) dispatch() error {
	switch a.in.Kind {
	case KindResult:
		return a.result()
	case KindReconcile:
		a.reconcile()
		return nil
	case KindExpire:
		a.expire()
		return nil
	}
	if !a.next.Active() {
		return errorf(CodeEnded, "conversation "+a.next.ID+" has ended")
	}
	switch a.in.Kind {
	case KindHold:
		a.next.CallState = OnHold
		a.addReasonAll(Reason{Kind: Hold, Since: a.since(), By: a.in.Actor, ByName: a.in.ActorName})
	case KindUnhold:
		a.next.CallState = Connected
		a.removeReasonAll(Hold, "")
	case KindEnd:
		a.end()
	case KindSourcePause:
		a.addReasonAll(Reason{Kind: Source, ID: a.in.SourceID, Since: a.since(), By: a.in.Actor})
	case KindSourceResume:
		a.removeReasonAll(Source, a.in.SourceID)
	case KindAutoPause:
		a.addReasonAll(Reason{Kind: Auto, ID: a.in.SourceID, Since: a.since(), By: a.in.Actor})
	case KindAutoResume:
		a.removeReasonAll(Auto, a.in.SourceID)
	case KindCommand:
		return a.command()
	case KindSecureStart:
		return a.secureStart()
	case KindSecureComplete:
		return a.secureComplete()
	case KindTransfer:
		return a.transfer()
	case KindConsent:
		return a.consent()
	default:
		return errorf(CodeInvalid, "unknown input kind "+string(a.in.Kind))
	}
	return nil
}

func (a *applier) addReasonAll(r Reason) {
	for _, k := range AllCapabilities() {
		addReason(a.next.Cap(k), r)
	}
}

func (a *applier) removeReasonAll(kind ReasonKind, id string) {
	for _, k := range AllCapabilities() {
		removeReason(a.next.Cap(k), kind, id)
	}
}

// since is when a pause the input asks for starts: the input's own time,
// but never later than now, when hush learns of it. An event stamped ahead
// by a fast clock at its source must not let audio through until then.
func (a *applier) since() time.Time {
	if a.in.At.After(a.now) {
		return a.now
	}
	return a.in.At
}

// addReason adds r unless a reason with its kind and id is already held, in
// which case the first one, and its time, stand.
func addReason(c *Cap, r Reason) {
	if !c.Holds(r.Kind, r.ID) {
		c.Reasons = append(c.Reasons, r)
	}
}

func removeReason(c *Cap, kind ReasonKind, id string) (Reason, bool) {
	i := slices.IndexFunc(c.Reasons, func(r Reason) bool { return r.Kind == kind && r.ID == id })
	if i < 0 {
		return Reason{}, false
	}
	r := c.Reasons[i]
	c.Reasons = slices.Delete(c.Reasons, i, i+1)
	return r, true
}

// end stops every started capability: a call that ends while paused is
// stopped, never resumed.
func (a *applier) end() {
	a.next.CallState = Ended
	a.next.EndedAt = a.in.At
	a.next.EndReason = a.in.EndReason
	for _, k := range AllCapabilities() {
		c := a.next.Cap(k)
		if c.Started {
			c.Stopped = true
		}
	}
	for i := range a.next.Sessions {
		s := &a.next.Sessions[i]
		if s.State == SessionActive {
			s.State = SessionCompleted
			s.EndedAt = a.in.At
			a.emit(EventSecureComplete, SessionEvent{ConversationID: a.next.ID, Session: s.public()})
		}
	}
}

func (a *applier) command() error {
	in := a.in
	if !in.Capability.Valid() {
		return errorf(CodeInvalid, "unknown capability "+string(in.Capability))
	}
	if !in.Operation.Valid() {
		return errorf(CodeInvalid, "unknown operation "+string(in.Operation))
	}
	c := a.next.Cap(in.Capability)
	if a.next.Consent == ConsentDeclined && (in.Operation == OpStart || in.Operation == OpResume) {
		return errorf(CodeConsentDeclined, "the customer declined recording: nobody can start or resume the "+string(in.Capability))
	}
	if c.Stopped {
		if in.Operation == OpStop {
			a.wait(in.Capability)
			return nil
		}
		return errorf(CodeStopped, string(in.Capability)+" is stopped")
	}
	switch in.Operation {
	case OpStart:
		if c.Started {
			// As in Dynamics 365, starting a paused capability resumes it.
			a.releaseOwn(c)
		}
		c.Started = true
	case OpPause:
		addReason(c, Reason{Kind: Manual, ID: in.Actor, Since: a.since(), By: in.Actor, ByName: in.ActorName, Note: in.Note})
	case OpResume:
		// Only the caller's own reason: a resume never releases a hold, a
		// secure session or another principal's pause.
		a.releaseOwn(c)
	case OpStop:
		c.Stopped = true
	}
	a.wait(in.Capability)
	return nil
}

// releaseOwn removes the reasons a caller's resume may release: its own
// manual pause and, where the policy treats them as the caller's own, the
// detectors' auto pauses.
func (a *applier) releaseOwn(c *Cap) {
	removeReason(c, Manual, a.in.Actor)
	if a.policy.ResumeAuto {
		c.Reasons = slices.DeleteFunc(c.Reasons, func(r Reason) bool { return r.Kind == Auto })
	}
}

// wait registers the command as waiting for its capability to converge.
func (a *applier) wait(k Capability) {
	c := a.next.Cap(k)
	c.Waiters = append(c.Waiters, Waiter{
		TransactionID: a.in.TransactionID,
		Operation:     a.in.Operation,
		Want:          c.Desired(),
		Note:          a.in.Note,
	})
	for len(c.Waiters) > maxWaiters {
		a.completeWaiter(k, c.Waiters[0], ResultSuperseded, "")
		c.Waiters = c.Waiters[1:]
	}
}

func (a *applier) emit(typ string, data any) {
	a.events = append(a.events, Event{Type: typ, Data: data})
}

func (a *applier) publishConversation(before Conversation) {
	typ := EventUpdated
	if before.Active() && !a.next.Active() {
		typ = EventEnded
	}
	a.emit(typ, a.next.View())
}
