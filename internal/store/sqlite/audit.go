package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

const auditColumns = "seq, at, conversation_id, actor, action, capability, reason, outcome, detail, prev_hash, hash, actor_name"

// AuditEntries returns the entries q selects, by Seq ascending, or
// descending when q.Newest is set.
func (s *Store) AuditEntries(ctx context.Context, q store.AuditQuery) ([]audit.Entry, error) {
	query := "SELECT " + auditColumns + " FROM audit WHERE seq > ?"
	args := []any{q.After}
	if q.Newest && q.Before > 0 {
		query += " AND seq < ?"
		args = append(args, q.Before)
	}
	if q.ConversationID != "" {
		query += " AND conversation_id = ?"
		args = append(args, q.ConversationID)
	}
	if q.Actor != "" {
		query += " AND actor = ?"
		args = append(args, q.Actor)
	}
	if q.Newest {
		query += " ORDER BY seq DESC"
	} else {
		query += " ORDER BY seq"
	}
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("read audit: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	return out, nil
}

// AppendAudit chains entries that belong to no conversation write, in the
// same writer as conversation writes so the chain has one order.
func (s *Store) AppendAudit(ctx context.Context, entries ...audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	now := time.Now()
	es := make([]audit.Entry, len(entries))
	for i, e := range entries {
		if e.At.IsZero() {
			e.At = now
		}
		es[i] = e
	}
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		t.appendAudit(es)
		return nil, nil
	})
}

// VerifyAudit reads the head and the whole chain from one snapshot, so
// writes going on meanwhile do not look like a break, and checks it with
// audit.Verify.
func (s *Store) VerifyAudit(ctx context.Context) error {
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // read only: nothing to keep
	var head audit.Head
	if err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&head.Seq, &head.Hash); err != nil {
		return fmt.Errorf("verify audit: read head: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit ORDER BY seq")
	if err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()
	return audit.Verify(auditRows(rows), head)
}

// auditRows yields the entries of rows; a row too damaged to decode is a
// break at its Seq.
func auditRows(rows *sql.Rows) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		for rows.Next() {
			e, err := scanAudit(rows)
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

// scanAudit decodes one row. On error the entry still carries its Seq.
func scanAudit(rows *sql.Rows) (audit.Entry, error) {
	var e audit.Entry
	var text [10]sql.NullString
	var detail []byte
	if err := rows.Scan(&e.Seq, &text[0], &text[1], &text[2], &text[3], &text[4], &text[5], &text[6],
		&detail, &text[7], &text[8], &text[9]); err != nil {
		return e, err
	}
	var missing []string
	for i, name := range []string{"at", "conversation_id", "actor", "action", "capability", "reason", "outcome", "prev_hash", "hash", "actor_name"} {
		if !text[i].Valid {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return e, fmt.Errorf("null %s", strings.Join(missing, ", "))
	}
	at, err := parseTime(text[0].String)
	if err != nil {
		return e, err
	}
	e.At = at
	e.ConversationID, e.Actor, e.Action = text[1].String, text[2].String, text[3].String
	e.Capability, e.Reason, e.Outcome = text[4].String, text[5].String, text[6].String
	e.PrevHash, e.Hash, e.ActorName = text[7].String, text[8].String, text[9].String
	if len(detail) > 0 {
		e.Detail = json.RawMessage(detail)
	}
	return e, nil
}
