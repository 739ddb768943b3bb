package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/clock/clocktest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/none"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
	"github.com/hush-cc/hush/internal/testwait"
)

func openStore(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type harness struct {
	t     testing.TB
	store *sqlite.Store
	eng   *engine.Engine
}

func newHarness(t testing.TB, cfg engine.Config) *harness {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	}
	if cfg.Backends == nil {
		cfg.Backends = map[string]engine.Backend{none.Platform: none.Backend{}}
	}
	if cfg.Retry == (engine.Retry{}) {
		cfg.Retry = engine.Retry{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond}
	}
	eng := engine.New(cfg)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { eng.Close(time.Second) })
	return &harness{t: t, store: cfg.Store.(*sqlite.Store), eng: eng}
}

func (h *harness) create(id, platform string) {
	h.t.Helper()
	_, err := h.eng.Create(context.Background(), conversation.Spec{
		ID: id, AgentID: "alice", Platform: platform,
		Recording: conversation.InProgress, Transcription: conversation.InProgress,
	}, "test")
	if err != nil {
		h.t.Fatalf("create %s: %v", id, err)
	}
}

func (h *harness) command(id string, c conversation.Capability, op conversation.Operation, actor string) engine.Reply {
	h.t.Helper()
	r, err := h.eng.Apply(context.Background(), id, conversation.Input{
		Kind: conversation.KindCommand, Capability: c, Operation: op, Actor: actor,
	})
	if err != nil {
		h.t.Fatalf("%s %s %s: %v", id, c, op, err)
	}
	return r
}

// waitFor waits until cond holds for conversation id in the store.
func (h *harness) waitFor(id string, what string, cond func(conversation.Conversation) bool) conversation.Conversation {
	h.t.Helper()
	var c conversation.Conversation
	testwait.Eventually(h.t, func() (bool, error) {
		var err error
		c, err = h.store.Conversation(context.Background(), id)
		if err != nil {
			return false, err
		}
		return cond(c), fmt.Errorf("recording %+v", c.Recording)
	}, "%s: %s", id, what)
	return c
}

// operationEvents returns the operation-completed events of a conversation.
func (h *harness) operationEvents(id string) []conversation.OperationCompleted {
	h.t.Helper()
	evs, err := h.store.EventsAfter(context.Background(), 0, id, 10000)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []conversation.OperationCompleted
	for _, ev := range evs {
		if ev.Type == conversation.OperationEventType(conversation.Recording) || ev.Type == conversation.OperationEventType(conversation.Transcription) {
			var op conversation.OperationCompleted
			if err := json.Unmarshal(ev.Data, &op); err != nil {
				h.t.Fatal(err)
			}
			out = append(out, op)
		}
	}
	return out
}

func recordingIs(s conversation.State) func(conversation.Conversation) bool {
	return func(c conversation.Conversation) bool { return c.Recording.State == s && c.Recording.Driving == nil }
}

