package sqlite

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// Reading a conversation's or an actor's entries by walking its chain
// gives exactly what filtering the whole log gives, whatever mix of
// writes, audit-only entries (for conversations that have no row too),
// transfers, ends, retention and a second handle on the same file came
// before, and however the writes shared transactions.
func TestChainsMatchTheWholeLog(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		path := dbPath(t)
		ctx := context.Background()
		var handles []*Store
		for range 2 {
			s, err := Open(ctx, path)
			if err != nil {
				rt.Fatal(err)
			}
			defer s.Close()
			handles = append(handles, s)
		}
		ids := []string{"c1", "c2", "c3"}
		versions := map[string]int64{}
		ended := map[string]bool{}
		actors := rapid.SampledFrom([]string{"agent-1", "agent-2", "system"})
		clock := t0
		for step := range rapid.IntRange(1, 12).Draw(rt, "steps") {
			clock = clock.Add(time.Second)
			s := handles[rapid.IntRange(0, 1).Draw(rt, "handle")]
			switch rapid.IntRange(0, 4).Draw(rt, "op") {
			case 0, 1: // conversation writes, several at once
				var wg sync.WaitGroup
				for _, id := range ids {
					if !rapid.Bool().Draw(rt, "write "+id) {
						continue
					}
					w := store.Write{Conversation: sample(id), Create: versions[id] == 0}
					w.Conversation.Version = versions[id]
					w.Conversation.AgentID = actors.Draw(rt, "agent")
					if !w.Create {
						w.Unchanged = rapid.Bool().Draw(rt, "unchanged")
						if !w.Unchanged && (ended[id] || rapid.IntRange(0, 9).Draw(rt, "end") == 0) {
							w.Conversation.CallState = conversation.Ended
						}
					}
					for range rapid.IntRange(0, 2).Draw(rt, "entries") {
						w.Audit = append(w.Audit, audit.Entry{At: clock, ConversationID: id, Actor: actors.Draw(rt, "actor"), Action: "a"})
					}
					for range rapid.IntRange(0, 2).Draw(rt, "events") {
						w.Events = append(w.Events, store.Event{Type: "t", ConversationID: id, At: clock, Data: []byte(`{}`)})
					}
					if !w.Unchanged {
						versions[id]++
						ended[id] = !w.Conversation.Active()
					}
					wg.Go(func() {
						if err := s.Write(ctx, w); err != nil {
							t.Errorf("step %d: write %s: %v", step, id, err)
						}
					})
				}
				conv := rapid.SampledFrom([]string{"", "ghost", "c1", "c2", "c3"}).Draw(rt, "audit-only")
				wg.Go(func() {
					if err := s.AppendAudit(ctx, audit.Entry{At: clock, ConversationID: conv, Actor: "api", Action: "access.denied"}); err != nil {
						t.Errorf("step %d: append audit: %v", step, err)
					}
				})
				wg.Wait()
			case 2:
				if _, err := s.DeleteEventsBefore(ctx, clock.Add(-time.Duration(rapid.IntRange(0, 20).Draw(rt, "age"))*time.Second),
					audit.Entry{Actor: "retention", Action: "events.deleted"}); err != nil {
					rt.Fatal(err)
				}
			case 3:
				if _, err := s.SetLegalHold(ctx, LegalHold{ConversationID: "c1", Since: clock, By: "x", Reason: "y"},
					audit.Entry{ConversationID: "c1", Actor: "admin", Action: "legal-hold"}); err != nil && versions["c1"] > 0 {
					rt.Fatal(err)
				}
			case 4:
				checkChains(rt, handles[0])
			}
			if rt.Failed() {
				return
			}
		}
		checkChains(rt, handles[1])
		if err := handles[0].VerifyAudit(ctx); err != nil {
			rt.Fatal(err)
		}
	})
}

