package engine

import (
	"context"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

// step is one input applied within a lane turn, with what it produced.
type step struct {
	in  conversation.Input
	out conversation.Outcome
}

// maxInlineRounds bounds how often confirmations may lead to new drives in
// one turn (a confirmation can only re-drive when the desired state moved).
const maxInlineRounds = 4

// confirmInline answers the drives of a tracking backend within the turn, so
// that one durable write carries the change and its confirmation. It returns
// the combined outcome and the extra steps to audit.
func (e *Engine) confirmInline(ctx context.Context, out conversation.Outcome, now time.Time, p conversation.Policy) (conversation.Outcome, []step) {
	tr, ok := e.cfg.Backends[out.Conversation.Platform].(Tracker)
	if !ok {
		return out, nil
	}
	var steps []step
	for range maxInlineRounds {
		if len(out.Drives) == 0 {
			break
		}
		drives := out.Drives
		out.Drives = nil
		for _, d := range drives {
			res := conversation.Result{TransactionID: d.TransactionID, State: d.Target}
			if st, err := tr.Drive(ctx, out.Conversation, d); err != nil {
				res = conversation.Result{TransactionID: d.TransactionID, Err: err.Error(), Final: IsPermanent(err)}
			} else {
				res.State = st
			}
			in := conversation.Input{Kind: conversation.KindResult, Capability: d.Capability, Actor: "backend:" + out.Conversation.Platform,
				TransactionID: e.cfg.NewID(), Result: &res}
			next, err := conversation.Apply(out.Conversation, in, now, p)
			if err != nil {
				e.cfg.Logger.Error("inline confirmation", "conversation", out.Conversation.ID, "err", err)
				continue
			}
			steps = append(steps, step{in: in, out: next})
			out.Conversation = next.Conversation
			out.Changed = out.Changed || next.Changed
			out.Events = appendEvents(out.Events, next.Events)
			out.Drives = append(out.Drives, next.Drives...)
		}
	}
	return out, steps
}

// appendEvents adds later events to earlier ones; a conversation snapshot
// supersedes the earlier snapshot of the same turn.
func appendEvents(evs, later []conversation.Event) []conversation.Event {
	for _, ev := range later {
		if ev.Type == conversation.EventUpdated {
			for i := range evs {
				if evs[i].Type == conversation.EventUpdated {
					evs = append(evs[:i], evs[i+1:]...)
					break
				}
			}
		}
		evs = append(evs, ev)
	}
	return evs
}
