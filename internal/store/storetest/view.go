package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// testViewEvent: an event that shows the conversation as written, given
// without data, reads back as the conversation's view at its new version,
// and the conversation as written; an unchanged write shows the stored
// version.
func testViewEvent(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	c := Sample("v")
	if err := s.Write(ctx, store.Write{Conversation: c, Create: true,
		Events: []store.Event{{Type: conversation.EventCreated, ConversationID: "v", At: T0}}}); err != nil {
		t.Fatal(err)
	}
	c.Version = 1
	c.CallState = conversation.Connected
	if err := s.Write(ctx, store.Write{Conversation: c,
		Events: []store.Event{event("recording.operation.completed", "v"), {Type: conversation.EventUpdated, ConversationID: "v", At: T0}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, store.Write{Conversation: withVersion(c, 2), Unchanged: true,
		Events: []store.Event{{Type: conversation.EventUpdated, ConversationID: "v", At: T0}}}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.EventsAfter(ctx, 0, "v", 0)
	if err != nil || len(evs) != 4 {
		t.Fatalf("events: %+v, %v", evs, err)
	}
	for i, want := range []conversation.Conversation{withVersion(Sample("v"), 1), {}, withVersion(c, 2), withVersion(c, 2)} {
		if i == 1 {
			if string(evs[i].Data) != `{"id":"v"}` {
				t.Fatalf("event %d reads back as %s", i, evs[i].Data)
			}
			continue
		}
		data, err := store.EncodeView(want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(evs[i].Data, data) {
			t.Fatalf("event %d (%s) reads back as\n%s\nwant\n%s", i, evs[i].Type, evs[i].Data, data)
		}
	}
	got, err := s.Conversation(ctx, "v")
	if err != nil || got.Version != 2 || got.CallState != conversation.Connected || got.Recording.Driving == nil {
		t.Fatalf("conversation reads back as %+v, %v", got, err)
	}
}
