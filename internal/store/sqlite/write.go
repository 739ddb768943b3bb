package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
	audit       []preparedAudit
	events      []eventRow

	// stateEvent is the index of the event that holds state, -1 if the
	// row holds it (see store.Prepared.View).
	stateEvent int

	key string // convKey(id)
	// boxedID, boxedUpdatedAt and boxedState are id, updatedAt and state as
	// the update's arguments, boxed before the writer sees them.
	boxedID, boxedUpdatedAt, boxedState any
}

// eventRow is an event's columns known before the writer gives it a seq,
// boxed for the insert: type, conversation_id, at, data.
type eventRow struct {
	cols  [4]any
	state bool // data is the conversation's state
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
	if w.Unchanged {
		// The row is not written: no state to keep in the event.
		if err := p.FillView(); err != nil {
			return nil, err
		}
	}
	c := p.Conversation
	cw := &convWrite{id: c.ID, agentID: c.AgentID, active: c.Active(), version: c.Version, state: p.State,
		updatedAt: formatTime(c.UpdatedAt), createdMs: c.CreatedAt.UnixMilli(), create: w.Create, unchanged: w.Unchanged,
		sessions: w.Sessions, audit: prepareAudit(p.Audit), stateEvent: p.View, key: convKey(c.ID)}
	cw.boxedID, cw.boxedUpdatedAt, cw.boxedState = cw.id, cw.updatedAt, cw.state
	cw.events = make([]eventRow, len(p.Events))
	for i, e := range p.Events {
		data := []byte(e.Data)
		if i == cw.stateEvent {
			data = p.State
		}
		cw.events[i] = eventRow{cols: [4]any{e.Type, e.ConversationID, formatTime(e.At), data}, state: i == cw.stateEvent}
	}
	return cw, nil
}

// apply runs inside the writer's transaction. The version check comes
// first, so a refused write has written nothing.
func (cw *convWrite) apply(t *txn) (outcome, err error) {
	row, outcome, err := cw.write(t)
	if outcome != nil || err != nil {
		return outcome, err
	}
	for _, id := range cw.sessions {
		// A session stays with the conversation that first named it.
		if _, err := t.st.insertSession.ExecContext(t.ctx, id, cw.id); err != nil {
			return nil, fmt.Errorf("index secure session %s: %w", id, err)
		}
	}
	key := cw.key
	t.seedAudit(key, row.auditHead)
	if err := t.appendPrepared(cw.audit); err != nil {
		return nil, err
	}
	next := storedConv{version: row.version, agentID: row.agentID, active: row.active,
		eventHead: row.eventHead, auditHead: t.chains.audit[key]}
	if !cw.unchanged && !cw.create {
		next.version++
		next.agentID, next.active = cw.agentID, row.active && cw.active
	}
	for _, e := range cw.events {
		seq, err := t.nextEvent()
		if err != nil {
			return nil, err
		}
		t.st.events.add(seq, e.cols[0], e.cols[1], e.cols[2], e.cols[3], next.eventHead, e.state)
		next.eventHead = seq
	}
	delete(t.chains.dirty, key) // the row has it: see heads
	t.remember(cw.id, next)
	return nil, nil
}

// storedConv is what the writer knows of a stored conversation.
type storedConv struct {
	version              int64
	agentID              string
	active               bool
	eventHead, auditHead int64
}

