package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

func testEventsAfter(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	if seq, err := s.LatestEventSeq(ctx); err != nil || seq != 0 {
		t.Fatalf("latest event of an empty log: %d, %v", seq, err)
	}
	a, b := Sample("a"), Sample("b")
	create(t, s, a)
	create(t, s, b)
	// Six events, alternating a and b, the first with no time of its own.
	for i := range 3 {
		ea, eb := event("ta", "a"), event("tb", "b")
		ea.At = T0.Add(time.Duration(i) * time.Nanosecond)
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
	if !all[1].At.Equal(T0) || string(all[1].Data) != `{"id":"b"}` || all[1].Type != "tb" || all[1].ConversationID != "b" {
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

// Entries are sealed in order onto one chain, filtered by conversation and
// actor, and verify; their detail reads back byte for byte.
func testAuditChain(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatalf("empty chain: %v", err)
	}
	create(t, s, Sample("c1"))
	if err := s.Write(ctx, store.Write{Conversation: withVersion(Sample("c1"), 1), Unchanged: true,
		Audit: []audit.Entry{entry("c1", "alice", "pause"), entry("c1", "bob", "resume")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, entry("", "alice", "denied"), audit.Entry{Actor: "carol", Action: "key.create", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	all, err := s.AuditEntries(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("%d entries, want 4", len(all))
	}
	prev := ""
	for i, e := range all {
		if e.Seq != int64(i+1) || e.PrevHash != prev || e.Hash == "" {
			t.Fatalf("entry %d: seq %d prev %q hash %q", i, e.Seq, e.PrevHash, e.Hash)
		}
		prev = e.Hash
	}
	if string(all[0].Detail) != `{"k": "v", "html": "<b>"}` || !all[0].At.Equal(T0) {
		t.Fatalf("entry read back as %+v (detail %s)", all[0], all[0].Detail)
	}
	if all[3].At.IsZero() {
		t.Fatal("an entry without a time got none")
	}
	for _, c := range []struct {
		q    store.AuditQuery
		want []int64
	}{
		{store.AuditQuery{ConversationID: "c1"}, []int64{1, 2}},
		{store.AuditQuery{Actor: "alice"}, []int64{1, 3}},
		{store.AuditQuery{After: 2}, []int64{3, 4}},
		{store.AuditQuery{Limit: 1}, []int64{1}},
	} {
		es, err := s.AuditEntries(ctx, c.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, e := range es {
			got = append(got, e.Seq)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Fatalf("%+v: got %v, want %v", c.q, got, c.want)
		}
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatalf("verify: %v", err)
	}
}
