package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// outbox is one write's audit entries, events and sessions, kept in the
// conversation's partition until they are chained. Entries are sealed only
// when chained, from these exact bytes, so whoever chains them (the writer
// or a later one finishing its work) computes the same hashes.
type outbox struct {
	write   string
	conv    string
	version int64 // the conversation version the write produced
	created time.Time
	payload outboxPayload
}

type outboxPayload struct {
	Entries  []outEntry `json:"entries"`
	Events   []outEvent `json:"events,omitempty"`
	Sessions []string   `json:"sessions,omitempty"`
}

// outEntry is an audit entry before sealing. Detail is []byte so that its
// exact bytes survive the JSON round trip.
type outEntry struct {
	At         string `json:"at"`
	Conv       string `json:"conv,omitempty"`
	Actor      string `json:"actor,omitempty"`
	Action     string `json:"action,omitempty"`
	Capability string `json:"capability,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Outcome    string `json:"outcome,omitempty"`
	Detail     []byte `json:"detail,omitempty"`
}

type outEvent struct {
	Type string `json:"type"`
	Conv string `json:"conv,omitempty"`
	At   string `json:"at"`
	Data []byte `json:"data,omitempty"`
}

func newOutbox(writeID string, w store.Write, now time.Time) (*outbox, error) {
	ob := &outbox{write: writeID, conv: w.Conversation.ID, version: w.Conversation.Version, created: now}
	if !w.Unchanged {
		ob.version++
	}
	for _, e := range w.Audit {
		at := e.At
		if at.IsZero() {
			at = now
		}
		ob.payload.Entries = append(ob.payload.Entries, outEntry{At: formatTime(at), Conv: e.ConversationID, Actor: e.Actor,
			Action: e.Action, Capability: e.Capability, Reason: e.Reason, Outcome: e.Outcome, Detail: e.Detail})
	}
	for _, e := range w.Events {
		at := e.At
		if at.IsZero() {
			at = now
		}
		ob.payload.Events = append(ob.payload.Events, outEvent{Type: e.Type, Conv: e.ConversationID, At: formatTime(at), Data: e.Data})
	}
	ob.payload.Sessions = w.Sessions
	return ob, nil
}

// sealed returns the entries chained after prevHash from position first.
func (ob *outbox) sealed(first int64, prevHash string) ([]audit.Entry, error) {
	out := make([]audit.Entry, 0, len(ob.payload.Entries))
	prev := prevHash
	for i, oe := range ob.payload.Entries {
		at, err := parseTime(oe.At)
		if err != nil {
			return nil, fmt.Errorf("outbox %s: %w", ob.write, err)
		}
		e := audit.Entry{Seq: first + int64(i), At: at, ConversationID: oe.Conv, Actor: oe.Actor, Action: oe.Action,
			Capability: oe.Capability, Reason: oe.Reason, Outcome: oe.Outcome}
		if len(oe.Detail) > 0 {
			e.Detail = json.RawMessage(oe.Detail)
		}
		e = audit.Seal(prev, e)
		prev = e.Hash
		out = append(out, e)
	}
	return out, nil
}

func (s *Store) putOutbox(ctx context.Context, ob *outbox) error {
	payload, err := json.Marshal(ob.payload)
	if err != nil {
		return fmt.Errorf("write %s: encode outbox: %w", ob.conv, err)
	}
	it := key(convPK(ob.conv), outboxSK+ob.write)
	it["write"] = str(ob.write)
	it["conv"] = str(ob.conv)
	it["version"] = num(ob.version)
	it["created"] = str(formatTime(ob.created))
	it["payload"] = bin(payload)
	if _, err := s.db.PutItem(ctx, &ddb.PutItemInput{TableName: &s.table, Item: it}); err != nil {
		return fmt.Errorf("write %s: put outbox: %w", ob.conv, err)
	}
	return nil
}

// readOutbox returns a write's outbox item, or nil once it is chained.
func (s *Store) readOutbox(ctx context.Context, convID, writeID string) (*outbox, error) {
	it, err := s.get(ctx, convPK(convID), outboxSK+writeID)
	if err != nil {
		return nil, fmt.Errorf("read outbox %s of %s: %w", writeID, convID, err)
	}
	if it == nil {
		return nil, nil
	}
	ob := &outbox{write: writeID, conv: convID}
	if ob.version, err = it.n("version"); err != nil {
		return nil, fmt.Errorf("outbox %s of %s: %w", writeID, convID, err)
	}
	if ob.created, err = parseTime(it.s("created")); err != nil {
		return nil, fmt.Errorf("outbox %s of %s: %w", writeID, convID, err)
	}
	if err := json.Unmarshal(it.b("payload"), &ob.payload); err != nil {
		return nil, fmt.Errorf("outbox %s of %s: %w", writeID, convID, err)
	}
	return ob, nil
}

// dropOutbox deletes the outbox item of a write that did not commit. A
// failure leaves an item no conversation names, which nothing reads.
func (s *Store) dropOutbox(ctx context.Context, convID, writeID string) {
	if _, err := s.db.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: &s.table, Key: key(convPK(convID), outboxSK+writeID)}); err != nil {
		s.log.Warn("dynamodb: delete the outbox of a refused write", "conversation", convID, "write", writeID, "err", err)
	}
}
