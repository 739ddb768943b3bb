package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

var _ store.Anchoring = (*Store)(nil)

// AuditHead returns the chain's head as stored: what a checkpoint signs.
func (s *Store) AuditHead(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	if err := s.q.auditHead.QueryRowContext(ctx).Scan(&h.Seq, &h.Hash); err != nil {
		return h, fmt.Errorf("read audit head: %w", err)
	}
	return h, nil
}

// AuditHash returns the stored hash of entry seq, and whether it exists.
func (s *Store) AuditHash(ctx context.Context, seq int64) (string, bool, error) {
	var h string
	err := s.rdb.QueryRowContext(ctx, "SELECT hash FROM audit WHERE seq = ?", seq).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read audit entry %d: %w", seq, err)
	}
	return h, true, nil
}

// LastAuditSeq returns the Seq of the last stored entry, which after
// tampering may differ from the head's.
func (s *Store) LastAuditSeq(ctx context.Context) (int64, error) {
	var n int64
	if err := s.rdb.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM audit").Scan(&n); err != nil {
		return 0, fmt.Errorf("read last audit entry: %w", err)
	}
	return n, nil
}
