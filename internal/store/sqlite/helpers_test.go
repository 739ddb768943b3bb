package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/storetest"
)

var t0 = storetest.T0

func dbPath(t testing.TB) string { return filepath.Join(t.TempDir(), FileName) }

func open(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

// rawDB opens the file with plain database/sql, as someone tampering with
// it would.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func exec(t testing.TB, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func sample(id string) conversation.Conversation { return storetest.Sample(id) }

func entry(conv, actor, action string) audit.Entry {
	return audit.Entry{At: t0, ConversationID: conv, Actor: actor, Action: action, Outcome: "ok",
		Detail: json.RawMessage(`{"k":"v"}`)}
}

func event(typ, conv string) store.Event {
	return store.Event{Type: typ, ConversationID: conv, At: t0, Data: json.RawMessage(`{"id":"` + conv + `"}`)}
}

func create(t testing.TB, s *Store, c conversation.Conversation) {
	t.Helper()
	if err := s.Write(context.Background(), store.Write{Conversation: c, Create: true}); err != nil {
		t.Fatalf("create %s: %v", c.ID, err)
	}
}

func wantErr(t testing.TB, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
}

func wantBreak(t testing.TB, err error, seq int64) {
	t.Helper()
	var b *audit.BreakError
	if !errors.As(err, &b) {
		t.Fatalf("got %v, want a *audit.BreakError at entry %d", err, seq)
	}
	if b.Seq != seq {
		t.Fatalf("got a break at entry %d (%s), want entry %d", b.Seq, b.Reason, seq)
	}
}

func withVersion(c conversation.Conversation, v int64) conversation.Conversation {
	c.Version = v
	return c
}
