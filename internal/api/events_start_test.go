package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/none"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

// A stream opened without Last-Event-ID starts after the newest event: it
// replays nothing, names where it stands, and carries what happens next.
func TestEventsStartNow(t *testing.T) {
	e := newEnv(t)
	e.register("old", "alice")
	e.mustDo(202, "POST", "/v1/conversations/old/hold", e.ingest, nil)
	newest, err := e.store.LatestEventSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, _ := e.stream(ctx, "/v1/events", e.admin, "")
	e.register("new", "alice")
	ev := next(t, evs, func(sseEvent) bool { return true })
	var v struct{ ID string }
	if err := json.Unmarshal(ev.Data, &v); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "conversation.created" || v.ID != "new" {
		t.Fatalf("first event of a new stream: %s %s, want the creation of new", ev.Type, ev.Data)
	}
	if seq, _ := strconv.ParseInt(ev.ID, 10, 64); seq <= newest {
		t.Fatalf("first event %d is not after the newest event %d at open", seq, newest)
	}
}

// ?after=0 asks for the whole history, oldest first.
func TestEventsAfterZeroReplaysHistory(t *testing.T) {
	e := newEnv(t)
	e.register("old", "alice")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, _ := e.stream(ctx, "/v1/events?after=0", e.admin, "")
	ev := next(t, evs, func(sseEvent) bool { return true })
	if ev.ID != "1" || ev.Type != "conversation.created" {
		t.Fatalf("history starts with %s %s, want event 1, the creation", ev.ID, ev.Type)
	}
	if r := e.do("GET", "/v1/events?after=-1", e.admin, nil); r.status != 400 {
		t.Fatalf("after=-1: status %d, want 400", r.status)
	}
}

// Streams are capped per key; the cap answers 429 and counts a refusal.
func TestEventStreamsCappedPerKey(t *testing.T) {
	e := newEnv(t, func(_ *engine.Config, c *api.Config) { c.StreamsPerKey = 2 })
	ctx, cancel := context.WithCancel(context.Background())
	for range 2 {
		if _, status := e.stream(ctx, "/v1/events", e.alice, ""); status != 200 {
			t.Fatalf("stream within the cap: status %d", status)
		}
	}
	r := e.do("GET", "/v1/events", e.alice, nil)
	if r.status != 429 || r.errorCode(t) != "too_many_streams" {
		t.Fatalf("third stream of one key: %d %s, want 429 too_many_streams", r.status, r.body)
	}
	metrics := string(e.mustDo(200, "GET", "/metrics", e.admin, nil).body)
	if !strings.Contains(metrics, `hush_event_streams_refused_total{cap="key"} 1`) {
		t.Fatalf("refusal not counted:\n%s", metrics)
	}
	if _, status := e.stream(ctx, "/v1/events", e.bob, ""); status != 200 {
		t.Fatalf("another key's stream: status %d, want 200", status)
	}
	cancel()
	// A closed stream frees its place.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx2, cancel2 := context.WithCancel(context.Background())
		_, status := e.stream(ctx2, "/v1/events", e.alice, "")
		cancel2()
		if status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("closed streams still count against the key: status %d", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two hush processes share one database: a stream on one carries what the
// other commits, found by polling.
func TestEventsFromAnotherProcess(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other, err := sqlite.Open(ctx, e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{
		Store:    other,
		Backends: map[string]engine.Backend{none.Platform: none.Backend{}},
		Retry:    engine.Retry{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond},
		Metrics:  engine.NewMetrics(prometheus.NewRegistry()),
	})
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		eng.Close(time.Second)
		other.Close()
	})
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	evs, _ := e.stream(sctx, "/v1/events", e.alice, "")
	b := httptest.NewServer(api.New(api.Config{Store: other, Engine: eng, Registry: prometheus.NewRegistry()}))
	defer b.Close()
	local := *e
	local.srv = b
	local.register("elsewhere", "alice")
	ev := next(t, evs, ofType("conversation.created"))
	if !strings.Contains(string(ev.Data), `"elsewhere"`) {
		t.Fatalf("event from the other process: %s", ev.Data)
	}
}
