package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// Legal holds exempt a conversation from retention; the sweep's deletions
// keep the newest event; every change is audited; the head a checkpoint
// signs is the chain's.
func testRetention(t *testing.T, f Factory) {
	s := f.Open(t)
	r, ok := s.(store.Retention)
	if !ok {
		t.Skip("this store keeps no retention state")
	}
	ctx := context.Background()
	_, err := r.SetLegalHold(ctx, store.LegalHold{ConversationID: "nope", Since: T0, By: "admin"}, entry("nope", "admin", "legal-hold.set"))
	wantErr(t, err, store.ErrNotFound)
	ended := Sample("old")
	ended.CallState = conversation.Ended
	for _, c := range []conversation.Conversation{ended, Sample("live")} {
		create(t, s, c)
	}
	if err := s.Write(ctx, store.Write{Conversation: withVersion(ended, 1), Unchanged: true,
		Events: []store.Event{event("e", "old"), event("e", "old")}}); err != nil {
		t.Fatal(err)
	}
	due, err := r.RecordingsDue(ctx, time.Now().Add(time.Hour), 10)
	if err != nil || len(due) != 1 || due[0] != "old" {
		t.Fatalf("due %v, %v; want the ended call", due, err)
	}
	h, err := r.SetLegalHold(ctx, store.LegalHold{ConversationID: "old", Since: T0, By: "admin", Reason: "case 1"}, entry("old", "admin", "legal-hold.set"))
	if err != nil || h.Reason != "case 1" || !h.Since.Equal(T0) {
		t.Fatalf("hold %+v, %v", h, err)
	}
	if due, _ := r.RecordingsDue(ctx, time.Now().Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("a held conversation is due: %v", due)
	}
	if n, err := r.DeleteEventsBefore(ctx, time.Now().Add(time.Hour), audit.Entry{Actor: "retention", Action: "events.deleted", Outcome: "applied"}); err != nil || n != 0 {
		t.Fatalf("deleted %d events of a held conversation (%v)", n, err)
	}
	if err := r.ReleaseLegalHold(ctx, "old", entry("old", "admin", "legal-hold.released")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, r.ReleaseLegalHold(ctx, "old", entry("old", "admin", "again")), store.ErrNotFound)
	if n, err := r.DeleteEventsBefore(ctx, time.Now().Add(time.Hour), audit.Entry{Actor: "retention", Action: "events.deleted", Outcome: "applied"}); err != nil || n != 1 {
		t.Fatalf("deleted %d events (%v), want all but the newest", n, err)
	}
	if err := r.RecordingsDeleted(ctx, "old", time.Now(), []audit.Entry{entry("old", "retention", "recording.deleted")}); err != nil {
		t.Fatal(err)
	}
	if due, _ := r.RecordingsDue(ctx, time.Now().Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("deleted recordings still due: %v", due)
	}
	if n := auditCount(t, s); n != 4 {
		t.Fatalf("%d audit entries, want 4 (hold, release, event deletion, recording deletion)", n)
	}
	a, ok := s.(store.Anchoring)
	if !ok {
		return
	}
	head, err := a.AuditHead(ctx)
	if err != nil || head.Seq != 4 {
		t.Fatalf("head %+v, %v", head, err)
	}
	if hash, found, err := a.AuditHash(ctx, 4); err != nil || !found || hash != head.Hash {
		t.Fatalf("hash of 4: %q %v %v, head %q", hash, found, err, head.Hash)
	}
	if _, found, _ := a.AuditHash(ctx, 5); found {
		t.Fatal("entry 5 found")
	}
	if last, err := a.LastAuditSeq(ctx); err != nil || last != 4 {
		t.Fatalf("last seq %d, %v", last, err)
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}
