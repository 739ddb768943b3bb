package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

func testConversationRoundTrip(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	c := Sample("c1")
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

func testConversationNotFound(t *testing.T, f Factory) {
	s := f.Open(t)
	_, err := s.Conversation(context.Background(), "nope")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.SessionConversation(context.Background(), "nope")
	wantErr(t, err, store.ErrNotFound)
}

// A refused write writes nothing: no audit entry, event or session.
func testWriteConflictAndExists(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	c := Sample("c1")
	create(t, s, c)
	refused := []store.Write{
		{Conversation: c, Create: true},   // exists
		{Conversation: withVersion(c, 0)}, // stale
		{Conversation: withVersion(c, 7)}, // from the future
		{Conversation: withVersion(c, 0), Unchanged: true},
		{Conversation: Sample("missing")}, // never created
	}
	wants := []error{store.ErrExists, store.ErrConflict, store.ErrConflict, store.ErrConflict, store.ErrConflict}
	for i, w := range refused {
		w.Audit = []audit.Entry{entry(w.Conversation.ID, "x", "refused")}
		w.Events = []store.Event{event("refused", w.Conversation.ID)}
		w.Sessions = []string{"refused-session"}
		wantErr(t, s.Write(ctx, w), wants[i])
	}
	if n := auditCount(t, s); n != 0 {
		t.Fatalf("refused writes left %d audit entries", n)
	}
	if n := eventCount(t, s); n != 0 {
		t.Fatalf("refused writes left %d events", n)
	}
	_, err := s.SessionConversation(ctx, "refused-session")
	wantErr(t, err, store.ErrNotFound)
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
	if n := auditCount(t, s); n != 1 {
		t.Fatalf("%d audit entries, want 1", n)
	}
}

func testWriteRejectsBadInput(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	for _, w := range []store.Write{
		{},
		{Conversation: Sample("c"), Create: true, Unchanged: true},
		{Conversation: withVersion(Sample("c"), 3), Create: true},
	} {
		if err := s.Write(ctx, w); err == nil {
			t.Fatalf("write %+v succeeded", w)
		}
	}
}

func testSessionsAndQueries(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	a, b, c := Sample("a"), Sample("b"), Sample("c")
	b.AgentID = "agent-2"
	c.CallState = conversation.Ended
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
		// Newest first; at the same start, by id descending.
		{store.Query{}, []string{"c", "b", "a"}},
		{store.Query{ActiveOnly: true}, []string{"b", "a"}},
		{store.Query{EndedOnly: true}, []string{"c"}},
		{store.Query{AgentID: "agent-1"}, []string{"c", "a"}},
		{store.Query{AgentID: "agent-1", ActiveOnly: true}, []string{"a"}},
		{store.Query{Limit: 2}, []string{"c", "b"}},
		{store.Query{Before: &store.Position{CreatedAt: T0, ID: "c"}, Limit: 1}, []string{"b"}},
		{store.Query{Since: T0.Add(time.Millisecond)}, nil},
		{store.Query{AgentID: "nobody"}, nil},
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
	// A conversation that ends leaves the active list.
	ended := withVersion(a, 1)
	ended.CallState = conversation.Ended
	if err := s.Write(ctx, store.Write{Conversation: ended}); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.Conversations(ctx, store.Query{ActiveOnly: true}); err != nil || len(cs) != 1 || cs[0].ID != "b" {
		t.Fatalf("active after a ended: %v, %v", cs, err)
	}
}
