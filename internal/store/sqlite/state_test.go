package sqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// viewEvent is the event a write publishes to show c as written, with the
// data it must read back with.
func viewEvent(t *testing.T, typ string, c conversation.Conversation) (store.Event, []byte) {
	t.Helper()
	c.Version++
	data, err := json.Marshal(c.View())
	if err != nil {
		t.Fatal(err)
	}
	return store.Event{Type: typ, ConversationID: c.ID, At: t0}, data
}

// stateRow reads where conversation id's state is kept.
func stateRow(t *testing.T, path, id string) (rowState string, stateSeq int64) {
	t.Helper()
	if err := rawDB(t, path).QueryRow("SELECT state, state_seq FROM conversations WHERE id = ?", id).Scan(&rowState, &stateSeq); err != nil {
		t.Fatal(err)
	}
	return rowState, stateSeq
}

func wantConversation(t *testing.T, s *Store, want conversation.Conversation) {
	t.Helper()
	got, err := s.Conversation(context.Background(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Fatalf("conversation %s reads back as\n%s\nwant\n%s", want.ID, g, w)
	}
	list, err := s.Conversations(context.Background(), store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.ID == want.ID {
			if g, _ := json.Marshal(c); !bytes.Equal(g, w) {
				t.Fatalf("conversation %s lists as\n%s\nwant\n%s", want.ID, g, w)
			}
			return
		}
	}
	t.Fatalf("conversation %s not listed", want.ID)
}

// A write that publishes the conversation's new view keeps the state once,
// in that event's row; the event still reads back as the view written, the
// conversation as its state, and the retention sweep moves the state back
// into the row before deleting the event.
func TestStateStoredOnce(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s := open(t, path)
	c := sample("a")
	c.Sessions[0].TokenHash = "secret-hash"
	create(t, s, c)
	c.Version = 1

	c.CallState = conversation.Connected
	view, viewData := viewEvent(t, conversation.EventUpdated, c)
	other := event("recording.operation.completed", "a")
	if err := s.Write(ctx, store.Write{Conversation: c, Events: []store.Event{other, view},
		Audit: []audit.Entry{entry("a", "agent-1", "unhold")}}); err != nil {
		t.Fatal(err)
	}
	c.Version = 2
	rowState, stateSeq := stateRow(t, path, "a")
	if rowState != "" || stateSeq == 0 {
		t.Fatalf("row holds state %q, state_seq %d: want the state in an event", rowState, stateSeq)
	}
	wantConversation(t, s, c)
	created := sample("c")
	createdView, createdData := viewEvent(t, conversation.EventCreated, created)
	if err := s.Write(ctx, store.Write{Conversation: created, Create: true, Events: []store.Event{createdView}}); err != nil {
		t.Fatal(err)
	}
	if rowState, seq := stateRow(t, path, "c"); rowState != "" || seq == 0 {
		t.Fatalf("a created row holds state %q, state_seq %d: want the state in its event", rowState, seq)
	}
	wantConversation(t, s, withVersion(created, 1))
	if evs, err := s.EventsAfter(ctx, 0, "c", 0); err != nil || len(evs) != 1 || !bytes.Equal(evs[0].Data, createdData) {
		t.Fatalf("the created event reads back as %+v, %v; want %s", evs, err, createdData)
	}
	evs, err := s.EventsAfter(ctx, 0, "a", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[1].Seq != stateSeq || !bytes.Equal(evs[1].Data, viewData) || !bytes.Equal(evs[0].Data, other.Data) {
		t.Fatalf("events read back: %+v, want %s then %s", evs, other.Data, viewData)
	}
	if bytes.Contains(evs[1].Data, []byte("secret-hash")) {
		t.Fatal("the view derived from the state shows the token hash")
	}

	// Unchanged keeps the state where it is.
	if err := s.Write(ctx, store.Write{Conversation: c, Unchanged: true, Events: []store.Event{event("note", "a")}}); err != nil {
		t.Fatal(err)
	}
	if _, seq := stateRow(t, path, "a"); seq != stateSeq {
		t.Fatalf("an unchanged write moved state_seq %d to %d", stateSeq, seq)
	}
	wantConversation(t, s, c)

	// A view given with its data (an earlier step's) is stored as written.
	stale, staleData := viewEvent(t, conversation.EventUpdated, c)
	stale.Data = staleData
	c.CallState = conversation.OnHold
	if err := s.Write(ctx, store.Write{Conversation: c, Events: []store.Event{stale}}); err != nil {
		t.Fatal(err)
	}
	c.Version = 3
	if rowState, seq := stateRow(t, path, "a"); rowState == "" || seq != 0 {
		t.Fatalf("row holds state %q, state_seq %d: want the state in the row", rowState, seq)
	}
	wantConversation(t, s, c)
	if evs, err := s.EventsAfter(ctx, stateSeq, "a", 0); err != nil || len(evs) != 2 || !bytes.Equal(evs[1].Data, stale.Data) {
		t.Fatalf("events after %d: %+v, %v", stateSeq, evs, err)
	}

	// Back in an event, then swept.
	c.CallState = conversation.Connected
	ended, _ := viewEvent(t, conversation.EventUpdated, c)
	if err := s.Write(ctx, store.Write{Conversation: c, Events: []store.Event{ended}}); err != nil {
		t.Fatal(err)
	}
	c.Version = 4
	if _, seq := stateRow(t, path, "a"); seq == 0 {
		t.Fatal("the state stayed in the row")
	}
	create(t, s, sample("b")) // its event is the newest, which the sweep keeps
	if err := s.Write(ctx, store.Write{Conversation: withVersion(sample("b"), 1), Unchanged: true,
		Events: []store.Event{event("note", "b")}}); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteEventsBefore(ctx, t0.Add(time.Hour), entry("", "system", "retention"))
	if err != nil || n != 6 {
		t.Fatalf("deleted %d events, %v; want 6", n, err)
	}
	if rowState, seq := stateRow(t, path, "a"); rowState == "" || seq != 0 {
		t.Fatalf("after the sweep the row holds state %q, state_seq %d", rowState, seq)
	}
	wantConversation(t, s, c)
	wantConversation(t, s, withVersion(created, 1))
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}
