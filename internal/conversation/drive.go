package conversation

import (
	"slices"
	"time"
)

// settle moves every capability one step towards its desired state: it
// starts a backend drive where none is running and completes the commands
// waiting on a capability that has converged.
func (a *applier) settle() {
	for _, k := range AllCapabilities() {
		c := a.next.Cap(k)
		if c.Failure != nil && c.Failure.Target != c.Desired() {
			// The failure concerns a state no longer wanted: should it be
			// wanted again, that is a new request and deserves a new try.
			c.Failure = nil
		}
		if c.Converged() {
			for _, w := range c.Waiters {
				res := ResultSucceeded
				if w.Want != c.State {
					res = ResultSuperseded
				}
				a.completeWaiter(k, w, res, "")
			}
			c.Waiters = nil
			continue
		}
		if c.Driving != nil || c.Desired() == NotStarted {
			continue
		}
		if !a.blocked(c) {
			a.drive(k)
		} else if c.Failure.Final {
			a.failWaiters(k)
		}
	}
}

// failWaiters answers the commands waiting on a capability that a final
// failure keeps from its desired state: no drive will come to end them.
func (a *applier) failWaiters(k Capability) {
	c := a.next.Cap(k)
	for _, w := range c.Waiters {
		a.completeWaiter(k, w, ResultFailed, c.Failure.Error)
	}
	c.Waiters = nil
}

// blocked reports whether a recent failure to reach the desired state
// forbids trying again yet. A final failure blocks until the desired state
// changes.
func (a *applier) blocked(c *Cap) bool {
	f := c.Failure
	if f == nil || f.Target != c.Desired() {
		return false
	}
	return f.Final || a.now.Before(f.At.Add(a.policy.RetryAfter))
}

// drive starts a backend call for capability k. The oldest command waiting for
// the target state lends the drive its transaction, so its caller sees one
// completion event.
func (a *applier) drive(k Capability) {
	c := a.next.Cap(k)
	target := c.Desired()
	d := Drive{
		TransactionID: a.in.TransactionID,
		Capability:    k,
		Operation:     operationFor(c.State, target),
		From:          c.State,
		Target:        target,
		At:            a.now,
		Reasons:       slices.Clone(c.Reasons),
		Since:         a.now,
	}
	if target == Paused {
		d.At = earliest(c.Reasons)
	}
	if i := slices.IndexFunc(c.Waiters, func(w Waiter) bool { return w.Want == target }); i >= 0 {
		d.TransactionID = c.Waiters[i].TransactionID
		d.Operation = c.Waiters[i].Operation
		d.Note = c.Waiters[i].Note
		c.Waiters = slices.Delete(c.Waiters, i, i+1)
	}
	c.Driving = &d
	a.drives = append(a.drives, d)
}

func operationFor(from, target State) Operation {
	switch target {
	case Paused:
		return OpPause
	case Stopped:
		return OpStop
	}
	if from == NotStarted {
		return OpStart
	}
	return OpResume
}

func earliest(rs []Reason) time.Time {
	var t time.Time
	for _, r := range rs {
		if t.IsZero() || r.Since.Before(t) {
			t = r.Since
		}
	}
	return t
}

// result applies a backend's answer to the running drive.
func (a *applier) result() error {
	r := a.in.Result
	if r == nil || !a.in.Capability.Valid() {
		return errorf(CodeInvalid, "a backend result needs a capability and a result")
	}
	c := a.next.Cap(a.in.Capability)
	d := *c.Driving
	c.Driving = nil
	if r.Err == "" {
		c.State = d.Target
		if r.State.Valid() {
			c.State = r.State
		}
		c.confirmParts(d, r)
		c.Failure = nil
		a.completeDrive(d, ResultSucceeded, "")
		return nil
	}
	if r.State.Valid() {
		c.State = r.State
	}
	c.confirmParts(d, r)
	c.Failure = &Failure{Target: d.Target, Error: r.Err, Final: r.Final, At: a.now}
	a.completeDrive(d, ResultFailed, r.Err)
	for _, w := range c.Waiters {
		a.completeWaiter(a.in.Capability, w, ResultFailed, r.Err)
	}
	c.Waiters = nil
	return nil
}

// reconcile abandons drives that have gone unanswered too long, so that
// settle drives those capabilities again.
func (a *applier) reconcile() {
	for _, k := range AllCapabilities() {
		c := a.next.Cap(k)
		if c.Driving == nil || a.now.Sub(c.Driving.Since) < a.policy.StaleDrive {
			continue
		}
		// Its answer, should it still come, is now stale, so this is the
		// drive's only chance to end its transaction.
		d := *c.Driving
		c.Driving = nil
		if c.Converged() {
			// The desired state came back to the confirmed one while the
			// drive ran. Left in place, the lost drive would keep any new
			// change from being driven; and it may have moved the backend
			// before it was lost, so the confirmed state is no longer known.
			c.State = Unknown
		}
		a.completeDrive(d, ResultFailed, "no answer from the backend within "+a.policy.StaleDrive.String())
	}
}

func (a *applier) completeDrive(d Drive, result, errText string) {
	c := a.next.Cap(d.Capability)
	reason := d.Note
	if reason == "" {
		reason = reasonText(d.Reasons)
	}
	a.emit(OperationEventType(d.Capability), OperationCompleted{
		ConversationID: a.next.ID,
		LiveWorkItemID: a.next.ID,
		TransactionID:  d.TransactionID,
		Capability:     d.Capability,
		Operation:      d.Operation,
		Result:         result,
		CurrentState:   c.State,
		DesiredState:   c.Desired(),
		Reason:         reason,
		Error:          errText,
	})
}

func (a *applier) completeWaiter(k Capability, w Waiter, result, errText string) {
	c := a.next.Cap(k)
	reason := w.Note
	if reason == "" {
		reason = reasonText(c.Reasons)
	}
	a.emit(OperationEventType(k), OperationCompleted{
		ConversationID: a.next.ID,
		LiveWorkItemID: a.next.ID,
		TransactionID:  w.TransactionID,
		Capability:     k,
		Operation:      w.Operation,
		Result:         result,
		CurrentState:   c.State,
		DesiredState:   c.Desired(),
		Reason:         reason,
		Error:          errText,
	})
}
