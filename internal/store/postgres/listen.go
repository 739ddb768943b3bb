package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen calls wake whenever any node commits events, until ctx ends. It
// holds one connection of its own and reconnects when that is lost; while
// it is away readers still find every event in the log, only later.
func (s *Store) Listen(ctx context.Context, wake func()) {
	for ctx.Err() == nil {
		if err := s.listenOnce(ctx, wake); err != nil && ctx.Err() == nil {
			s.log.Warn("postgres: event notifications lost; reconnecting", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

func (s *Store) listenOnce(ctx context.Context, wake func()) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{EventChannel}.Sanitize()); err != nil {
		return err
	}
	// Events committed before LISTEN took hold are in the log: wake once.
	wake()
	for {
		if _, err := conn.Conn().WaitForNotification(ctx); err != nil {
			// A pooled connection that listened must not serve others.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
			return err
		}
		wake()
	}
}
