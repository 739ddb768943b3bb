package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/feed"
)

const (
	eventPage    = 500
	pingInterval = 15 * time.Second
)

// events streams the event log as server-sent events. Each event's id is its
// durable sequence number. A new stream starts after the newest event;
// Last-Event-ID, or ?after= (0 for everything), resumes from a point, so a
// client that reconnects misses nothing.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	filter := r.URL.Query().Get("conversation")
	if filter != "" && !p.SeesAll() {
		if _, _, ok := s.Access(w, r, filter); !ok {
			return
		}
	}
	last, resumed, err := lastEventID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	release, ok := s.streams.acquire(p.KeyID)
	if !ok {
		WriteError(w, http.StatusTooManyRequests, "too_many_streams",
			fmt.Sprintf("too many event streams open (at most %d per key, %d in all); close one first", s.streams.perKey, s.streams.total))
		return
	}
	defer release()
	ctx := r.Context()
	if !resumed {
		if last, err = s.feed.Latest(ctx); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The id line tells the client where it stands before any event comes,
	// so a reconnect resumes from here rather than from a later "now".
	_, _ = fmt.Fprintf(w, ": hush events\nid: %d\n\n", last)
	_ = rc.Flush()

	visible := visibility(p, filter)
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		items, more, err := s.feed.Read(ctx, last, eventPage)
		if err != nil {
			if ctx.Err() == nil {
				s.cfg.Logger.Error("read events", "err", err)
			}
			return
		}
		wrote := false
		for _, it := range items {
			last = it.Seq
			if visible(it) {
				if _, err := w.Write(it.Frame); err != nil {
					return
				}
				wrote = true
			}
		}
		if wrote {
			if err := rc.Flush(); err != nil {
				return
			}
		}
		if len(items) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.streamsDone:
			return
		case <-s.feed.Done():
			return
		case <-more:
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// lastEventID reads where a stream resumes: Last-Event-ID, else ?after=.
// resumed is false when neither is given: the stream starts now.
func lastEventID(r *http.Request) (seq int64, resumed bool, err error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("after")
	}
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false, invalid("Last-Event-ID and after must be a non-negative event sequence number")
	}
	return n, true, nil
}

// visibility returns the filter of events a stream shows: those of its
// conversation, if it names one, and for agents only their own
// conversations'.
func visibility(p auth.Principal, conversationID string) func(feed.Item) bool {
	return func(it feed.Item) bool {
		if conversationID != "" && it.ConversationID != conversationID {
			return false
		}
		if p.SeesAll() {
			return true
		}
		return it.ConversationID != "" && it.AgentID != "" && p.MayAccess(it.AgentID)
	}
}
