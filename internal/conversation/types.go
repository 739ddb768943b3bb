package conversation

import (
	"slices"
	"time"
)

// CallState is the state of the call itself.
type CallState string

// Call states.
const (
	Connected CallState = "connected"
	OnHold    CallState = "on-hold"
	Ended     CallState = "ended"
)

// State is the state of a capability, in the Dynamics 365 vocabulary.
type State string

// Capability states.
const (
	NotStarted State = "not-started"
	InProgress State = "in-progress"
	Paused     State = "paused"
	Stopped    State = "stopped"
	Unknown    State = "unknown"
)

// Valid reports whether s is one of the five capability states.
func (s State) Valid() bool {
	switch s {
	case NotStarted, InProgress, Paused, Stopped, Unknown:
		return true
	}
	return false
}

// Capability names what can be paused: the recording or the transcription.
type Capability string

// Capabilities.
const (
	Recording     Capability = "recording"
	Transcription Capability = "transcription"
)

// AllCapabilities lists the capabilities in a fixed order.
func AllCapabilities() []Capability { return []Capability{Recording, Transcription} }

// Valid reports whether c names a known capability.
func (c Capability) Valid() bool { return c == Recording || c == Transcription }

// ReasonKind says why a capability is paused.
type ReasonKind string

// Pause reason kinds.
const (
	Hold   ReasonKind = "hold"   // the caller is on hold
	Secure ReasonKind = "secure" // a secure session is open; ID is the session id
	Manual ReasonKind = "manual" // an agent or API caller; ID is that principal
	Source ReasonKind = "source" // the media source stopped sending; ID names the stream
	// Auto: a detector in the built-in recorder heard card digits; ID names
	// the detector ("keypad", "spoken").
	Auto ReasonKind = "auto"
	// Consent is held from the moment the customer declines recording until
	// the call ends; nothing releases it.
	Consent ReasonKind = "consent"
)

// ConsentState is the customer's answer to "may we record this call?".
type ConsentState string

// Consent answers. An empty ConsentState means nobody asked.
const (
	ConsentGranted  ConsentState = "granted"
	ConsentDeclined ConsentState = "declined"
)

// Valid reports whether s is one of the two answers.
func (s ConsentState) Valid() bool { return s == ConsentGranted || s == ConsentDeclined }

