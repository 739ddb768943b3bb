package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/hush-cc/hush/internal/store"
)

// CreateKey stores k; it fails with store.ErrExists if its id is taken.
func (s *Store) CreateKey(ctx context.Context, k store.Key) error {
	if k.ID == "" {
		return errors.New("create key: no id")
	}
	hash, created := slices.Clone(k.Hash), formatTime(k.CreatedAt)
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		res, err := t.conn.ExecContext(t.ctx, `INSERT INTO api_keys (id, hash, role, agent_id, created_at, no_pause)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, k.ID, hash, k.Role, k.AgentID, created, k.NoPause)
		if err != nil {
			return nil, fmt.Errorf("create key %s: %w", k.ID, err)
		}
		return refusal(res, store.ErrExists, "key "+k.ID)
	})
}

// Key reads one key.
func (s *Store) Key(ctx context.Context, id string) (store.Key, error) {
	var k store.Key
	var created string
	err := s.q.key.QueryRowContext(ctx, id).Scan(&k.ID, &k.Hash, &k.Role, &k.AgentID, &created, &k.NoPause)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Key{}, fmt.Errorf("key %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Key{}, fmt.Errorf("read key %s: %w", id, err)
	}
	if k.CreatedAt, err = parseTime(created); err != nil {
		return store.Key{}, fmt.Errorf("read key %s: %w", id, err)
	}
	return k, nil
}

// CountKeys returns how many keys are stored.
func (s *Store) CountKeys(ctx context.Context) (int, error) {
	var n int
	if err := s.q.countKeys.QueryRowContext(ctx).Scan(&n); err != nil {
		return 0, fmt.Errorf("count keys: %w", err)
	}
	return n, nil
}
