package siprec

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLogRecord bounds what one log record of the SIP stack holds: its
// message and every attribute value together, in bytes. A peer decides
// what a SIP message holds, so logging one whole (an unparseable datagram,
// say) would let it write 64 KB lines into hush's log.
const maxLogRecord = 512

// Log rate of the SIP stack: a steady rate and a burst, per server. Records
// beyond it are dropped, and the next record let through says how many.
const (
	sipLogRate  = 10 // records a second
	sipLogBurst = 50
)

// boundedHandler is the slog handler the SIP stack logs through: every
// record is cut to maxLogRecord bytes and the records are rate-limited.
type boundedHandler struct {
	next  slog.Handler
	state *boundedState
}

type boundedState struct {
	lim     *rate.Limiter
	mu      sync.Mutex
	dropped int
}

// newBoundedLogger returns a logger that writes through next, bounded.
func newBoundedLogger(next slog.Handler) *slog.Logger {
	return slog.New(&boundedHandler{next: next, state: &boundedState{lim: rate.NewLimiter(sipLogRate, sipLogBurst)}})
}

// Enabled implements slog.Handler.
func (h *boundedHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h *boundedHandler) Handle(ctx context.Context, r slog.Record) error {
	st := h.state
	st.mu.Lock()
	if !st.lim.AllowN(time.Now(), 1) {
		st.dropped++
		st.mu.Unlock()
		return nil
	}
	dropped := st.dropped
	st.dropped = 0
	st.mu.Unlock()

	budget := maxLogRecord
	msg := cut(r.Message, budget)
	budget -= len(msg)
	out := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	if dropped > 0 {
		out.AddAttrs(slog.Int("droppedRecords", dropped))
	}
	r.Attrs(func(a slog.Attr) bool {
		if budget <= len(a.Key) {
			out.AddAttrs(slog.Bool("truncated", true))
			return false
		}
		v := cut(valueText(a.Value), budget-len(a.Key))
		budget -= len(a.Key) + len(v)
		out.AddAttrs(slog.String(a.Key, v))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler. Attributes added here come from the
// SIP stack's own code, not from peers, and stay as they are.
func (h *boundedHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &boundedHandler{next: h.next.WithAttrs(as), state: h.state}
}

// WithGroup implements slog.Handler.
func (h *boundedHandler) WithGroup(name string) slog.Handler {
	return &boundedHandler{next: h.next.WithGroup(name), state: h.state}
}

// valueText renders an attribute value as text, cheaply for the common
// kinds; an error or a Stringer is rendered by fmt.
func valueText(v slog.Value) string {
	v = v.Resolve()
	if v.Kind() == slog.KindString {
		return v.String()
	}
	if v.Kind() == slog.KindAny {
		return fmt.Sprint(v.Any())
	}
	return v.String()
}

// cut shortens s to at most n bytes without splitting a UTF-8 sequence,
// and makes it valid UTF-8.
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	return clip(strings.ToValidUTF8(s, "?"), n)
}
