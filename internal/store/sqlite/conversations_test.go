package sqlite

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

func TestConversationRoundTrip(t *testing.T) {
	s := open(t, dbPath(t))
	ctx := context.Background()
	c := sample("c1")
	create(t, s, c)
	got, err := s.Conversation(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	want := c
	want.Version = 1
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
	}

	got.CallState = conversation.Ended
	got.Recording.Reasons = nil
	if err := s.Write(ctx, store.Write{Conversation: got}); err != nil {
		t.Fatal(err)
	}
	again, err := s.Conversation(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	got.Version = 2
	if !reflect.DeepEqual(again, got) {
		t.Fatalf("after update\n%+v\nwant\n%+v", again, got)
	}
}

func TestConversationNotFound(t *testing.T) {
	s := open(t, dbPath(t))
	_, err := s.Conversation(context.Background(), "nope")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.SessionConversation(context.Background(), "nope")
	wantErr(t, err, store.ErrNotFound)
}

func TestWriteConflictAndExists(t *testing.T) {
	path := dbPath(t)
	s := open(t, path)
	ctx := context.Background()
	c := sample("c1")
	create(t, s, c)

	refused := []store.Write{
		{Conversation: c, Create: true},   // exists
		{Conversation: withVersion(c, 0)}, // stale
		{Conversation: withVersion(c, 7)}, // from the future
		{Conversation: withVersion(c, 0), Unchanged: true},
		{Conversation: sample("missing")}, // never created
	}
	wants := []error{store.ErrExists, store.ErrConflict, store.ErrConflict, store.ErrConflict, store.ErrConflict}
	for i, w := range refused {
		w.Audit = []audit.Entry{entry(w.Conversation.ID, "x", "refused")}
		w.Events = []store.Event{event("refused", w.Conversation.ID)}
		w.Sessions = []string{"refused-session"}
		wantErr(t, s.Write(ctx, w), wants[i])
	}
	db := rawDB(t, path)
	for _, table := range []string{"audit", "events", "secure_sessions"} {
		if n := count(t, db, table); n != 0 {
			t.Fatalf("a refused write left %d rows in %s", n, table)
		}
	}
	if got, _ := s.Conversation(ctx, "c1"); got.Version != 1 {
		t.Fatalf("version %d after refused writes, want 1", got.Version)
	}

	// Unchanged checks the version but keeps it.
	ok := store.Write{Conversation: withVersion(c, 1), Unchanged: true, Audit: []audit.Entry{entry("c1", "x", "note")}}
	if err := s.Write(ctx, ok); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Conversation(ctx, "c1"); got.Version != 1 {
		t.Fatalf("version %d after an unchanged write, want 1", got.Version)
	}
	if n := count(t, db, "audit"); n != 1 {
		t.Fatalf("%d audit rows, want 1", n)
	}
}

func withVersion(c conversation.Conversation, v int64) conversation.Conversation {
	c.Version = v
	return c
}

func TestWriteRejectsBadInput(t *testing.T) {
	s := open(t, dbPath(t))
	ctx := context.Background()
	for _, w := range []store.Write{
		{},
		{Conversation: sample("c"), Create: true, Unchanged: true},
		{Conversation: withVersion(sample("c"), 3), Create: true},
	} {
		if err := s.Write(ctx, w); err == nil {
			t.Fatalf("write %+v succeeded", w)
		}
	}
}

func TestSessionsAndQueries(t *testing.T) {
	s := open(t, dbPath(t))
	ctx := context.Background()
	a, b, c := sample("a"), sample("b"), sample("c")
	b.AgentID = "agent-2"
	c.CallState = conversation.Ended
	// Lists are newest first: a started last.
	a.CreatedAt, b.CreatedAt, c.CreatedAt = t0.Add(3*time.Second), t0.Add(2*time.Second), t0.Add(time.Second)
	for _, x := range []conversation.Conversation{c, b, a} {
		if err := s.Write(ctx, store.Write{Conversation: x, Create: true, Sessions: []string{"s-" + x.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	// A session stays with the conversation that named it first.
	if err := s.Write(ctx, store.Write{Conversation: withVersion(b, 1), Unchanged: true, Sessions: []string{"s-a", "s-b2"}}); err != nil {
		t.Fatal(err)
	}
	for sid, want := range map[string]string{"s-a": "a", "s-b": "b", "s-b2": "b", "s-c": "c"} {
		got, err := s.SessionConversation(ctx, sid)
		if err != nil || got != want {
			t.Fatalf("session %s: got %q, %v; want %q", sid, got, err, want)
		}
	}

	tests := []struct {
		q    store.Query
		want []string
	}{
		{store.Query{}, []string{"a", "b", "c"}},
		{store.Query{ActiveOnly: true}, []string{"a", "b"}},
		{store.Query{AgentID: "agent-1"}, []string{"a", "c"}},
		{store.Query{AgentID: "agent-1", ActiveOnly: true}, []string{"a"}},
		{store.Query{Limit: 2}, []string{"a", "b"}},
		{store.Query{AgentID: "nobody"}, nil},
		{store.Query{EndedOnly: true}, []string{"c"}},
		{store.Query{Before: &store.Position{CreatedAt: a.CreatedAt, ID: "a"}}, []string{"b", "c"}},
		{store.Query{Before: &store.Position{CreatedAt: b.CreatedAt, ID: "b"}, Limit: 1}, []string{"c"}},
		{store.Query{Since: t0.Add(2 * time.Second)}, []string{"a", "b"}},
	}
	for _, tt := range tests {
		cs, err := s.Conversations(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range cs {
			ids = append(ids, c.ID)
			if c.Version != 1 {
				t.Fatalf("%s has version %d, want 1", c.ID, c.Version)
			}
		}
		if !reflect.DeepEqual(ids, tt.want) {
			t.Fatalf("%+v: got %v, want %v", tt.q, ids, tt.want)
		}
	}
}
