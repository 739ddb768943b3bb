package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

var (
	_ store.Retention = (*Store)(nil)
	_ store.Anchoring = (*Store)(nil)
)

// SetLegalHold implements store.Retention.
func (s *Store) SetLegalHold(ctx context.Context, h store.LegalHold, e audit.Entry) (store.LegalHold, error) {
	entries := store.StampAudit([]audit.Entry{e}, time.Now())
	err := s.w.do(ctx, func(t *txn) (refused, err error) {
		var exists bool
		if err := t.tx.QueryRow(t.ctx, "SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1)", h.ConversationID).Scan(&exists); err != nil {
			return nil, fmt.Errorf("legal hold %s: %w", h.ConversationID, err)
		}
		if !exists {
			return fmt.Errorf("conversation %s: %w", h.ConversationID, store.ErrNotFound), nil
		}
		tag, err := t.tx.Exec(t.ctx, `INSERT INTO legal_holds (conversation_id, since, by, reason) VALUES ($1, $2, $3, $4)
			ON CONFLICT (conversation_id) DO NOTHING`, h.ConversationID, formatTime(h.Since), h.By, h.Reason)
		if err != nil {
			return nil, fmt.Errorf("legal hold %s: %w", h.ConversationID, err)
		}
		if tag.RowsAffected() == 1 {
			return nil, t.appendAudit(entries)
		}
		return nil, nil
	})
	if err != nil {
		return store.LegalHold{}, err
	}
	return s.LegalHold(ctx, h.ConversationID)
}

// ReleaseLegalHold implements store.Retention.
func (s *Store) ReleaseLegalHold(ctx context.Context, conversationID string, e audit.Entry) error {
	entries := store.StampAudit([]audit.Entry{e}, time.Now())
	return s.w.do(ctx, func(t *txn) (refused, err error) {
		tag, err := t.tx.Exec(t.ctx, "DELETE FROM legal_holds WHERE conversation_id = $1", conversationID)
		if err != nil {
			return nil, fmt.Errorf("release legal hold %s: %w", conversationID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("legal hold on %s: %w", conversationID, store.ErrNotFound), nil
		}
		return nil, t.appendAudit(entries)
	})
}

// LegalHold implements store.Retention.
func (s *Store) LegalHold(ctx context.Context, conversationID string) (store.LegalHold, error) {
	h := store.LegalHold{ConversationID: conversationID}
	var since string
	err := s.pool.QueryRow(ctx, "SELECT since, by, reason FROM legal_holds WHERE conversation_id = $1", conversationID).
		Scan(&since, &h.By, &h.Reason)
	if isNoRows(err) {
		return h, fmt.Errorf("legal hold on %s: %w", conversationID, store.ErrNotFound)
	}
	if err != nil {
		return h, fmt.Errorf("read legal hold on %s: %w", conversationID, err)
	}
	h.Since, err = parseTime(since)
	return h, err
}

// RecordingsDue implements store.Retention.
func (s *Store) RecordingsDue(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM conversations c
		WHERE NOT active AND updated_at::timestamptz < $1
		AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.conversation_id = c.id)
		AND NOT EXISTS (SELECT 1 FROM recordings_deleted d WHERE d.conversation_id = c.id)
		ORDER BY updated_at::timestamptz LIMIT $2`, cutoff, limit)
	if err != nil {
		return nil, fmt.Errorf("find recordings due: %w", err)
	}
	return collect(rows, "find recordings due", pgx.RowTo[string])
}

// RecordingsDeleted implements store.Retention.
func (s *Store) RecordingsDeleted(ctx context.Context, conversationID string, at time.Time, entries []audit.Entry) error {
	es := store.StampAudit(entries, time.Now())
	return s.w.do(ctx, func(t *txn) (refused, err error) {
		if _, err := t.tx.Exec(t.ctx, `INSERT INTO recordings_deleted (conversation_id, at) VALUES ($1, $2)
			ON CONFLICT (conversation_id) DO NOTHING`, conversationID, formatTime(at)); err != nil {
			return nil, fmt.Errorf("note deleted recording %s: %w", conversationID, err)
		}
		return nil, t.appendAudit(es)
	})
}

// DeleteEventsBefore implements store.Retention.
func (s *Store) DeleteEventsBefore(ctx context.Context, cutoff time.Time, e audit.Entry) (int64, error) {
	return s.deleteBefore(ctx, e, `DELETE FROM events WHERE at::timestamptz < $1 AND seq < (SELECT MAX(seq) FROM events)
		AND conversation_id NOT IN (SELECT conversation_id FROM legal_holds)`, cutoff)
}

// DeleteDeliveriesBefore implements store.Retention.
func (s *Store) DeleteDeliveriesBefore(ctx context.Context, cutoff time.Time, e audit.Entry) (int64, error) {
	return s.deleteBefore(ctx, e, "DELETE FROM webhook_deliveries WHERE at < $1", cutoff)
}

func (s *Store) deleteBefore(ctx context.Context, e audit.Entry, query string, args ...any) (int64, error) {
	var n int64
	e = store.StampAudit([]audit.Entry{e}, time.Now())[0]
	err := s.w.do(ctx, func(t *txn) (refused, err error) {
		tag, err := t.tx.Exec(t.ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("retention: %w", err)
		}
		if n = tag.RowsAffected(); n > 0 {
			e.Detail = fmt.Appendf(nil, `{"deleted":%d}`, n)
			return nil, t.appendAudit([]audit.Entry{e})
		}
		return nil, nil
	})
	return n, err
}

// AuditHead implements store.Anchoring.
func (s *Store) AuditHead(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	if err := s.pool.QueryRow(ctx, "SELECT audit_seq, audit_hash FROM heads WHERE id = 1").Scan(&h.Seq, &h.Hash); err != nil {
		return h, fmt.Errorf("read audit head: %w", err)
	}
	return h, nil
}

// AuditHash implements store.Anchoring.
func (s *Store) AuditHash(ctx context.Context, seq int64) (string, bool, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, "SELECT entry FROM audit WHERE seq = $1", seq).Scan(&b)
	if isNoRows(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read audit entry %d: %w", seq, err)
	}
	var e struct {
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return "", false, fmt.Errorf("read audit entry %d: %w", seq, err)
	}
	return e.Hash, true, nil
}

// LastAuditSeq implements store.Anchoring.
func (s *Store) LastAuditSeq(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM audit").Scan(&n); err != nil {
		return 0, fmt.Errorf("read last audit entry: %w", err)
	}
	return n, nil
}
