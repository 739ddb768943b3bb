package conversation

import "time"

func (a *applier) secureStart() error {
	in := a.in
	if in.SessionID == "" {
		return errorf(CodeInvalid, "a secure session needs an id")
	}
	if s, ok := a.next.Session(in.SessionID); ok {
		if s.State == SessionActive {
			return nil
		}
		return errorf(CodeSessionClosed, "secure session "+in.SessionID+" is "+string(s.State))
	}
	expires := in.ExpiresAt
	if maxAge := a.policy.SecureMaxAge; maxAge > 0 {
		if limit := a.now.Add(maxAge); expires.IsZero() || expires.After(limit) {
			expires = limit
		}
	}
	s := SecureSession{ID: in.SessionID, State: SessionActive, By: in.Actor, StartedAt: a.now, ExpiresAt: expires, TokenHash: in.TokenHash}
	a.next.Sessions = append(a.next.Sessions, s)
	a.addReasonAll(Reason{Kind: Secure, ID: s.ID, Since: a.since(), By: in.Actor, ByName: in.ActorName, Note: in.Note})
	a.emit(EventSecureStarted, SessionEvent{ConversationID: a.next.ID, Session: s.public()})
	return nil
}

func (a *applier) secureComplete() error {
	s, ok := a.next.Session(a.in.SessionID)
	switch {
	case !ok:
		return errorf(CodeSessionUnknown, "no secure session "+a.in.SessionID)
	case s.State == SessionCompleted:
		return nil
	case s.State != SessionActive:
		return errorf(CodeSessionClosed, "secure session "+s.ID+" has "+string(s.State))
	}
	s.State = SessionCompleted
	s.EndedAt = a.now
	a.removeReasonAll(Secure, s.ID)
	a.emit(EventSecureComplete, SessionEvent{ConversationID: a.next.ID, Session: s.public()})
	return nil
}

// expire releases manual pauses older than their maximum age and secure
// sessions past their expiry, so a forgotten pause does not cost the rest of
// the call.
func (a *applier) expire() {
	if !a.next.Active() {
		return
	}
	for i := range a.next.Sessions {
		s := &a.next.Sessions[i]
		// Without an expiry a session lasts until it completes or the call
		// ends; expiring it at once would let the secure data be recorded.
		if s.State != SessionActive || s.ExpiresAt.IsZero() || a.now.Before(s.ExpiresAt) {
			continue
		}
		s.State = SessionExpired
		s.EndedAt = a.now
		a.emit(EventSecureExpired, SessionEvent{ConversationID: a.next.ID, Session: s.public()})
		for _, k := range AllCapabilities() {
			if r, ok := removeReason(a.next.Cap(k), Secure, s.ID); ok {
				a.autoResumed(k, r)
			}
		}
	}
	for _, k := range AllCapabilities() {
		c := a.next.Cap(k)
		// Collect first: removing while ranging over the same slice would
		// skip the reason that slides into the removed one's place.
		var aged []Reason
		for _, r := range c.Reasons {
			if age := a.policy.maxAge(r.Kind); age > 0 && a.now.Sub(r.Since) >= age {
				aged = append(aged, r)
			}
		}
		for _, r := range aged {
			removeReason(c, r.Kind, r.ID)
			a.autoResumed(k, r)
		}
	}
}

func (a *applier) autoResumed(k Capability, r Reason) {
	a.emit(EventAutoResumed, AutoResumed{
		ConversationID: a.next.ID,
		Capability:     k,
		Reason:         r,
		DesiredState:   a.next.Cap(k).Desired(),
	})
}

// NextDeadline returns when the next pause of c expires, or the zero time when
// none will.
func (c Conversation) NextDeadline(p Policy) time.Time {
	var t time.Time
	earlier := func(d time.Time) {
		if t.IsZero() || d.Before(t) {
			t = d
		}
	}
	if !c.Active() {
		return t
	}
	for _, s := range c.Sessions {
		if s.State == SessionActive && !s.ExpiresAt.IsZero() {
			earlier(s.ExpiresAt)
		}
	}
	for _, k := range AllCapabilities() {
		for _, r := range c.Cap(k).Reasons {
			if age := p.maxAge(r.Kind); age > 0 {
				earlier(r.Since.Add(age))
			}
		}
	}
	return t
}

// public returns the session without its token hash.
func (s SecureSession) public() SecureSession {
	s.TokenHash = ""
	return s
}
