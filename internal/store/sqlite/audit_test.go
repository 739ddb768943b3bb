package sqlite

import (
	"context"
	"database/sql"
	"reflect"
	"testing"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// sixEntries writes a chain of six entries: two conversation writes of two
// entries each, then two appended on their own.
func sixEntries(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	a, b := sample("a"), sample("b")
	for _, w := range []store.Write{
		{Conversation: a, Create: true, Audit: []audit.Entry{entry("a", "agent-1", "create"), entry("a", "agent-1", "pause")}},
		{Conversation: b, Create: true, Audit: []audit.Entry{entry("b", "agent-2", "create"), entry("b", "agent-2", "pause")}},
	} {
		if err := s.Write(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AppendAudit(ctx, entry("", "key:k1", "denied"), entry("", "admin", "key.create")); err != nil {
		t.Fatal(err)
	}
}

func TestAuditEntries(t *testing.T) {
	s := open(t, dbPath(t))
	ctx := context.Background()
	sixEntries(t, s)
	all, err := s.AuditEntries(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 {
		t.Fatalf("got %d entries, want 6", len(all))
	}
	prev := audit.Genesis
	for i, e := range all {
		if e.Seq != int64(i+1) || e.PrevHash != prev || audit.Seal(prev, e).Hash != e.Hash {
			t.Fatalf("entry %d is not chained: %+v", i+1, e)
		}
		if !e.At.Equal(t0) || string(e.Detail) != `{"k":"v"}` {
			t.Fatalf("entry %d read back as %+v", i+1, e)
		}
		prev = e.Hash
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatalf("intact chain: %v", err)
	}

	seqs := func(q store.AuditQuery) []int64 {
		es, err := s.AuditEntries(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, e := range es {
			out = append(out, e.Seq)
		}
		return out
	}
	tests := []struct {
		q    store.AuditQuery
		want []int64
	}{
		{store.AuditQuery{ConversationID: "b"}, []int64{3, 4}},
		{store.AuditQuery{Actor: "agent-1"}, []int64{1, 2}},
		{store.AuditQuery{ConversationID: "a", Actor: "agent-2"}, nil},
		{store.AuditQuery{After: 2, Limit: 3}, []int64{3, 4, 5}},
		{store.AuditQuery{After: 6}, nil},
	}
	for _, tt := range tests {
		if got := seqs(tt.q); !reflect.DeepEqual(got, tt.want) {
			t.Fatalf("%+v: got %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestVerifyAuditEmpty(t *testing.T) {
	s := open(t, dbPath(t))
	if err := s.VerifyAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Each kind of tampering with the file is found at the right entry.
func TestVerifyAuditDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, db *sql.DB)
		seq    int64
	}{
		{"update a field", func(t *testing.T, db *sql.DB) {
			exec(t, db, "UPDATE audit SET outcome = 'failed' WHERE seq = 3")
		}, 3},
		{"update detail", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE audit SET detail = '{"k": "v"}' WHERE seq = 4`)
		}, 4},
		{"update time", func(t *testing.T, db *sql.DB) {
			exec(t, db, "UPDATE audit SET at = '2026-03-01T09:30:00.123456788Z' WHERE seq = 5")
		}, 5},
		{"unreadable time", func(t *testing.T, db *sql.DB) {
			exec(t, db, "UPDATE audit SET at = 'yesterday' WHERE seq = 2")
		}, 2},
		{"update a hash", func(t *testing.T, db *sql.DB) {
			exec(t, db, "UPDATE audit SET hash = 'beef' WHERE seq = 1")
		}, 1},
		{"delete a middle row", func(t *testing.T, db *sql.DB) {
			exec(t, db, "DELETE FROM audit WHERE seq = 3")
		}, 3},
		{"delete the last row", func(t *testing.T, db *sql.DB) {
			exec(t, db, "DELETE FROM audit WHERE seq = 6")
		}, 6},
		{"delete every row", func(t *testing.T, db *sql.DB) {
			exec(t, db, "DELETE FROM audit")
		}, 1},
		{"insert a forged row", func(t *testing.T, db *sql.DB) {
			var last string
			if err := db.QueryRow("SELECT hash FROM audit WHERE seq = 6").Scan(&last); err != nil {
				t.Fatal(err)
			}
			e := audit.Seal(last, audit.Entry{Seq: 7, At: t0, Actor: "mallory", Action: "resume", Outcome: "ok"})
			exec(t, db, "INSERT INTO audit ("+storedAuditColumns+") VALUES (?, ?, '', ?, ?, '', '', ?, NULL, ?, ?, '')",
				e.Seq, formatTime(e.At), e.Actor, e.Action, e.Outcome, e.PrevHash, e.Hash)
		}, 7},
		{"insert a row before the first", func(t *testing.T, db *sql.DB) {
			exec(t, db, "INSERT INTO audit ("+storedAuditColumns+") VALUES (0, ?, '', 'm', 'a', '', '', 'ok', NULL, '', 'x', '')", formatTime(t0))
		}, 0},
		{"swap two rows' seq", func(t *testing.T, db *sql.DB) {
			exec(t, db, "UPDATE audit SET seq = -1 WHERE seq = 2")
			exec(t, db, "UPDATE audit SET seq = 2 WHERE seq = 4")
			exec(t, db, "UPDATE audit SET seq = 4 WHERE seq = -1")
		}, 2},
		{"change the head", func(t *testing.T, db *sql.DB) {
			exec(t, db, "UPDATE audit_head SET hash = 'beef'")
		}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := dbPath(t)
			s := open(t, path)
			sixEntries(t, s)
			tt.tamper(t, rawDB(t, path))
			wantBreak(t, s.VerifyAudit(context.Background()), tt.seq)
		})
	}
}

// storedAuditColumns are the audit table's columns as a tamperer writes
// them.
const storedAuditColumns = "seq, at, conversation_id, actor, action, capability, reason, outcome, detail, prev_hash, hash, actor_name"
