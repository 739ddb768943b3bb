package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/store"
)

var _ store.Cluster = (*Store)(nil)

// Heartbeat implements store.Cluster.
func (s *Store) Heartbeat(ctx context.Context, n store.Node) error {
	now := time.Now().UnixNano()
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		if _, err := t.conn.ExecContext(t.ctx, `INSERT INTO nodes (id, address, seen) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET address = excluded.address, seen = excluded.seen`, n.ID, n.Address, now); err != nil {
			return nil, fmt.Errorf("heartbeat of %s: %w", n.ID, err)
		}
		return nil, nil
	})
}

// Nodes implements store.Cluster.
func (s *Store) Nodes(ctx context.Context, window time.Duration) ([]store.Node, error) {
	rows, err := s.rdb.QueryContext(ctx, "SELECT id, address, seen FROM nodes ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	defer rows.Close()
	limit := time.Now().Add(-window)
	var out []store.Node
	for rows.Next() {
		var n store.Node
		var seen int64
		if err := rows.Scan(&n.ID, &n.Address, &seen); err != nil {
			return nil, fmt.Errorf("list nodes: %w", err)
		}
		n.Seen = time.Unix(0, seen).UTC()
		n.Alive = n.Seen.After(limit)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Forget implements store.Cluster.
func (s *Store) Forget(ctx context.Context, id string) error {
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		_, err = t.conn.ExecContext(t.ctx, "DELETE FROM nodes WHERE id = ?", id)
		return nil, err
	})
}

// TryLease implements store.Cluster.
func (s *Store) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	var held bool
	err := s.w.do(ctx, func(t *txn) (outcome, err error) {
		now := time.Now()
		var got string
		err = t.conn.QueryRowContext(t.ctx, `INSERT INTO leases (name, holder, expires) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
			WHERE leases.holder = excluded.holder OR leases.expires < ?
			RETURNING holder`, name, holder, now.Add(ttl).UnixNano(), now.UnixNano()).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("lease %s: %w", name, err)
		}
		held = got == holder
		return nil, nil
	})
	return held, err
}

// ReleaseLease implements store.Cluster.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		_, err = t.conn.ExecContext(t.ctx, "DELETE FROM leases WHERE name = ? AND holder = ?", name, holder)
		return nil, err
	})
}

// Leases implements store.Cluster.
func (s *Store) Leases(ctx context.Context, prefix string) ([]store.Lease, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT name, holder FROM leases
		WHERE substr(name, 1, length(?)) = ? AND expires >= ? ORDER BY name`, prefix, prefix, time.Now().UnixNano())
	if err != nil {
		return nil, fmt.Errorf("list leases %s*: %w", prefix, err)
	}
	defer rows.Close()
	var out []store.Lease
	for rows.Next() {
		var l store.Lease
		if err := rows.Scan(&l.Name, &l.Holder); err != nil {
			return nil, fmt.Errorf("list leases %s*: %w", prefix, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
