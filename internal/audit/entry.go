// Package audit keeps hush's tamper-evident record: a hash chain in which
// every entry's SHA-256 covers the previous entry's hash and a canonical
// encoding of the entry itself.
package audit

import (
	"encoding/json"
	"time"
)

// Entry is one audited fact: a command, an input event, a backend result or
// an access denial.
type Entry struct {
	// Seq is the entry's position in the chain, from 1, without gaps.
	Seq            int64     `json:"seq"`
	At             time.Time `json:"at"`
	ConversationID string    `json:"conversationId,omitempty"`
	Actor          string    `json:"actor"`
	// ActorName is the display name of the actor's key, as it was when
	// the entry was written.
	ActorName  string          `json:"actorName,omitempty"`
	Action     string          `json:"action"`
	Capability string          `json:"capability,omitempty"`
	Reason     string          `json:"reason,omitempty"`
	Outcome    string          `json:"outcome"`
	Detail     json.RawMessage `json:"detail,omitempty"`
	PrevHash   string          `json:"prevHash"`
	Hash       string          `json:"hash"`
}
