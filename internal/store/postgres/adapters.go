package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hush-cc/hush/internal/store"
)

// AdapterState implements store.AdapterState.
func (s *Store) AdapterState(ctx context.Context, namespace, key string) ([]byte, int64, error) {
	var version int64
	var value []byte
	err := s.pool.QueryRow(ctx, "SELECT version, value FROM adapter_state WHERE namespace = $1 AND key = $2",
		namespace, key).Scan(&version, &value)
	if isNoRows(err) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read %s state %s: %w", namespace, key, err)
	}
	if value == nil {
		value = []byte{}
	}
	return value, version, nil
}

// PutAdapterState implements store.AdapterState. It needs no place in the
// audit order, so it writes outside the writer's transactions.
func (s *Store) PutAdapterState(ctx context.Context, namespace, key string, value []byte, version int64) error {
	if value == nil {
		value = []byte{}
	}
	var sql string
	args := []any{namespace, key, value}
	if version == 0 {
		sql = `INSERT INTO adapter_state (namespace, key, version, value) VALUES ($1, $2, 1, $3)
			ON CONFLICT (namespace, key) DO NOTHING`
	} else {
		sql = `UPDATE adapter_state SET version = version + 1, value = $3 WHERE namespace = $1 AND key = $2 AND version = $4`
		args = append(args, version)
	}
	tag, err := s.pool.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("write %s state %s: %w", namespace, key, err)
	}
	return refuseIfNone(tag.RowsAffected(), store.ErrConflict, namespace+" state "+key)
}

// Checkpoint implements store.Checkpoints.
func (s *Store) Checkpoint(ctx context.Context, stream, shard string) (string, error) {
	var pos string
	err := s.pool.QueryRow(ctx, "SELECT position FROM checkpoints WHERE stream = $1 AND shard = $2", stream, shard).Scan(&pos)
	if isNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read checkpoint of %s/%s: %w", stream, shard, err)
	}
	return pos, nil
}

// PutCheckpoint implements store.Checkpoints.
func (s *Store) PutCheckpoint(ctx context.Context, stream, shard, position string) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO checkpoints (stream, shard, position) VALUES ($1, $2, $3)
		ON CONFLICT (stream, shard) DO UPDATE SET position = excluded.position`, stream, shard, position); err != nil {
		return fmt.Errorf("write checkpoint of %s/%s: %w", stream, shard, err)
	}
	return nil
}

// PutDeadLetter implements store.DeadLetters.
func (s *Store) PutDeadLetter(ctx context.Context, d store.DeadLetter) error {
	d = d.Bounded()
	if d.Data == nil {
		d.Data = []byte{}
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO dead_letters (namespace, key, reason, error, data, detail, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (namespace, key) DO NOTHING`,
		d.Namespace, d.Key, d.Reason, d.Error, d.Data, []byte(d.Detail), formatTime(time.Now())); err != nil {
		return fmt.Errorf("store %s dead letter %s: %w", d.Namespace, d.Key, err)
	}
	return nil
}

// DeadLetters implements store.DeadLetters.
func (s *Store) DeadLetters(ctx context.Context, namespace string, limit int) ([]store.DeadLetter, error) {
	query := "SELECT key, reason, error, data, detail, at FROM dead_letters WHERE namespace = $1 ORDER BY id DESC"
	args := []any{namespace}
	if limit > 0 {
		query += " LIMIT $2"
		args = append(args, limit)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s dead letters: %w", namespace, err)
	}
	return collect(rows, "list "+namespace+" dead letters", func(r pgx.CollectableRow) (store.DeadLetter, error) {
		d := store.DeadLetter{Namespace: namespace}
		var detail []byte
		var at string
		if err := r.Scan(&d.Key, &d.Reason, &d.Error, &d.Data, &detail, &at); err != nil {
			return d, err
		}
		if len(detail) > 0 {
			d.Detail = detail
		}
		var err error
		d.StoredAt, err = parseTime(at)
		return d, err
	})
}
