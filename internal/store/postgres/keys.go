package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hush-cc/hush/internal/store"
)

// CreateKey stores k; it fails with store.ErrExists if its id is taken.
func (s *Store) CreateKey(ctx context.Context, k store.Key) error {
	if k.ID == "" {
		return errors.New("create key: no id")
	}
	data, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("create key %s: %w", k.ID, err)
	}
	hash := slices.Clone(k.Hash)
	return s.w.do(ctx, func(t *txn) (refused, err error) {
		tag, err := t.tx.Exec(t.ctx, "INSERT INTO api_keys (id, hash, data) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING", k.ID, hash, data)
		if err != nil {
			return nil, fmt.Errorf("create key %s: %w", k.ID, err)
		}
		return refuseIfNone(tag.RowsAffected(), store.ErrExists, "key "+k.ID), nil
	})
}

// Key reads one key.
func (s *Store) Key(ctx context.Context, id string) (store.Key, error) {
	var hash, data []byte
	err := s.pool.QueryRow(ctx, "SELECT hash, data FROM api_keys WHERE id = $1", id).Scan(&hash, &data)
	if isNoRows(err) {
		return store.Key{}, fmt.Errorf("key %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Key{}, fmt.Errorf("read key %s: %w", id, err)
	}
	var k store.Key
	if err := json.Unmarshal(data, &k); err != nil {
		return store.Key{}, fmt.Errorf("read key %s: %w", id, err)
	}
	k.Hash = hash
	return k, nil
}

// CountKeys returns how many keys are stored.
func (s *Store) CountKeys(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM api_keys").Scan(&n); err != nil {
		return 0, fmt.Errorf("count keys: %w", err)
	}
	return n, nil
}

// ListKeys returns every key, newest first.
func (s *Store) ListKeys(ctx context.Context) ([]store.Key, error) {
	rows, err := s.pool.Query(ctx, "SELECT hash, data FROM api_keys")
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	keys, err := collect(rows, "list keys", func(r pgx.CollectableRow) (store.Key, error) {
		var hash, data []byte
		if err := r.Scan(&hash, &data); err != nil {
			return store.Key{}, err
		}
		var k store.Key
		if err := json.Unmarshal(data, &k); err != nil {
			return store.Key{}, err
		}
		k.Hash = hash
		return k, nil
	})
	slices.SortFunc(keys, func(a, b store.Key) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return keys, err
}

// RevokeKey marks a key revoked at at and returns it; a key revoked before
// keeps its first revocation time.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) (store.Key, error) {
	err := s.w.do(ctx, func(t *txn) (refused, err error) {
		var data []byte
		err = t.tx.QueryRow(t.ctx, "SELECT data FROM api_keys WHERE id = $1 FOR UPDATE", id).Scan(&data)
		if isNoRows(err) {
			return fmt.Errorf("key %s: %w", id, store.ErrNotFound), nil
		}
		if err != nil {
			return nil, fmt.Errorf("revoke key %s: %w", id, err)
		}
		var k store.Key
		if err := json.Unmarshal(data, &k); err != nil {
			return nil, fmt.Errorf("revoke key %s: %w", id, err)
		}
		if !k.RevokedAt.IsZero() {
			return nil, nil
		}
		k.RevokedAt = at.UTC()
		if data, err = json.Marshal(k); err != nil {
			return nil, fmt.Errorf("revoke key %s: %w", id, err)
		}
		if _, err := t.tx.Exec(t.ctx, "UPDATE api_keys SET data = $2 WHERE id = $1", id, data); err != nil {
			return nil, fmt.Errorf("revoke key %s: %w", id, err)
		}
		return nil, nil
	})
	if err != nil {
		return store.Key{}, err
	}
	return s.Key(ctx, id)
}
