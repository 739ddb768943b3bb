package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// LegalHold is a conversation exempt from retention.
type LegalHold = store.LegalHold

var _ store.Retention = (*Store)(nil)

// SetLegalHold puts a conversation under legal hold and audits it in the
// same transaction; holding it again keeps the first hold.
func (s *Store) SetLegalHold(ctx context.Context, h LegalHold, e audit.Entry) (LegalHold, error) {
	err := s.w.do(ctx, func(t *txn) (outcome, err error) {
		var one int
		err = t.conn.QueryRowContext(t.ctx, "SELECT 1 FROM conversations WHERE id = ?", h.ConversationID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("conversation %s: %w", h.ConversationID, store.ErrNotFound), nil
		}
		if err != nil {
			return nil, fmt.Errorf("legal hold %s: %w", h.ConversationID, err)
		}
		res, err := t.conn.ExecContext(t.ctx, `INSERT INTO legal_holds (conversation_id, since, by, reason)
			VALUES (?, ?, ?, ?) ON CONFLICT (conversation_id) DO NOTHING`, h.ConversationID, formatTime(h.Since), h.By, h.Reason)
		if err != nil {
			return nil, fmt.Errorf("legal hold %s: %w", h.ConversationID, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil, t.appendAudit([]audit.Entry{e})
		}
		return nil, nil
	})
	if err != nil {
		return LegalHold{}, err
	}
	return s.LegalHold(ctx, h.ConversationID)
}

// ReleaseLegalHold ends a hold and audits it; ErrNotFound if none.
func (s *Store) ReleaseLegalHold(ctx context.Context, conversationID string, e audit.Entry) error {
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		res, err := t.conn.ExecContext(t.ctx, "DELETE FROM legal_holds WHERE conversation_id = ?", conversationID)
		if err != nil {
			return nil, fmt.Errorf("release legal hold %s: %w", conversationID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("legal hold on %s: %w", conversationID, store.ErrNotFound), nil
		}
		return nil, t.appendAudit([]audit.Entry{e})
	})
}

// LegalHold reads the hold on a conversation; ErrNotFound if none.
func (s *Store) LegalHold(ctx context.Context, conversationID string) (LegalHold, error) {
	h := LegalHold{ConversationID: conversationID}
	var since string
	err := s.rdb.QueryRowContext(ctx, "SELECT since, by, reason FROM legal_holds WHERE conversation_id = ?", conversationID).
		Scan(&since, &h.By, &h.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("legal hold on %s: %w", conversationID, store.ErrNotFound)
	}
	if err != nil {
		return h, fmt.Errorf("read legal hold on %s: %w", conversationID, err)
	}
	h.Since, err = parseTime(since)
	return h, err
}

// RecordingsDue returns up to limit ended conversations, last changed
// before cutoff, not under legal hold, whose recording files have not
// been deleted yet. A conversation's last change is at or after its end,
// so none is due before its time.
func (s *Store) RecordingsDue(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id FROM conversations c
		WHERE active = 0 AND updated_at < ?
		AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.conversation_id = c.id)
		AND NOT EXISTS (SELECT 1 FROM recordings_deleted d WHERE d.conversation_id = c.id)
		ORDER BY updated_at LIMIT ?`, formatTime(cutoff), limit)
	if err != nil {
		return nil, fmt.Errorf("find recordings due: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find recordings due: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// RecordingsDeleted notes that a conversation's recording files are gone
// and audits each deletion, in one transaction.
func (s *Store) RecordingsDeleted(ctx context.Context, conversationID string, at time.Time, entries []audit.Entry) error {
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		if _, err := t.conn.ExecContext(t.ctx, `INSERT INTO recordings_deleted (conversation_id, at) VALUES (?, ?)
			ON CONFLICT (conversation_id) DO NOTHING`, conversationID, formatTime(at)); err != nil {
			return nil, fmt.Errorf("note deleted recording %s: %w", conversationID, err)
		}
		return nil, t.appendAudit(entries)
	})
}

// DeleteEventsBefore deletes events older than cutoff, except those of
// conversations under legal hold and the newest event (which keeps the
// sequence's high-water mark), and audits the count with e, whose Detail
// it fills. It returns how many it deleted.
func (s *Store) DeleteEventsBefore(ctx context.Context, cutoff time.Time, e audit.Entry) (int64, error) {
	return s.deleteBefore(ctx, e, keepStates, `DELETE FROM events WHERE at < ? AND seq < (SELECT MAX(seq) FROM events)
		AND conversation_id NOT IN (SELECT conversation_id FROM legal_holds)`, formatTime(cutoff))
}

// DeleteDeliveriesBefore deletes webhook delivery log entries older than
// cutoff and audits the count with e.
func (s *Store) DeleteDeliveriesBefore(ctx context.Context, cutoff time.Time, e audit.Entry) (int64, error) {
	return s.deleteBefore(ctx, e, "", "DELETE FROM webhook_deliveries WHERE at < ?", formatTime(cutoff))
}

// deleteBefore runs first, if any, then query, in one transaction, and
// audits the count query deleted with e.
func (s *Store) deleteBefore(ctx context.Context, e audit.Entry, first, query string, args ...any) (int64, error) {
	var n int64
	err := s.w.do(ctx, func(t *txn) (outcome, err error) {
		if first != "" {
			if _, err := t.conn.ExecContext(t.ctx, first, args...); err != nil {
				return nil, fmt.Errorf("retention: %w", err)
			}
		}
		res, err := t.conn.ExecContext(t.ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("retention: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("retention: %w", err)
		}
		if n > 0 {
			e.Detail = fmt.Appendf(nil, `{"deleted":%d}`, n)
			return nil, t.appendAudit([]audit.Entry{e})
		}
		return nil, nil
	})
	return n, err
}
