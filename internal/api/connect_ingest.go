package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// ConnectIngest applies Amazon Connect agent events posted to the API and
// lists those that could not be applied.
type ConnectIngest interface {
	// ApplyAgentEvents decodes body, one agent event or an array of them,
	// and applies every event through the same path as the Kinesis
	// consumer. It returns what became of each event, in the order posted,
	// as a JSON array. A body that does not decode applies nothing and
	// returns an *AgentEventError. An event that could not be durably
	// applied returns the results and an error: posting the same body
	// again is safe.
	ApplyAgentEvents(ctx context.Context, body []byte) (results json.RawMessage, err error)
	// DeadLetters returns up to limit agent event records that could not
	// be applied, newest first, as a JSON array.
	DeadLetters(ctx context.Context, limit int) (json.RawMessage, error)
}

// AgentEventError is a body of agent events that does not decode.
type AgentEventError struct {
	// Reason is a stable code saying what is wrong.
	Reason string
	// Index is the position of the bad event in an array; -1 for a body
	// that is one event, or not events at all.
	Index int
	Err   error
}

// Error implements error.
func (e *AgentEventError) Error() string { return e.Err.Error() }

// Unwrap returns the decoding error.
func (e *AgentEventError) Unwrap() error { return e.Err }

func (s *Server) connectRoutes() []Route {
	if s.cfg.ConnectIngest == nil {
		return nil
	}
	return []Route{
		{Method: "POST", Path: "/v1/ingest/connect/agent-events", Roles: ingesters,
			Summary: "Apply Amazon Connect agent events (one, or an array), as EventBridge or any forwarder sends them",
			Request: "ConnectAgentEvents", Response: "ConnectIngestResults", Status: http.StatusAccepted, Handler: s.ingestAgentEvents},
		{Method: "GET", Path: "/v1/ingest/connect/dead-letters", Roles: overseers,
			Summary: "Agent event records that could not be applied, newest first", Response: "ConnectDeadLetters", Handler: s.connectDeadLetters,
			Params: []Param{{Name: "limit", In: "query", Type: "integer", Description: "At most this many, 1 to 1000; 100 when absent"}}},
	}
}

// ingestFailure is the error envelope with what an ingest error adds: where
// an undecodable event is, and what became of each event when some were
// not applied.
type ingestFailure struct {
	Error   ingestError     `json:"error"`
	Results json.RawMessage `json:"results,omitempty"`
}

type ingestError struct {
	errorDetail
	Reason string `json:"reason,omitempty"`
	Index  *int   `json:"index,omitempty"`
}

// ingestAgentEvents applies posted agent events. A body that does not
// decode is refused whole; an event that could not be durably applied
// makes the answer 503, and posting the same body again is safe.
func (s *Server) ingestAgentEvents(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			WriteError(w, http.StatusRequestEntityTooLarge, "too_large", err.Error())
			return
		}
		WriteError(w, http.StatusBadRequest, "bad_body", err.Error())
		return
	}
	results, err := s.cfg.ConnectIngest.ApplyAgentEvents(r.Context(), body)
	var bad *AgentEventError
	switch {
	case errors.As(err, &bad):
		e := ingestError{errorDetail: errorDetail{Code: "invalid_agent_event", Message: bad.Error()}, Reason: bad.Reason}
		if bad.Index >= 0 {
			e.Index = &bad.Index
		}
		WriteJSON(w, http.StatusBadRequest, ingestFailure{Error: e})
	case err != nil && results != nil:
		s.cfg.Logger.Warn("connect ingest: event not applied", "err", err)
		WriteJSON(w, http.StatusServiceUnavailable, ingestFailure{
			Error:   ingestError{errorDetail: errorDetail{Code: "unavailable", Message: "some events were not applied; post them again: " + err.Error()}},
			Results: results,
		})
	case err != nil:
		s.internalError(w, r, err)
	default:
		WriteJSON(w, http.StatusAccepted, struct {
			Results json.RawMessage `json:"results"`
		}{results})
	}
}

func (s *Server) connectDeadLetters(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			WriteError(w, http.StatusBadRequest, "invalid_input", "limit must be 1 to 1000")
			return
		}
		limit = n
	}
	dls, err := s.cfg.ConnectIngest.DeadLetters(r.Context(), limit)
	if err != nil {
		s.internalError(w, r, fmt.Errorf("list dead letters: %w", err))
		return
	}
	WriteJSON(w, http.StatusOK, struct {
		DeadLetters json.RawMessage `json:"deadLetters"`
	}{dls})
}
