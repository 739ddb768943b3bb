package server

import (
	"context"
	"errors"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/siprec"
	"github.com/hush-cc/hush/internal/store"
)

// actorSIPREC is the actor of inputs the recording server reports.
const actorSIPREC = "siprec"

// recorderControl turns what the SIPREC server sees into engine inputs.
type recorderControl struct {
	engine      *engine.Engine
	transcribes bool
}

// Begin creates the conversation, recording (and transcribing) already.
func (c *recorderControl) Begin(ctx context.Context, s siprec.SessionInfo) error {
	tr := conversation.NotStarted
	if c.transcribes {
		tr = conversation.InProgress
	}
	_, err := c.engine.Create(ctx, conversation.Spec{
		ID: s.ConversationID, AgentID: s.AgentID, Platform: siprec.Platform, Attributes: s.Attributes,
		Recording: conversation.InProgress, Transcription: tr, At: s.Start,
	}, actorSIPREC)
	if errors.Is(err, store.ErrExists) {
		return siprec.Refusal(siprec.StatusForbidden, "conversation %s exists", s.ConversationID)
	}
	return err
}

// Source pauses (or releases the pause of) a stream that stopped sending.
func (c *recorderControl) Source(ctx context.Context, id, source string, sending bool, at time.Time) error {
	kind := conversation.KindSourcePause
	if sending {
		kind = conversation.KindSourceResume
	}
	_, err := c.engine.Apply(ctx, id, conversation.Input{Kind: kind, SourceID: source, At: at, Actor: actorSIPREC})
	return err
}

// End ends the conversation, which stops its recording.
func (c *recorderControl) End(ctx context.Context, id string, at time.Time) error {
	_, err := c.engine.Apply(ctx, id, conversation.Input{Kind: conversation.KindEnd, At: at, Actor: actorSIPREC})
	return err
}
