package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/retention"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

// RetentionConfig says how long hush keeps what; zero keeps forever.
type RetentionConfig struct {
	Recordings time.Duration
	Events     time.Duration
	Deliveries time.Duration
	Every      time.Duration
}

// setupRetention starts the retention sweep when any retention is set.
func (s *Server) setupRetention() error {
	rc := s.cfg.Retention
	sw := &retention.Sweeper{Store: s.store, Recordings: rc.Recordings, Events: rc.Events, Deliveries: rc.Deliveries,
		Every: rc.Every, Logger: s.log}
	if !sw.On() {
		return nil
	}
	if s.nodes != nil {
		// Each node keeps its own calls' files: it deletes those, and those
		// of conversations no node recorded (they have none), never another
		// node's.
		sw.Owns = func(ctx context.Context, id string) (bool, error) {
			c, err := s.store.Conversation(ctx, id)
			if err != nil {
				return false, err
			}
			return c.Node == "" || c.Node == s.node, nil
		}
	}
	if rc.Recordings > 0 {
		// A recorder that records nothing: only its file naming is used.
		names, err := media.NewRecorder(media.Config{Dir: filepath.Join(s.cfg.Data, RecordingsDir), Logger: s.log})
		if err != nil {
			return err
		}
		sw.Files = func(id string) []string {
			wav, segments := names.Paths(id)
			transcript := names.SidecarPath(id, asr.SidecarName)
			return []string{wav, segments, transcript, asr.JournalPath(transcript)}
		}
	}
	s.runners = append(s.runners, sw.Run)
	return nil
}

type legalHoldRequest struct {
	Reason string `json:"reason"`
}

const maxHoldReason = 500

func legalHoldRoutes(s *Server) []api.Route {
	overseers := []auth.Role{auth.Admin, auth.Supervisor}
	return []api.Route{
		{Method: "POST", Path: "/v1/conversations/{id}/legal-hold", Roles: overseers,
			Summary: "Put a conversation under legal hold: retention deletes nothing of it", Request: "LegalHoldRequest", Response: "LegalHold",
			Handler: func(w http.ResponseWriter, r *http.Request) {
				p, _ := api.PrincipalFrom(r.Context())
				var req legalHoldRequest
				dec := json.NewDecoder(r.Body)
				dec.DisallowUnknownFields()
				// An empty body stands for {}.
				if err := dec.Decode(&req); (err != nil && !errors.Is(err, io.EOF)) || dec.More() {
					api.WriteError(w, http.StatusBadRequest, "invalid", "body must be {\"reason\": string}")
					return
				}
				if len(req.Reason) > maxHoldReason || !utf8.ValidString(req.Reason) {
					api.WriteError(w, http.StatusBadRequest, "invalid", "reason must be at most 500 bytes of UTF-8")
					return
				}
				id, now := r.PathValue("id"), time.Now()
				h, err := s.store.SetLegalHold(r.Context(), sqlite.LegalHold{ConversationID: id, Since: now, By: p.Name(), Reason: req.Reason},
					audit.Entry{At: now, ConversationID: id, Actor: p.Name(), ActorName: p.DisplayName, Action: "legal-hold.set",
						Reason: req.Reason, Outcome: "applied"})
				holdAnswer(w, h, err, s.log)
			}},
		{Method: "GET", Path: "/v1/conversations/{id}/legal-hold", Roles: overseers,
			Summary: "The conversation's legal hold (404 if none)", Response: "LegalHold",
			Handler: func(w http.ResponseWriter, r *http.Request) {
				h, err := s.store.LegalHold(r.Context(), r.PathValue("id"))
				holdAnswer(w, h, err, s.log)
			}},
		{Method: "DELETE", Path: "/v1/conversations/{id}/legal-hold", Roles: overseers, Status: 204,
			Summary: "Release a legal hold: retention applies again",
			Handler: func(w http.ResponseWriter, r *http.Request) {
				p, _ := api.PrincipalFrom(r.Context())
				id := r.PathValue("id")
				err := s.store.ReleaseLegalHold(r.Context(), id, audit.Entry{At: time.Now(), ConversationID: id, Actor: p.Name(),
					ActorName: p.DisplayName, Action: "legal-hold.released", Outcome: "applied"})
				if err != nil {
					holdAnswer(w, sqlite.LegalHold{}, err, s.log)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}},
	}
}

func holdAnswer(w http.ResponseWriter, h sqlite.LegalHold, err error, log *slog.Logger) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		api.WriteError(w, http.StatusNotFound, "not_found", "no such conversation or legal hold")
	case err != nil:
		log.Error("legal hold", "err", err)
		api.WriteError(w, http.StatusInternalServerError, "internal", "could not read or change the legal hold")
	default:
		api.WriteJSON(w, http.StatusOK, h)
	}
}
