// Package postgres stores hush's state in PostgreSQL (jackc/pgx), so that
// several hush nodes can share it. Writes from one node are grouped into
// one transaction (group commit); every writing transaction, on any node,
// takes the lock of one head row first, which gives the event log and the
// audit chain a single order across nodes. Committed events are announced
// with NOTIFY so other nodes' readers wake at once.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hush-cc/hush/internal/store"
)

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("postgres store is closed")

// EventChannel is the NOTIFY channel that carries the newest event seq.
const EventChannel = "hush_events"

// Store is a store.Store on a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	w    *writer
	log  *slog.Logger
}

var _ store.Store = (*Store)(nil)

type config struct {
	batch int
	log   *slog.Logger
}

// Option changes how Open sets up a Store.
type Option func(*config)

// WithBatchSize bounds how many queued writes share one transaction
// (default 500).
func WithBatchSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.batch = n
		}
	}
}

// WithLogger sets where the store logs (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string) and applies any pending migrations.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg := config{batch: 500, log: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{pool: pool, log: cfg.log}
	s.w = startWriter(pool, cfg.batch, cfg.log)
	return s, nil
}

// Close finishes every queued write and closes the connections.
func (s *Store) Close() error {
	s.w.close()
	s.pool.Close()
	return nil
}
