package store

import (
	"context"
	"time"

	"github.com/hush-cc/hush/internal/audit"
)

// LegalHold is a conversation exempt from retention.
type LegalHold struct {
	ConversationID string    `json:"conversationId"`
	Since          time.Time `json:"since"`
	By             string    `json:"by"`
	Reason         string    `json:"reason,omitempty"`
}

// Retention is what the retention sweep and legal holds keep in the store.
// Every change is audited in the same transaction as the change.
type Retention interface {
	// SetLegalHold puts a conversation under legal hold and audits it with
	// e; holding it again keeps the first hold. ErrNotFound if there is
	// no such conversation.
	SetLegalHold(ctx context.Context, h LegalHold, e audit.Entry) (LegalHold, error)
	// ReleaseLegalHold ends a hold and audits it; ErrNotFound if none.
	ReleaseLegalHold(ctx context.Context, conversationID string, e audit.Entry) error
	// LegalHold reads the hold on a conversation; ErrNotFound if none.
	LegalHold(ctx context.Context, conversationID string) (LegalHold, error)
	// RecordingsDue returns up to limit ended conversations last changed
	// before cutoff, not under legal hold, whose files are not deleted yet.
	RecordingsDue(ctx context.Context, cutoff time.Time, limit int) ([]string, error)
	// RecordingsDeleted notes that a conversation's files are gone and
	// audits each deletion.
	RecordingsDeleted(ctx context.Context, conversationID string, at time.Time, entries []audit.Entry) error
	// DeleteEventsBefore deletes events older than cutoff except those of
	// held conversations and the newest, auditing the count with e.
	DeleteEventsBefore(ctx context.Context, cutoff time.Time, e audit.Entry) (int64, error)
	// DeleteDeliveriesBefore deletes delivery log entries older than
	// cutoff, auditing the count with e.
	DeleteDeliveriesBefore(ctx context.Context, cutoff time.Time, e audit.Entry) (int64, error)
}

// Anchoring reads what a signed checkpoint of the audit chain covers.
type Anchoring interface {
	// AuditHead returns the chain's head as stored.
	AuditHead(ctx context.Context) (audit.Head, error)
	// AuditHash returns the stored hash of entry seq, and whether it exists.
	AuditHash(ctx context.Context, seq int64) (string, bool, error)
	// LastAuditSeq returns the Seq of the last stored entry.
	LastAuditSeq(ctx context.Context) (int64, error)
}
