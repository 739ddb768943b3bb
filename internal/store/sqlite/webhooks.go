package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hush-cc/hush/internal/store"
)

// CreateWebhook stores w; it fails with store.ErrExists if its id is taken.
func (s *Store) CreateWebhook(ctx context.Context, w store.Webhook) error {
	if w.ID == "" {
		return errors.New("create webhook: no id")
	}
	types, err := json.Marshal(w.Types)
	if err != nil {
		return fmt.Errorf("create webhook %s: %w", w.ID, err)
	}
	created := formatTime(w.CreatedAt)
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		res, err := t.conn.ExecContext(t.ctx, `INSERT INTO webhooks (id, url, secret, types, cursor, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, w.ID, w.URL, w.Secret, string(types), w.Cursor, created)
		if err != nil {
			return nil, fmt.Errorf("create webhook %s: %w", w.ID, err)
		}
		return refusal(res, store.ErrExists, "webhook "+w.ID)
	})
}

// Webhooks lists every webhook, oldest first.
func (s *Store) Webhooks(ctx context.Context) ([]store.Webhook, error) {
	rows, err := s.rdb.QueryContext(ctx, "SELECT id, url, secret, types, cursor, created_at FROM webhooks ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	var out []store.Webhook
	for rows.Next() {
		var w store.Webhook
		var types, created string
		if err := rows.Scan(&w.ID, &w.URL, &w.Secret, &types, &w.Cursor, &created); err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		if err := json.Unmarshal([]byte(types), &w.Types); err != nil {
			return nil, fmt.Errorf("webhook %s types: %w", w.ID, err)
		}
		if w.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("webhook %s: %w", w.ID, err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// DeleteWebhook removes a webhook and its delivery log.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		res, err := t.conn.ExecContext(t.ctx, "DELETE FROM webhooks WHERE id = ?", id)
		if err != nil {
			return nil, fmt.Errorf("delete webhook %s: %w", id, err)
		}
		return refusal(res, store.ErrNotFound, "webhook "+id)
	})
}

// AdvanceWebhook moves a webhook's cursor to cursor if that is forward; a
// cursor at or behind the stored one changes nothing.
func (s *Store) AdvanceWebhook(ctx context.Context, id string, cursor int64) error {
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		res, err := t.conn.ExecContext(t.ctx, "UPDATE webhooks SET cursor = ? WHERE id = ? AND cursor < ?", cursor, id, cursor)
		if err != nil {
			return nil, fmt.Errorf("advance webhook %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return nil, err
		}
		var one int
		err = t.conn.QueryRowContext(t.ctx, "SELECT 1 FROM webhooks WHERE id = ?", id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("webhook %s: %w", id, store.ErrNotFound), nil
		}
		return nil, err
	})
}

// RecordDelivery appends d to its webhook's delivery log; the store sets
// d.ID. It fails with store.ErrNotFound if the webhook does not exist.
func (s *Store) RecordDelivery(ctx context.Context, d store.Delivery) error {
	at := formatTime(d.At)
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		res, err := t.conn.ExecContext(t.ctx, `INSERT INTO webhook_deliveries (webhook_id, event_seq, attempt, status_code, error, at)
			SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?)`,
			d.WebhookID, d.EventSeq, d.Attempt, d.StatusCode, d.Error, at, d.WebhookID)
		if err != nil {
			return nil, fmt.Errorf("record delivery to %s: %w", d.WebhookID, err)
		}
		return refusal(res, store.ErrNotFound, "webhook "+d.WebhookID)
	})
}

// Deliveries returns up to limit (every one for limit <= 0) of a webhook's
// delivery attempts, newest first.
func (s *Store) Deliveries(ctx context.Context, webhookID string, limit int) ([]store.Delivery, error) {
	query := `SELECT id, webhook_id, event_seq, attempt, status_code, error, at FROM webhook_deliveries
		WHERE webhook_id = ? ORDER BY id DESC`
	args := []any{webhookID}
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read deliveries of %s: %w", webhookID, err)
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		var d store.Delivery
		var at string
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.EventSeq, &d.Attempt, &d.StatusCode, &d.Error, &at); err != nil {
			return nil, fmt.Errorf("read deliveries of %s: %w", webhookID, err)
		}
		if d.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("delivery %d: %w", d.ID, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read deliveries of %s: %w", webhookID, err)
	}
	return out, nil
}

// refusal answers what with refused when res changed no row.
func refusal(res sql.Result, refused error, what string) (outcome, _ error) {
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, refused), nil
	}
	return nil, nil
}
