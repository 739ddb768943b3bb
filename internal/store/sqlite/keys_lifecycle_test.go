package sqlite

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

func TestKeyNameExpiryRevocationRoundTrip(t *testing.T) {
	s := open(t, dbPath(t))
	ctx := context.Background()
	k := store.Key{ID: "k1", Hash: []byte{1}, Role: "agent", AgentID: "a", CreatedAt: t0, Name: "Ann Lee", ExpiresAt: t0.Add(time.Hour)}
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(ctx, store.Key{ID: "k2", Hash: []byte{2}, Role: "admin", CreatedAt: t0.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Key(ctx, "k1")
	if err != nil || !reflect.DeepEqual(got, k) {
		t.Fatalf("got %+v (%v), want %+v", got, err, k)
	}
	r1, err := s.RevokeKey(ctx, "k1", t0.Add(time.Minute))
	if err != nil || !r1.RevokedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("revoke: %+v, %v", r1, err)
	}
	if r2, err := s.RevokeKey(ctx, "k1", t0.Add(time.Hour)); err != nil || !r2.RevokedAt.Equal(r1.RevokedAt) {
		t.Fatalf("second revoke moved the time: %+v, %v", r2, err)
	}
	_, err = s.RevokeKey(ctx, "nope", t0)
	wantErr(t, err, store.ErrNotFound)
	list, err := s.ListKeys(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "k2" || list[1].RevokedAt.IsZero() {
		t.Fatalf("list %+v, %v", list, err)
	}
}

func TestAuditKeepsActorName(t *testing.T) {
	s := open(t, dbPath(t))
	ctx := context.Background()
	if err := s.AppendAudit(ctx, audit.Entry{At: t0, Actor: "agent:a", ActorName: "Ann Lee", Action: "x", Outcome: "ok"},
		audit.Entry{At: t0, Actor: "system", Action: "y", Outcome: "ok"}); err != nil {
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
