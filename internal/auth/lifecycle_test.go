package auth_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

func openFile(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// A key revoked through one store stops working at once through another
// store open on the same file, as in a second hush process.
func TestRevokedKeyStopsEverywhereAtOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hush.db")
	a, b := openFile(t, path), openFile(t, path)
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	admin := auth.Actor{ID: "admin:root", Name: "Rita Root"}
	token, k, err := auth.IssueKey(ctx, a, auth.Spec{Role: auth.Agent, AgentID: "alice", Name: "Alice Smith"}, admin, now)
	if err != nil {
		t.Fatal(err)
	}
	p, err := auth.Authenticate(ctx, b, token, now)
	if err != nil || p.DisplayName != "Alice Smith" {
		t.Fatalf("before revocation: %+v, %v", p, err)
	}
	if _, err := auth.Revoke(ctx, a, k.ID, admin, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var refused *auth.RefusedError
	_, err = auth.Authenticate(ctx, b, token, now.Add(time.Minute))
	if !errors.As(err, &refused) || refused.Why != "revoked" || !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("after revocation through the other store: %v", err)
	}
	// Revoking again keeps the first time.
	again, err := auth.Revoke(ctx, b, k.ID, admin, now.Add(time.Hour))
	if err != nil || !again.RevokedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("second revocation: %+v, %v", again, err)
	}
	if _, err := auth.Revoke(ctx, b, "nosuchkey", admin, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoking an unknown key: %v", err)
	}
	entries, err := a.AuditEntries(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.Actor != "admin:root" || e.ActorName != "Rita Root" {
			t.Errorf("entry %s: actor %q name %q", e.Action, e.Actor, e.ActorName)
		}
	}
	if len(actions) != 3 || actions[0] != "key.create" || actions[1] != "key.revoke" || actions[2] != "key.revoke" {
		t.Fatalf("audit actions %v", actions)
	}
	if err := a.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestExpiredKeyRefused(t *testing.T) {
	ctx := context.Background()
	st := openFile(t, filepath.Join(t.TempDir(), "hush.db"))
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	cli := auth.Actor{ID: "cli:keys-create"}
	if _, _, err := auth.IssueKey(ctx, st, auth.Spec{Role: auth.Admin, ExpiresAt: now}, cli, now); err == nil {
		t.Fatal("a key expiring now was issued")
	}
	token, _, err := auth.IssueKey(ctx, st, auth.Spec{Role: auth.Supervisor, ExpiresAt: now.Add(time.Hour)}, cli, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Authenticate(ctx, st, token, now.Add(time.Hour-time.Nanosecond)); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	var refused *auth.RefusedError
	if _, err := auth.Authenticate(ctx, st, token, now.Add(time.Hour)); !errors.As(err, &refused) || refused.Why != "expired" {
		t.Fatalf("at expiry: %v", err)
	}
}

func TestRotateKeepsRoleNameAndLifetime(t *testing.T) {
	ctx := context.Background()
	st := openFile(t, filepath.Join(t.TempDir(), "hush.db"))
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	cli := auth.Actor{ID: "cli:keys"}
	oldToken, old, err := auth.IssueKey(ctx, st, auth.Spec{Role: auth.Agent, AgentID: "bob", Name: "Bob", ExpiresAt: now.Add(24 * time.Hour)}, cli, now)
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	newToken, k, err := auth.Rotate(ctx, st, old.ID, cli, later)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID == old.ID || k.Role != "agent" || k.AgentID != "bob" || k.Name != "Bob" || !k.ExpiresAt.Equal(later.Add(24*time.Hour)) {
		t.Fatalf("rotated key %+v", k)
	}
	if _, err := auth.Authenticate(ctx, st, oldToken, later); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("old token after rotation: %v", err)
	}
	if p, err := auth.Authenticate(ctx, st, newToken, later); err != nil || p.Name() != "agent:bob" {
		t.Fatalf("new token: %+v %v", p, err)
	}
	if _, _, err := auth.Rotate(ctx, st, old.ID, cli, later); err == nil {
		t.Fatal("a revoked key was rotated")
	}
	keys, err := st.ListKeys(ctx)
	if err != nil || len(keys) != 2 || keys[0].ID != k.ID || auth.Status(keys[1], later) != "revoked" {
		t.Fatalf("list %+v, %v", keys, err)
	}
}

func TestSpecRefusesBadNames(t *testing.T) {
	now := time.Now()
	for _, name := range []string{string(make([]byte, 101)), "a\nb", "\xff"} {
		if err := (auth.Spec{Role: auth.Admin, Name: name}).Validate(now); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	if err := (auth.Spec{Role: auth.Admin, Name: "Zoë O'Brien"}).Validate(now); err != nil {
		t.Error(err)
	}
}
