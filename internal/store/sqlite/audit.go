package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"strings"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// auditColumns reads an entry of the audit table. An entry's PrevHash is
// the hash of the entry before it: the writer stores it once, in that
// entry's hash, and leaves prev_hash empty (rows written before keep theirs;
// the first entry's is empty anyway). With the previous entry missing it
// reads as empty, which verification reports as a break.
const auditColumns = `seq, at, conversation_id, actor, action, capability, reason, outcome, detail,
	CASE WHEN prev_hash != '' OR seq = 1 THEN prev_hash
		ELSE COALESCE((SELECT p.hash FROM audit p WHERE p.seq = audit.seq - 1), '') END,
	hash, actor_name`

// AuditEntries returns the entries q selects, by Seq ascending, or
// descending when q.Newest is set. A conversation's or an actor's entries
// are read by walking its chain back from its newest entry (migration
// 0102).
func (s *Store) AuditEntries(ctx context.Context, q store.AuditQuery) ([]audit.Entry, error) {
	query, args, err := s.auditQuery(ctx, q)
	if err != nil {
		return nil, err
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

// auditQuery returns the SQL that selects q's entries.
func (s *Store) auditQuery(ctx context.Context, q store.AuditQuery) (string, []any, error) {
	order := " ORDER BY seq"
	if q.Newest {
		order = " ORDER BY seq DESC"
	}
	limit := -1
	if q.Limit > 0 {
		limit = q.Limit
	}
	before := int64(math.MaxInt64)
	if q.Newest && q.Before > 0 {
		before = q.Before
	}
	if q.ConversationID == "" && q.Actor == "" {
		return "SELECT " + auditColumns + " FROM audit WHERE seq > ? AND seq < ?" + order + " LIMIT ?",
			[]any{q.After, before, limit}, nil
	}
	col, prev, key, head := "conversation_id", "conv_prev", q.ConversationID,
		`SELECT MAX(COALESCE((SELECT audit_head FROM conversations WHERE id = ?1), 0),
			COALESCE((SELECT seq FROM audit_heads WHERE key = 'c:' || ?1), 0))`
	if q.ConversationID == "" {
		col, prev, key, head = "actor", "actor_prev", q.Actor, "SELECT COALESCE((SELECT seq FROM audit_heads WHERE key = 'a:' || ?1), 0)"
	}
	var start int64
	if err := s.rdb.QueryRowContext(ctx, head, key).Scan(&start); err != nil {
		return "", nil, fmt.Errorf("read audit: %w", err)
	}
	// The walk goes back from the newest entry to After. Newest first with
	// no other filter, it stops after limit entries, and starts below Before
	// when Before is on the chain (the cursor of the previous page always
	// is).
	walk := -1
	if q.Newest && (q.ConversationID == "" || q.Actor == "") {
		switch {
		case before == math.MaxInt64:
			walk = limit
		default:
			var p int64
			err := s.rdb.QueryRowContext(ctx, "SELECT "+prev+" FROM audit WHERE seq = ? AND "+col+" = ?", before, key).Scan(&p)
			if err == nil {
				start, walk = p, limit
			} else if !errors.Is(err, sql.ErrNoRows) {
				return "", nil, fmt.Errorf("read audit: %w", err)
			}
		}
	}
	query := `WITH RECURSIVE chain(seq) AS (
			SELECT ?1
			UNION ALL
			SELECT a.` + prev + ` FROM audit a JOIN chain ON a.seq = chain.seq
			WHERE a.` + prev + ` > ?2 AND a.` + prev + ` < a.seq
			LIMIT ?3)
		SELECT ` + auditColumns + ` FROM audit WHERE seq IN chain AND seq > ?2 AND seq < ?4 AND ` + col + ` = ?5`
	args := []any{start, q.After, walk, before, key, limit}
	if q.ConversationID != "" && q.Actor != "" {
		query += " AND actor = ?7"
		args = append(args, q.Actor)
	}
	return query + order + " LIMIT ?6", args, nil
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
		return nil, t.appendAudit(es)
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
