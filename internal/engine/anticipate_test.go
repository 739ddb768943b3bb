package engine_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
	"github.com/hush-cc/hush/internal/testwait"
)

// steps logs, in order, what the store and the backend were asked to do.
type steps struct {
	mu  sync.Mutex
	log []string
}

func (s *steps) add(f string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, fmt.Sprintf(f, args...))
}

func (s *steps) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// failingStore fails every command's write while fail is set.
type failingStore struct {
	*sqlite.Store
	steps *steps
	fail  atomic.Bool
}

func (f *failingStore) Write(ctx context.Context, w store.Write) error {
	if w.Create {
		return f.Store.Write(ctx, w)
	}
	f.steps.add("write")
	if f.fail.Load() {
		return errors.New("disk full")
	}
	return f.Store.Write(ctx, w)
}

// anticipating is a backend that takes pauses ahead of the write.
type anticipating struct{ steps *steps }

func (a anticipating) Drive(_ context.Context, _ conversation.Conversation, d conversation.Drive) (conversation.State, error) {
	a.steps.add("drive %s %s %s", d.Capability, d.Target, d.TransactionID)
	return d.Target, nil
}

func (a anticipating) Anticipate(_ conversation.Conversation, d conversation.Drive) {
	a.steps.add("anticipate %s %s", d.Capability, d.TransactionID)
}

func (a anticipating) Withdraw(_ conversation.Conversation, d conversation.Drive) {
	a.steps.add("withdraw %s %s", d.Capability, d.TransactionID)
}

func newAnticipating(t *testing.T) (*engine.Engine, *failingStore, *steps) {
	t.Helper()
	log := &steps{}
	st := &failingStore{Store: openStore(t, filepath.Join(t.TempDir(), "hush.db")), steps: log}
	eng := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{"rec": anticipating{log}}})
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(time.Second) })
	_, err := eng.Create(context.Background(), conversation.Spec{
		ID: "c1", AgentID: "alice", Platform: "rec",
		Recording: conversation.InProgress, Transcription: conversation.InProgress,
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return eng, st, log
}

func pauseRecording(eng *engine.Engine) (engine.Reply, error) {
	return eng.Apply(context.Background(), "c1", conversation.Input{
		Kind: conversation.KindCommand, Capability: conversation.Recording, Operation: conversation.OpPause, Actor: "agent:alice",
	})
}

func TestPauseIsAnticipatedBeforeTheWrite(t *testing.T) {
	eng, _, log := newAnticipating(t)
	r, err := pauseRecording(eng)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"anticipate recording " + r.TransactionID,
		"write",
		"drive recording paused " + r.TransactionID,
	}
	testwait.Eventually(t, func() (bool, error) {
		got := log.all()
		return len(got) >= len(want), nil
	}, "the pause to be driven")
	if got := log.all()[:len(want)]; !slices.Equal(got, want) {
		t.Fatalf("steps = %q, want %q", got, want)
	}
	// A resume is never anticipated: it must not open a gate early.
	if _, err := eng.Apply(context.Background(), "c1", conversation.Input{
		Kind: conversation.KindCommand, Capability: conversation.Recording, Operation: conversation.OpResume, Actor: "agent:alice",
	}); err != nil {
		t.Fatal(err)
	}
	testwait.Eventually(t, func() (bool, error) {
		got := log.all()
		return len(got) >= 5, fmt.Errorf("steps %q", got)
	}, "the resume to be driven")
	if got := log.all()[3]; got != "write" {
		t.Fatalf("the resume's first step = %q, want the write", got)
	}
}

func TestFailedWriteWithdrawsTheAnticipatedPause(t *testing.T) {
	eng, st, log := newAnticipating(t)
	st.fail.Store(true)
	if _, err := pauseRecording(eng); err == nil {
		t.Fatal("the pause succeeded though its write failed")
	}
	got := log.all()
	if len(got) != 3 || got[1] != "write" || got[0][:len("anticipate recording ")] != "anticipate recording " ||
		got[2] != "withdraw"+got[0][len("anticipate"):] {
		t.Fatalf("steps = %q, want anticipate, write, withdraw of the same transaction", got)
	}
}
