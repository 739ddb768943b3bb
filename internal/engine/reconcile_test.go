package engine_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
)

// A pause another process recorded reaches the backend of the process that
// acts for the conversation through its reconciler, even when nothing told
// it of the change and its lane still holds the conversation as it was.
func TestReconcilerDrivesWhatAnotherProcessRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hush.db")
	var drives atomic.Int32
	rec := engine.BackendFunc(func(_ context.Context, _ conversation.Conversation, d conversation.Drive) (conversation.State, error) {
		drives.Add(1)
		return d.Target, nil
	})
	backends := map[string]engine.Backend{"rec": rec}
	acting := newHarness(t, engine.Config{Store: openStore(t, path), Backends: backends, ReconcileEvery: 20 * time.Millisecond})
	other := newHarness(t, engine.Config{Store: openStore(t, path), Backends: backends,
		Acts: func(conversation.Conversation) bool { return false }})
	acting.create("c1", "rec")
	other.command("c1", conversation.Recording, conversation.OpPause, "agent:alice")
	acting.waitFor("c1", "the acting process to drive the pause", recordingIs(conversation.Paused))
	if n := drives.Load(); n != 1 {
		t.Fatalf("%d drives, want one", n)
	}
}
