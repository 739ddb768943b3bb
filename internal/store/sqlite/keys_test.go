package sqlite

import (
	"context"
	"reflect"
	"testing"

	"github.com/hush-cc/hush/internal/store"
)

func TestKeys(t *testing.T) {
	s := open(t, dbPath(t))
	ctx := context.Background()
	if n, err := s.CountKeys(ctx); err != nil || n != 0 {
		t.Fatalf("count on a new store: %d, %v", n, err)
	}
	k := store.Key{ID: "k1", Hash: []byte{0, 1, 2, 0xff}, Role: "agent", AgentID: "agent-1", CreatedAt: t0}
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(ctx, store.Key{ID: "k2", Hash: []byte{9}, Role: "admin", CreatedAt: t0}); err != nil {
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
