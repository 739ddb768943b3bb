package engine

import (
	"context"
	"sync"

	"github.com/hush-cc/hush/internal/conversation"
)

// Several nodes may share one store. Each conversation has one node that
// acts for it (Config.Acts): the node holding its media, or the one
// holding the lease for the rest. Any node applies inputs and persists
// them; the drives a change calls for are recorded with it, and the acting
// node, told of the change by Observe, runs them.

func (e *Engine) acts(c conversation.Conversation) bool {
	return e.cfg.Acts == nil || e.cfg.Acts(c)
}

// housekeeping inputs are the engine's own (expiry timers, the
// reconciler): only the acting node applies them.
func housekeeping(k conversation.Kind) bool {
	return k == conversation.KindExpire || k == conversation.KindReconcile
}

// Observe tells the engine that another node may have changed conversation
// id to version. If this node's copy is older it is read again and, where
// this node acts for the conversation, the drives recorded there start
// and its expiry timer is armed. The channel yields the conversation as
// read.
func (e *Engine) Observe(ctx context.Context, id string, version int64) <-chan Result {
	return e.submit(ctx, id, func(l *lane) (Reply, error) {
		if l.conv != nil && l.conv.Version >= version {
			return Reply{Conversation: *l.conv}, nil
		}
		l.conv = nil
		c, err := e.load(ctx, l)
		if err != nil {
			return Reply{}, err
		}
		e.startDrives(c)
		e.schedule(l, c)
		return Reply{Conversation: c}, nil
	})
}

// startDrives starts the drives recorded in c that are not running here.
func (e *Engine) startDrives(c conversation.Conversation) {
	for _, k := range conversation.AllCapabilities() {
		if d := c.Cap(k).Driving; d != nil {
			e.startDrive(c, *d)
		}
	}
}

// Takeover makes this node act for the live conversations lost selects,
// whose acting node is gone: their recorded drives died with it and are
// run again, and their expired pauses are released, as at start-up.
func (e *Engine) Takeover(ctx context.Context, lost func(conversation.Conversation) bool) error {
	return e.reconcileAll(ctx, lost)
}

// running is the set of drives this process has started and not yet seen
// answered.
type running struct {
	mu sync.Mutex
	m  map[string]struct{}
}

func driveKey(d conversation.Drive) string { return d.TransactionID + "/" + string(d.Capability) }

// add records d as running; it reports false when it runs already.
func (r *running) add(d conversation.Drive) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.m[driveKey(d)]; ok {
		return false
	}
	r.m[driveKey(d)] = struct{}{}
	return true
}

func (r *running) remove(d conversation.Drive) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, driveKey(d))
}
