package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/hush-cc/hush/internal/audit"
)

// chains links what a transaction appends to the log tables (migration
// 0102): each event to the previous event of its conversation, each audit
// entry to the previous entry of its conversation and of its actor. Rows
// are then only ever appended, and a conversation's or an actor's entries
// are read by walking back from the newest.
type chains struct {
	events     int64 // seq of the newest event
	eventsRead bool
	// audit holds the newest audit entry of each conversation ("c:" and its
	// id) and actor ("a:" and the actor) this transaction has read or
	// appended; dirty, those its end must store.
	audit map[string]int64
	dirty map[string]bool
}

func convKey(id string) string     { return "c:" + id }
func actorKey(actor string) string { return "a:" + actor }

// lastEvent returns the seq of the newest event.
func (t *txn) lastEvent() (int64, error) {
	c := &t.chains
	if !c.eventsRead {
		if err := t.st.eventSeq.QueryRowContext(t.ctx).Scan(&c.events); err != nil {
			return 0, fmt.Errorf("read the newest event: %w", err)
		}
		c.eventsRead = true
	}
	return c.events, nil
}

// nextEvent returns the seq of the next event.
func (t *txn) nextEvent() (int64, error) {
	last, err := t.lastEvent()
	if err != nil {
		return 0, err
	}
	t.chains.events = last + 1
	return last + 1, nil
}

// auditHead returns the newest audit entry under key, 0 if there is none.
func (t *txn) auditHead(key string) (int64, error) {
	c := &t.chains
	if seq, ok := c.audit[key]; ok {
		return seq, nil
	}
	var seq int64
	var err error
	if id, ok := strings.CutPrefix(key, "c:"); ok {
		err = t.st.convAuditHead.QueryRowContext(t.ctx, id).Scan(&seq)
	} else {
		err = t.st.auditHead.QueryRowContext(t.ctx, key).Scan(&seq)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read the newest audit entry of %s: %w", key, err)
	}
	t.seedAudit(key, seq)
	return seq, nil
}

// seedAudit notes the stored head of key unless the transaction already
// moved it.
func (t *txn) seedAudit(key string, seq int64) {
	c := &t.chains
	if c.audit == nil {
		c.audit, c.dirty = make(map[string]int64), make(map[string]bool)
	}
	if _, ok := c.audit[key]; !ok {
		c.audit[key] = seq
	}
}

// appendAudit seals entries onto the chain after the current head and links
// each to its conversation's and actor's previous entry; they are written
// when the transaction ends.
func (t *txn) appendAudit(entries []audit.Entry) error {
	return t.appendPrepared(prepareAudit(entries))
}

// preparedAudit is an audit entry with all the work that needs no lock
// done (see audit.Prepared): its chain keys, and the columns that do not
// depend on its place in the chain, boxed for the insert.
type preparedAudit struct {
	audit.Prepared
	convKey, actorKey string // "" convKey: the entry names no conversation
	cols              [auditCols]any
}

// auditCols are the columns of an audit row known before it is sealed.
const auditCols = 9

func prepareAudit(entries []audit.Entry) []preparedAudit {
	out := make([]preparedAudit, len(entries))
	for i, e := range entries {
		p := audit.Prepare(e)
		e = p.Entry()
		out[i] = preparedAudit{Prepared: p, actorKey: actorKey(e.Actor), cols: [auditCols]any{
			formatTime(e.At), e.ConversationID, e.Actor, e.Action, e.Capability, e.Reason, e.Outcome, []byte(e.Detail), e.ActorName,
		}}
		if e.ConversationID != "" {
			out[i].convKey = convKey(e.ConversationID)
		}
	}
	return out
}

// appendPrepared is appendAudit for entries prepared outside the writer.
func (t *txn) appendPrepared(entries []preparedAudit) error {
	for i := range entries {
		p := &entries[i]
		e := p.Seal(t.head.Seq+1, t.head.Hash)
		var convPrev int64
		if k := p.convKey; k != "" {
			var err error
			if convPrev, err = t.auditHead(k); err != nil {
				return err
			}
			t.chains.audit[k], t.chains.dirty[k] = e.Seq, true
		}
		k := p.actorKey
		actorPrev, err := t.auditHead(k)
		if err != nil {
			return err
		}
		t.chains.audit[k], t.chains.dirty[k] = e.Seq, true
		// prev_hash stays empty: it is the hash of the entry before (see
		// auditColumns).
		c := &p.cols
		t.st.audit.add(e.Seq, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], "", e.Hash, c[8], convPrev, actorPrev)
		t.head = audit.Head{Seq: e.Seq, Hash: e.Hash}
	}
	return nil
}

// storeHeads queues the audit heads the transaction moved and has not
// stored yet: a conversation's in its row (in audit_heads if it has none),
// an actor's in audit_heads.
func (t *txn) storeHeads() error {
	for key := range t.chains.dirty {
		seq := t.chains.audit[key]
		if id, ok := strings.CutPrefix(key, "c:"); ok {
			stored, err := t.setConvAuditHead(id, seq)
			if err != nil {
				return fmt.Errorf("store the newest audit entry of conversation %s: %w", id, err)
			}
			if stored {
				continue
			}
		}
		t.st.heads.add(key, seq)
	}
	return nil
}

// setConvAuditHead stores a conversation's newest audit entry in its row and
// reports whether it has one.
func (t *txn) setConvAuditHead(id string, seq int64) (bool, error) {
	res, err := t.st.setAuditHead.ExecContext(t.ctx, seq, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
