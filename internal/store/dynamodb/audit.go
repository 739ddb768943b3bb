package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// settledHead returns the head after completing a claim left open, so that
// every position it counts holds its entry.
func (s *Store) settledHead(ctx context.Context) (head, error) {
	h, err := s.readHead(ctx)
	if err != nil {
		return h, err
	}
	if c := h.claim; c != nil && !c.done {
		if err := s.complete(ctx, *c); err != nil {
			return h, err
		}
		return s.readHead(ctx)
	}
	return h, nil
}

// logItems yields the items of a sequenced log (audit or events) with Seq
// in (after, last], in order, partition by partition.
func (s *Store) logItems(ctx context.Context, pkOf func(int64) string, after, last int64) iter.Seq2[item, error] {
	return func(yield func(item, error) bool) {
		for bucket := (after + 1) / bucketSize; bucket <= last/bucketSize; bucket++ {
			in := &ddb.QueryInput{
				TableName:                 &s.table,
				KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
				ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
				ExpressionAttributeValues: item{":pk": str(pkOf(bucket * bucketSize)), ":lo": str(seqKey(after + 1)), ":hi": str(seqKey(last))},
				ConsistentRead:            aws.Bool(true),
			}
			for {
				page, err := s.db.Query(ctx, in)
				if err != nil {
					yield(nil, err)
					return
				}
				for _, raw := range page.Items {
					if !yield(item(raw), nil) {
						return
					}
				}
				if len(page.LastEvaluatedKey) == 0 {
					break
				}
				in.ExclusiveStartKey = page.LastEvaluatedKey
			}
		}
	}
}

func decodeEntry(it item) (audit.Entry, error) {
	var e audit.Entry
	var err error
	if e.Seq, err = it.n("seq"); err != nil {
		return e, err
	}
	if e.At, err = parseTime(it.s("at")); err != nil {
		return e, err
	}
	e.ConversationID, e.Actor, e.Action = it.s("conv"), it.s("actor"), it.s("action")
	e.Capability, e.Reason, e.Outcome = it.s("capability"), it.s("reason"), it.s("outcome")
	e.PrevHash, e.Hash = it.s("prev"), it.s("hash")
	if d := it.b("detail"); len(d) > 0 {
		e.Detail = json.RawMessage(d)
	}
	return e, nil
}

// AuditEntries returns the entries q selects, by Seq ascending.
func (s *Store) AuditEntries(ctx context.Context, q store.AuditQuery) ([]audit.Entry, error) {
	h, err := s.settledHead(ctx)
	if err != nil {
		return nil, err
	}
	var out []audit.Entry
	for it, err := range s.logItems(ctx, auditPK, q.After, h.seq) {
		if err != nil {
			return nil, fmt.Errorf("read audit: %w", err)
		}
		e, err := decodeEntry(it)
		if err != nil {
			return nil, fmt.Errorf("read audit: %w", err)
		}
		if (q.ConversationID != "" && e.ConversationID != q.ConversationID) || (q.Actor != "" && e.Actor != q.Actor) {
			continue
		}
		if q.Newest && q.Before > 0 && e.Seq >= q.Before {
			break
		}
		out = append(out, e)
		if !q.Newest && q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	if q.Newest {
		// The log is read forward only: newest first is the tail, reversed.
		slices.Reverse(out)
		if q.Limit > 0 && len(out) > q.Limit {
			out = out[:q.Limit]
		}
	}
	return out, nil
}

// VerifyAudit walks the whole chain and checks it with audit.Verify. A
// claim left open by a crashed writer is completed first.
func (s *Store) VerifyAudit(ctx context.Context) error {
	h, err := s.settledHead(ctx)
	if err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	entries := func(yield func(audit.Entry, error) bool) {
		for it, err := range s.logItems(ctx, auditPK, 0, h.seq) {
			if err != nil {
				yield(audit.Entry{}, err)
				return
			}
			e, err := decodeEntry(it)
			if err != nil {
				yield(e, &audit.BreakError{Seq: e.Seq, Reason: "entry cannot be read: " + err.Error()})
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
	return audit.Verify(entries, audit.Head{Seq: h.seq, Hash: h.hash})
}

// EventsAfter returns up to limit events with Seq > after, oldest first,
// optionally only those of one conversation.
func (s *Store) EventsAfter(ctx context.Context, after int64, conversationID string, limit int) ([]store.Event, error) {
	h, err := s.settledHead(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Event
	for it, err := range s.logItems(ctx, eventPK, after, h.eventSeq) {
		if err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if conversationID != "" && it.s("conv") != conversationID {
			continue
		}
		ev := store.Event{Type: it.s("type"), ConversationID: it.s("conv"), Data: it.b("data")}
		if ev.Seq, err = it.n("seq"); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if ev.At, err = parseTime(it.s("at")); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		out = append(out, ev)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// LatestEventSeq returns the Seq of the newest settled event, 0 when there
// is none.
func (s *Store) LatestEventSeq(ctx context.Context) (int64, error) {
	h, err := s.settledHead(ctx)
	if err != nil {
		return 0, err
	}
	return h.eventSeq, nil
}

var _ store.Events = (*Store)(nil)
