package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// maxConflicts bounds how often one input is re-applied after losing an
// optimistic-concurrency race to another writer.
const maxConflicts = 8

// Reply is what applying one input produced.
type Reply struct {
	Conversation  conversation.Conversation
	TransactionID string
	Changed       bool
	Ignored       string
}

// Result is a Reply or the error that prevented it.
type Result struct {
	Reply
	Err error
}

// Create registers a new conversation. If it exists already the stored one
// is returned with store.ErrExists.
func (e *Engine) Create(ctx context.Context, spec conversation.Spec, actor string) (conversation.Conversation, error) {
	r := e.call(ctx, spec.ID, func(l *lane) (Reply, error) { return e.create(ctx, l, spec, actor) })
	return r.Conversation, r.Err
}

// Apply applies in to conversation id in its lane and returns once the new
// state is durable. Effects (backend drives, timers) run afterwards.
func (e *Engine) Apply(ctx context.Context, id string, in conversation.Input) (Reply, error) {
	r := e.call(ctx, id, e.inputTask(ctx, in, e.cfg.Policy))
	return r.Reply, r.Err
}

// Submit queues in on id's lane and returns at once; the channel yields the
// result. Inputs submitted one after another to the same conversation are
// applied in that order, so a caller may submit a whole batch and then wait.
func (e *Engine) Submit(ctx context.Context, id string, in conversation.Input) <-chan Result {
	return e.submitInput(ctx, id, in, e.cfg.Policy)
}

func (e *Engine) submitInput(ctx context.Context, id string, in conversation.Input, p conversation.Policy) <-chan Result {
	return e.submit(ctx, id, e.inputTask(ctx, in, p))
}

// inputTask is the lane's task that applies in.
func (e *Engine) inputTask(ctx context.Context, in conversation.Input, p conversation.Policy) func(*lane) (Reply, error) {
	if in.TransactionID == "" {
		in.TransactionID = e.cfg.NewID()
	}
	return func(l *lane) (Reply, error) { return e.apply(ctx, l, in, p) }
}

// submit queues f on id's lane and returns at once.
func (e *Engine) submit(ctx context.Context, id string, f func(*lane) (Reply, error)) <-chan Result {
	ch := make(chan Result, 1)
	e.lanes.submit(id, func(l *lane) { ch <- run(ctx, l, f) })
	return ch
}

// call runs f in id's lane and waits for it. When the lane is idle, f runs
// on the caller's goroutine: handing it to a worker and back would cost two
// goroutine switches for nothing.
func (e *Engine) call(ctx context.Context, id string, f func(*lane) (Reply, error)) Result {
	var r Result
	if e.lanes.runIdle(id, func(l *lane) { r = run(ctx, l, f) }) {
		return r
	}
	return <-e.submit(ctx, id, f)
}

// run runs f in lane l unless ctx has ended.
func run(ctx context.Context, l *lane, f func(*lane) (Reply, error)) Result {
	if err := ctx.Err(); err != nil {
		return Result{Err: err}
	}
	r, err := f(l)
	return Result{Reply: r, Err: err}
}

// load returns the lane's cached conversation, reading the store on a miss.
func (e *Engine) load(ctx context.Context, l *lane) (conversation.Conversation, error) {
	if l.conv != nil {
		return *l.conv, nil
	}
	c, err := e.cfg.Store.Conversation(ctx, l.id)
	if err != nil {
		return c, err
	}
	l.conv = &c
	return c, nil
}

