package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

// startDrive calls the conversation's backend in the background and feeds
// the result back into the conversation's lane. Once the engine is closing
// no drive starts: the drive stays recorded as running, and the next run's
// start-up reconcile drives the capability again. A node that does not act
// for the conversation leaves the recorded drive to the one that does, and
// a drive already running here is not started twice.
func (e *Engine) startDrive(c conversation.Conversation, d conversation.Drive) {
	if !e.acts(c) || !e.driving.add(d) {
		return
	}
	if !e.work.begin() {
		e.driving.remove(d)
		return
	}
	go func() {
		defer e.work.end()
		defer e.driving.remove(d)
		res := e.callBackend(c, d)
		in := conversation.Input{
			Kind:       conversation.KindResult,
			Capability: d.Capability,
			Actor:      "backend:" + c.Platform,
			Result:     &res,
		}
		if _, err := e.Apply(e.ctx, c.ID, in); err != nil && e.ctx.Err() == nil {
			e.cfg.Logger.Error("apply backend result", "conversation", c.ID, "transaction", d.TransactionID, "err", err)
		}
	}()
}

func (e *Engine) callBackend(c conversation.Conversation, d conversation.Drive) conversation.Result {
	res := conversation.Result{TransactionID: d.TransactionID}
	b, ok := e.cfg.Backends[c.Platform]
	if !ok {
		res.Err = fmt.Sprintf("no backend for platform %q", c.Platform)
		res.Final = true
		return res
	}
	start := time.Now()
	var state conversation.State
	pb, parted := b.(PartsBackend)
	err := e.cfg.Retry.do(e.ctx, func(attempt int) error {
		ctx, cancel := context.WithTimeout(e.ctx, e.cfg.DriveTimeout)
		defer cancel()
		var err error
		if parted {
			state, res.Parts, err = pb.DriveParts(ctx, c, d)
		} else {
			state, err = b.Drive(ctx, c, d)
		}
		if err != nil {
			e.cfg.Logger.Warn("backend drive failed", "conversation", c.ID, "capability", d.Capability,
				"target", d.Target, "attempt", attempt, "err", err)
		}
		return err
	})
	e.cfg.Metrics.observeDrive(c.Platform, err, time.Since(start))
	switch {
	case err == nil:
		res.State = state
	case errors.Is(err, context.DeadlineExceeded):
		// The backend may or may not have acted.
		res.Err = err.Error()
		res.State = conversation.Unknown
	default:
		res.Err = err.Error()
		res.Final = IsPermanent(err)
	}
	return res
}
