package retention_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/retention"
	"github.com/hush-cc/hush/internal/store"
)

// Nodes sharing a store each keep their own calls' files: a node's sweep
// deletes its own due recordings and leaves another node's recording due,
// neither deleting nor recording it deleted, even when a whole batch of
// the oldest is the other node's.
func TestSweepLeavesAnotherNodesRecordings(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	dir := t.TempDir()
	owner := map[string]string{}
	// More of the other node's recordings than one batch, all older than this node's.
	for i := range 120 {
		owner[idOf("theirs", i)] = "b"
	}
	owner["mine"] = "a"
	order := make([]string, 0, len(owner))
	for i := range 120 {
		order = append(order, idOf("theirs", i))
	}
	order = append(order, "mine")
	for i, id := range order {
		at := now.Add(-40 * day).Add(timeStep(i))
		w := store.Write{Create: true, Conversation: conversation.Conversation{ID: id, AgentID: "a", Platform: "siprec",
			CallState: conversation.Ended, CreatedAt: at, UpdatedAt: at, Node: owner[id]},
			Events: []store.Event{{Type: "conversation.created", ConversationID: id, At: at, Data: json.RawMessage(`{}`)}}}
		if err := st.Write(ctx, w); err != nil {
			t.Fatal(err)
		}
		for _, f := range files(dir, id) {
			if err := os.WriteFile(f, []byte("audio"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	sw := &retention.Sweeper{Store: st, Recordings: 30 * day,
		Files: func(id string) []string { return files(dir, id) }, Now: func() time.Time { return now },
		Owns: func(ctx context.Context, id string) (bool, error) {
			c, err := st.Conversation(ctx, id)
			return err == nil && c.Node == "a", err
		}}
	if err := sw.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(files(dir, idOf("theirs", 0))[0]); err != nil {
		t.Fatalf("another node's recording was touched: %v", err)
	}
	due, err := st.RecordingsDue(ctx, now.Add(-30*day), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 120 {
		t.Fatalf("%d recordings still due, want the other node's 120", len(due))
	}
	for _, id := range due {
		if owner[id] != "b" {
			t.Fatalf("%s still due", id)
		}
	}
	for _, f := range files(dir, "mine") {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Fatalf("this node's %s kept: %v", filepath.Base(f), err)
		}
	}
	for _, e := range entriesOf(t, st, "recording.deleted") {
		if e.ConversationID != "mine" {
			t.Fatalf("deletion audited for %s", e.ConversationID)
		}
	}
}

func idOf(prefix string, i int) string { return fmt.Sprintf("%s-%03d", prefix, i) }

func timeStep(i int) time.Duration { return time.Duration(i) * time.Second }
