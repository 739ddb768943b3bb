package conversation

import "time"

// Operation is what a command or a drive asks of a capability.
type Operation string

// Operations, as named in the HTTP API and in operation events.
const (
	OpStart  Operation = "start"
	OpPause  Operation = "pause"
	OpResume Operation = "resume"
	OpStop   Operation = "stop"
)

// Valid reports whether op is one of the four operations.
func (op Operation) Valid() bool {
	switch op {
	case OpStart, OpPause, OpResume, OpStop:
		return true
	}
	return false
}

// Kind names an input to a conversation.
type Kind string

// Input kinds. Hold, Unhold, End, SourcePause, SourceResume, AutoPause and
// AutoResume are platform events: they carry their own time and may be
// duplicated or arrive late. An auto pause names its detector in SourceID.
const (
	KindHold           Kind = "hold"
	KindUnhold         Kind = "unhold"
	KindEnd            Kind = "end"
	KindSourcePause    Kind = "source-pause"
	KindSourceResume   Kind = "source-resume"
	KindAutoPause      Kind = "auto-pause"
	KindAutoResume     Kind = "auto-resume"
	KindCommand        Kind = "command"
	KindSecureStart    Kind = "secure-start"
	KindSecureComplete Kind = "secure-complete"
	KindExpire         Kind = "expire"
	KindResult         Kind = "backend-result"
	KindReconcile      Kind = "reconcile"
	KindTransfer       Kind = "transfer"
	KindConsent        Kind = "consent"
)

// Input is one command or event applied to a conversation.
type Input struct {
	Kind Kind `json:"kind"`
	// Capability and Operation name a command's target (KindCommand) and
	// the capability a backend result is for (KindResult).
	Capability Capability `json:"capability,omitempty"`
	Operation  Operation  `json:"operation,omitempty"`
	// Actor is the principal who asked; a manual pause reason carries it as
	// its id, so only the same principal's resume releases it.
	Actor string `json:"actor,omitempty"`
	// ActorName is the actor's display name, carried onto the reasons it
	// adds and into the audit.
	ActorName string `json:"actorName,omitempty"`
	// Note is the human reason given with the command.
	Note string `json:"note,omitempty"`
	// At is when the input took effect: the event's own time, or for a
	// retroactive pause the request time minus the retroactive span.
	At time.Time `json:"at"`
	// EventID identifies a platform event for de-duplication.
	EventID string `json:"eventId,omitempty"`
	// TransactionID identifies this input; a drive it starts carries it.
	TransactionID string `json:"transactionId"`
	// SessionID and ExpiresAt describe a secure session; SourceID a stream.
	SessionID string `json:"sessionId,omitempty"`
	// TokenHash is stored with a new secure session (see SecureSession).
	TokenHash string    `json:"-"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	SourceID  string    `json:"sourceId,omitempty"`
	// EndReason says why an end (KindEnd) happened, when not the ordinary
	// way.
	EndReason EndReason `json:"endReason,omitempty"`
	// AgentID is the agent a transfer hands the conversation to.
	AgentID string `json:"agentId,omitempty"`
	// Consent is the customer's answer (KindConsent).
	Consent ConsentState `json:"consent,omitempty"`
	// Result is a backend's answer to a drive (KindResult).
	Result *Result `json:"result,omitempty"`
}

// Result is what a backend answered to a drive.
type Result struct {
	TransactionID string `json:"transactionId"`
	// State is the state the backend confirmed (on success) or reports.
	State State  `json:"state,omitempty"`
	Err   string `json:"error,omitempty"`
	// Final marks an error that retrying cannot fix.
	Final bool `json:"final,omitempty"`
	// Parts are the states of the capability's parts, from a backend that
	// pauses it in parts; after a failure, as far as the backend knows.
	Parts []Part `json:"parts,omitempty"`
}

// maxAge returns how long a reason of kind k may be held, zero for no bound.
func (p Policy) maxAge(k ReasonKind) time.Duration {
	switch k {
	case Manual:
		return p.ManualMaxAge
	case Auto:
		return p.AutoMaxAge
	}
	return 0
}

// Policy holds the limits the rules enforce.
type Policy struct {
	// ManualMaxAge bounds a manual pause; SecureMaxAge bounds a secure
	// session's lifetime. Past them hush resumes by itself. Zero sets no
	// bound.
	ManualMaxAge time.Duration
	SecureMaxAge time.Duration
	// AutoMaxAge bounds an auto pause whose detector never released it.
	AutoMaxAge time.Duration
	// ResumeAuto lets a caller's resume (or start) release auto pauses
	// too, as if they were the caller's own. Off, only the detector (or the
	// age limit) releases them.
	ResumeAuto bool
	// RetryAfter is how long the reconciler waits after a failed drive
	// before trying the same target again.
	RetryAfter time.Duration
	// StaleDrive is how long a drive may stay unanswered before the
	// reconciler assumes it was lost (a crash) and drives again.
	StaleDrive time.Duration
	// MaxClockSkew is how far ahead of hush's clock a platform event may be
	// stamped. A later stamp is refused: it would make every real event
	// after it look stale.
	MaxClockSkew time.Duration
}

// DefaultPolicy returns the documented defaults.
func DefaultPolicy() Policy {
	return Policy{
		ManualMaxAge: 15 * time.Minute,
		SecureMaxAge: 10 * time.Minute,
		AutoMaxAge:   15 * time.Minute,
		RetryAfter:   10 * time.Second,
		StaleDrive:   2 * time.Minute,
		MaxClockSkew: time.Minute,
	}
}
