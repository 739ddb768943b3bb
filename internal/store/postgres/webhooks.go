package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hush-cc/hush/internal/store"
)

// CreateWebhook stores w; it fails with store.ErrExists if its id is taken.
func (s *Store) CreateWebhook(ctx context.Context, w store.Webhook) error {
	if w.ID == "" {
		return errors.New("create webhook: no id")
	}
	data, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("create webhook %s: %w", w.ID, err)
	}
	return s.w.do(ctx, func(t *txn) (refused, err error) {
		tag, err := t.tx.Exec(t.ctx, `INSERT INTO webhooks (id, cursor, created_at, secret, data) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO NOTHING`, w.ID, w.Cursor, formatTime(w.CreatedAt), w.Secret, data)
		if err != nil {
			return nil, fmt.Errorf("create webhook %s: %w", w.ID, err)
		}
		return refuseIfNone(tag.RowsAffected(), store.ErrExists, "webhook "+w.ID), nil
	})
}

// Webhooks lists every webhook, oldest first.
func (s *Store) Webhooks(ctx context.Context) ([]store.Webhook, error) {
	rows, err := s.pool.Query(ctx, "SELECT cursor, secret, data FROM webhooks ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return collect(rows, "list webhooks", func(r pgx.CollectableRow) (store.Webhook, error) {
		var w store.Webhook
		var cursor int64
		var secret string
		var data []byte
		if err := r.Scan(&cursor, &secret, &data); err != nil {
			return w, err
		}
		if err := json.Unmarshal(data, &w); err != nil {
			return w, err
		}
		w.Cursor, w.Secret = cursor, secret
		return w, nil
	})
}

// DeleteWebhook removes a webhook and its delivery log.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	return s.w.do(ctx, func(t *txn) (refused, err error) {
		tag, err := t.tx.Exec(t.ctx, "DELETE FROM webhooks WHERE id = $1", id)
		if err != nil {
			return nil, fmt.Errorf("delete webhook %s: %w", id, err)
		}
		return refuseIfNone(tag.RowsAffected(), store.ErrNotFound, "webhook "+id), nil
	})
}

// AdvanceWebhook moves a webhook's cursor to cursor if that is forward; a
// cursor at or behind the stored one changes nothing.
func (s *Store) AdvanceWebhook(ctx context.Context, id string, cursor int64) error {
	return s.w.do(ctx, func(t *txn) (refused, err error) {
		var exists bool
		err = t.tx.QueryRow(t.ctx, `WITH moved AS (UPDATE webhooks SET cursor = $2 WHERE id = $1 AND cursor < $2 RETURNING 1)
			SELECT EXISTS (SELECT 1 FROM webhooks WHERE id = $1)`, id, cursor).Scan(&exists)
		if err != nil {
			return nil, fmt.Errorf("advance webhook %s: %w", id, err)
		}
		if !exists {
			return fmt.Errorf("webhook %s: %w", id, store.ErrNotFound), nil
		}
		return nil, nil
	})
}

// RecordDelivery appends d to its webhook's delivery log; the store sets
// d.ID. It fails with store.ErrNotFound if the webhook does not exist.
func (s *Store) RecordDelivery(ctx context.Context, d store.Delivery) error {
	d.ID = 0
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("record delivery to %s: %w", d.WebhookID, err)
	}
	return s.w.do(ctx, func(t *txn) (refused, err error) {
		tag, err := t.tx.Exec(t.ctx, `INSERT INTO webhook_deliveries (webhook_id, data)
			SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = $1)`, d.WebhookID, data)
		if err != nil {
			return nil, fmt.Errorf("record delivery to %s: %w", d.WebhookID, err)
		}
		return refuseIfNone(tag.RowsAffected(), store.ErrNotFound, "webhook "+d.WebhookID), nil
	})
}

// Deliveries returns up to limit (every one for limit <= 0) of a webhook's
// delivery attempts, newest first.
func (s *Store) Deliveries(ctx context.Context, webhookID string, limit int) ([]store.Delivery, error) {
	query := "SELECT id, data FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC"
	args := []any{webhookID}
	if limit > 0 {
		query += " LIMIT $2"
		args = append(args, limit)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read deliveries of %s: %w", webhookID, err)
	}
	return collect(rows, "read deliveries of "+webhookID, func(r pgx.CollectableRow) (store.Delivery, error) {
		var d store.Delivery
		var id int64
		var data []byte
		if err := r.Scan(&id, &data); err != nil {
			return d, err
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return d, err
		}
		d.ID = id
		return d, nil
	})
}
