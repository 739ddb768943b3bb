package sqlite

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/store"
)

func TestEventsAfter(t *testing.T) {
	s := open(t, dbPath(t))
	ctx := context.Background()
	if seq, err := s.LatestEventSeq(ctx); err != nil || seq != 0 {
		t.Fatalf("latest event of an empty log: %d, %v", seq, err)
	}
	a, b := sample("a"), sample("b")
	create(t, s, a)
	create(t, s, b)
	// Six events, alternating a and b, the first with no time of its own.
	for i := range 3 {
		ea, eb := event("ta", "a"), event("tb", "b")
		ea.At = t0.Add(time.Duration(i) * time.Nanosecond)
		if i == 0 {
			ea.At = time.Time{}
		}
		for _, w := range []store.Write{
			{Conversation: withVersion(a, 1), Unchanged: true, Events: []store.Event{ea}},
			{Conversation: withVersion(b, 1), Unchanged: true, Events: []store.Event{eb}},
		} {
			if err := s.Write(ctx, w); err != nil {
				t.Fatal(err)
			}
		}
	}
	all, err := s.EventsAfter(ctx, 0, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 {
		t.Fatalf("got %d events, want 6", len(all))
	}
	if seq, err := s.LatestEventSeq(ctx); err != nil || seq != all[5].Seq {
		t.Fatalf("latest event seq %d (%v), want %d", seq, err, all[5].Seq)
	}
	for i, e := range all {
		if e.Seq <= 0 || (i > 0 && e.Seq <= all[i-1].Seq) {
			t.Fatalf("events out of order: %+v", all)
		}
	}
	if all[0].At.IsZero() || all[0].At.Location() != time.UTC {
		t.Fatalf("an event without a time got %v", all[0].At)
	}
	if !all[1].At.Equal(t0) || string(all[1].Data) != `{"id":"b"}` || all[1].Type != "tb" || all[1].ConversationID != "b" {
		t.Fatalf("second event read back as %+v", all[1])
	}

	onlyA, err := s.EventsAfter(ctx, 0, "a", 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []store.Event
	for _, e := range all {
		if e.ConversationID == "a" {
			want = append(want, e)
		}
	}
	if len(want) != 3 || !reflect.DeepEqual(onlyA, want) {
		t.Fatalf("events of a: got %+v, want %+v", onlyA, want)
	}

	page, err := s.EventsAfter(ctx, all[0].Seq, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(page, all[1:3]) {
		t.Fatalf("page after %d: got %+v, want %+v", all[0].Seq, page, all[1:3])
	}
	none, err := s.EventsAfter(ctx, all[len(all)-1].Seq, "", 10)
	if err != nil || len(none) != 0 {
		t.Fatalf("after the last event: got %+v, %v", none, err)
	}
}
