package conversation

import "time"

// Spec describes a conversation to create.
type Spec struct {
	ID         string
	AgentID    string
	Platform   string
	Attributes map[string]string
	// Node is the hush node holding the call's media, if one does.
	Node string
	// Recording and Transcription are the states the platform reports at
	// creation: in-progress (already running) or not-started.
	Recording     State
	Transcription State
	At            time.Time
}

// New creates a conversation. The capabilities start in the state the
// platform reports, which counts as confirmed.
func New(s Spec) (Outcome, error) {
	if s.ID == "" {
		return Outcome{}, errorf(CodeInvalid, "conversation id is required")
	}
	c := Conversation{
		ID:         s.ID,
		AgentID:    s.AgentID,
		Platform:   s.Platform,
		Attributes: cloneMap(s.Attributes),
		Node:       s.Node,
		CallState:  Connected,
		CreatedAt:  s.At,
		UpdatedAt:  s.At,
	}
	for _, k := range AllCapabilities() {
		st := s.Recording
		if k == Transcription {
			st = s.Transcription
		}
		switch st {
		case "", NotStarted:
			*c.Cap(k) = Cap{State: NotStarted}
		case InProgress:
			*c.Cap(k) = Cap{State: InProgress, Started: true}
		default:
			return Outcome{}, errorf(CodeInvalid, string(k)+" must be in-progress or not-started")
		}
	}
	return Outcome{
		Conversation: c,
		Changed:      true,
		Events:       []Event{{Type: EventCreated, Data: c.View()}},
	}, nil
}
