package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// encodeEntry is how an entry is kept: its JSON, in which times carry
// nanoseconds, and its detail apart, byte for byte (encoding/json would
// re-compact it), so the entry reads back exactly as it was sealed.
func encodeEntry(e audit.Entry) (entry, detail []byte, err error) {
	detail, e.Detail = e.Detail, nil
	b, err := json.Marshal(e)
	if err != nil {
		return nil, nil, fmt.Errorf("encode audit entry %d: %w", e.Seq, err)
	}
	return b, detail, nil
}

// AuditEntries returns the entries q selects, by Seq ascending, or
// descending when q.Newest is set.
func (s *Store) AuditEntries(ctx context.Context, q store.AuditQuery) ([]audit.Entry, error) {
	query := "SELECT seq, entry, detail FROM audit WHERE seq > $1"
	args := []any{q.After}
	if q.Newest && q.Before > 0 {
		args = append(args, q.Before)
		query += " AND seq < $" + strconv.Itoa(len(args))
	}
	if q.ConversationID != "" {
		args = append(args, q.ConversationID)
		query += " AND conversation_id = $" + strconv.Itoa(len(args))
	}
	if q.Actor != "" {
		args = append(args, q.Actor)
		query += " AND actor = $" + strconv.Itoa(len(args))
	}
	if q.Newest {
		query += " ORDER BY seq DESC"
	} else {
		query += " ORDER BY seq"
	}
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += " LIMIT $" + strconv.Itoa(len(args))
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	return collect(rows, "read audit", scanEntry)
}

func scanEntry(r pgx.CollectableRow) (audit.Entry, error) {
	var seq int64
	var b, detail []byte
	if err := r.Scan(&seq, &b, &detail); err != nil {
		return audit.Entry{Seq: seq}, err
	}
	var e audit.Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return audit.Entry{Seq: seq}, fmt.Errorf("audit entry %d: %w", seq, err)
	}
	if len(detail) > 0 {
		e.Detail = detail
	}
	if e.Seq != seq {
		// The row's key and the entry disagree: a moved entry reads as the
		// row it sits in, which the chain then refuses.
		e.Seq = seq
	}
	return e, nil
}

// AppendAudit chains entries that belong to no conversation write, in the
// same writer as conversation writes so the chain has one order.
func (s *Store) AppendAudit(ctx context.Context, entries ...audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	es := store.StampAudit(entries, time.Now())
	return s.w.do(ctx, func(t *txn) (refused, err error) {
		return nil, t.appendAudit(es)
	})
}

// VerifyAudit reads the head and the whole chain from one snapshot, so
// writes going on meanwhile do not look like a break, and checks it with
// audit.Verify.
func (s *Store) VerifyAudit(ctx context.Context) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var head audit.Head
	if err := tx.QueryRow(ctx, "SELECT audit_seq, audit_hash FROM heads WHERE id = 1").Scan(&head.Seq, &head.Hash); err != nil {
		return fmt.Errorf("verify audit: read head: %w", err)
	}
	rows, err := tx.Query(ctx, "SELECT seq, entry, detail FROM audit ORDER BY seq")
	if err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()
	return audit.Verify(auditRows(rows), head)
}

// auditRows yields the entries of rows; a row too damaged to decode is a
// break at its Seq.
func auditRows(rows pgx.Rows) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				yield(e, &audit.BreakError{Seq: e.Seq, Reason: "entry cannot be read: " + err.Error()})
				return
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(audit.Entry{}, err)
		}
	}
}
