package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/timeline"
)

// timeline answers a conversation's whole history of spans, folded from the
// snapshots its events carry, so a view opened mid-call draws the call
// from its start.
func (s *Server) timeline(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, _, ok := s.Access(w, r, id); !ok {
		return
	}
	var views []conversation.View
	var after int64
	for {
		evs, err := s.cfg.Store.EventsAfter(r.Context(), after, id, eventPage)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, ev := range evs {
			after = ev.Seq
			if !strings.HasPrefix(ev.Type, "conversation.") {
				continue
			}
			var v conversation.View
			if err := json.Unmarshal(ev.Data, &v); err != nil {
				s.fail(w, r, fmt.Errorf("event %d of %s: %w", ev.Seq, id, err))
				return
			}
			views = append(views, v)
		}
		if len(evs) < eventPage {
			break
		}
	}
	WriteJSON(w, http.StatusOK, timeline.Build(views))
}
