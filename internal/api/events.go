package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/store"
)

const (
	eventPage    = 500
	pingInterval = 15 * time.Second
	// coalesce gathers the commits of a busy moment into one read per
	// stream instead of one read per commit.
	coalesce = 10 * time.Millisecond
)

// events streams the event log as server-sent events. Each event's id is its
// durable sequence number, so a client that reconnects with Last-Event-ID
// misses nothing.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	filter := r.URL.Query().Get("conversation")
	if filter != "" && !p.SeesAll() {
		if _, _, ok := s.Access(w, r, filter); !ok {
			return
		}
	}
	last, err := lastEventID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, ": hush events\n\n")
	_ = rc.Flush()

	visible := s.visibility(p)
	poll := time.NewTicker(s.cfg.EventPoll)
	defer poll.Stop()
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	ctx := r.Context()
	for {
		wake := s.cfg.Engine.Signal().C()
		evs, err := s.cfg.Store.EventsAfter(ctx, last, filter, eventPage)
		if err != nil {
			if ctx.Err() == nil {
				s.cfg.Logger.Error("read events", "err", err)
			}
			return
		}
		for _, ev := range evs {
			last = ev.Seq
			if visible(r, ev) {
				if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.Seq, ev.Type, ev.Data); err != nil {
					return
				}
			}
		}
		if len(evs) > 0 {
			if err := rc.Flush(); err != nil {
				return
			}
		}
		if len(evs) == eventPage {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.streamsDone:
			return
		case <-wake:
			select {
			case <-ctx.Done():
				return
			case <-s.streamsDone:
				return
			case <-time.After(coalesce):
			}
		case <-poll.C:
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

func lastEventID(r *http.Request) (int64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("after")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, invalid("Last-Event-ID must be a non-negative event sequence number")
	}
	return n, nil
}

// visibility returns the filter of events a principal may see: everything
// for those who see all, else only events of the agent's own conversations.
func (s *Server) visibility(p auth.Principal) func(*http.Request, store.Event) bool {
	if p.SeesAll() {
		return func(*http.Request, store.Event) bool { return true }
	}
	owned := ownership{}
	return func(r *http.Request, ev store.Event) bool {
		if ev.ConversationID == "" {
			return false
		}
		ok, seen := owned[ev.ConversationID]
		if !seen {
			c, err := s.cfg.Store.Conversation(r.Context(), ev.ConversationID)
			ok = err == nil && p.MayAccess(c.AgentID)
			owned.remember(ev.ConversationID, ok)
		}
		return ok
	}
}

// maxOwnership bounds what one stream remembers of who owns which
// conversation: a stream open for days sees every conversation of the
// contact center, nearly all of them other agents'.
const maxOwnership = 4096

// ownership caches, per conversation, whether the stream's agent owns it.
type ownership map[string]bool

// remember records an answer, forgetting everything first when full: a
// forgotten answer is looked up again, and an owner never changes.
func (o ownership) remember(conversationID string, owned bool) {
	if len(o) >= maxOwnership {
		clear(o)
	}
	o[conversationID] = owned
}