func (e *Engine) apply(ctx context.Context, l *lane, in conversation.Input, p conversation.Policy) (Reply, error) {
	in = e.clampRetroactive(in)
	for range maxConflicts {
		conv, err := e.load(ctx, l)
		if err != nil {
			return Reply{}, err
		}
		if housekeeping(in.Kind) && !e.acts(conv) {
			// A timer armed, or a sweep begun, while this node still acted.
			return Reply{Conversation: conv, TransactionID: in.TransactionID}, nil
		}
		now := e.cfg.Clock.Now()
		out, err := conversation.Apply(conv, in, now, p)
		if err != nil {
			return Reply{}, err
		}
		own := out
		out, steps := e.confirmInline(ctx, out, now, p)
		reply := Reply{Conversation: out.Conversation, TransactionID: in.TransactionID, Changed: out.Changed, Ignored: out.Ignored}
		if !out.Changed && quiet(in.Kind) {
			e.schedule(l, conv)
			return reply, nil
		}
		w := e.record(conv, own, out, in, now, steps)
		held := e.anticipate(conv, w.Conversation)
		err = e.cfg.Store.Write(ctx, w)
		if err != nil {
			e.withdraw(w.Conversation, held)
		}
		if errors.Is(err, store.ErrConflict) {
			l.conv = nil
			continue
		}
		if err != nil {
			return Reply{}, fmt.Errorf("persist %s of %s: %w", in.Kind, conv.ID, err)
		}
		next := w.Conversation
		if out.Changed {
			next.Version++
		}
		l.conv = &next
		reply.Conversation = next
		e.effects(l, conv, next, out, len(w.Events) > 0)
		return reply, nil
	}
	return Reply{}, fmt.Errorf("apply %s to %s: %w", in.Kind, l.id, store.ErrConflict)
}

func (e *Engine) create(ctx context.Context, l *lane, spec conversation.Spec, actor string) (Reply, error) {
	if existing, err := e.load(ctx, l); err == nil {
		return Reply{Conversation: existing}, store.ErrExists
	} else if !errors.Is(err, store.ErrNotFound) {
		return Reply{}, err
	}
	now := e.cfg.Clock.Now()
	if spec.At.IsZero() {
		spec.At = now
	}
	out, err := conversation.New(spec)
	if err != nil {
		return Reply{}, err
	}
	in := conversation.Input{Kind: "create", Actor: actor, At: spec.At, TransactionID: e.cfg.NewID()}
	w := e.record(conversation.Conversation{}, out, out, in, now, nil)
	w.Create = true
	if err := e.cfg.Store.Write(ctx, w); err != nil {
		if errors.Is(err, store.ErrExists) {
			l.conv = nil
		}
		return Reply{}, fmt.Errorf("create %s: %w", spec.ID, err)
	}
	next := w.Conversation
	next.Version = 1
	l.conv = &next
	e.effects(l, conversation.Conversation{}, next, out, true)
	return Reply{Conversation: next, TransactionID: in.TransactionID, Changed: true}, nil
}

// quiet inputs are housekeeping: when they change nothing, nothing is written.
func quiet(k conversation.Kind) bool {
	switch k {
	case conversation.KindExpire, conversation.KindReconcile, conversation.KindResult:
		return true
	}
	return false
}

// clampRetroactive keeps a command's effective time within the span the
// recorder still buffers.
func (e *Engine) clampRetroactive(in conversation.Input) conversation.Input {
	if in.Kind != conversation.KindCommand {
		return in
	}
	now := e.cfg.Clock.Now()
	if in.At.IsZero() || in.At.After(now) {
		in.At = now
	}
	if earliest := now.Add(-e.cfg.MaxRetroactive); in.At.Before(earliest) {
		in.At = earliest
	}
	return in
}

// effects runs what a durable change calls for: wake event readers, update
// gauges, drive backends (the drives this change recorded, and any another
// node recorded before it), re-arm the expiry timer.
func (e *Engine) effects(l *lane, before, after conversation.Conversation, out conversation.Outcome, appended bool) {
	if appended {
		e.signal.Notify()
	}
	e.paused.move(&before, &after)
	e.cfg.Metrics.observeEvents(out.Events)
	e.startDrives(after)
	e.schedule(l, after)
}

// schedule arms the lane's timer for the conversation's next pause expiry,
// on the node that acts for the conversation.
func (e *Engine) schedule(l *lane, c conversation.Conversation) {
	deadline := c.NextDeadline(e.cfg.Policy)
	l.timerMu.Lock()
	defer l.timerMu.Unlock()
	l.stopTimerLocked()
	if deadline.IsZero() || e.ctx.Err() != nil || !e.acts(c) {
		return
	}
	wait := max(deadline.Sub(e.cfg.Clock.Now()), 0) + 10*time.Millisecond
	id := l.id
	l.timer = e.cfg.Clock.AfterFunc(wait, func() {
		if !e.work.begin() {
			return
		}
		defer e.work.end()
		<-e.submitInput(e.ctx, id, conversation.Input{Kind: conversation.KindExpire, Actor: "system"}, e.cfg.Policy)
	})
}