// checkChains compares every conversation's and actor's entries, read
// through their chains, with the whole log filtered.
func checkChains(t interface {
	Helper()
	Fatalf(string, ...any)
}, s *Store) {
	t.Helper()
	ctx := context.Background()
	all, err := s.AuditEntries(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatalf("%v", err)
	}
	events, err := s.EventsAfter(ctx, 0, "", 0)
	if err != nil {
		t.Fatalf("%v", err)
	}
	convs, actors := map[string]bool{"nobody": true}, map[string]bool{"nobody": true}
	for _, e := range all {
		convs[e.ConversationID] = e.ConversationID != ""
		actors[e.Actor] = true
	}
	for _, e := range events {
		convs[e.ConversationID] = true
	}
	seqs := func(es []audit.Entry) []int64 {
		out := []int64{}
		for _, e := range es {
			out = append(out, e.Seq)
		}
		return out
	}
	for conv, ok := range convs {
		if !ok {
			continue
		}
		var want []int64
		for _, e := range events {
			if e.ConversationID == conv {
				want = append(want, e.Seq)
			}
		}
		for _, after := range append([]int64{0}, want...) {
			got, err := s.EventsAfter(ctx, after, conv, 2)
			if err != nil {
				t.Fatalf("%v", err)
			}
			var gs []int64
			for _, e := range got {
				gs = append(gs, e.Seq)
			}
			w := want[:0:0]
			for _, seq := range want {
				if seq > after && len(w) < 2 {
					w = append(w, seq)
				}
			}
			if !slices.Equal(gs, w) {
				t.Fatalf("events of %s after %d: got %v, want %v", conv, after, gs, w)
			}
		}
	}
	queries := []store.AuditQuery{}
	for conv, ok := range convs {
		if ok {
			queries = append(queries, store.AuditQuery{ConversationID: conv},
				store.AuditQuery{ConversationID: conv, Actor: "agent-1"}, store.AuditQuery{ConversationID: conv, Actor: "nobody"})
		}
	}
	for actor := range actors {
		queries = append(queries, store.AuditQuery{Actor: actor})
	}
	for _, q := range queries {
		var want []audit.Entry
		for _, e := range all {
			if (q.ConversationID == "" || e.ConversationID == q.ConversationID) && (q.Actor == "" || e.Actor == q.Actor) {
				want = append(want, e)
			}
		}
		got, err := s.AuditEntries(ctx, q)
		if err != nil {
			t.Fatalf("%v", err)
		}
		if g, w := seqs(got), seqs(want); !slices.Equal(g, w) {
			t.Fatalf("audit %+v: got %v, want %v", q, g, w)
		}
		if q.ConversationID != "" && q.Actor != "" {
			continue // both filters walk the conversation's chain, paged as below
		}
		// Oldest first after an entry; newest first a page at a time, each
		// page's cursor its last entry, or from a seq on no chain.
		for i, e := range want[:min(2, len(want))] {
			q := q
			q.After, q.Limit = e.Seq, 2
			got, err := s.AuditEntries(ctx, q)
			if err != nil {
				t.Fatalf("%v", err)
			}
			if g, w := seqs(got), seqs(want[i+1:min(i+3, len(want))]); !slices.Equal(g, w) {
				t.Fatalf("audit %+v: got %v, want %v", q, g, w)
			}
		}
		newest := seqs(want)
		slices.Reverse(newest)
		for _, before := range []int64{0, 5} {
			q := q
			q.Newest, q.Before, q.Limit = true, before, 3
			var pages []int64
			for {
				got, err := s.AuditEntries(ctx, q)
				if err != nil {
					t.Fatalf("%v", err)
				}
				pages = append(pages, seqs(got)...)
				if len(got) < q.Limit {
					break
				}
				q.Before = got[len(got)-1].Seq
			}
			w := slices.DeleteFunc(slices.Clone(newest), func(seq int64) bool { return before > 0 && seq >= before })
			if !slices.Equal(pages, w) {
				t.Fatalf("audit %+v newest first before %d: got %v, want %v", q, before, pages, w)
			}
		}
	}
}

