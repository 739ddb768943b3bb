// Package store defines how hush persists conversations, its event log, the
// audit chain, API keys and webhooks. Implementations live in sub-packages.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
)

// Errors shared by every implementation.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict means the conversation changed since it was read: another
	// writer got there first. Re-read and re-apply.
	ErrConflict = errors.New("version conflict")
	ErrExists   = errors.New("already exists")
)

// Event is one entry of the durable, sequenced event log.
type Event struct {
	Seq            int64           `json:"seq"`
	Type           string          `json:"type"`
	ConversationID string          `json:"conversationId,omitempty"`
	At             time.Time       `json:"at"`
	Data           json.RawMessage `json:"data"`
}

// Write is everything one input changes, persisted atomically.
type Write struct {
	// Conversation is the new state. Its Version is the version it was read
	// at (0 for a new conversation); the write succeeds only if the stored
	// version still matches, and the stored version becomes Version+1.
	Conversation conversation.Conversation
	// Create inserts the conversation; it fails with ErrExists if present.
	Create bool
	// Unchanged skips the conversation row (audit and events only); the
	// version is still checked.
	Unchanged bool
	// Audit entries are chained in order; the store sets Seq, PrevHash, Hash.
	Audit []audit.Entry
	// Events are appended to the log; the store sets Seq.
	Events []Event
	// Sessions lists secure session ids to index to this conversation.
	Sessions []string
}

// Query selects conversations.
type Query struct {
	ActiveOnly bool
	AgentID    string // empty: every agent
	Limit      int    // 0: no limit
}

// Conversations is what the engine needs: read and conditionally write.
type Conversations interface {
	Conversation(ctx context.Context, id string) (conversation.Conversation, error)
	Conversations(ctx context.Context, q Query) ([]conversation.Conversation, error)
	// Write persists w atomically and durably. Implementations may group
	// concurrent writes into one transaction; each still succeeds or fails
	// on its own. It returns ErrConflict or ErrExists without writing.
	Write(ctx context.Context, w Write) error
	// SessionConversation returns the id of the conversation a secure
	// session belongs to.
	SessionConversation(ctx context.Context, sessionID string) (string, error)
}

// Events reads the event log.
type Events interface {
	// EventsAfter returns up to limit events with Seq > after, oldest
	// first, optionally only those of one conversation.
	EventsAfter(ctx context.Context, after int64, conversationID string, limit int) ([]Event, error)
	// LatestEventSeq returns the Seq of the newest event, 0 when there is none.
	LatestEventSeq(ctx context.Context) (int64, error)
}

// AuditQuery selects audit entries.
type AuditQuery struct {
	ConversationID string
	Actor          string
	After          int64 // Seq
	Limit          int
}

// Audit reads and checks the audit chain.
type Audit interface {
	AuditEntries(ctx context.Context, q AuditQuery) ([]audit.Entry, error)
	// AppendAudit chains entries that belong to no conversation write
	// (access denials, key creation).
	AppendAudit(ctx context.Context, entries ...audit.Entry) error
	// VerifyAudit walks the whole chain; it returns an *audit.BreakError
	// naming the first bad entry.
	VerifyAudit(ctx context.Context) error
}

// Key is a stored API key; only its hash is kept.
type Key struct {
	ID      string `json:"id"`
	Hash    []byte `json:"-"`
	Role    string `json:"role"`
	AgentID string `json:"agentId,omitempty"`
	// NoPause keeps an agent key from pausing and resuming.
	NoPause   bool      `json:"noPause,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Keys stores API keys.
type Keys interface {
	CreateKey(ctx context.Context, k Key) error
	Key(ctx context.Context, id string) (Key, error)
	CountKeys(ctx context.Context) (int, error)
}

// Webhook is a registered subscriber URL.
type Webhook struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Secret    string    `json:"-"`
	Types     []string  `json:"types,omitempty"` // empty: every type
	Cursor    int64     `json:"cursor"`          // last event Seq delivered or given up on
	CreatedAt time.Time `json:"createdAt"`
}

// Delivery is one attempt to deliver an event to a webhook.
type Delivery struct {
	ID         int64     `json:"id"`
	WebhookID  string    `json:"webhookId"`
	EventSeq   int64     `json:"eventSeq"`
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"statusCode"`
	Error      string    `json:"error,omitempty"`
	At         time.Time `json:"at"`
}

// Webhooks stores webhook subscriptions and their delivery log.
type Webhooks interface {
	CreateWebhook(ctx context.Context, w Webhook) error
	Webhooks(ctx context.Context) ([]Webhook, error)
	DeleteWebhook(ctx context.Context, id string) error
	// AdvanceWebhook moves a webhook's cursor forward (never back).
	AdvanceWebhook(ctx context.Context, id string, cursor int64) error
	RecordDelivery(ctx context.Context, d Delivery) error
	Deliveries(ctx context.Context, webhookID string, limit int) ([]Delivery, error)
}

// Store is everything hush serve persists.
type Store interface {
	Conversations
	Events
	Audit
	Keys
	Webhooks
	Close() error
}
