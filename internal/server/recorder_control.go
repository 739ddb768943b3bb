package server

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/detect"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/siprec"
	"github.com/hush-cc/hush/internal/store"
)

// actorSIPREC is the actor of inputs the recording server reports.
const actorSIPREC = "siprec"

// recorderControl turns what the SIPREC server sees into engine inputs.
type recorderControl struct {
	engine      *engine.Engine
	store       store.Conversations
	transcribes bool
	log         *slog.Logger
	// node is this node's id, recorded with every call it answers: the
	// call's media lives here.
	node string
}

// Begin creates the conversation, recording (and transcribing) already.
func (c *recorderControl) Begin(ctx context.Context, s siprec.SessionInfo) error {
	tr := conversation.NotStarted
	if c.transcribes {
		tr = conversation.InProgress
	}
	_, err := c.engine.Create(ctx, conversation.Spec{
		ID: s.ConversationID, AgentID: s.AgentID, Platform: siprec.Platform, Attributes: s.Attributes, Node: c.node,
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
func (c *recorderControl) End(ctx context.Context, id string, at time.Time, reason conversation.EndReason) error {
	_, err := c.engine.Apply(ctx, id, conversation.Input{Kind: conversation.KindEnd, At: at, Actor: actorSIPREC,
		EndReason: reason, Note: endNote(reason)})
	return err
}

// endNote is the audit's human reason for an end.
func endNote(r conversation.EndReason) string {
	switch r {
	case conversation.EndMediaTimeout:
		return "no RTP on any sending stream for the RTP timeout"
	case conversation.EndRecorderRestarted:
		return "recording interrupted: the recorder restarted during the call"
	}
	return string(r)
}

// Exists reports whether conversation id is in the store.
func (c *recorderControl) Exists(ctx context.Context, id string) (bool, error) {
	_, err := c.store.Conversation(ctx, id)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	}
	return false, err
}

// Auto pauses both capabilities from at, or releases that pause, as a
// card-digit detector decided. The detector names a time in the recorder's
// buffer, so the pause reaches back to the digits it heard.
func (c *recorderControl) Auto(id string, detector detect.Source, pause bool, at time.Time) {
	kind := conversation.KindAutoResume
	if pause {
		kind = conversation.KindAutoPause
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.engine.Apply(ctx, id, conversation.Input{Kind: kind, SourceID: string(detector), At: at,
		Actor: "recorder:" + string(detector), Note: "card digits heard (" + string(detector) + ")"})
	if err != nil {
		c.log.Error("automatic pause not applied", "conversation", id, "detector", detector, "pause", pause, "err", err)
	}
}
