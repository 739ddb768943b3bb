package siprec

import (
	"context"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

// Control is what the recording server tells the rest of hush: a recorded
// call began, one of its streams stopped or resumed sending, it ended. The
// server assembly implements it on top of the engine.
type Control interface {
	// Begin registers a new recorded call as a conversation. An error
	// refuses the INVITE with Status(err).
	Begin(ctx context.Context, s SessionInfo) error
	// Source reports that the client stopped (sending false) or resumed
	// sending the stream named source at time at.
	Source(ctx context.Context, id, source string, sending bool, at time.Time) error
	// End reports that the recording session ended at at, and why.
	End(ctx context.Context, id string, at time.Time, reason conversation.EndReason) error
	// Exists reports whether conversation id exists already: an INVITE
	// naming one is refused before anything is opened for it.
	Exists(ctx context.Context, id string) (bool, error)
}

// SessionInfo describes a recorded call as the INVITE presents it.
type SessionInfo struct {
	// ConversationID is the conversation the call is recorded as.
	ConversationID string
	// AgentID comes from the agent rule; empty when no participant matched.
	AgentID string
	// Start is when the INVITE arrived: the start of the recording.
	Start time.Time
	// Attributes describe the call for the conversation's views: the SIP
	// Call-ID, the recorded session's ids and the participants.
	Attributes map[string]string
}

// Platform is the conversation platform of calls recorded over SIPREC;
// the recorder is its backend.
const Platform = "siprec"

// Why a recording session ended, as Control.End is told.
const (
	EndBye          = conversation.EndBye
	EndShutdown     = conversation.EndShutdown
	EndSessionTimer = conversation.EndSessionTimer
	EndAnswerLost   = conversation.EndAnswerLost
	EndCancelled    = conversation.EndCancelled
	EndACKTimeout   = conversation.EndACKTimeout
	EndMediaTimeout = conversation.EndMediaTimeout
)
