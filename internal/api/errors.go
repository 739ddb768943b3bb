package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteJSON answers with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError answers with the API's error body: {"error":{"code","message"}}.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	WriteJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: msg}})
}

// fail answers err with the status that says what went wrong.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ce *conversation.Error
	var be *badRequest
	switch {
	case errors.As(err, &be):
		WriteError(w, be.status, be.code, be.msg)
	case errors.As(err, &ce):
		WriteError(w, conversationStatus(ce.Code), ce.Code, ce.Message)
	case errors.Is(err, store.ErrNotFound):
		WriteError(w, http.StatusNotFound, "not_found", "not found")
	case errors.Is(err, store.ErrExists):
		WriteError(w, http.StatusConflict, "already_exists", "already exists")
	case errors.Is(err, store.ErrConflict):
		WriteError(w, http.StatusConflict, "conflict", "changed concurrently; try again")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		WriteError(w, http.StatusServiceUnavailable, "unavailable", "the request was cancelled")
	default:
		s.internalError(w, r, err)
	}
}

func conversationStatus(code string) int {
	switch code {
	case conversation.CodeInvalid:
		return http.StatusBadRequest
	case conversation.CodeSessionUnknown:
		return http.StatusNotFound
	case conversation.CodeConsentDeclined:
		return http.StatusForbidden
	}
	return http.StatusConflict
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.cfg.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	WriteError(w, http.StatusInternalServerError, "internal", "internal error")
}
