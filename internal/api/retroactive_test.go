package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
)

// retroactiveMs travels from the request to the backend as the time the
// pause takes effect.
func TestRetroactivePauseReachesTheBackend(t *testing.T) {
	drives := make(chan conversation.Drive, 4)
	rec := engine.BackendFunc(func(_ context.Context, _ conversation.Conversation, d conversation.Drive) (conversation.State, error) {
		drives <- d
		return d.Target, nil
	})
	e := newEnv(t, func(ec *engine.Config, _ *api.Config) { ec.Backends["recorder"] = rec })
	if _, err := e.eng.Create(context.Background(), conversation.Spec{ID: "c1", AgentID: "alice", Platform: "recorder", Recording: conversation.InProgress}, "test"); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/pause", e.alice, map[string]any{"retroactiveMs": 3000})
	select {
	case d := <-drives:
		back := sent.Sub(d.At)
		if d.Target != conversation.Paused || back < 2900*time.Millisecond || back > 3500*time.Millisecond {
			t.Fatalf("drive target %s effective %v before the request, want paused about 3s before", d.Target, back)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the backend was never driven")
	}
}
