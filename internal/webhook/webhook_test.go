package webhook_test

import (
	"context"
	"errors"
	"github.com/hush-cc/hush/internal/testwait"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
	"github.com/hush-cc/hush/internal/webhook"
)

// flakyStore is the real store whose webhook listing fails once on demand,
// as a busy database does.
type flakyStore struct {
	*sqlite.Store
	fail  atomic.Bool
	lists atomic.Int64 // listings that succeeded
}

func (f *flakyStore) Webhooks(ctx context.Context) ([]store.Webhook, error) {
	if f.fail.CompareAndSwap(true, false) {
		return nil, errors.New("database is locked")
	}
	hooks, err := f.Store.Webhooks(ctx)
	if err == nil {
		f.lists.Add(1)
	}
	return hooks, err
}

// eventually waits until cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Eventually(t, func() (bool, error) { return cond(), nil }, "%s", what)
}

// A listing of the webhooks that fails says nothing about which exist: a
// delivery in flight goes on, and is neither abandoned nor sent twice.
func TestFailedListingKeepsDeliveriesGoing(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hush.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	src := &flakyStore{Store: st}

	var requests atomic.Int64
	entered := make(chan struct{})
	release := make(chan struct{})
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			close(entered)
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer recv.Close()
	var releaseOnce sync.Once
	releaseFirst := func() { releaseOnce.Do(func() { close(release) }) }
	defer releaseFirst()

	hook := store.Webhook{ID: "w1", URL: recv.URL, Secret: "0123456789abcdef", CreatedAt: time.Now()}
	if err := st.CreateWebhook(ctx, hook); err != nil {
		t.Fatal(err)
	}
	c := conversation.Conversation{ID: "c1", CallState: conversation.Connected}
	if err := st.Write(ctx, store.Write{Conversation: c, Create: true,
		Events: []store.Event{{Type: conversation.EventCreated, ConversationID: "c1", Data: []byte(`{}`)}}}); err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	d := &webhook.Dispatcher{Store: src, Base: time.Millisecond, Max: time.Millisecond, Poll: 5 * time.Millisecond}
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()

	<-entered
	src.fail.Store(true)
	eventually(t, "the failing listing", func() bool { return !src.fail.Load() })
	after := src.lists.Load()
	eventually(t, "a listing after the failure", func() bool { return src.lists.Load() > after })
	releaseFirst()

	var log []store.Delivery
	eventually(t, "a successful delivery", func() bool {
		log, err = st.Deliveries(ctx, hook.ID, 0)
		return err == nil && len(log) > 0 && log[0].StatusCode == http.StatusOK
	})
	if n := requests.Load(); n != 1 {
		t.Fatalf("the subscriber got %d requests for one event, want 1", n)
	}
	if len(log) != 1 || log[0].Attempt != 1 {
		t.Fatalf("delivery log = %+v, want one successful first attempt", log)
	}
}
