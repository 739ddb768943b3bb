package sqlite

import (
	"context"
	"os"
	"reflect"
	"testing"
	"time"
)

type appliedMigration struct {
	version int
	name    string
	at      string
}

func applied(t *testing.T, path string) []appliedMigration {
	t.Helper()
	rows, err := rawDB(t, path).Query("SELECT version, name, applied_at FROM schema_version ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []appliedMigration
	for rows.Next() {
		var m appliedMigration
		if err := rows.Scan(&m.version, &m.name, &m.at); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := dbPath(t)
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	sixEntries(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Close checkpoints: everything is in the database file itself.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("WAL still holds %d bytes after Close", fi.Size())
	}
	first := applied(t, path)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(ms) || first[0].version != 1 || first[0].name != "0001_init.sql" {
		t.Fatalf("applied migrations: %+v", first)
	}

	s2 := open(t, path)
	if got := applied(t, path); !reflect.DeepEqual(got, first) {
		t.Fatalf("reopening changed the applied migrations: %+v, was %+v", got, first)
	}
	c, err := s2.Conversation(ctx, "a")
	if err != nil || c.Version != 1 {
		t.Fatalf("conversation after reopen: %+v, %v", c, err)
	}
	if err := s2.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s2.AppendAudit(ctx, entry("", "x", "after reopen")); err != nil {
		t.Fatal(err)
	}
	if err := s2.VerifyAudit(ctx); err != nil {
		t.Fatalf("chain continued after reopen: %v", err)
	}
	var mode string
	if err := rawDB(t, path).QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q, %v", mode, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := dbPath(t)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	exec(t, rawDB(t, path), "INSERT INTO schema_version (version, name, applied_at) VALUES (999, '0999_future.sql', '')")
	if s, err := Open(context.Background(), path); err == nil {
		_ = s.Close()
		t.Fatal("opened a database from a newer program")
	}
}

func TestOpenBadPath(t *testing.T) {
	for _, p := range []string{"", "a?b", t.TempDir() + "/missing/dir/" + FileName} {
		if s, err := Open(context.Background(), p); err == nil {
			_ = s.Close()
			t.Fatalf("opened %q", p)
		}
	}
}

func TestConnectionSettings(t *testing.T) {
	s := open(t, dbPath(t), WithBusyTimeout(3*time.Second))
	ctx := context.Background()
	for pragma, want := range map[string]string{
		"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "3000",
	} {
		var got string
		if err := s.w.conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
			t.Fatalf("writer %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
	if _, err := s.rdb.ExecContext(ctx, "DELETE FROM audit"); err == nil {
		t.Fatal("a read connection could write")
	}
}
