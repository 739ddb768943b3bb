package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

var crashSteps = []string{"outbox", "commit", "claim", "entries", "cleaned"}

// TestCrashesKeepTheChainWhole runs seeded random histories of writes to a
// few conversations, crashing some writes at a random step (the process
// dies; the next write comes from a new one). Whatever the crashes, once
// each conversation has been written again: the chain verifies, every
// committed write's entry is chained exactly once, and no entry of a write
// that did not commit is.
func TestCrashesKeepTheChainWhole(t *testing.T) {
	client := dynaliteClient(t)
	for seed := range uint64(12) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { crashHistory(t, client, seed) })
	}
}

func crashHistory(t *testing.T, client *ddb.Client, seed uint64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 42))
	base := newTestStore(t, client)
	convs := []string{"a", "b", "c"}
	state := map[string]conversation.Conversation{}
	want := map[string][]string{} // conversation → labels of its committed writes
	write := func(id, label string, crashAt string) error {
		s, _ := New(client, base.table)
		if crashAt != "" {
			s.crash = func(step string) error {
				if step == crashAt {
					return errors.New("crash")
				}
				return nil
			}
		}
		c, exists := state[id]
		if !exists {
			c = conv(id)
		}
		w := store.Write{Conversation: c, Create: !exists, Audit: []audit.Entry{entry(id, label)}, Events: []store.Event{event(id, label)}}
		err := s.Write(ctx, w)
		committed := err == nil || (crashAt != "" && crashAt != "outbox")
		if committed {
			c.Version++
			state[id] = c
			want[id] = append(want[id], label)
		}
		if crashAt == "" && err != nil {
			t.Fatalf("write %s: %v", label, err)
		}
		return err
	}
	for n := range 10 {
		id := convs[rng.IntN(len(convs))]
		crashAt := ""
		if rng.IntN(3) == 0 {
			crashAt = crashSteps[rng.IntN(len(crashSteps))]
		}
		write(id, fmt.Sprint("w", n), crashAt)
	}
	for _, id := range convs {
		write(id, "final-"+id, "")
	}
	if err := base.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := base.AuditEntries(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, e := range all {
		got[e.ConversationID] = append(got[e.ConversationID], e.Action)
	}
	for _, id := range convs {
		// Chained in commit order within a conversation.
		if !slices.Equal(got[id], want[id]) {
			t.Errorf("conversation %s: chained %v, want %v", id, got[id], want[id])
		}
		if p := pendingOf(t, base, id); len(p) != 0 {
			t.Errorf("conversation %s: still pending %v", id, p)
		}
		c, err := base.Conversation(ctx, id)
		if err != nil || c.Version != state[id].Version {
			t.Errorf("conversation %s: version %d (%v), want %d", id, c.Version, err, state[id].Version)
		}
	}
	evs, err := base.EventsAfter(ctx, 0, "", 0)
	if err != nil || len(evs) != len(all) {
		t.Errorf("%d events (%v), want %d", len(evs), err, len(all))
	}
}
