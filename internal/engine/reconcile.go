package engine

import (
	"context"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

func (e *Engine) reconcileLoop() {
	t := e.cfg.Clock.NewTicker(e.cfg.ReconcileEvery)
	defer t.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-t.Chan():
			if err := e.reconcileAll(e.ctx, nil); err != nil && e.ctx.Err() == nil {
				e.cfg.Logger.Error("reconcile", "err", err)
			}
		}
	}
}

// reconcileAll looks at every live conversation this node acts for and
// re-drives each capability whose confirmed state differs from its desired
// state. The conversations lost selects (nil: none) had their drives run
// by a process that is gone (this one's previous run, or a node whose work
// this one took over), so none of their drives counts as in flight.
func (e *Engine) reconcileAll(ctx context.Context, lost func(conversation.Conversation) bool) error {
	convs, err := e.cfg.Store.Conversations(ctx, store.Query{ActiveOnly: true})
	if err != nil {
		return err
	}
	now := e.cfg.Clock.Now()
	fresh := e.cfg.Policy
	gone := fresh
	gone.StaleDrive = 0
	gone.RetryAfter = 0
	var waits []<-chan Result
	var lag time.Duration
	for _, c := range convs {
		if !e.acts(c) {
			continue
		}
		p, startup := fresh, lost != nil && lost(c)
		if startup {
			p = gone
		}
		if d := c.NextDeadline(p); startup || (!d.IsZero() && !now.Before(d)) {
			waits = append(waits, e.submitInput(ctx, c.ID, conversation.Input{Kind: conversation.KindExpire, Actor: "system"}, p))
		}
		if behind := unconvergedFor(c, now); behind > 0 || startup {
			lag = max(lag, behind)
			// The lane may hold an older copy than the store's: another
			// node's change it was not told of. Observing the stored
			// version first brings it up to date and starts the drives
			// recorded there.
			waits = append(waits, e.Observe(ctx, c.ID, c.Version))
			waits = append(waits, e.submitInput(ctx, c.ID, conversation.Input{Kind: conversation.KindReconcile, Actor: "reconciler"}, p))
		}
	}
	e.cfg.Metrics.ReconcilerLag.Set(lag.Seconds())
	for _, w := range waits {
		if r := <-w; r.Err != nil && ctx.Err() == nil {
			e.cfg.Logger.Warn("reconcile conversation", "err", r.Err)
		}
	}
	return nil
}

// unconvergedFor returns how long a capability of c has been away from its
// desired state, or 0 when all have converged.
func unconvergedFor(c conversation.Conversation, now time.Time) time.Duration {
	var lag time.Duration
	for _, k := range conversation.AllCapabilities() {
		cp := c.Cap(k)
		if cp.Converged() || cp.Desired() == conversation.NotStarted {
			continue
		}
		since := c.UpdatedAt
		if cp.Driving != nil {
			since = cp.Driving.Since
		}
		lag = max(lag, now.Sub(since), time.Nanosecond)
	}
	return lag
}
