package media

import (
	"context"
	"errors"
	"fmt"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
)

var _ engine.Anticipator = (*Recorder)(nil)

// Anticipate shuts a capability's gate from d.At as soon as the engine has
// decided the pause, before it is durable (see engine.Anticipator).
func (r *Recorder) Anticipate(conv conversation.Conversation, d conversation.Drive) {
	if c := r.Call(conv.ID); c != nil {
		c.anticipate(d.Capability, d.At, d.Reasons, d.TransactionID)
	}
}

// Withdraw opens the gate Anticipate shut for d, as if it had never shut,
// unless a drive has come since.
func (r *Recorder) Withdraw(conv conversation.Conversation, d conversation.Drive) {
	if c := r.Call(conv.ID); c != nil {
		c.withdraw(d.Capability, d.TransactionID)
	}
}

// Drive moves one capability of a conversation's call: paused shuts its
// gate from d.At (reaching back into the commit delay), in-progress opens
// it, stopped ends it (see Call.Stop). It returns the state the call is
// then in.
func (r *Recorder) Drive(ctx context.Context, conv conversation.Conversation, d conversation.Drive) (conversation.State, error) {
	c := r.Call(conv.ID)
	if c == nil {
		if d.Target == conversation.Stopped && r.finished(conv.ID) {
			return conversation.Stopped, nil
		}
		return "", engine.Permanent(fmt.Errorf("media: no call for conversation %q", conv.ID))
	}
	var err error
	switch d.Target {
	case conversation.Paused:
		_, err = c.Pause(d.Capability, d.At, d.Reasons)
	case conversation.InProgress:
		_, err = c.Resume(d.Capability, d.At)
	case conversation.Stopped:
		err = c.Stop(ctx, d.Capability, d.At)
	default:
		err = fmt.Errorf("media: cannot drive to %q", d.Target)
	}
	if err != nil {
		if errors.Is(err, ErrStopped) || d.Target != conversation.Stopped {
			err = engine.Permanent(err)
		}
		return c.State(d.Capability), fmt.Errorf("media: %s %s: %w", d.Capability, d.Target, err)
	}
	return c.State(d.Capability), nil
}

// finished reports whether conversation id was recorded and its call is
// over, so a repeated stop is already done.
func (r *Recorder) finished(id string) bool {
	_, segs := r.Paths(id)
	m, err := ReadSegmentMap(segs)
	return err == nil && m.ConversationID == id
}
