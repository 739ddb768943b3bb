package conversation

// Error is a rule violation. Code is stable and machine-readable; the API
// maps it to an HTTP status.
type Error struct {
	Code    string
	Message string
}

// Error returns the human-readable message.
func (e *Error) Error() string { return e.Message }

// Error codes.
const (
	CodeEnded          = "conversation_ended"
	CodeStopped        = "capability_stopped"
	CodeInvalid        = "invalid_input"
	CodeSessionUnknown = "session_not_found"
	CodeSessionClosed  = "session_not_active"
	// CodeConsentDeclined refuses to start or resume what the customer
	// declined, and refuses to take the answer back.
	CodeConsentDeclined = "consent_declined"
)

func errorf(code, msg string) error { return &Error{Code: code, Message: msg} }
