package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
)

// SecureSessionCreated answers the opening of a secure session.
type SecureSessionCreated struct {
	conversation.SecureSession
	ConversationID string `json:"conversationId"`
	TransactionID  string `json:"transactionId"`
	// CompleteURL completes the session without an API key, once; the
	// secure page calls it when the payment is done.
	CompleteURL string `json:"completeUrl"`
	SecureURL   string `json:"secureUrl,omitempty"`
}

func (s *Server) createSecureSession(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req, err := decodeSecureSession(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, p, ok := s.Access(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	token, tokenHash := completionToken()
	id := engine.NewID()
	in := conversation.Input{Kind: conversation.KindSecureStart, Actor: p.Name(), ActorName: p.DisplayName, SessionID: id, TokenHash: tokenHash, Note: req.Reason}
	if req.TTLSeconds > 0 {
		in.ExpiresAt = s.cfg.Now().Add(time.Duration(req.TTLSeconds) * time.Second)
	}
	reply, err := s.cfg.Engine.Apply(r.Context(), c.ID, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sess, _ := reply.Conversation.Session(id)
	out := SecureSessionCreated{SecureSession: *sess, ConversationID: c.ID, TransactionID: reply.TransactionID}
	out.TokenHash = ""
	out.CompleteURL = "/v1/secure-sessions/" + id + "/complete?token=" + token
	if s.cfg.SecurePageURL != "" {
		out.SecureURL = strings.NewReplacer(
			"{sessionId}", url.QueryEscape(id),
			"{completeUrl}", url.QueryEscape(out.CompleteURL),
		).Replace(s.cfg.SecurePageURL)
	}
	WriteJSON(w, http.StatusCreated, out)
}

// completeSecureSession accepts either an API key allowed on the
// conversation or the session's one-time completion token.
func (s *Server) completeSecureSession(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	convID, err := s.cfg.Store.SessionConversation(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := "secure-page"
	if r.Header.Get("Authorization") != "" {
		p, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		if !p.Any(controllers...) {
			s.deny(w, r, p, "role "+string(p.Role)+" may not complete secure sessions", convID)
			return
		}
		r = r.WithContext(withPrincipal(r.Context(), p))
		if _, _, ok := s.Access(w, r, convID); !ok {
			return
		}
		actor = p.Name()
	} else if !s.tokenMatches(r, convID, id) {
		WriteError(w, http.StatusUnauthorized, "unauthenticated", "an API key or the session's completion token is required")
		return
	}
	reply, err := s.cfg.Engine.Apply(r.Context(), convID, conversation.Input{Kind: conversation.KindSecureComplete, Actor: actor, SessionID: id})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sess, _ := reply.Conversation.Session(id)
	out := *sess
	out.TokenHash = ""
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) tokenMatches(r *http.Request, convID, sessionID string) bool {
	token := r.URL.Query().Get("token")
	if token == "" {
		return false
	}
	c, err := s.cfg.Store.Conversation(r.Context(), convID)
	if err != nil {
		return false
	}
	sess, ok := c.Session(sessionID)
	if !ok || sess.TokenHash == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(sess.TokenHash), []byte(hashToken(token))) == 1
}

func completionToken() (token, hash string) {
	var b [24]byte
	_, _ = rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

type me struct {
	KeyID   string    `json:"keyId"`
	Role    auth.Role `json:"role"`
	AgentID string    `json:"agentId,omitempty"`
	Name    string    `json:"name"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	WriteJSON(w, http.StatusOK, me{KeyID: p.KeyID, Role: p.Role, AgentID: p.AgentID, Name: p.Name()})
}

func (s *Server) clientConfig(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"securePageUrl": s.cfg.SecurePageURL}
	if s.cfg.Engine != nil {
		// A manual pause ends by itself this long after it began.
		out["manualMaxAgeSeconds"] = int64(s.cfg.Engine.Policy().ManualMaxAge.Seconds())
	}
	WriteJSON(w, http.StatusOK, out)
}
