package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// writeStmts are prepared once on the writer's connection.
type writeStmts struct {
	begin, commit, rollback *sql.Stmt
	readHead, writeHead     *sql.Stmt
	insertConv, updateConv  *sql.Stmt
	endConv                 *sql.Stmt
	moveConv                *sql.Stmt
	readConv, writeHeads    *sql.Stmt
	insertSession           *sql.Stmt
	// The chains' heads (migration 0102).
	eventSeq, convAuditHead, auditHead, setAuditHead *sql.Stmt
	// Audit entries, events and the heads kept in audit_heads are written
	// at the end of the transaction.
	audit, events, heads *bulkInsert
}

func prepareWriteStmts(ctx context.Context, conn *sql.Conn) (*writeStmts, error) {
	st := &writeStmts{}
	p := preparer{ctx: ctx, prep: conn.PrepareContext}
	st.begin = p.do("BEGIN IMMEDIATE")
	st.commit = p.do("COMMIT")
	st.rollback = p.do("ROLLBACK")
	st.readHead = p.do("SELECT seq, hash FROM audit_head WHERE id = 1")
	st.writeHead = p.do("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")
	st.insertConv = p.do(`INSERT INTO conversations (id, agent_id, active, version, updated_at, created_ms, state, state_seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
	// readConv checks the version and reads the chains' heads; updateConv
	// names every value its writer assumes of the row. The indexed
	// columns stay out of the common update: SQLite rewrites an index entry
	// whenever its column is assigned, changed or not. An agent changes
	// only on a transfer (moveConv), and a conversation ends once (endConv).
	st.readConv = p.do("SELECT version, agent_id, active, event_head, audit_head FROM conversations WHERE id = ?")
	st.updateConv = p.do(`UPDATE conversations SET version = version + 1, updated_at = ?, state = ?, state_seq = ?, event_head = ?,
		audit_head = ? WHERE id = ? AND version = ? AND event_head = ? AND audit_head = ? AND agent_id = ? AND active = ?`)
	st.writeHeads = p.do("UPDATE conversations SET event_head = ?, audit_head = ? WHERE id = ?")
	st.endConv = p.do(`UPDATE conversations SET active = 0 WHERE id = ?`)
	st.moveConv = p.do(`UPDATE conversations SET agent_id = ? WHERE id = ?`)
	st.insertSession = p.do(`INSERT INTO secure_sessions (id, conversation_id) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`)
	// AUTOINCREMENT keeps the high-water mark of events in sqlite_sequence.
	st.eventSeq = p.do(`SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
		COALESCE((SELECT MAX(seq) FROM events), 0))`)
	st.convAuditHead = p.do(`SELECT MAX(COALESCE((SELECT audit_head FROM conversations WHERE id = ?1), 0),
		COALESCE((SELECT seq FROM audit_heads WHERE key = 'c:' || ?1), 0))`)
	st.auditHead = p.do("SELECT seq FROM audit_heads WHERE key = ?")
	st.setAuditHead = p.do("UPDATE conversations SET audit_head = ? WHERE id = ?")
	if p.err != nil {
		return nil, errors.Join(p.err, st.close())
	}
	var err error
	if st.audit, err = newBulkInsert(ctx, conn, "audit", "", "seq", "at", "conversation_id", "actor", "action",
		"capability", "reason", "outcome", "detail", "prev_hash", "hash", "actor_name", "conv_prev", "actor_prev"); err != nil {
		return nil, errors.Join(err, st.close())
	}
	if st.events, err = newBulkInsert(ctx, conn, "events", "", "seq", "type", "conversation_id", "at", "data", "conv_prev",
		"state"); err != nil {
		return nil, errors.Join(err, st.close())
	}
	if st.heads, err = newBulkInsert(ctx, conn, "audit_heads", " ON CONFLICT (key) DO UPDATE SET seq = excluded.seq",
		"key", "seq"); err != nil {
		return nil, errors.Join(err, st.close())
	}
	return st, nil
}

// bulk lists the inserts a transaction flushes, in the order it flushes them.
func (st *writeStmts) bulk() []*bulkInsert { return []*bulkInsert{st.audit, st.events, st.heads} }

func (st *writeStmts) close() error {
	var errs []error
	for _, b := range st.bulk() {
		if b != nil {
			errs = append(errs, b.close())
		}
	}
	errs = append(errs, closeStmts(st.begin, st.commit, st.rollback, st.readHead, st.writeHead, st.insertConv,
		st.updateConv, st.endConv, st.moveConv, st.readConv, st.writeHeads, st.insertSession,
		st.eventSeq, st.convAuditHead, st.auditHead, st.setAuditHead))
	return errors.Join(errs...)
}

// readStmts are prepared on the read pool; database/sql prepares each on a
// connection the first time it runs there.
type readStmts struct {
	conversation, session, auditHead, key, countKeys *sql.Stmt
}

func prepareReadStmts(ctx context.Context, db *sql.DB) (*readStmts, error) {
	q := &readStmts{}
	p := preparer{ctx: ctx, prep: db.PrepareContext}
	q.conversation = p.do("SELECT version, " + stateColumn + " FROM conversations c " + stateJoin + " WHERE c.id = ?")
	q.session = p.do("SELECT conversation_id FROM secure_sessions WHERE id = ?")
	q.auditHead = p.do("SELECT seq, hash FROM audit_head WHERE id = 1")
	q.key = p.do("SELECT " + keyColumns + " FROM api_keys WHERE id = ?")
	q.countKeys = p.do("SELECT COUNT(*) FROM api_keys")
	if p.err != nil {
		return nil, errors.Join(p.err, q.close())
	}
	return q, nil
}

func (q *readStmts) close() error {
	return closeStmts(q.conversation, q.session, q.auditHead, q.key, q.countKeys)
}

// preparer keeps the first error, so a list of statements reads as a list.
type preparer struct {
	ctx  context.Context
	prep func(context.Context, string) (*sql.Stmt, error)
	err  error
}

func (p *preparer) do(query string) *sql.Stmt {
	if p.err != nil {
		return nil
	}
	s, err := p.prep(p.ctx, query)
	if err != nil {
		p.err = fmt.Errorf("prepare %q: %w", query, err)
	}
	return s
}

func closeStmts(stmts ...*sql.Stmt) error {
	var errs []error
	for _, s := range stmts {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}
