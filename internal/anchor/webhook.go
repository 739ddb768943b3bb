package anchor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/webhook"
)

// WebhookSink posts each checkpoint as JSON to a URL, signed like event
// webhooks (webhook.SignatureHeader) when Secret is set.
type WebhookSink struct {
	URL    string
	Secret string
	Client *http.Client
}

// Name identifies the sink.
func (w WebhookSink) Name() string { return "webhook " + w.URL }

// Publish posts c; any answer but 2xx is an error.
func (w WebhookSink) Publish(ctx context.Context, c audit.Checkpoint) error {
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hush-checkpoint/1")
	req.Header.Set(webhook.EventHeader, "audit.checkpoint")
	if w.Secret != "" {
		req.Header.Set(webhook.SignatureHeader, webhook.Sign(w.Secret, time.Now(), body))
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("post checkpoint: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("post checkpoint: receiver answered %s", resp.Status)
	}
	return nil
}
