package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/audit"
)

// denials coalesces refused requests so that a key hammering a route it may
// not call costs the append-only audit two entries per window, not one per
// request: the first refusal of a key on a route is audited at once, and
// the repeats that follow within the window are audited together, with
// their count, when the window closes.
type denials struct {
	window time.Duration
	now    func() time.Time
	append func(context.Context, ...audit.Entry) error
	log    *slog.Logger

	mu   sync.Mutex
	open map[denialKey]*denialWindow
}

// denialKey is what repeats are counted by: the key, and the route pattern
// (never the raw path, which the caller chooses).
type denialKey struct{ keyID, action, route string }

type denialWindow struct {
	first   audit.Entry
	start   time.Time
	last    time.Time
	repeats int
	// elsewhere is set when a repeat concerned another conversation than
	// the first refusal.
	elsewhere bool
	timer     *time.Timer
}

func newDenials(window time.Duration, now func() time.Time, appendAudit func(context.Context, ...audit.Entry) error, log *slog.Logger) *denials {
	return &denials{window: window, now: now, append: appendAudit, log: log, open: map[denialKey]*denialWindow{}}
}

// record audits e (a refusal of keyID on route) unless the same key was
// refused the same way on the same route within the window; then it only
// counts it.
func (d *denials) record(ctx context.Context, keyID, route string, e audit.Entry) {
	k := denialKey{keyID: keyID, action: e.Action, route: route}
	now := d.now()
	d.mu.Lock()
	if w, ok := d.open[k]; ok {
		w.repeats++
		w.last = now
		w.elsewhere = w.elsewhere || e.ConversationID != w.first.ConversationID
		d.mu.Unlock()
		return
	}
	w := &denialWindow{first: e, start: now, last: now}
	w.timer = time.AfterFunc(d.window, func() { d.flush(k) })
	d.open[k] = w
	d.mu.Unlock()
	if err := d.append(context.WithoutCancel(ctx), e); err != nil {
		d.log.Error("audit refusal", "action", e.Action, "err", err)
	}
}

// flush closes one window, auditing its repeats if there were any.
func (d *denials) flush(k denialKey) {
	d.mu.Lock()
	w, ok := d.open[k]
	delete(d.open, k)
	d.mu.Unlock()
	if !ok || w.repeats == 0 {
		return
	}
	e := w.first
	e.At = d.now()
	if w.elsewhere {
		e.ConversationID = ""
	}
	e.Outcome = "denied " + strconv.Itoa(w.repeats) + " more times: " + e.Outcome
	e.Detail, _ = json.Marshal(map[string]any{
		"count": w.repeats, "route": k.route,
		"from": w.start.UTC().Format(time.RFC3339Nano), "to": w.last.UTC().Format(time.RFC3339Nano),
	})
	if err := d.append(context.Background(), e); err != nil {
		d.log.Error("audit repeated refusals", "action", e.Action, "count", w.repeats, "err", err)
	}
}

// close audits every open window's repeats now, so none are lost at
// shutdown.
func (d *denials) close() {
	d.mu.Lock()
	keys := make([]denialKey, 0, len(d.open))
	for k, w := range d.open {
		w.timer.Stop()
		keys = append(keys, k)
	}
	d.mu.Unlock()
	for _, k := range keys {
		d.flush(k)
	}
}
