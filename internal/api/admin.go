package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
)

type keyCreated struct {
	keyInfo
	// Key is the token; it is shown only here.
	Key string `json:"key"`
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req KeyRequest
	if err := decodeStrict(body, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	role, err := auth.ParseRole(req.Role)
	if err != nil {
		s.fail(w, r, invalid("%v", err))
		return
	}
	if req.AgentID != "" {
		if err := validID("agentId", req.AgentID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if role == auth.Agent && req.AgentID == "" {
		s.fail(w, r, invalid("an agent key needs an agentId"))
		return
	}
	now := s.cfg.Now()
	spec := auth.Spec{Role: role, AgentID: req.AgentID, Name: req.Name, ExpiresAt: req.ExpiresAt,
		NoPause: req.MayPause != nil && !*req.MayPause}
	if err := spec.Validate(now); err != nil {
		s.fail(w, r, invalid("%v", err))
		return
	}
	token, k, err := auth.IssueKey(r.Context(), s.cfg.Store, spec, p.Actor(), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, keyCreated{keyInfo: infoOf(k, now), Key: token})
}

type webhookList struct {
	Webhooks []store.Webhook `json:"webhooks"`
}

type webhookCreated struct {
	store.Webhook
	// Secret signs every delivery; it is shown only here.
	Secret string `json:"secret"`
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req WebhookRequest
	if err := decodeStrict(body, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		s.fail(w, r, invalid("url must be an absolute http or https URL"))
		return
	}
	if req.Secret == "" {
		var b [32]byte
		_, _ = rand.Read(b[:])
		req.Secret = hex.EncodeToString(b[:])
	}
	if len(req.Secret) < 16 {
		s.fail(w, r, invalid("secret must be at least 16 characters"))
		return
	}
	hook := store.Webhook{ID: engine.NewID(), URL: u.String(), Secret: req.Secret, Types: req.Types, CreatedAt: s.cfg.Now()}
	// A new subscriber hears what happens from now on: without knowing
	// where now is, it would be sent the whole history.
	latest, err := s.cfg.Store.LatestEventSeq(r.Context())
	if err != nil {
		s.fail(w, r, fmt.Errorf("find the newest event: %w", err))
		return
	}
	hook.Cursor = latest
	if err := s.cfg.Store.CreateWebhook(r.Context(), hook); err != nil {
		s.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, webhookCreated{Webhook: hook, Secret: hook.Secret})
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	hooks, err := s.cfg.Store.Webhooks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if hooks == nil {
		hooks = []store.Webhook{}
	}
	WriteJSON(w, http.StatusOK, webhookList{Webhooks: hooks})
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Store.DeleteWebhook(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type deliveryList struct {
	Deliveries []store.Delivery `json:"deliveries"`
}

func (s *Server) webhookDeliveries(w http.ResponseWriter, r *http.Request) {
	ds, err := s.cfg.Store.Deliveries(r.Context(), r.PathValue("id"), 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ds == nil {
		ds = []store.Delivery{}
	}
	WriteJSON(w, http.StatusOK, deliveryList{Deliveries: ds})
}
