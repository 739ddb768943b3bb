package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/webhook"
)

// A registered webhook receives events signed with its secret; a failing
// subscriber is retried and every attempt is in the delivery log.
func TestWebhookDeliveryIsSignedRetriedAndLogged(t *testing.T) {
	e := newEnv(t)
	const secret = "0123456789abcdef-secret"
	var mu sync.Mutex
	var got []webhook.Payload
	calls := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get(webhook.SignatureHeader) != webhook.Sign(secret, body) {
			t.Errorf("bad signature %q", r.Header.Get(webhook.SignatureHeader))
		}
		var p webhook.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			t.Error(err)
		}
		got = append(got, p)
	}))
	defer recv.Close()

	var hook struct{ ID, Secret string }
	e.mustDo(201, "POST", "/v1/webhooks", e.admin, map[string]any{"url": recv.URL, "secret": secret, "types": []string{"conversation.created", "conversation.ended"}}).decode(t, &hook)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := &webhook.Dispatcher{Store: e.store, Wake: e.eng.Signal().C, Base: time.Millisecond, Max: 5 * time.Millisecond, Poll: 20 * time.Millisecond}
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	e.register("c1", "alice")
	e.mustDo(202, "POST", "/v1/conversations/c1/end", e.ingest, nil)
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %d events, want 2", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	if got[0].Type != "conversation.created" || got[1].Type != "conversation.ended" || got[0].Seq >= got[1].Seq {
		t.Fatalf("deliveries out of order or unfiltered: %+v", got)
	}
	mu.Unlock()
	var log struct {
		Deliveries []struct {
			Attempt, StatusCode int
			Error               string
		}
	}
	// The last attempt is logged just after the subscriber answered it.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		e.mustDo(200, "GET", "/v1/webhooks/"+hook.ID+"/deliveries", e.admin, nil).decode(t, &log)
		if len(log.Deliveries) >= 3 || time.Now().After(deadline) {
			break
		}
	}
	if len(log.Deliveries) != 3 {
		t.Fatalf("delivery log has %d entries, want 3 (one failure, two successes): %+v", len(log.Deliveries), log.Deliveries)
	}
	failed := 0
	for _, dl := range log.Deliveries {
		if dl.StatusCode == 503 && dl.Error != "" {
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("delivery log %+v lacks the failed attempt", log.Deliveries)
	}
}
