package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 4, 15, 0, 0, 123_000_000, time.UTC)

// dynaliteClient starts dynalite and returns a real SDK client pointed at it
// through AWS_ENDPOINT_URL_DYNAMODB.
func dynaliteClient(t *testing.T) *ddb.Client {
	t.Helper()
	url := peertest.Dynalite(t)
	peertest.IsolateAWS(t, "AWS_ENDPOINT_URL_DYNAMODB", url)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ddb.NewFromConfig(cfg)
}

var tableSeq struct {
	sync.Mutex
	n int
}

// newTestStore creates a fresh table on the shared dynalite.
func newTestStore(t *testing.T, client *ddb.Client) *Store {
	t.Helper()
	tableSeq.Lock()
	tableSeq.n++
	name := fmt.Sprintf("hush-%d", tableSeq.n)
	tableSeq.Unlock()
	if err := CreateTable(context.Background(), client, name); err != nil {
		t.Fatal(err)
	}
	s, err := New(client, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func conv(id string) conversation.Conversation {
	return conversation.Conversation{ID: id, AgentID: "agent-ñ", Platform: "amazon-connect", CallState: conversation.Connected,
		Attributes: map[string]string{"initialContactId": id}, Recording: conversation.Cap{State: conversation.InProgress, Started: true},
		CreatedAt: t0, UpdatedAt: t0}
}

func entry(c, action string) audit.Entry {
	return audit.Entry{At: t0, ConversationID: c, Actor: "amazon-connect:ana", Action: action, Outcome: "applied",
		Detail: []byte(`{"eventId":"e<1>","note":"caf\u00e9 <b>"}`)}
}

func event(c, typ string) store.Event {
	return store.Event{Type: typ, ConversationID: c, At: t0, Data: []byte(`{"id":"` + c + `"}`)}
}

// create writes a new conversation with one entry and one event.
func create(t *testing.T, s *Store, id string) conversation.Conversation {
	t.Helper()
	c := conv(id)
	if err := s.Write(context.Background(), store.Write{Conversation: c, Create: true,
		Audit: []audit.Entry{entry(id, "create")}, Events: []store.Event{event(id, "conversation.created")}}); err != nil {
		t.Fatal(err)
	}
	c.Version = 1
	return c
}

// hold writes the next version of c: on hold, two entries, one event.
func hold(s *Store, c conversation.Conversation) (conversation.Conversation, error) {
	c.CallState = conversation.OnHold
	c.Recording.Reasons = []conversation.Reason{{Kind: conversation.Hold, Since: t0}}
	err := s.Write(context.Background(), store.Write{Conversation: c,
		Audit:  []audit.Entry{entry(c.ID, "event.hold"), entry(c.ID, "backend.result")},
		Events: []store.Event{event(c.ID, "conversation.updated")}})
	c.Version++
	return c, err
}

func verify(t *testing.T, s *Store, entries int) {
	t.Helper()
	ctx := context.Background()
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := s.AuditEntries(ctx, store.AuditQuery{})
	if err != nil || len(all) != entries {
		t.Fatalf("%d audit entries (%v), want %d", len(all), err, entries)
	}
	for i, e := range all {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
	}
}

// pendingOf reads a conversation's pending write ids.
func pendingOf(t *testing.T, s *Store, id string) []string {
	t.Helper()
	it, err := s.get(context.Background(), convPK(id), convSK)
	if err != nil {
		t.Fatal(err)
	}
	return it.ss("pending")
}

func TestStore(t *testing.T) {
	client := dynaliteClient(t)
	ctx := context.Background()

	t.Run("write read and conflict", func(t *testing.T) {
		s := newTestStore(t, client)
		c := create(t, s, "c1")
		if err := s.Write(ctx, store.Write{Conversation: conv("c1"), Create: true, Audit: []audit.Entry{entry("c1", "create")}}); !errors.Is(err, store.ErrExists) {
			t.Fatalf("second create: %v", err)
		}
		got, err := s.Conversation(ctx, "c1")
		if err != nil || got.Version != 1 || got.AgentID != "agent-ñ" || got.Attributes["initialContactId"] != "c1" || !got.CreatedAt.Equal(t0) {
			t.Fatalf("read %+v, %v", got, err)
		}
		next, err := hold(s, c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hold(s, c); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale write: %v", err)
		}
		if _, err := hold(s, conv("nobody")); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("write to a missing conversation: %v", err)
		}
		// Audit and events only: the version is checked, not moved.
		if err := s.Write(ctx, store.Write{Conversation: next, Unchanged: true, Audit: []audit.Entry{entry("c1", "event.hold")}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Write(ctx, store.Write{Conversation: c, Unchanged: true, Audit: []audit.Entry{entry("c1", "event.hold")}}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale unchanged write: %v", err)
		}
		got, _ = s.Conversation(ctx, "c1")
		if got.Version != 2 || got.CallState != conversation.OnHold || len(pendingOf(t, s, "c1")) != 0 {
			t.Fatalf("after hold %+v, pending %v", got, pendingOf(t, s, "c1"))
		}
		if _, err := s.Conversation(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing: %v", err)
		}
		verify(t, s, 4)
		evs, err := s.EventsAfter(ctx, 0, "c1", 0)
		if err != nil || len(evs) != 2 || evs[0].Seq != 1 || evs[1].Type != "conversation.updated" || string(evs[1].Data) != `{"id":"c1"}` {
			t.Fatalf("events %+v, %v", evs, err)
		}
		es, _ := s.AuditEntries(ctx, store.AuditQuery{ConversationID: "c1", After: 1, Limit: 2})
		if len(es) != 2 || es[0].Seq != 2 || string(es[0].Detail) != string(entry("", "").Detail) {
			t.Fatalf("entries %+v", es)
		}
		list, err := s.Conversations(ctx, store.Query{ActiveOnly: true})
		if err != nil || len(list) != 1 || list[0].ID != "c1" {
			t.Fatalf("list %+v, %v", list, err)
		}
	})

	t.Run("tampering is caught", func(t *testing.T) {
		s := newTestStore(t, client)
		create(t, s, "c1")
		create(t, s, "c2")
		it := entryItem(audit.Entry{Seq: 1})
		if _, err := client.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: &s.table, Key: key(it.s(attrPK), it.s(attrSK)),
			UpdateExpression: strPtr("SET outcome = :o"), ExpressionAttributeValues: item{":o": str("denied")}}); err != nil {
			t.Fatal(err)
		}
		var b *audit.BreakError
		if err := s.VerifyAudit(ctx); !errors.As(err, &b) || b.Seq != 1 {
			t.Fatalf("verify after tampering: %v", err)
		}
	})

	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("concurrent writers chain in one order (one store: %v)", shared), func(t *testing.T) {
			concurrentWriters(t, client, shared)
		})
	}

	// A crash at each step of a write leaves the store consistent: either
	// the write did not happen, or its audit is chained by whoever comes next.
	for _, step := range []string{"outbox", "commit", "claim", "entries", "cleaned"} {
		t.Run("crash after "+step, func(t *testing.T) {
			s := newTestStore(t, client)
			c := create(t, s, "c1")
			other := create(t, s, "c2")
			crashed, _ := New(client, s.table)
			crashed.crash = func(at string) error {
				if at == step {
					return errors.New("crash at " + at)
				}
				return nil
			}
			_, err := hold(crashed, c)
			if err == nil || !strings.Contains(err.Error(), "crash at "+step) {
				t.Fatalf("write: %v", err)
			}
			committed := step != "outbox"
			if committed {
				c.Version++
			}
			// Another conversation's write finishes an open claim.
			if _, err := hold(s, other); err != nil {
				t.Fatal(err)
			}
			// The next write of the same conversation chains what it left.
			if _, err := hold(s, c); err != nil {
				t.Fatal(err)
			}
			// Two creates, two holds, and the crashed hold if it committed.
			want := 1 + 1 + 2 + 2
			if committed {
				want += 2
			}
			verify(t, s, want)
			if p := pendingOf(t, s, "c1"); len(p) != 0 {
				t.Fatalf("still pending: %v", p)
			}
			es, _ := s.AuditEntries(ctx, store.AuditQuery{ConversationID: "c1"})
			if len(es) != want-3 {
				t.Fatalf("%d entries of c1, want %d", len(es), want-3)
			}
		})
	}

	t.Run("an open claim is completed by verify", func(t *testing.T) {
		s := newTestStore(t, client)
		c := create(t, s, "c1")
		s.crash = func(at string) error {
			if at == "claim" {
				return errors.New("crash")
			}
			return nil
		}
		if _, err := hold(s, c); err == nil {
			t.Fatal("no crash")
		}
		s.crash = nil
		verify(t, s, 3)
	})

	t.Run("adapters", func(t *testing.T) {
		storetest.Adapters(t, newTestStore(t, client))
	})

	t.Run("a dead letter cut short by a crash is completed when offered again", func(t *testing.T) {
		s := newTestStore(t, client)
		d := store.DeadLetter{Namespace: "adapter", Key: "events/shardId-0/42", Reason: "invalid-utf8", Data: []byte{0xff}}
		s.crash = func(step string) error {
			if step == "dead letter marker" {
				return errors.New("crash")
			}
			return nil
		}
		if err := s.PutDeadLetter(ctx, d); err == nil {
			t.Fatal("no crash")
		}
		if dls, err := s.DeadLetters(ctx, "adapter", 0); err != nil || len(dls) != 0 {
			t.Fatalf("after the crash: %+v, %v", dls, err)
		}
		s.crash = nil
		for range 2 {
			if err := s.PutDeadLetter(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		if dls, err := s.DeadLetters(ctx, "adapter", 0); err != nil || len(dls) != 1 || dls[0].Key != d.Key || dls[0].StoredAt.IsZero() {
			t.Fatalf("offered again: %+v, %v", dls, err)
		}
	})

	t.Run("a namespace with # is refused", func(t *testing.T) {
		s := newTestStore(t, client)
		if err := s.PutAdapterState(ctx, "a#b", "k", []byte("v"), 0); err == nil {
			t.Fatal("accepted")
		}
	})
}

func strPtr(s string) *string { return &s }

// concurrentWriters writes from several goroutines: with a store each, as
// separate Lambda instances have, or sharing one, whose writes are then
// chained in groups.
func concurrentWriters(t *testing.T, client *ddb.Client, shared bool) {
	s := newTestStore(t, client)
	const writers, holds = 6, 4
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			own := s
			if !shared {
				own, _ = New(client, s.table)
			}
			c := create(t, own, fmt.Sprint("w", w))
			for range holds {
				var err error
				if c, err = hold(own, c); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	verify(t, s, writers*(1+2*holds))
	evs, _ := s.EventsAfter(context.Background(), 0, "", 0)
	if len(evs) != writers*(1+holds) || evs[len(evs)-1].Seq != int64(len(evs)) {
		t.Fatalf("%d events", len(evs))
	}
}
