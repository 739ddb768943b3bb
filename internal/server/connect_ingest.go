package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/auth"
)

func (ad *connectAdapter) routes() []api.Route {
	return []api.Route{
		{Method: "POST", Path: "/v1/ingest/connect/agent-events", Roles: []auth.Role{auth.Ingest, auth.Admin},
			Summary: "Apply Amazon Connect agent events (one, or an array), as EventBridge or any forwarder sends them",
			Request: "ConnectAgentEvents", Response: "ConnectIngestResults", Status: http.StatusAccepted, Handler: ad.ingest},
		{Method: "GET", Path: "/v1/ingest/connect/dead-letters", Roles: []auth.Role{auth.Admin, auth.Supervisor},
			Summary: "Agent event records that could not be applied, newest first", Response: "ConnectDeadLetters", Handler: ad.deadLetters,
			Params: []api.Param{{Name: "limit", In: "query", Type: "integer", Description: "At most this many, 1 to 1000; 100 when absent"}}},
	}
}

// ingestReply lists what became of each event, in the order posted.
type ingestReply struct {
	Results []amazonconnect.EventResult `json:"results"`
}

type ingestError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Reason and Index locate an undecodable event.
	Reason string `json:"reason,omitempty"`
	Index  *int   `json:"index,omitempty"`
}

type ingestFailure struct {
	Error   ingestError                 `json:"error"`
	Results []amazonconnect.EventResult `json:"results,omitempty"`
}

// ingest applies posted agent events through the same applier as the
// Kinesis consumer. A body that does not decode is refused whole; an event
// that could not be durably applied makes the answer 503, and posting the
// same body again is safe.
func (ad *connectAdapter) ingest(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			api.WriteJSON(w, http.StatusRequestEntityTooLarge, ingestFailure{Error: ingestError{Code: "too_large", Message: err.Error()}})
			return
		}
		api.WriteJSON(w, http.StatusBadRequest, ingestFailure{Error: ingestError{Code: "bad_body", Message: err.Error()}})
		return
	}
	evs, err := amazonconnect.DecodeBatch(body)
	if err != nil {
		e := ingestError{Code: "invalid_agent_event", Message: err.Error()}
		var de *amazonconnect.DecodeError
		if errors.As(err, &de) {
			e.Reason = string(de.Reason)
			if de.Index >= 0 {
				e.Index = &de.Index
			}
		}
		api.WriteJSON(w, http.StatusBadRequest, ingestFailure{Error: e})
		return
	}
	results := ad.applier.ApplyEvents(r.Context(), evs)
	for _, res := range results {
		if res.Err != nil {
			ad.a.log.Warn("connect ingest: event not applied", "event", res.EventID, "err", res.Err)
			api.WriteJSON(w, http.StatusServiceUnavailable, ingestFailure{
				Error:   ingestError{Code: "unavailable", Message: "some events were not applied; post them again: " + res.Error},
				Results: results,
			})
			return
		}
	}
	api.WriteJSON(w, http.StatusAccepted, ingestReply{Results: results})
}

type deadLetterList struct {
	DeadLetters []amazonconnect.DeadLetter `json:"deadLetters"`
}

func (ad *connectAdapter) deadLetters(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			api.WriteJSON(w, http.StatusBadRequest, ingestFailure{Error: ingestError{Code: "invalid_input", Message: "limit must be 1 to 1000"}})
			return
		}
		limit = n
	}
	dls, err := ad.a.store.DeadLetters(r.Context(), limit)
	if err != nil {
		ad.a.log.Error("list dead letters", "err", err)
		api.WriteJSON(w, http.StatusInternalServerError, ingestFailure{Error: ingestError{Code: "internal", Message: "internal error"}})
		return
	}
	if dls == nil {
		dls = []amazonconnect.DeadLetter{}
	}
	api.WriteJSON(w, http.StatusOK, deadLetterList{DeadLetters: dls})
}