// A database written by the schema before the chains opens with every
// entry on its conversation's and actor's chain, and new writes extend
// them.
func TestMigrationLinksExistingLogs(t *testing.T) {
	path := dbPath(t)
	ctx := context.Background()
	db := rawDB(t, path)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateTo(ctx, conn, 101); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	// Rows as the previous schema's writer wrote them.
	for i, id := range []string{"c1", "c2", "c3"} {
		active := 1
		if id == "c2" {
			active = 0
		}
		exec(t, db, `INSERT INTO conversations (id, agent_id, active, version, updated_at, created_ms, state) VALUES (?, ?, ?, 1, ?, ?, ?)`,
			id, "agent-1", active, formatTime(t0), t0.UnixMilli()+int64(i), mustJSON(t, withVersion(sample(id), 1)))
	}
	var head audit.Head
	for i := range 30 {
		conv := []string{"c1", "c2", "c3", "", "ghost"}[i%5]
		actor := []string{"agent-1", "agent-2", "system"}[i%3]
		e := audit.Seal(head.Hash, audit.Entry{Seq: int64(i + 1), At: t0.Add(time.Duration(i) * time.Second), ConversationID: conv,
			Actor: actor, Action: "a", Outcome: "ok"})
		exec(t, db, `INSERT INTO audit (seq, at, conversation_id, actor, action, capability, reason, outcome, detail, prev_hash, hash, actor_name)
			VALUES (?, ?, ?, ?, ?, '', '', ?, NULL, ?, ?, '')`, e.Seq, formatTime(e.At), conv, actor, e.Action, e.Outcome, e.PrevHash, e.Hash)
		head = audit.Head{Seq: e.Seq, Hash: e.Hash}
		if conv != "" && conv != "ghost" {
			exec(t, db, "INSERT INTO events (type, conversation_id, at, data) VALUES ('t', ?, ?, '{}')", conv, formatTime(e.At))
		}
	}
	exec(t, db, "UPDATE audit_head SET seq = ?, hash = ?", head.Seq, head.Hash)
	db.Close()

	s := open(t, path)
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	checkChains(t, s)
	// Their rows keep their state (migration 0103 moves none of it).
	if c, err := s.Conversation(ctx, "c2"); err != nil || c.Version != 1 || c.AgentID != "agent-1" {
		t.Fatalf("conversation written before the migrations: %+v, %v", c, err)
	}
	if n := len(applied(t, path)); n < 9 || applied(t, path)[8].name != "0102_append_logs.sql" {
		t.Fatalf("applied: %+v", applied(t, path))
	}
	// New entries continue the chains, a late create included.
	for _, id := range []string{"c1", "c3"} {
		w := store.Write{Conversation: withVersion(sample(id), 1),
			Audit:  []audit.Entry{entry(id, "agent-2", "pause")},
			Events: []store.Event{event("recording.paused", id)}}
		if err := s.Write(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	create(t, s, sample("ghost"))
	if err := s.AppendAudit(ctx, entry("ghost", "agent-1", "note")); err != nil {
		t.Fatal(err)
	}
	checkChains(t, s)
	if es, err := s.AuditEntries(ctx, store.AuditQuery{ConversationID: "ghost"}); err != nil || len(es) != 7 {
		t.Fatalf("ghost's entries: %d, %v", len(es), err)
	}
	// The retention sweep still finds the ended conversation.
	due, err := s.RecordingsDue(ctx, t0.Add(time.Hour), 10)
	if err != nil || !slices.Equal(due, []string{"c2"}) {
		t.Fatalf("recordings due: %v, %v", due, err)
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, c conversation.Conversation) []byte {
	t.Helper()
	p, err := store.Write{Conversation: withVersion(c, c.Version-1)}.Prepare(t0)
	if err != nil {
		t.Fatal(err)
	}
	return p.State
}
