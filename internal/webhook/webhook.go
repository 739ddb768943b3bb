// Package webhook delivers hush's events to registered URLs: in order, at
// least once, signed with HMAC-SHA256, retried with backoff, every attempt
// logged. Each subscriber has a durable cursor in the event log, so a restart
// resumes where delivery stopped.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/backoff"
	"github.com/hush-cc/hush/internal/store"
)

// Headers of a delivery.
const (
	SignatureHeader = "X-Hush-Signature"
	EventHeader     = "X-Hush-Event"
	DeliveryHeader  = "X-Hush-Delivery"
)

// Source is what the dispatcher reads and records.
type Source interface {
	store.Events
	store.Webhooks
}

// Dispatcher runs one delivery worker per webhook.
type Dispatcher struct {
	Store  Source
	Wake   func() <-chan struct{}
	Client *http.Client
	Logger *slog.Logger
	// Attempts per event, and the backoff between them (full jitter: see
	// package backoff).
	Attempts int
	Base     time.Duration
	Max      time.Duration
	// Poll is how often the dispatcher looks for new webhooks and events
	// without being woken.
	Poll time.Duration
}

// Payload is the JSON body of a delivery.
type Payload struct {
	Seq            int64           `json:"seq"`
	Type           string          `json:"type"`
	ConversationID string          `json:"conversationId,omitempty"`
	At             time.Time       `json:"at"`
	Data           json.RawMessage `json:"data"`
}

// Run delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	d.defaults()
	workers := map[string]context.CancelFunc{}
	var wg sync.WaitGroup
	defer func() {
		for _, cancel := range workers {
			cancel()
		}
		wg.Wait()
	}()
	t := time.NewTicker(d.Poll)
	defer t.Stop()
	for {
		// A failed listing says nothing about which webhooks exist: the
		// workers keep going rather than drop deliveries in flight.
		if hooks, err := d.Store.Webhooks(ctx); err != nil {
			if ctx.Err() == nil {
				d.Logger.Error("list webhooks", "err", err)
			}
		} else {
			d.staff(ctx, &wg, workers, hooks)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// staff stops the workers of deleted webhooks and starts one for each new
// webhook.
func (d *Dispatcher) staff(ctx context.Context, wg *sync.WaitGroup, workers map[string]context.CancelFunc, hooks []store.Webhook) {
	for id, cancel := range workers {
		if !slices.ContainsFunc(hooks, func(h store.Webhook) bool { return h.ID == id }) {
			cancel()
			delete(workers, id)
		}
	}
	for _, h := range hooks {
		if _, ok := workers[h.ID]; ok {
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		workers[h.ID] = cancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.work(wctx, h)
		}()
	}
}

func (d *Dispatcher) defaults() {
	if d.Client == nil {
		d.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Attempts == 0 {
		d.Attempts = 8
	}
	if d.Base == 0 {
		d.Base = time.Second
	}
	if d.Max == 0 {
		d.Max = time.Minute
	}
	if d.Poll == 0 {
		d.Poll = time.Second
	}
	if d.Wake == nil {
		d.Wake = func() <-chan struct{} { return nil }
	}
}

// work delivers h's events in order, advancing its cursor after each.
func (d *Dispatcher) work(ctx context.Context, h store.Webhook) {
	cursor := h.Cursor
	for ctx.Err() == nil {
		wake := d.Wake()
		evs, err := d.Store.EventsAfter(ctx, cursor, "", 100)
		if err != nil {
			if ctx.Err() == nil {
				d.Logger.Error("read events for webhook", "webhook", h.ID, "err", err)
			}
			evs = nil
		}
		for _, ev := range evs {
			if len(h.Types) == 0 || slices.Contains(h.Types, ev.Type) {
				if !d.deliver(ctx, h, ev) {
					return
				}
			}
			cursor = ev.Seq
			if err := d.Store.AdvanceWebhook(ctx, h.ID, cursor); err != nil && ctx.Err() == nil {
				d.Logger.Error("advance webhook cursor", "webhook", h.ID, "err", err)
			}
		}
		if len(evs) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(d.Poll):
		}
	}
}

// deliver tries one event until it is accepted or the attempts run out; it
// returns false only when ctx ended first.
func (d *Dispatcher) deliver(ctx context.Context, h store.Webhook, ev store.Event) bool {
	body, _ := json.Marshal(Payload{Seq: ev.Seq, Type: ev.Type, ConversationID: ev.ConversationID, At: ev.At, Data: ev.Data})
	for attempt := 1; ; attempt++ {
		code, err := d.post(ctx, h, ev, body)
		if ctx.Err() != nil {
			return false
		}
		rec := store.Delivery{WebhookID: h.ID, EventSeq: ev.Seq, Attempt: attempt, StatusCode: code, At: time.Now()}
		if err != nil {
			rec.Error = err.Error()
		}
		if rerr := d.Store.RecordDelivery(ctx, rec); rerr != nil {
			d.Logger.Error("record webhook delivery", "webhook", h.ID, "err", rerr)
		}
		if err == nil {
			return true
		}
		if attempt >= d.Attempts {
			d.Logger.Warn("webhook delivery given up", "webhook", h.ID, "seq", ev.Seq, "attempts", attempt, "err", err)
			return true
		}
		if !(backoff.Policy{Base: d.Base, Max: d.Max}).Wait(ctx, attempt) {
			return false
		}
	}
}

func (d *Dispatcher) post(ctx context.Context, h store.Webhook, ev store.Event, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hush-webhook/1")
	req.Header.Set(SignatureHeader, Sign(h.Secret, time.Now(), body))
	req.Header.Set(EventHeader, ev.Type)
	req.Header.Set(DeliveryHeader, strconv.FormatInt(ev.Seq, 10))
	resp, err := d.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post: %w", err)
	}
	// Reading a short answer to its end lets the connection be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("subscriber answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}
