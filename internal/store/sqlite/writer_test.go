package sqlite

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// holdWriter keeps the writer busy until release is called, so writes
// queued meanwhile all land in its next transaction.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, done := make(chan struct{}), make(chan struct{})
	go func() {
		_ = s.w.do(context.Background(), func(*txn) (outcome, err error) {
			close(started)
			<-done
			return nil, nil
		})
	}()
	<-started
	return func() { close(done) }
}

// waitQueued waits until n writes wait in the writer's queue.
func waitQueued(s *Store, n int) {
	for len(s.w.queue) < n {
		runtime.Gosched()
	}
}

// queue starts each write in its own goroutine, in order, and returns
// where their answers arrive.
func queue(s *Store, ctx context.Context, ws []store.Write) []chan error {
	out := make([]chan error, len(ws))
	for i, w := range ws {
		out[i] = make(chan error, 1)
		go func() { out[i] <- s.Write(ctx, w) }()
		waitQueued(s, i+1)
	}
	return out
}

func TestGroupCommitSharesOneTransaction(t *testing.T) {
	s := open(t, dbPath(t))
	ctx := context.Background()
	release := holdWriter(t, s)
	var ws []store.Write
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		ws = append(ws, store.Write{Conversation: sample(id), Create: true, Audit: []audit.Entry{entry(id, "x", "create")}})
	}
	before := s.w.commits.Load()
	answers := queue(s, ctx, ws)
	release()
	for _, a := range answers {
		if err := <-a; err != nil {
			t.Fatal(err)
		}
	}
	// One commit for the held change, one for all eight writes.
	if got := s.w.commits.Load() - before; got != 2 {
		t.Fatalf("%d commits, want 2", got)
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestGroupCommitIsolatesFailures(t *testing.T) {
	path := dbPath(t)
	s := open(t, path)
	ctx := context.Background()
	for _, id := range []string{"c0", "c1", "c2"} {
		create(t, s, sample(id))
	}
	// A write whose event the database refuses fails the group's
	// transaction; it must fail alone.
	exec(t, rawDB(t, path), `CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.type = 'boom'
		BEGIN SELECT RAISE(ABORT, 'boom'); END`)
	one := []audit.Entry{entry("", "x", "a")}
	ws := []store.Write{
		{Conversation: withVersion(sample("c0"), 1), Audit: one},
		{Conversation: withVersion(sample("c1"), 1), Audit: one, Events: []store.Event{event("boom", "c1")}},
		{Conversation: withVersion(sample("c0"), 1), Audit: one}, // loses to the first
		{Conversation: withVersion(sample("c2"), 1), Audit: one, Events: []store.Event{event("fine", "c2")}},
		{Conversation: sample("c2"), Create: true, Audit: one},
	}
	release := holdWriter(t, s)
	answers := queue(s, ctx, ws)
	release()
	var got []error
	for _, a := range answers {
		got = append(got, <-a)
	}
	if got[0] != nil || got[3] != nil {
		t.Fatalf("good writes failed: %v", got)
	}
	if got[1] == nil || errors.Is(got[1], store.ErrConflict) {
		t.Fatalf("the refused event: got %v", got[1])
	}
	wantErr(t, got[2], store.ErrConflict)
	wantErr(t, got[4], store.ErrExists)
	for id, want := range map[string]int64{"c0": 2, "c1": 1, "c2": 2} {
		if c, err := s.Conversation(ctx, id); err != nil || c.Version != want {
			t.Fatalf("%s: version %d, %v; want %d", id, c.Version, err, want)
		}
	}
	if es, err := s.AuditEntries(ctx, store.AuditQuery{}); err != nil || len(es) != 2 {
		t.Fatalf("audit: %d entries, %v; want 2", len(es), err)
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestCancelledWriteIsNotApplied(t *testing.T) {
	s := open(t, dbPath(t))
	ctx, cancel := context.WithCancel(context.Background())
	release := holdWriter(t, s)
	answers := queue(s, ctx, []store.Write{{Conversation: sample("c"), Create: true}})
	cancel()
	release()
	wantErr(t, <-answers[0], context.Canceled)
	_, err := s.Conversation(context.Background(), "c")
	wantErr(t, err, store.ErrNotFound)
}

func TestCloseDrainsQueuedWrites(t *testing.T) {
	path := dbPath(t)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	release := holdWriter(t, s)
	answers := queue(s, context.Background(), []store.Write{
		{Conversation: sample("a"), Create: true, Audit: []audit.Entry{entry("a", "x", "y")}},
		{Conversation: sample("b"), Create: true},
	})
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	release()
	for _, a := range answers {
		if err := <-a; err != nil {
			t.Fatal(err)
		}
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.Write(context.Background(), store.Write{Conversation: sample("c"), Create: true}), ErrClosed)
	wantErr(t, s.AppendAudit(context.Background(), entry("", "x", "y")), ErrClosed)
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}

	again := open(t, path)
	for _, id := range []string{"a", "b"} {
		if _, err := again.Conversation(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	if err := again.VerifyAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
}
