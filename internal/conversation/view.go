package conversation

import "time"

// CapView is the public shape of a capability.
type CapView struct {
	State        State    `json:"state"`
	DesiredState State    `json:"desiredState"`
	PauseReasons []Reason `json:"pauseReasons"`
	LastError    string   `json:"lastError,omitempty"`
	// Parts lists each part and its state when they differ (a hold that
	// pauses the agent's voice while the screen is still recorded).
	// Absent, State holds for the whole capability.
	Parts []Part `json:"parts,omitempty"`
}

// View is the public shape of a conversation, as the API and events show it.
type View struct {
	ID             string            `json:"id"`
	AgentID        string            `json:"agentId"`
	Platform       string            `json:"platform"`
	Attributes     map[string]string `json:"attributes,omitempty"`
	CallState      CallState         `json:"callState"`
	Recording      CapView           `json:"recording"`
	Transcription  CapView           `json:"transcription"`
	SecureSessions []SecureSession   `json:"secureSessions"`
	Consent        ConsentState      `json:"consent,omitempty"`
	CreatedAt      time.Time         `json:"createdAt"`
	UpdatedAt      time.Time         `json:"updatedAt"`
	EndedAt        time.Time         `json:"endedAt,omitzero"`
	EndReason      EndReason         `json:"endReason,omitempty"`
	Version        int64             `json:"version"`
}

// View returns the public shape of c.
func (c Conversation) View() View {
	v := View{
		ID:             c.ID,
		AgentID:        c.AgentID,
		Platform:       c.Platform,
		Attributes:     cloneMap(c.Attributes),
		CallState:      c.CallState,
		Recording:      c.Recording.view(),
		Transcription:  c.Transcription.view(),
		SecureSessions: make([]SecureSession, 0, len(c.Sessions)),
		CreatedAt:      c.CreatedAt,
		UpdatedAt:      c.UpdatedAt,
		EndedAt:        c.EndedAt,
		EndReason:      c.EndReason,
		Version:        c.Version,
		Consent:        c.Consent,
	}
	for _, s := range c.Sessions {
		v.SecureSessions = append(v.SecureSessions, s.public())
	}
	return v
}

func (c Cap) view() CapView {
	v := CapView{State: c.State, DesiredState: c.Desired(), PauseReasons: append([]Reason{}, c.Reasons...)}
	if c.Failure != nil {
		v.LastError = c.Failure.Error
	}
	if c.partial() {
		v.Parts = append([]Part{}, c.Parts...)
	}
	return v
}
