package amazonconnect

import (
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

// Platform is the conversation platform name for Amazon Connect contacts.
const Platform = "amazon-connect"

// Conversation attribute keys set on the conversations the adapter creates.
const (
	AttrInitialContactID = "initialContactId"
	AttrInstanceARN      = "instanceArn"
	AttrAgentARN         = "agentArn"
	AttrChannel          = "channel"
)

// ActionKind is what an agent event asks of a contact's conversation.
type ActionKind string

// Action kinds.
const (
	// ActionCreate creates the conversation if it does not exist yet.
	ActionCreate ActionKind = "create"
	ActionHold   ActionKind = "hold"
	ActionUnhold ActionKind = "unhold"
	// ActionEnd ends the conversation; for a conversation that does not
	// exist it changes nothing.
	ActionEnd ActionKind = "end"
)

// Action is one input for the conversation of one contact.
type Action struct {
	Kind ActionKind `json:"kind"`
	// ContactID is the conversation id.
	ContactID string `json:"contactId"`
	// InitialContactID is the contact's InitialContactId, or ContactID when
	// the contact was not transferred.
	InitialContactID string  `json:"initialContactId"`
	Channel          Channel `json:"channel"`
	// AgentID is the agent's username, or its ARN (Options.AgentID).
	AgentID     string `json:"agentId"`
	AgentARN    string `json:"agentArn"`
	InstanceARN string `json:"instanceArn,omitempty"`
	// At is the event's EventTimestamp: the time the input takes effect and
	// the time the conversation orders its inputs by.
	At time.Time `json:"at"`
	// StateSince is when the contact entered its current state, as Connect
	// reports it; zero when the contact left the snapshot.
	StateSince time.Time `json:"stateSince,omitzero"`
	EventID    string    `json:"eventId"`
}

// Spec describes the conversation a create action makes, with the recording
// and transcription states the contact is known to start in.
func (a Action) Spec(recording, transcription conversation.State) conversation.Spec {
	attrs := map[string]string{
		AttrInitialContactID: a.InitialContactID,
		AttrAgentARN:         a.AgentARN,
		AttrChannel:          string(a.Channel),
	}
	if a.InstanceARN != "" {
		attrs[AttrInstanceARN] = a.InstanceARN
	}
	return conversation.Spec{
		ID:            a.ContactID,
		AgentID:       a.AgentID,
		Platform:      Platform,
		Attributes:    attrs,
		Recording:     recording,
		Transcription: transcription,
		At:            a.At,
	}
}

// Input is the conversation input of a hold, unhold or end action; ok is
// false for a create, which is a Spec instead. The caller sets the
// transaction id.
func (a Action) Input() (in conversation.Input, ok bool) {
	var k conversation.Kind
	switch a.Kind {
	case ActionHold:
		k = conversation.KindHold
	case ActionUnhold:
		k = conversation.KindUnhold
	case ActionEnd:
		k = conversation.KindEnd
	default:
		return conversation.Input{}, false
	}
	return conversation.Input{Kind: k, At: a.At, EventID: a.EventID}, true
}