// write inserts or updates the conversation's row, with the chains' heads
// as they will be after this write, and returns the row as it was. It
// refuses the write if the conversation exists (Create) or its version is
// not the one the caller read. A row this writer wrote last is updated
// without being read first: the update names every value it assumes.
func (cw *convWrite) write(t *txn) (row storedConv, outcome, err error) {
	if cw.create {
		state, stateSeq, err := cw.stateRow(t)
		if err != nil {
			return row, nil, err
		}
		res, err := t.st.insertConv.ExecContext(t.ctx, cw.id, cw.agentID, cw.active, cw.version+1, cw.updatedAt, cw.createdMs,
			state, stateSeq)
		if err != nil {
			return row, nil, fmt.Errorf("insert conversation %s: %w", cw.id, err)
		}
		if outcome, err := refusal(res, store.ErrExists, "conversation "+cw.id); outcome != nil || err != nil {
			return row, outcome, err
		}
		// Audit entries may name a conversation before it exists: its
		// chain starts at the newest of them, which heads then finds.
		if _, err := t.auditHead(cw.key); err != nil {
			return row, nil, err
		}
		row = storedConv{version: cw.version + 1, agentID: cw.agentID, active: cw.active}
		return row, nil, cw.writeHeads(t, row)
	}
	if known, ok := t.known(cw.id); ok && known.version == cw.version && !cw.unchanged &&
		known.agentID == cw.agentID && known.active == cw.active {
		n, err := cw.update(t, known)
		if err != nil || n == 1 {
			return known, nil, err
		}
	}
	err = t.st.readConv.QueryRowContext(t.ctx, cw.id).Scan(&row.version, &row.agentID, &row.active, &row.eventHead, &row.auditHead)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && row.version != cw.version) {
		t.forget(cw.id)
		return row, fmt.Errorf("conversation %s: %w", cw.id, store.ErrConflict), nil
	}
	if err != nil {
		return row, nil, fmt.Errorf("read conversation %s: %w", cw.id, err)
	}
	if cw.unchanged {
		return row, nil, cw.writeHeads(t, row)
	}
	if _, err := cw.update(t, row); err != nil {
		return row, nil, err
	}
	if cw.agentID != row.agentID {
		if _, err := t.st.moveConv.ExecContext(t.ctx, cw.agentID, cw.id); err != nil {
			return row, nil, fmt.Errorf("move conversation %s to agent %s: %w", cw.id, cw.agentID, err)
		}
	}
	if row.active && !cw.active {
		if _, err := t.st.endConv.ExecContext(t.ctx, cw.id); err != nil {
			return row, nil, fmt.Errorf("mark conversation %s ended: %w", cw.id, err)
		}
	}
	return row, nil, nil
}

// update writes the new state over row and returns how many rows matched.
func (cw *convWrite) update(t *txn, row storedConv) (int64, error) {
	eventHead, auditHead, err := cw.heads(t, row)
	if err != nil {
		return 0, err
	}
	state, stateSeq, err := cw.stateRow(t)
	if err != nil {
		return 0, err
	}
	res, err := t.st.updateConv.ExecContext(t.ctx, cw.boxedUpdatedAt, state, stateSeq, eventHead, auditHead,
		cw.boxedID, row.version, row.eventHead, row.auditHead, row.agentID, row.active)
	if err != nil {
		return 0, fmt.Errorf("update conversation %s: %w", cw.id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("update conversation %s: %w", cw.id, err)
	}
	return n, nil
}

// writeHeads stores the chains' heads alone, when this write moves them.
func (cw *convWrite) writeHeads(t *txn, row storedConv) error {
	eventHead, auditHead, err := cw.heads(t, row)
	if err != nil || (eventHead == row.eventHead && auditHead == row.auditHead) {
		return err
	}
	if _, err := t.st.writeHeads.ExecContext(t.ctx, eventHead, auditHead, cw.id); err != nil {
		return fmt.Errorf("update conversation %s: %w", cw.id, err)
	}
	return nil
}

// heads returns the seqs of the conversation's newest event and audit
// entry once this write's are appended (apply appends them next, in order).
func (cw *convWrite) heads(t *txn, row storedConv) (eventHead, auditHead int64, err error) {
	eventHead, auditHead = row.eventHead, row.auditHead
	if seq, ok := t.chains.audit[cw.key]; ok {
		auditHead = seq // moved earlier in this transaction
	}
	if n := len(cw.audit); n > 0 {
		auditHead = t.head.Seq + int64(n)
	}
	if n := len(cw.events); n > 0 {
		last, err := t.lastEvent()
		if err != nil {
			return 0, 0, err
		}
		eventHead = last + int64(n)
	}
	return eventHead, auditHead, nil
}

// stateRow returns the state column of the conversation's row and the seq
// of the event that holds the state instead (0 if none); apply appends the
// write's events after the newest one.
func (cw *convWrite) stateRow(t *txn) (state any, stateSeq int64, err error) {
	if cw.stateEvent < 0 {
		return cw.boxedState, 0, nil
	}
	last, err := t.lastEvent()
	if err != nil {
		return nil, 0, err
	}
	return "", last + 1 + int64(cw.stateEvent), nil
}