// Reason is one held pause reason. Kind and ID identify it; a capability holds
// each (Kind, ID) pair at most once.
type Reason struct {
	Kind  ReasonKind `json:"kind"`
	ID    string     `json:"id,omitempty"`
	Since time.Time  `json:"since"`
	By    string     `json:"by,omitempty"`
	// ByName is the display name of By's key, if it has one.
	ByName string `json:"byName,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Waiter is a command waiting for the backend to confirm the state it asked for.
type Waiter struct {
	TransactionID string    `json:"transactionId"`
	Operation     Operation `json:"operation"`
	Want          State     `json:"want"`
	Note          string    `json:"note,omitempty"`
}

// Drive is one backend call that moves a capability towards a target state.
type Drive struct {
	TransactionID string     `json:"transactionId"`
	Capability    Capability `json:"capability"`
	Operation     Operation  `json:"operation"`
	From          State      `json:"from"`
	Target        State      `json:"target"`
	// At is when the change takes effect. For a pause it is the earliest
	// time named by a held reason, so a recorder that buffers audio can drop
	// what was captured before the pause reached it.
	At      time.Time `json:"at"`
	Reasons []Reason  `json:"reasons,omitempty"`
	Since   time.Time `json:"since"`
	// Note is the reason given by the command the drive serves.
	Note string `json:"note,omitempty"`
}

// Failure records the last backend failure of a capability.
type Failure struct {
	Target State     `json:"target"`
	Error  string    `json:"error"`
	Final  bool      `json:"final"`
	At     time.Time `json:"at"`
}

// Cap is the state of one capability of a conversation.
type Cap struct {
	// State is what the backend last confirmed.
	State   State    `json:"state"`
	Started bool     `json:"started"`
	Stopped bool     `json:"stopped"`
	Reasons []Reason `json:"pauseReasons"`
	Driving *Drive   `json:"driving,omitempty"`
	Waiters []Waiter `json:"waiters,omitempty"`
	Failure *Failure `json:"failure,omitempty"`
	// Parts are the states of the capability's parts, for a backend that
	// pauses it in parts (nil for the others), as last reported.
	Parts []Part `json:"parts,omitempty"`
	// PartsFor are the reason kinds (sorted) the parts were last confirmed
	// paused for.
	PartsFor []ReasonKind `json:"partsFor,omitempty"`
}

// Desired derives the state the capability should be in from its inputs.
func (c Cap) Desired() State {
	switch {
	case c.Stopped:
		return Stopped
	case !c.Started:
		return NotStarted
	case len(c.Reasons) > 0:
		return Paused
	}
	return InProgress
}

// Holds reports whether a reason of the given kind and id is held.
func (c Cap) Holds(kind ReasonKind, id string) bool {
	return slices.ContainsFunc(c.Reasons, func(r Reason) bool { return r.Kind == kind && r.ID == id })
}

// Converged reports whether the confirmed state is the desired one and,
// for a capability paused in parts, whether its parts were confirmed for
// the reasons held now.
func (c Cap) Converged() bool { return c.State == c.Desired() && c.partsAgree() }

func (c Cap) clone() Cap {
	c.Reasons = slices.Clone(c.Reasons)
	c.Waiters = slices.Clone(c.Waiters)
	c.Parts = slices.Clone(c.Parts)
	c.PartsFor = slices.Clone(c.PartsFor)
	if c.Driving != nil {
		d := *c.Driving
		d.Reasons = slices.Clone(d.Reasons)
		c.Driving = &d
	}
	if c.Failure != nil {
		f := *c.Failure
		c.Failure = &f
	}
	return c
}

// SessionState is the state of a secure session.
type SessionState string

// Secure session states.
const (
	SessionActive    SessionState = "active"
	SessionCompleted SessionState = "completed"
	SessionExpired   SessionState = "expired"
)

// SecureSession is a span during which everything is paused, such as a card
// payment taken on a secure page.
type SecureSession struct {
	ID        string       `json:"id"`
	State     SessionState `json:"state"`
	By        string       `json:"by,omitempty"`
	StartedAt time.Time    `json:"startedAt"`
	ExpiresAt time.Time    `json:"expiresAt"`
	EndedAt   time.Time    `json:"endedAt,omitzero"`
	// TokenHash is the hash of the one-time token that lets a secure page
	// report completion without an API key. Views leave it out.
	TokenHash string `json:"tokenHash,omitempty"`
}

// Conversation is a live call and the state of its capabilities.
type Conversation struct {
	ID         string            `json:"id"`
	AgentID    string            `json:"agentId"`
	Platform   string            `json:"platform"`
	Attributes map[string]string `json:"attributes,omitempty"`
	// Node names the hush node that holds the call's media, when one node
	// does (the built-in recorder): only that node can drive it.
	Node      string    `json:"node,omitempty"`
	CallState CallState `json:"callState"`
	Recording Cap       `json:"recording"`
	// Transcription follows the same rules as Recording, independently.
	Transcription Cap             `json:"transcription"`
	Sessions      []SecureSession `json:"secureSessions,omitempty"`
	// Consent is the customer's answer about recording; declined is final.
	Consent   ConsentState `json:"consent,omitempty"`
	CreatedAt time.Time    `json:"createdAt"`
	UpdatedAt time.Time    `json:"updatedAt"`
	EndedAt   time.Time    `json:"endedAt,omitzero"`
	// EndReason says why the call ended, when the platform said.
	EndReason EndReason `json:"endReason,omitempty"`
	// LastInputAt is the time of the newest platform event applied; older
	// events are stale.
	LastInputAt time.Time `json:"lastInputAt,omitzero"`
	// SeenEvents remembers the ids of the most recent platform events so a
	// redelivered event changes nothing.
	SeenEvents []string `json:"seenEvents,omitempty"`
	// Version is the store's optimistic-concurrency version.
	Version int64 `json:"version"`
}

// Cap returns the named capability.
func (c *Conversation) Cap(k Capability) *Cap {
	if k == Transcription {
		return &c.Transcription
	}
	return &c.Recording
}

// Active reports whether the call has not ended.
func (c Conversation) Active() bool { return c.CallState != Ended }

// Clone returns a deep copy, so rules can change it without touching the input.
func (c Conversation) Clone() Conversation {
	c.Attributes = cloneMap(c.Attributes)
	c.Recording = c.Recording.clone()
	c.Transcription = c.Transcription.clone()
	c.Sessions = slices.Clone(c.Sessions)
	c.SeenEvents = slices.Clone(c.SeenEvents)
	return c
}

// Session returns the secure session with the given id.
func (c *Conversation) Session(id string) (*SecureSession, bool) {
	for i := range c.Sessions {
		if c.Sessions[i].ID == id {
			return &c.Sessions[i], true
		}
	}
	return nil, false
}

// HeldKinds returns the reason kinds held on any capability, once each.
func (c Conversation) HeldKinds() []ReasonKind {
	var kinds []ReasonKind
	for _, k := range AllCapabilities() {
		for _, r := range c.Cap(k).Reasons {
			if !slices.Contains(kinds, r.Kind) {
				kinds = append(kinds, r.Kind)
			}
		}
	}
	return kinds
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
