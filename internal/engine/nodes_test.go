package engine_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/testwait"
)

// recordingBackend remembers the targets it was driven to.
type recordingBackend struct {
	mu      sync.Mutex
	targets []conversation.State
}

func (b *recordingBackend) Drive(_ context.Context, _ conversation.Conversation, d conversation.Drive) (conversation.State, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.targets = append(b.targets, d.Target)
	return d.Target, nil
}

func (b *recordingBackend) driven() []conversation.State {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.targets)
}

// Two engines share one store; only B acts for the conversation. A
// persists the commands it is given and never drives; B, told of each
// change, runs the drive A recorded, once.
func TestOnlyTheActingNodeDrives(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hush.db")
	var onA, onB recordingBackend
	a := newHarness(t, engine.Config{Store: openStore(t, path), Backends: map[string]engine.Backend{"media": &onA},
		Acts: func(conversation.Conversation) bool { return false }})
	b := newHarness(t, engine.Config{Store: openStore(t, path), Backends: map[string]engine.Backend{"media": &onB},
		Acts: func(conversation.Conversation) bool { return true }})
	ctx := context.Background()
	a.create("c1", "media")

	for i, step := range []struct {
		op   conversation.Operation
		want conversation.State
	}{{conversation.OpPause, conversation.Paused}, {conversation.OpResume, conversation.InProgress}} {
		r := a.command("c1", conversation.Recording, step.op, "agent:alice")
		if d := r.Conversation.Recording.Driving; d == nil || d.Target != step.want {
			t.Fatalf("%s on A recorded drive %+v, want one to %s", step.op, d, step.want)
		}
		if res := <-b.eng.Observe(ctx, "c1", r.Conversation.Version); res.Err != nil {
			t.Fatal(res.Err)
		}
		testwait.Eventually(t, func() (bool, error) {
			c, err := b.store.Conversation(ctx, "c1")
			return err == nil && c.Recording.State == step.want && c.Recording.Driving == nil, err
		}, "B to drive %s", step.op)
		// Told again of a version it has seen, B does nothing.
		if res := <-b.eng.Observe(ctx, "c1", r.Conversation.Version); res.Err != nil {
			t.Fatal(res.Err)
		}
		if got := onB.driven(); len(got) != i+1 || got[i] != step.want {
			t.Fatalf("B drove %v after %s", got, step.op)
		}
	}
	if got := onA.driven(); len(got) != 0 {
		t.Fatalf("A, which does not act for c1, drove it: %v", got)
	}
}

// An expiry reaching a node that does not act for the conversation (a
// timer armed while it still held the lease) changes nothing; on the
// acting node it releases the pause, once.
func TestOnlyTheActingNodeExpires(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hush.db")
	p := conversation.DefaultPolicy()
	p.ManualMaxAge = time.Millisecond
	var onA, onB recordingBackend
	a := newHarness(t, engine.Config{Store: openStore(t, path), Backends: map[string]engine.Backend{"media": &onA}, Policy: p,
		Acts: func(conversation.Conversation) bool { return false }})
	b := newHarness(t, engine.Config{Store: openStore(t, path), Backends: map[string]engine.Backend{"media": &onB}, Policy: p,
		Acts: func(conversation.Conversation) bool { return true }})
	ctx := context.Background()
	a.create("c1", "media")
	paused := a.command("c1", conversation.Recording, conversation.OpPause, "agent:alice")
	expire := conversation.Input{Kind: conversation.KindExpire, Actor: "system", At: time.Now().Add(time.Second)}
	r, err := a.eng.Apply(ctx, "c1", expire)
	if err != nil {
		t.Fatal(err)
	}
	if r.Changed || len(r.Conversation.Recording.Reasons) != 1 {
		t.Fatalf("A expired the pause it does not act for: %+v", r)
	}
	// Told of the pause, B arms its timer.
	if res := <-b.eng.Observe(ctx, "c1", paused.Conversation.Version); res.Err != nil {
		t.Fatal(res.Err)
	}
	testwait.Eventually(t, func() (bool, error) {
		c, err := b.store.Conversation(ctx, "c1")
		return err == nil && len(c.Recording.Reasons) == 0, err
	}, "B's timer to release the expired pause")
	evs, err := b.store.EventsAfter(ctx, 0, "c1", 100)
	if err != nil {
		t.Fatal(err)
	}
	released := 0
	for _, ev := range evs {
		if ev.Type == conversation.EventAutoResumed {
			released++
		}
	}
	if released != 1 {
		t.Fatalf("%d pause.auto-resumed events, want 1", released)
	}
}
