package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// convWrite is a store.Write with everything that needs no lock (JSON, time
// formatting) done by the caller's goroutine, so the writer only runs SQL.
type convWrite struct {
	id, agentID string
	active      bool
	version     int64 // the version the caller read
	updatedAt   string
	createdMs   int64
	state       []byte
	create      bool
	unchanged   bool
	sessions    []string
	audit       []audit.Entry
	events      []eventRow
}

type eventRow struct {
	typ, conversationID, at string
	data                    []byte
}

// Write persists w atomically and durably, sharing a transaction with
// whatever other writes are queued. It returns store.ErrConflict when the
// stored version is not w.Conversation.Version (or the conversation does not
// exist) and store.ErrExists when Create finds it present; then nothing of w
// is written. Audit entries and events with a zero At get the time of the
// call.
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
	c := p.Conversation
	cw := &convWrite{id: c.ID, agentID: c.AgentID, active: c.Active(), version: c.Version, state: p.State,
		updatedAt: formatTime(c.UpdatedAt), createdMs: c.CreatedAt.UnixMilli(), create: w.Create, unchanged: w.Unchanged,
		sessions: w.Sessions, audit: p.Audit}
	cw.events = make([]eventRow, len(p.Events))
	for i, e := range p.Events {
		cw.events[i] = eventRow{typ: e.Type, conversationID: e.ConversationID, at: formatTime(e.At), data: e.Data}
	}
	return cw, nil
}

// apply runs inside the writer's transaction. The version check comes
// first, so a refused write has written nothing.
func (cw *convWrite) apply(t *txn) (outcome, err error) {
	if outcome, err := cw.writeConversation(t); outcome != nil || err != nil {
		return outcome, err
	}
	for _, id := range cw.sessions {
		// A session stays with the conversation that first named it.
		if _, err := t.st.insertSession.ExecContext(t.ctx, id, cw.id); err != nil {
			return nil, fmt.Errorf("index secure session %s: %w", id, err)
		}
	}
	t.appendAudit(cw.audit)
	for _, e := range cw.events {
		t.st.events.add(e.typ, e.conversationID, e.at, e.data)
	}
	return nil, nil
}

func (cw *convWrite) writeConversation(t *txn) (outcome, err error) {
	switch {
	case cw.create:
		res, err := t.st.insertConv.ExecContext(t.ctx, cw.id, cw.agentID, cw.active, cw.version+1, cw.updatedAt, cw.createdMs, cw.state)
		if err != nil {
			return nil, fmt.Errorf("insert conversation %s: %w", cw.id, err)
		}
		return refusal(res, store.ErrExists, "conversation "+cw.id)
	case cw.unchanged:
		var v int64
		err := t.st.convVersion.QueryRowContext(t.ctx, cw.id).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && v != cw.version) {
			return fmt.Errorf("conversation %s: %w", cw.id, store.ErrConflict), nil
		}
		if err != nil {
			return nil, fmt.Errorf("read version of conversation %s: %w", cw.id, err)
		}
		return nil, nil
	default:
		res, err := t.st.updateConv.ExecContext(t.ctx, cw.updatedAt, cw.state, cw.id, cw.version)
		if err != nil {
			return nil, fmt.Errorf("update conversation %s: %w", cw.id, err)
		}
		if outcome, err := refusal(res, store.ErrConflict, "conversation "+cw.id); outcome != nil || err != nil {
			return outcome, err
		}
		if _, err := t.st.moveConv.ExecContext(t.ctx, cw.agentID, cw.id, cw.agentID); err != nil {
			return nil, fmt.Errorf("move conversation %s to agent %s: %w", cw.id, cw.agentID, err)
		}
		if cw.active {
			return nil, nil
		}
		if _, err := t.st.endConv.ExecContext(t.ctx, cw.id); err != nil {
			return nil, fmt.Errorf("mark conversation %s ended: %w", cw.id, err)
		}
		return nil, nil
	}
}
