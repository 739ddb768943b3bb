package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// convWrite is a store.Write with the encoding done by the caller's
// goroutine, so the writer only runs SQL.
type convWrite struct {
	id, agentID string
	createdMs   int64
	active      bool
	version     int64 // the version the caller read
	updatedAt   string
	state       []byte
	create      bool
	unchanged   bool
	sessions    []string
	audit       []audit.Entry
	events      []store.Event
}

// Write persists w atomically and durably, sharing a transaction with
// whatever else is queued. It returns store.ErrConflict when the stored
// version is not w.Conversation.Version and store.ErrExists when Create
// finds the conversation present; then nothing of w is written.
func (s *Store) Write(ctx context.Context, w store.Write) error {
	cw, err := prepareWrite(w, time.Now())
	if err != nil {
		return err
	}
	return s.w.do(ctx, cw.apply)
}

func prepareWrite(w store.Write, now time.Time) (*convWrite, error) {
	p, err := w.Prepare(now)
	if err != nil {
		return nil, err
	}
	if err := p.FillView(); err != nil {
		return nil, err
	}
	c := p.Conversation
	return &convWrite{id: c.ID, agentID: c.AgentID, createdMs: c.CreatedAt.UnixMilli(), active: c.Active(), version: c.Version,
		updatedAt: formatTime(c.UpdatedAt), state: p.State, create: w.Create, unchanged: w.Unchanged, sessions: w.Sessions,
		audit: p.Audit, events: p.Events}, nil
}

// apply runs inside the writer's transaction. The version check comes
// first, so a refused write has written nothing.
func (cw *convWrite) apply(t *txn) (refused, err error) {
	if refused, err := cw.writeConversation(t); refused != nil || err != nil {
		return refused, err
	}
	for _, id := range cw.sessions {
		// A session stays with the conversation that first named it.
		if _, err := t.tx.Exec(t.ctx, "INSERT INTO secure_sessions (id, conversation_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", id, cw.id); err != nil {
			return nil, fmt.Errorf("index secure session %s: %w", id, err)
		}
	}
	if err := t.appendAudit(cw.audit); err != nil {
		return nil, err
	}
	for _, e := range cw.events {
		if err := t.appendEvent(e.Type, e.ConversationID, formatTime(e.At), e.Data); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func (cw *convWrite) writeConversation(t *txn) (refused, err error) {
	what := "conversation " + cw.id
	switch {
	case cw.create:
		tag, err := t.tx.Exec(t.ctx, `INSERT INTO conversations (id, agent_id, active, version, updated_at, state, created_ms)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`, cw.id, cw.agentID, cw.active, cw.version+1, cw.updatedAt, cw.state, cw.createdMs)
		if err != nil {
			return nil, fmt.Errorf("insert %s: %w", what, err)
		}
		return refuseIfNone(tag.RowsAffected(), store.ErrExists, what), nil
	case cw.unchanged:
		var v int64
		err := t.tx.QueryRow(t.ctx, "SELECT version FROM conversations WHERE id = $1", cw.id).Scan(&v)
		if isNoRows(err) || (err == nil && v != cw.version) {
			return fmt.Errorf("%s: %w", what, store.ErrConflict), nil
		}
		if err != nil {
			return nil, fmt.Errorf("read version of %s: %w", what, err)
		}
		return nil, nil
	default:
		tag, err := t.tx.Exec(t.ctx, `UPDATE conversations SET agent_id = $1, active = $2, version = version + 1, updated_at = $3, state = $4
			WHERE id = $5 AND version = $6`, cw.agentID, cw.active, cw.updatedAt, cw.state, cw.id, cw.version)
		if err != nil {
			return nil, fmt.Errorf("update %s: %w", what, err)
		}
		return refuseIfNone(tag.RowsAffected(), store.ErrConflict, what), nil
	}
}

// formatTime is how every time is stored: the audit hash covers this exact
// text, so it must read back to the same instant.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}