func TestPauseIsPersistedDrivenAndConfirmed(t *testing.T) {
	h := newHarness(t, engine.Config{})
	h.create("c1", none.Platform)
	r := h.command("c1", conversation.Recording, conversation.OpPause, "agent:alice")
	if got := r.Conversation.Recording.Desired(); got != conversation.Paused {
		t.Fatalf("desired after pause = %s, want paused", got)
	}
	h.waitFor("c1", "confirmed paused", recordingIs(conversation.Paused))
	ops := h.operationEvents("c1")
	if len(ops) != 1 || ops[0].TransactionID != r.TransactionID || ops[0].Result != conversation.ResultSucceeded ||
		ops[0].CurrentState != conversation.Paused || ops[0].Operation != conversation.OpPause {
		t.Fatalf("operation events = %+v, want one succeeded pause with transaction %s", ops, r.TransactionID)
	}
	if err := h.store.VerifyAudit(context.Background()); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	entries, err := h.store.AuditEntries(context.Background(), store.AuditQuery{ConversationID: "c1", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, en := range entries {
		actions = append(actions, en.Action+" "+en.Outcome)
	}
	want := []string{"create applied", "command.pause applied"}
	if strings.Join(actions, "|") != strings.Join(want, "|") {
		t.Fatalf("audit = %q, want %q", actions, want)
	}
	// The tracking backend's confirmation is recorded in the command's entry.
	var d struct {
		Confirmed []struct{ TransactionID, Capability, State, By string }
	}
	if err := json.Unmarshal(entries[1].Detail, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Confirmed) != 1 || d.Confirmed[0].TransactionID != r.TransactionID || d.Confirmed[0].State != "paused" || d.Confirmed[0].By != "backend:none" {
		t.Fatalf("confirmation in the audit detail = %+v", d.Confirmed)
	}
}

func TestTransientBackendFailureIsRetried(t *testing.T) {
	var calls atomic.Int32
	flaky := engine.BackendFunc(func(ctx context.Context, c conversation.Conversation, d conversation.Drive) (conversation.State, error) {
		if calls.Add(1) < 3 {
			return "", errors.New("503 from backend")
		}
		return d.Target, nil
	})
	h := newHarness(t, engine.Config{Backends: map[string]engine.Backend{"flaky": flaky}})
	h.create("c1", "flaky")
	h.command("c1", conversation.Recording, conversation.OpPause, "agent:alice")
	h.waitFor("c1", "confirmed paused", recordingIs(conversation.Paused))
	if n := calls.Load(); n != 3 {
		t.Fatalf("backend called %d times, want 3 (two failures, one success)", n)
	}
}

func TestPermanentFailureIsReportedAndNotRetried(t *testing.T) {
	var calls atomic.Int32
	gone := engine.BackendFunc(func(ctx context.Context, c conversation.Conversation, d conversation.Drive) (conversation.State, error) {
		calls.Add(1)
		return "", engine.Permanent(errors.New("contact not found"))
	})
	clk := clocktest.New(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	h := newHarness(t, engine.Config{Backends: map[string]engine.Backend{"gone": gone}, ReconcileEvery: time.Minute, Clock: clk})
	h.create("c1", "gone")
	r := h.command("c1", conversation.Recording, conversation.OpPause, "agent:alice")
	c := h.waitFor("c1", "failure recorded", func(c conversation.Conversation) bool { return c.Recording.Failure != nil })
	if !c.Recording.Failure.Final || c.Recording.State != conversation.InProgress {
		t.Fatalf("failure = %+v state %s, want final failure and state unchanged", c.Recording.Failure, c.Recording.State)
	}
	// Each tick is taken only once the previous sweep is over: four ticks,
	// an hour past the failure, make at least three whole sweeps.
	for range 4 {
		clk.Advance(15 * time.Minute)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("backend called %d times after a final failure, want 1", n)
	}
	ops := h.operationEvents("c1")
	if len(ops) != 1 || ops[0].Result != conversation.ResultFailed || ops[0].Error == "" || ops[0].TransactionID != r.TransactionID {
		t.Fatalf("operation events = %+v, want one failed with an error", ops)
	}
}

// A backend call that never answered (the process died) is re-driven by the
// next process at start-up.
func TestStartupReconcileRedrivesAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hush.db")
	st := openStore(t, path)
	block := make(chan struct{})
	stuck := engine.BackendFunc(func(ctx context.Context, c conversation.Conversation, d conversation.Drive) (conversation.State, error) {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return "", ctx.Err()
	})
	first := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{"p": stuck}, Retry: engine.Retry{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond}})
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h1 := &harness{t: t, store: st, eng: first}
	h1.create("c1", "p")
	h1.command("c1", conversation.Recording, conversation.OpPause, "agent:alice")
	first.Close(0) // the drive is cancelled and never reports success
	close(block)

	var calls atomic.Int32
	ok := engine.BackendFunc(func(ctx context.Context, c conversation.Conversation, d conversation.Drive) (conversation.State, error) {
		calls.Add(1)
		return d.Target, nil
	})
	h2 := newHarness(t, engine.Config{Store: st, Backends: map[string]engine.Backend{"p": ok}})
	h2.waitFor("c1", "paused after restart", recordingIs(conversation.Paused))
	if calls.Load() == 0 {
		t.Fatal("the second engine never called the backend")
	}
}

