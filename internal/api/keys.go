package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/store"
)

// keyInfo is a key as the API shows it: never its hash, and with its status
// as of the answer.
type keyInfo struct {
	store.Key
	// Status is active, revoked or expired.
	Status string `json:"status"`
}

func infoOf(k store.Key, now time.Time) keyInfo { return keyInfo{Key: k, Status: auth.Status(k, now)} }

type keyList struct {
	Keys []keyInfo `json:"keys"`
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := s.cfg.Store.ListKeys(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.cfg.Now()
	out := keyList{Keys: make([]keyInfo, len(keys))}
	for i, k := range keys {
		out.Keys[i] = infoOf(k, now)
	}
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	now := s.cfg.Now()
	k, err := auth.Revoke(r.Context(), s.cfg.Store, r.PathValue("id"), p.Actor(), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, infoOf(k, now))
}

func (s *Server) rotateKey(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	now := s.cfg.Now()
	token, k, err := auth.Rotate(r.Context(), s.cfg.Store, r.PathValue("id"), p.Actor(), now)
	if errors.Is(err, auth.ErrInactive) {
		WriteError(w, http.StatusConflict, "key_inactive", "only an active key can be rotated")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, keyCreated{keyInfo: infoOf(k, now), Key: token})
}
