package retention_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/integrity"
	"github.com/hush-cc/hush/internal/retention"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func files(dir, id string) []string {
	return []string{filepath.Join(dir, id+".wav"), filepath.Join(dir, id+".segments.json"), filepath.Join(dir, id+".transcript.json")}
}

func entriesOf(t *testing.T, st *sqlite.Store, action string) []audit.Entry {
	t.Helper()
	es, err := st.AuditEntries(context.Background(), store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, e := range es {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// Recording files of conversations ended longer ago than the retention
// are deleted, each deletion audited with the file's hash; a legal hold,
// a recent end or a live call keep them; old events and deliveries go,
// held conversations' events stay; the audit chain only grows.
func TestSweepDeletesWhatIsDueAndAuditsIt(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	dir := t.TempDir()
	convs := map[string]struct {
		state   conversation.CallState
		updated time.Time
	}{
		"old":    {conversation.Ended, now.Add(-40 * day)},
		"held":   {conversation.Ended, now.Add(-40 * day)},
		"recent": {conversation.Ended, now.Add(-1 * day)},
		"live":   {conversation.Connected, now.Add(-40 * day)},
	}
	hashes := map[string]string{}
	// In a fixed order, the recent call last: the newest event is always
	// kept (it holds the sequence's high-water mark), so it must be one the
	// sweep keeps anyway.
	for _, id := range []string{"old", "held", "live", "recent"} {
		c := convs[id]
		w := store.Write{Create: true, Conversation: conversation.Conversation{ID: id, AgentID: "a", Platform: "none",
			CallState: c.state, CreatedAt: c.updated, UpdatedAt: c.updated},
			Events: []store.Event{{Type: "conversation.created", ConversationID: id, At: c.updated, Data: json.RawMessage(`{}`)}}}
		if err := st.Write(ctx, w); err != nil {
			t.Fatal(err)
		}
		for _, f := range files(dir, id) {
			if err := os.WriteFile(f, []byte("contents of "+filepath.Base(f)), 0o600); err != nil {
				t.Fatal(err)
			}
			sum, _, _ := integrity.HashFile(f)
			hashes[filepath.Base(f)] = sum
		}
	}
	if _, err := st.SetLegalHold(ctx, sqlite.LegalHold{ConversationID: "held", Since: now, By: "admin:x"},
		audit.Entry{Actor: "admin:x", Action: "legal-hold.set", Outcome: "applied", ConversationID: "held"}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateWebhook(ctx, store.Webhook{ID: "w1", URL: "http://127.0.0.1:1/", Secret: "0123456789abcdef", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{now.Add(-40 * day), now.Add(-time.Hour)} {
		if err := st.RecordDelivery(ctx, store.Delivery{WebhookID: "w1", EventSeq: 1, Attempt: 1, StatusCode: 200, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := st.AuditEntries(ctx, store.AuditQuery{})

	sw := &retention.Sweeper{Store: st, Recordings: 30 * day, Events: 30 * day, Deliveries: 30 * day,
		Files: func(id string) []string { return files(dir, id) }, Now: func() time.Time { return now }}
	if err := sw.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	for id := range convs {
		for _, f := range files(dir, id) {
			_, err := os.Stat(f)
			if gone := os.IsNotExist(err); gone != (id == "old") {
				t.Errorf("%s: gone %v", filepath.Base(f), gone)
			}
		}
	}
	deleted := entriesOf(t, st, "recording.deleted")
	if len(deleted) != 3 {
		t.Fatalf("%d deletions audited, want 3", len(deleted))
	}
	for _, e := range deleted {
		var s integrity.Seal
		if err := json.Unmarshal(e.Detail, &s); err != nil || e.ConversationID != "old" || s.SHA256 != hashes[s.File] {
			t.Fatalf("deletion entry %+v (%v)", e, err)
		}
	}
	evs, err := st.EventsAfter(ctx, 0, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, ev := range evs {
		kept[ev.ConversationID] = true
	}
	if kept["old"] || !kept["held"] || !kept["recent"] {
		t.Fatalf("events kept for %v", kept)
	}
	if ds, _ := st.Deliveries(ctx, "w1", 10); len(ds) != 1 {
		t.Fatalf("%d deliveries kept, want 1", len(ds))
	}
	if len(entriesOf(t, st, "retention.events-deleted")) != 1 || len(entriesOf(t, st, "retention.deliveries-deleted")) != 1 {
		t.Fatal("event or delivery deletion not audited")
	}
	after, _ := st.AuditEntries(ctx, store.AuditQuery{})
	if len(after) != len(before)+5 || after[0].Hash != before[0].Hash {
		t.Fatalf("audit went from %d to %d entries", len(before), len(after))
	}
	// A second sweep finds nothing more to do and audits nothing.
	if err := sw.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.AuditEntries(ctx, store.AuditQuery{}); len(again) != len(after) {
		t.Fatalf("second sweep added %d entries", len(again)-len(after))
	}
	if err := st.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// openStore opens a fresh SQLite store, closed when the test ends.
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hush.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