// A drive lost in a crash after its capability came back to the confirmed
// state (paused, then resumed before the backend answered) must not keep
// the next run from driving a new pause.
func TestPauseAfterRestartIsNotBlockedByLostDrive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hush.db")
	st := openStore(t, path)
	stuck := engine.BackendFunc(func(ctx context.Context, c conversation.Conversation, d conversation.Drive) (conversation.State, error) {
		<-ctx.Done()
		return "", ctx.Err()
	})
	first := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{"p": stuck}, Retry: engine.Retry{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond}})
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h1 := &harness{t: t, store: st, eng: first}
	h1.create("c1", "p")
	h1.command("c1", conversation.Recording, conversation.OpPause, "agent:alice")
	h1.command("c1", conversation.Recording, conversation.OpResume, "agent:alice")
	first.Close(0)

	ok := engine.BackendFunc(func(ctx context.Context, c conversation.Conversation, d conversation.Drive) (conversation.State, error) {
		return d.Target, nil
	})
	h2 := newHarness(t, engine.Config{Store: st, Backends: map[string]engine.Backend{"p": ok}})
	h2.waitFor("c1", "in progress after restart", recordingIs(conversation.InProgress))
	h2.command("c1", conversation.Recording, conversation.OpPause, "agent:alice")
	h2.waitFor("c1", "paused after restart", recordingIs(conversation.Paused))
}

// Close gives a backend call in flight its grace to finish, and its result
// is persisted before Close returns.
func TestCloseLetsDrivesReport(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	slow := engine.BackendFunc(func(ctx context.Context, c conversation.Conversation, d conversation.Drive) (conversation.State, error) {
		close(entered)
		<-release
		return d.Target, nil
	})
	st := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	eng := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{"slow": slow}})
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, store: st, eng: eng}
	h.create("c1", "slow")
	h.command("c1", conversation.Recording, conversation.OpPause, "agent:alice")
	<-entered
	closed := make(chan struct{})
	go func() {
		eng.Close(time.Minute)
		close(closed)
	}()
	close(release)
	<-closed
	c, err := st.Conversation(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Recording.State != conversation.Paused || c.Recording.Driving != nil {
		t.Fatalf("after Close: recording %+v, want the drive's confirmation persisted", c.Recording)
	}
}

