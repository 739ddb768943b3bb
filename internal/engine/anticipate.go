package engine

import "github.com/hush-cc/hush/internal/conversation"

// Anticipator is a Backend that can shut a capability before the pause is
// durable, and open it again as if never shut should the pause never
// become durable. The built-in recorder is one: its audio waits out a
// commit delay before it is written, so a gate shut early loses nothing
// if it is opened again within that delay. The pause then no longer waits
// for the write's fsync to reach the audio; Drive follows as usual once
// the pause is durable, and confirms it.
type Anticipator interface {
	Backend
	// Anticipate shuts d.Capability of conv from d.At, provisionally. It
	// must not block on I/O: the engine calls it inside the lane.
	Anticipate(conv conversation.Conversation, d conversation.Drive)
	// Withdraw undoes Anticipate(conv, d) unless a drive of the same
	// capability has come since.
	Withdraw(conv conversation.Conversation, d conversation.Drive)
}

// anticipate hands the pauses that next starts driving, and before did
// not, to a backend that takes them ahead of the write. It returns them,
// for withdraw should the write fail.
func (e *Engine) anticipate(before, next conversation.Conversation) []conversation.Drive {
	a, ok := e.cfg.Backends[next.Platform].(Anticipator)
	if !ok || !e.acts(next) {
		return nil
	}
	var held []conversation.Drive
	for _, k := range conversation.AllCapabilities() {
		d := next.Cap(k).Driving
		if d == nil || d.Target != conversation.Paused {
			continue
		}
		if old := before.Cap(k).Driving; old != nil && old.TransactionID == d.TransactionID {
			continue
		}
		a.Anticipate(next, *d)
		held = append(held, *d)
	}
	return held
}

// withdraw gives back the anticipated pauses of a write that failed.
func (e *Engine) withdraw(conv conversation.Conversation, held []conversation.Drive) {
	if len(held) == 0 {
		return
	}
	a := e.cfg.Backends[conv.Platform].(Anticipator)
	for _, d := range held {
		a.Withdraw(conv, d)
	}
}
