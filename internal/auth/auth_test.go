package auth_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

func TestIssuedKeysAuthenticateAndAreStoredHashed(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hush.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	token, k, err := auth.Issue(ctx, st, auth.Agent, "alice", "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.Key(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	secret := token[strings.LastIndexByte(token, '_')+1:]
	if bytes.Contains(stored.Hash, []byte(secret)) || len(stored.Hash) != 32 {
		t.Fatal("the stored key is not a SHA-256 hash of the secret")
	}
	p, err := auth.Authenticate(ctx, st, token, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != auth.Agent || p.AgentID != "alice" || p.Name() != "agent:alice" {
		t.Fatalf("principal %+v", p)
	}
	for _, bad := range []string{"", "hush_", token + "x", strings.Replace(token, "_", "-", 1), "hush_" + k.ID + "_wrong", "hush_nokey_" + secret} {
		if _, err := auth.Authenticate(ctx, st, bad, time.Now()); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("token %q: err %v, want unauthenticated", bad, err)
		}
	}
	entries, err := st.AuditEntries(ctx, store.AuditQuery{Limit: 10})
	if err != nil || len(entries) != 1 || entries[0].Action != "key.create" || strings.Contains(string(entries[0].Detail), secret) {
		t.Fatalf("key creation audit %+v (err %v): want one entry without the secret", entries, err)
	}
}

func TestRoles(t *testing.T) {
	alice := auth.Principal{Role: auth.Agent, AgentID: "alice"}
	if !alice.MayAccess("alice") || alice.MayAccess("bob") || alice.MayAccess("") || alice.SeesAll() {
		t.Fatal("an agent must reach only its own conversations")
	}
	sup := auth.Principal{Role: auth.Supervisor, KeyID: "k1"}
	if !sup.MayAccess("bob") || !sup.SeesAll() || sup.Name() != "supervisor:k1" {
		t.Fatal("a supervisor reads and controls all")
	}
	if (auth.Principal{Role: auth.Ingest}).MayAccess("bob") {
		t.Fatal("ingest keys do not read conversations")
	}
	if _, err := auth.ParseRole("root"); err == nil {
		t.Fatal("unknown role accepted")
	}
	if _, _, err := auth.NewKey(auth.Agent, "", time.Now()); err == nil {
		t.Fatal("an agent key without an agent id was made")
	}
}