// Two engines on one database file never overwrite each other: pauses by
// different actors through different engines all survive.
func TestTwoEnginesOnOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hush.db")
	a := newHarness(t, engine.Config{Store: openStore(t, path)})
	b := newHarness(t, engine.Config{Store: openStore(t, path)})
	a.create("c1", none.Platform)
	const actors = 20
	var wg sync.WaitGroup
	for i := range actors {
		h := a
		if i%2 == 1 {
			h = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.command("c1", conversation.Recording, conversation.OpPause, "agent:"+string(rune('a'+i)))
		}()
	}
	wg.Wait()
	c := a.waitFor("c1", "all reasons", func(c conversation.Conversation) bool { return len(c.Recording.Reasons) == actors })
	if c.Recording.Desired() != conversation.Paused {
		t.Fatalf("desired %s", c.Recording.Desired())
	}
	if err := a.store.VerifyAudit(context.Background()); err != nil {
		t.Fatalf("audit chain after concurrent engines: %v", err)
	}
	entries, err := a.store.AuditEntries(context.Background(), store.AuditQuery{ConversationID: "c1", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	pauses := 0
	for _, e := range entries {
		if e.Action == "command.pause" {
			pauses++
		}
	}
	if pauses != actors {
		t.Fatalf("audited %d pauses, want %d", pauses, actors)
	}
}

// A manual pause holds until its maximum age and is released then, by the
// expiry timer alone (the reconciler's sweep is an hour away).
func TestManualPauseExpires(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	p := conversation.DefaultPolicy()
	h := newHarness(t, engine.Config{Policy: p, Clock: clk, ReconcileEvery: time.Hour})
	h.create("c1", none.Platform)
	h.command("c1", conversation.Recording, conversation.OpPause, "agent:alice")
	paused := func() bool {
		c, err := h.store.Conversation(context.Background(), "c1")
		if err != nil {
			t.Fatal(err)
		}
		return len(c.Recording.Reasons) == 1 && c.Recording.State == conversation.Paused
	}
	// Expiry timers run within Advance: what they do is done when it returns.
	clk.Advance(p.ManualMaxAge - time.Second)
	if !paused() {
		t.Fatal("the pause was released a second before its maximum age")
	}
	clk.Advance(2 * time.Second)
	if paused() {
		t.Fatal("the pause outlived its maximum age")
	}
	h.waitFor("c1", "auto-resumed", func(c conversation.Conversation) bool {
		return len(c.Recording.Reasons) == 0 && c.Recording.State == conversation.InProgress
	})
	evs, err := h.store.EventsAfter(context.Background(), 0, "c1", 1000)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range evs {
		found = found || ev.Type == conversation.EventAutoResumed
	}
	if !found {
		t.Fatal("no pause.auto-resumed event")
	}
}

func TestRetroactivePauseIsClamped(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, engine.Config{Clock: clocktest.New(now), MaxRetroactive: 5 * time.Second})
	h.create("c1", none.Platform)
	r, err := h.eng.Apply(context.Background(), "c1", conversation.Input{
		Kind: conversation.KindCommand, Capability: conversation.Recording, Operation: conversation.OpPause,
		Actor: "agent:alice", At: now.Add(-2 * time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Conversation.Recording.Reasons[0].Since; !got.Equal(now.Add(-2 * time.Second)) {
		t.Fatalf("since = %v, want 2s before now", got)
	}
	r, err = h.eng.Apply(context.Background(), "c1", conversation.Input{
		Kind: conversation.KindCommand, Capability: conversation.Transcription, Operation: conversation.OpPause,
		Actor: "agent:alice", At: now.Add(-time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Conversation.Transcription.Reasons[0].Since; !got.Equal(now.Add(-5 * time.Second)) {
		t.Fatalf("since = %v, want clamped to 5s before now", got)
	}
}

func TestRuleErrorsChangeNothing(t *testing.T) {
	h := newHarness(t, engine.Config{})
	h.create("c1", none.Platform)
	if _, err := h.eng.Apply(context.Background(), "c1", conversation.Input{Kind: conversation.KindEnd, Actor: "ingest"}); err != nil {
		t.Fatal(err)
	}
	before := h.waitFor("c1", "stopped", func(c conversation.Conversation) bool {
		return c.Recording.State == conversation.Stopped && c.Transcription.State == conversation.Stopped
	})
	entries, _ := h.store.AuditEntries(context.Background(), store.AuditQuery{Limit: 1000})
	_, err := h.eng.Apply(context.Background(), "c1", conversation.Input{
		Kind: conversation.KindCommand, Capability: conversation.Recording, Operation: conversation.OpResume, Actor: "agent:alice",
	})
	var ce *conversation.Error
	if !errors.As(err, &ce) || ce.Code != conversation.CodeEnded {
		t.Fatalf("resume after end: err = %v, want conversation_ended", err)
	}
	after, _ := h.store.Conversation(context.Background(), "c1")
	if before.Version != after.Version {
		t.Fatalf("version moved from %d to %d", before.Version, after.Version)
	}
	entries2, _ := h.store.AuditEntries(context.Background(), store.AuditQuery{Limit: 1000})
	if len(entries2) != len(entries) {
		t.Fatalf("a refused command was audited: %d -> %d entries", len(entries), len(entries2))
	}
	if _, err := h.eng.Apply(context.Background(), "missing", conversation.Input{Kind: conversation.KindHold}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown conversation: err = %v, want not found", err)
	}
}
