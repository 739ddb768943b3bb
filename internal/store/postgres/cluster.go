package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hush-cc/hush/internal/store"
)

var _ store.Cluster = (*Store)(nil)

// Heartbeat implements store.Cluster.
func (s *Store) Heartbeat(ctx context.Context, n store.Node) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO nodes (id, address, seen) VALUES ($1, $2, now())
		ON CONFLICT (id) DO UPDATE SET address = excluded.address, seen = now()`, n.ID, n.Address); err != nil {
		return fmt.Errorf("heartbeat of %s: %w", n.ID, err)
	}
	return nil
}

// Nodes implements store.Cluster.
func (s *Store) Nodes(ctx context.Context, window time.Duration) ([]store.Node, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, address, seen, seen > now() - $1::interval FROM nodes ORDER BY id`, window)
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	return collect(rows, "list nodes", func(r pgx.CollectableRow) (store.Node, error) {
		var n store.Node
		err := r.Scan(&n.ID, &n.Address, &n.Seen, &n.Alive)
		n.Seen = n.Seen.UTC()
		return n, err
	})
}

// Forget implements store.Cluster.
func (s *Store) Forget(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, "DELETE FROM nodes WHERE id = $1", id); err != nil {
		return fmt.Errorf("forget node %s: %w", id, err)
	}
	return nil
}

// TryLease implements store.Cluster.
func (s *Store) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	var got string
	err := s.pool.QueryRow(ctx, `INSERT INTO leases (name, holder, expires) VALUES ($1, $2, now() + $3::interval)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
		WHERE leases.holder = excluded.holder OR leases.expires < now()
		RETURNING holder`, name, holder, ttl).Scan(&got)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	return got == holder, nil
}

// ReleaseLease implements store.Cluster.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.pool.Exec(ctx, "DELETE FROM leases WHERE name = $1 AND holder = $2", name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// Leases implements store.Cluster.
func (s *Store) Leases(ctx context.Context, prefix string) ([]store.Lease, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, holder FROM leases
		WHERE left(name, length($1)) = $1 AND expires >= now() ORDER BY name`, prefix)
	if err != nil {
		return nil, fmt.Errorf("list leases %s*: %w", prefix, err)
	}
	return collect(rows, "list leases", func(r pgx.CollectableRow) (store.Lease, error) {
		var l store.Lease
		err := r.Scan(&l.Name, &l.Holder)
		return l, err
	})
}
