package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

func testKeys(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	if n, err := s.CountKeys(ctx); err != nil || n != 0 {
		t.Fatalf("count on a new store: %d, %v", n, err)
	}
	k := store.Key{ID: "k1", Hash: []byte{0, 1, 2, 0xff}, Role: "agent", AgentID: "agent-1", CreatedAt: T0}
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(ctx, store.Key{ID: "k2", Hash: []byte{9}, Role: "admin", CreatedAt: T0}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.CreateKey(ctx, store.Key{ID: "k1", Hash: []byte{7}, Role: "admin"}), store.ErrExists)
	got, err := s.Key(ctx, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, k) {
		t.Fatalf("got %+v, want %+v", got, k)
	}
	_, err = s.Key(ctx, "k3")
	wantErr(t, err, store.ErrNotFound)
	if n, err := s.CountKeys(ctx); err != nil || n != 2 {
		t.Fatalf("count: %d, %v; want 2", n, err)
	}
}

func testWebhooks(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	w1 := store.Webhook{ID: "w1", URL: "http://127.0.0.1:9/a", Secret: "s1", Types: []string{"conversation.paused"}, CreatedAt: T0}
	w2 := store.Webhook{ID: "w2", URL: "http://127.0.0.1:9/b", Secret: "s2", Cursor: 5, CreatedAt: T0.Add(time.Second)}
	for _, w := range []store.Webhook{w2, w1} {
		if err := s.CreateWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, s.CreateWebhook(ctx, w1), store.ErrExists)
	list, err := s.Webhooks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(list, []store.Webhook{w1, w2}) {
		t.Fatalf("got %+v", list)
	}
	cursor := func(id string) int64 {
		list, err := s.Webhooks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range list {
			if w.ID == id {
				return w.Cursor
			}
		}
		t.Fatalf("no webhook %s", id)
		return 0
	}
	for _, step := range []struct{ to, want int64 }{{10, 10}, {4, 10}, {10, 10}, {11, 11}} {
		if err := s.AdvanceWebhook(ctx, "w1", step.to); err != nil {
			t.Fatal(err)
		}
		if got := cursor("w1"); got != step.want {
			t.Fatalf("after advancing to %d the cursor is %d, want %d", step.to, got, step.want)
		}
	}
	wantErr(t, s.AdvanceWebhook(ctx, "nope", 3), store.ErrNotFound)
	for i := range 3 {
		d := store.Delivery{WebhookID: "w1", EventSeq: int64(10 + i), Attempt: i + 1, StatusCode: 500, Error: "down", At: T0.Add(time.Duration(i) * time.Second)}
		if err := s.RecordDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, s.RecordDelivery(ctx, store.Delivery{WebhookID: "nope", EventSeq: 1}), store.ErrNotFound)
	ds, err := s.Deliveries(ctx, "w1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].EventSeq != 12 || ds[1].EventSeq != 11 || ds[0].ID <= ds[1].ID ||
		ds[0].Attempt != 3 || ds[0].StatusCode != 500 || ds[0].Error != "down" || !ds[0].At.Equal(T0.Add(2*time.Second)) {
		t.Fatalf("deliveries: %+v", ds)
	}
	if ds, err := s.Deliveries(ctx, "w1", 0); err != nil || len(ds) != 3 {
		t.Fatalf("all deliveries: %d, %v", len(ds), err)
	}
	if err := s.DeleteWebhook(ctx, "w1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.DeleteWebhook(ctx, "w1"), store.ErrNotFound)
	if list, _ := s.Webhooks(ctx); len(list) != 1 || list[0].ID != "w2" {
		t.Fatalf("after delete: %+v", list)
	}
	if ds, err := s.Deliveries(ctx, "w1", 0); err != nil || len(ds) != 0 {
		t.Fatalf("%d deliveries of a deleted webhook remain (%v)", len(ds), err)
	}
}

// Names and expiry read back as stored; revoking keeps the first time;
// keys list newest first.
func testKeyLifecycle(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	k := store.Key{ID: "k1", Hash: []byte{1}, Role: "agent", AgentID: "a", CreatedAt: T0, Name: "Ann Lee", ExpiresAt: T0.Add(time.Hour), NoPause: true}
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(ctx, store.Key{ID: "k2", Hash: []byte{2}, Role: "admin", CreatedAt: T0.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Key(ctx, "k1")
	if err != nil || !reflect.DeepEqual(got, k) {
		t.Fatalf("got %+v (%v), want %+v", got, err, k)
	}
	r1, err := s.RevokeKey(ctx, "k1", T0.Add(time.Minute))
	if err != nil || !r1.RevokedAt.Equal(T0.Add(time.Minute)) {
		t.Fatalf("revoke: %+v, %v", r1, err)
	}
	if r2, err := s.RevokeKey(ctx, "k1", T0.Add(time.Hour)); err != nil || !r2.RevokedAt.Equal(r1.RevokedAt) {
		t.Fatalf("second revoke moved the time: %+v, %v", r2, err)
	}
	_, err = s.RevokeKey(ctx, "nope", T0)
	wantErr(t, err, store.ErrNotFound)
	list, err := s.ListKeys(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "k2" || list[1].RevokedAt.IsZero() {
		t.Fatalf("list %+v, %v", list, err)
	}
}

// An entry's actor name is part of what is sealed and reads back.
func testAuditActorName(t *testing.T, f Factory) {
	s := f.Open(t)
	ctx := context.Background()
	if err := s.AppendAudit(ctx, audit.Entry{At: T0, Actor: "agent:a", ActorName: "Ann Lee", Action: "x", Outcome: "ok"},
		audit.Entry{At: T0, Actor: "system", Action: "y", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	es, err := s.AuditEntries(ctx, store.AuditQuery{})
	if err != nil || len(es) != 2 || es[0].ActorName != "Ann Lee" || es[1].ActorName != "" {
		t.Fatalf("entries %+v, %v", es, err)
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}
