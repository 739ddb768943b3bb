package conversation

import (
	"strings"
)

// Event types published by hush.
const (
	EventCreated        = "conversation.created"
	EventUpdated        = "conversation.updated"
	EventEnded          = "conversation.ended"
	EventSecureStarted  = "secure-session.started"
	EventSecureComplete = "secure-session.completed"
	EventSecureExpired  = "secure-session.expired"
	EventAutoResumed    = "pause.auto-resumed"
)

// Operation results.
const (
	ResultSucceeded  = "succeeded"
	ResultFailed     = "failed"
	ResultSuperseded = "superseded"
)

// OperationEventType returns the operation-completed event type of a capability.
func OperationEventType(c Capability) string {
	return string(c) + ".operation.completed"
}

// Event is something that happened, for subscribers and webhooks.
type Event struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// OperationCompleted ends every command and every backend call.
type OperationCompleted struct {
	ConversationID string     `json:"conversationId"`
	LiveWorkItemID string     `json:"liveWorkItemId"`
	TransactionID  string     `json:"transactionId"`
	Capability     Capability `json:"capability"`
	Operation      Operation  `json:"operation"`
	Result         string     `json:"result"`
	CurrentState   State      `json:"currentState"`
	DesiredState   State      `json:"desiredState"`
	Reason         string     `json:"reason"`
	Error          string     `json:"error"`
}

// AutoResumed says hush released a pause reason that outlived its maximum age.
type AutoResumed struct {
	ConversationID string     `json:"conversationId"`
	Capability     Capability `json:"capability"`
	Reason         Reason     `json:"reason"`
	DesiredState   State      `json:"desiredState"`
}

// SessionEvent reports a secure session's change.
type SessionEvent struct {
	ConversationID string        `json:"conversationId"`
	Session        SecureSession `json:"session"`
}

func reasonText(rs []Reason) string {
	kinds := make([]string, 0, len(rs))
	for _, r := range rs {
		kinds = append(kinds, string(r.Kind))
	}
	return strings.Join(kinds, ",")
}
