package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hush-cc/hush/internal/store"
)

const keyColumns = "id, hash, role, agent_id, created_at, name, expires_at, revoked_at, no_pause"

// CreateKey stores k; it fails with store.ErrExists if its id is taken.
func (s *Store) CreateKey(ctx context.Context, k store.Key) error {
	if k.ID == "" {
		return errors.New("create key: no id")
	}
	hash, created := slices.Clone(k.Hash), formatTime(k.CreatedAt)
	expires := optionalTime(k.ExpiresAt)
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		res, err := t.conn.ExecContext(t.ctx, `INSERT INTO api_keys (`+keyColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, '', ?) ON CONFLICT (id) DO NOTHING`,
			k.ID, hash, k.Role, k.AgentID, created, k.Name, expires, k.NoPause)
		if err != nil {
			return nil, fmt.Errorf("create key %s: %w", k.ID, err)
		}
		return refusal(res, store.ErrExists, "key "+k.ID)
	})
}

// Key reads one key. It is read from the database on every call, never
// cached, so a revocation by any process sharing the file counts at once.
func (s *Store) Key(ctx context.Context, id string) (store.Key, error) {
	k, err := scanKey(s.q.key.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Key{}, fmt.Errorf("key %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Key{}, fmt.Errorf("read key %s: %w", id, err)
	}
	return k, nil
}

// ListKeys returns every key, newest first.
func (s *Store) ListKeys(ctx context.Context) ([]store.Key, error) {
	rows, err := s.rdb.QueryContext(ctx, "SELECT "+keyColumns+" FROM api_keys ORDER BY created_at DESC, id")
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	var out []store.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return out, nil
}

// RevokeKey marks key id revoked at at, unless it already was.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) (store.Key, error) {
	err := s.w.do(ctx, func(t *txn) (outcome, err error) {
		res, err := t.conn.ExecContext(t.ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at = ''`,
			formatTime(at), id)
		if err != nil {
			return nil, fmt.Errorf("revoke key %s: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, fmt.Errorf("revoke key %s: %w", id, err)
		}
		if n == 0 {
			var one int
			err := t.conn.QueryRowContext(t.ctx, "SELECT 1 FROM api_keys WHERE id = ?", id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("key %s: %w", id, store.ErrNotFound), nil
			}
			if err != nil {
				return nil, fmt.Errorf("revoke key %s: %w", id, err)
			}
		}
		return nil, nil
	})
	if err != nil {
		return store.Key{}, err
	}
	return s.Key(ctx, id)
}

// CountKeys returns how many keys are stored.
func (s *Store) CountKeys(ctx context.Context) (int, error) {
	var n int
	if err := s.q.countKeys.QueryRowContext(ctx).Scan(&n); err != nil {
		return 0, fmt.Errorf("count keys: %w", err)
	}
	return n, nil
}

func scanKey(row interface{ Scan(...any) error }) (store.Key, error) {
	var k store.Key
	var created, expires, revoked string
	if err := row.Scan(&k.ID, &k.Hash, &k.Role, &k.AgentID, &created, &k.Name, &expires, &revoked, &k.NoPause); err != nil {
		return k, err
	}
	var err error
	if k.CreatedAt, err = parseTime(created); err != nil {
		return k, err
	}
	if k.ExpiresAt, err = parseOptionalTime(expires); err != nil {
		return k, err
	}
	if k.RevokedAt, err = parseOptionalTime(revoked); err != nil {
		return k, err
	}
	return k, nil
}

// optionalTime stores a zero time as the empty string.
func optionalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

func parseOptionalTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return parseTime(s)
}
