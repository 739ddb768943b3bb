package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/store"
)

// AdapterState returns the value stored under namespace and key and its
// version; nil and version 0 when none is stored.
func (s *Store) AdapterState(ctx context.Context, namespace, key string) ([]byte, int64, error) {
	var version int64
	var value []byte
	err := s.rdb.QueryRowContext(ctx, "SELECT version, value FROM adapter_state WHERE namespace = ? AND key = ?",
		namespace, key).Scan(&version, &value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read %s state %s: %w", namespace, key, err)
	}
	return value, version, nil
}

// PutAdapterState stores value if the stored version is still version (0:
// none stored yet); the stored version becomes version+1. Otherwise it
// returns store.ErrConflict and writes nothing.
func (s *Store) PutAdapterState(ctx context.Context, namespace, key string, value []byte, version int64) error {
	if value == nil {
		value = []byte{}
	}
	now := formatTime(time.Now())
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		var res sql.Result
		if version == 0 {
			res, err = t.conn.ExecContext(t.ctx, `INSERT INTO adapter_state (namespace, key, version, value, updated_at)
				VALUES (?, ?, 1, ?, ?) ON CONFLICT (namespace, key) DO NOTHING`, namespace, key, value, now)
		} else {
			res, err = t.conn.ExecContext(t.ctx, `UPDATE adapter_state SET version = version + 1, value = ?, updated_at = ?
				WHERE namespace = ? AND key = ? AND version = ?`, value, now, namespace, key, version)
		}
		if err != nil {
			return nil, fmt.Errorf("write %s state %s: %w", namespace, key, err)
		}
		return refusal(res, store.ErrConflict, namespace+" state "+key)
	})
}

// Checkpoint returns the position last recorded for a shard, or "" when it
// has none.
func (s *Store) Checkpoint(ctx context.Context, stream, shard string) (string, error) {
	var pos string
	err := s.rdb.QueryRowContext(ctx, "SELECT position FROM checkpoints WHERE stream = ? AND shard = ?", stream, shard).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read checkpoint of %s/%s: %w", stream, shard, err)
	}
	return pos, nil
}

// PutCheckpoint durably records a shard's position.
func (s *Store) PutCheckpoint(ctx context.Context, stream, shard, position string) error {
	now := formatTime(time.Now())
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		if _, err := t.conn.ExecContext(t.ctx, `INSERT INTO checkpoints (stream, shard, position, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (stream, shard) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
			stream, shard, position, now); err != nil {
			return nil, fmt.Errorf("write checkpoint of %s/%s: %w", stream, shard, err)
		}
		return nil, nil
	})
}

// PutDeadLetter durably stores d.Bounded(); a record stored before under
// the same namespace and key is kept as first stored.
func (s *Store) PutDeadLetter(ctx context.Context, d store.DeadLetter) error {
	d = d.Bounded()
	data, detail := d.Data, string(d.Detail)
	if data == nil {
		data = []byte{}
	}
	now := formatTime(time.Now())
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		if _, err := t.conn.ExecContext(t.ctx, `INSERT INTO dead_letters (namespace, key, reason, error, data, detail, at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (namespace, key) DO NOTHING`,
			d.Namespace, d.Key, d.Reason, d.Error, data, detail, now); err != nil {
			return nil, fmt.Errorf("store %s dead letter %s: %w", d.Namespace, d.Key, err)
		}
		return nil, nil
	})
}

// DeadLetters returns up to limit of a namespace's dead letters (all when
// limit <= 0), newest first.
func (s *Store) DeadLetters(ctx context.Context, namespace string, limit int) ([]store.DeadLetter, error) {
	query := `SELECT key, reason, error, data, detail, at FROM dead_letters WHERE namespace = ? ORDER BY id DESC`
	args := []any{namespace}
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s dead letters: %w", namespace, err)
	}
	defer rows.Close()
	var out []store.DeadLetter
	for rows.Next() {
		d := store.DeadLetter{Namespace: namespace}
		var detail, at string
		if err := rows.Scan(&d.Key, &d.Reason, &d.Error, &d.Data, &detail, &at); err != nil {
			return nil, fmt.Errorf("list %s dead letters: %w", namespace, err)
		}
		if detail != "" {
			d.Detail = []byte(detail)
		}
		if d.StoredAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("%s dead letter %s: %w", namespace, d.Key, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s dead letters: %w", namespace, err)
	}
	return out, nil
}
