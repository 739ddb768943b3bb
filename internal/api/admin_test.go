package api_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

// failingEvents is the real store whose event log cannot be read while
// fail is set, as a database under lock contention.
type failingEvents struct {
	*sqlite.Store
	fail atomic.Bool
}

func (f *failingEvents) EventsAfter(ctx context.Context, after int64, conversationID string, limit int) ([]store.Event, error) {
	if f.fail.Load() {
		return nil, errors.New("database is locked")
	}
	return f.Store.EventsAfter(ctx, after, conversationID, limit)
}

func (f *failingEvents) LatestEventSeq(ctx context.Context) (int64, error) {
	if f.fail.Load() {
		return 0, errors.New("database is locked")
	}
	return f.Store.LatestEventSeq(ctx)
}

// A webhook is registered to hear what happens from now on; when where
// "now" is cannot be read, registering fails rather than send the whole
// history to the new subscriber.
func TestWebhookIsNotRegisteredAtTheStartOfHistory(t *testing.T) {
	var fe *failingEvents
	e := newEnv(t, func(_ *engine.Config, c *api.Config) {
		fe = &failingEvents{Store: c.Store.(*sqlite.Store)}
		c.Store = fe
	})
	e.register("c1", "alice")
	fe.fail.Store(true)
	r := e.do("POST", "/v1/webhooks", e.admin, map[string]any{"url": "http://127.0.0.1:1/hook"})
	fe.fail.Store(false)
	if r.status != 500 {
		t.Fatalf("register while the log is unreadable: status %d, want 500: %s", r.status, r.body)
	}
	hooks, err := e.store.Webhooks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 0 {
		t.Fatalf("webhooks = %+v, want none registered", hooks)
	}

	var created struct{ Cursor int64 }
	e.mustDo(201, "POST", "/v1/webhooks", e.admin, map[string]any{"url": "http://127.0.0.1:1/hook"}).decode(t, &created)
	if created.Cursor == 0 {
		t.Fatal("a new webhook starts at the beginning of the event log")
	}
}
