// Package store defines how hush persists conversations, its event log, the
// audit chain, API keys, webhooks and the platform adapters' state.
// Implementations live in sub-packages.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
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
	// Events are appended to the log; the store sets Seq. One event of
	// type conversation.created, .updated or .ended may have nil Data: it
	// shows the conversation as written, and the store gives it the
	// conversation's view at its new version (see Prepared.View).
	Events []Event
	// Sessions lists secure session ids to index to this conversation.
	Sessions []string
}

// Query selects conversations. Lists are newest first: by CreatedAt
// descending, then ID descending.
type Query struct {
	ActiveOnly bool
	EndedOnly  bool
	AgentID    string // empty: every agent
	// Since keeps conversations created at or after it; zero keeps all.
	Since time.Time
	// Before, if set, continues a list after the position where its
	// previous page ended.
	Before *Position
	Limit  int // 0: no limit
}

// Position is a conversation's place in the newest-first order.
type Position struct {
	CreatedAt time.Time
	ID        string
}

// PositionOf returns where c stands in the newest-first order.
func PositionOf(c conversation.Conversation) Position {
	return Position{CreatedAt: c.CreatedAt, ID: c.ID}
}

// older reports whether a comes after b in the newest-first order. Times
// compare at millisecond precision, as stores index them.
func (a Position) older(b Position) bool {
	am, bm := a.CreatedAt.UnixMilli(), b.CreatedAt.UnixMilli()
	return am < bm || (am == bm && a.ID < b.ID)
}

// Select applies q to conversations read without it (by a store that
// cannot query them): it filters, orders newest first and cuts the page.
func (q Query) Select(cs []conversation.Conversation) []conversation.Conversation {
	out := make([]conversation.Conversation, 0, len(cs))
	for _, c := range cs {
		switch {
		case q.ActiveOnly && !c.Active(), q.EndedOnly && c.Active():
		case q.AgentID != "" && c.AgentID != q.AgentID:
		case !q.Since.IsZero() && c.CreatedAt.UnixMilli() < q.Since.UnixMilli():
		case q.Before != nil && !PositionOf(c).older(*q.Before):
		default:
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b conversation.Conversation) int {
		pa, pb := PositionOf(a), PositionOf(b)
		switch {
		case pa.older(pb):
			return 1
		case pb.older(pa):
			return -1
		}
		return 0
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

// Conversations is what the engine needs: read and conditionally write.
type Conversations interface {
	Conversation(ctx context.Context, id string) (conversation.Conversation, error)
	// Conversations lists the conversations q selects, newest first.
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

// AuditQuery selects audit entries: oldest first after After, or, when
// Newest is set, newest first before Before (0: from the newest).
type AuditQuery struct {
	ConversationID string
	Actor          string
	After          int64 // Seq
	Newest         bool
	Before         int64 // Seq; only with Newest
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
	// Name is the display name of the person or system holding the key.
	Name string `json:"name,omitempty"`
	// ExpiresAt, if set, is when the key stops working.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// RevokedAt, if set, is when the key was revoked.
	RevokedAt time.Time `json:"revokedAt,omitzero"`
}

// Keys stores API keys.
type Keys interface {
	CreateKey(ctx context.Context, k Key) error
	Key(ctx context.Context, id string) (Key, error)
	CountKeys(ctx context.Context) (int, error)
	// ListKeys returns every key, newest first.
	ListKeys(ctx context.Context) ([]Key, error)
	// RevokeKey marks a key revoked at at and returns it; a key revoked
	// before keeps its first revocation time. ErrNotFound if there is none.
	RevokeKey(ctx context.Context, id string, at time.Time) (Key, error)
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
	Adapters
	Close() error
}
