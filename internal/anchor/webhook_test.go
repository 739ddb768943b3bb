package anchor_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/anchor"
	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/webhook"
)

// The webhook sink posts the checkpoint, signed like event webhooks; a
// receiver's refusal is an error, so the head is published again later.
func TestWebhookSinkPostsSignedCheckpoints(t *testing.T) {
	const secret = "checkpoint-secret-123"
	var got []audit.Checkpoint
	refuse := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), time.Minute); err != nil {
			t.Errorf("signature: %v", err)
		}
		if refuse {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var c audit.Checkpoint
		if err := json.Unmarshal(body, &c); err != nil {
			t.Error(err)
		}
		got = append(got, c)
	}))
	defer srv.Close()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	a := &anchor.Anchorer{Key: key, Sinks: []anchor.Sink{anchor.WebhookSink{URL: srv.URL, Secret: secret}}}
	if err := a.Publish(context.Background(), audit.Head{Seq: 3, Hash: "abc"}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Seq != 3 || got[0].Verify(key.Public().(ed25519.PublicKey)) != nil {
		t.Fatalf("received %+v", got)
	}
	refuse = true
	if err := a.Publish(context.Background(), audit.Head{Seq: 4, Hash: "def"}); err == nil {
		t.Fatal("a refused checkpoint counted as published")
	}
}
