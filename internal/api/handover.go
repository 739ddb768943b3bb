package api

import (
	"context"
	"net/http"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/conversation"
)

// TransferRequest hands a conversation to another agent.
type TransferRequest struct {
	AgentID string `json:"agentId"`
}

// ConsentRequest carries the customer's answer about recording.
type ConsentRequest struct {
	Recording string `json:"recording"`
}

func decodeTransfer(body []byte) (TransferRequest, error) {
	var t TransferRequest
	if err := decodeStrict(body, &t); err != nil {
		return t, err
	}
	if t.AgentID == "" || len(t.AgentID) > 128 {
		return t, invalid("agentId is required, at most 128 bytes")
	}
	return t, nil
}

func decodeConsent(body []byte) (ConsentRequest, error) {
	var c ConsentRequest
	if err := decodeStrict(body, &c); err != nil {
		return c, err
	}
	if !conversation.ConsentState(c.Recording).Valid() {
		return c, invalid(`recording must be "granted" or "declined"`)
	}
	return c, nil
}

// transfer hands a conversation to another agent: from then on the new
// agent sees and controls it and the old one no longer does.
func (s *Server) transfer(w http.ResponseWriter, r *http.Request) {
	s.applyRequest(w, r, func(body []byte) (func(conversation.Conversation) conversation.Input, error) {
		req, err := decodeTransfer(body)
		return func(c conversation.Conversation) conversation.Input {
			return conversation.Input{Kind: conversation.KindTransfer, AgentID: req.AgentID,
				Note: "transfer from " + c.AgentID + " to " + req.AgentID}
		}, err
	})
}

// consent records the customer's answer; a decline locks recording and
// transcription paused until the call ends.
func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	s.applyRequest(w, r, func(body []byte) (func(conversation.Conversation) conversation.Input, error) {
		req, err := decodeConsent(body)
		return func(conversation.Conversation) conversation.Input {
			return conversation.Input{Kind: conversation.KindConsent, Consent: conversation.ConsentState(req.Recording)}
		}, err
	})
}

// applyRequest decodes the body with decode, checks the caller may act on
// the conversation, applies the input decode's result builds for it as the
// caller and answers with the conversation. A body that does not decode is
// refused before the conversation is looked at.
func (s *Server) applyRequest(w http.ResponseWriter, r *http.Request, decode func(body []byte) (func(conversation.Conversation) conversation.Input, error)) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	build, err := decode(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, p, ok := s.Access(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	in := build(c)
	in.Actor, in.ActorName = p.Name(), p.DisplayName
	reply, err := s.cfg.Engine.Apply(r.Context(), c.ID, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, reply.Conversation.View())
}

// agentMayControl applies the administrator's switches, for the deployment
// and per key: with agent pausing off, an agent key may neither pause nor resume (nor start what has
// started, which resumes it). It answers the request itself, audited, and
// reports false when the command is refused.
func (s *Server) agentMayControl(w http.ResponseWriter, r *http.Request, p auth.Principal, c conversation.Conversation, k conversation.Capability, op conversation.Operation) bool {
	if p.Role != auth.Agent || (!s.cfg.DenyAgentPause && !p.NoPause) {
		return true
	}
	switch {
	case op == conversation.OpPause, op == conversation.OpResume,
		op == conversation.OpStart && c.Cap(k).Started:
	default:
		return true
	}
	why := "agents may not pause or resume " + string(k) + " in this deployment"
	if !s.cfg.DenyAgentPause {
		why = "this agent key may not pause or resume " + string(k)
	}
	err := s.cfg.Store.AppendAudit(context.WithoutCancel(r.Context()), audit.Entry{
		At:             s.cfg.Now(),
		ConversationID: c.ID,
		Actor:          p.Name(),
		Capability:     string(k),
		Action:         "access.denied",
		Reason:         r.Method + " " + r.URL.Path,
		Outcome:        "denied: " + why,
	})
	if err != nil {
		s.cfg.Logger.Error("audit access denial", "err", err)
	}
	WriteError(w, http.StatusForbidden, CodeAgentPauseDisabled, why)
	return false
}

// CodeAgentPauseDisabled refuses an agent's pause or resume when the
// administrator switched agent pausing off.
const CodeAgentPauseDisabled = "agent_pause_disabled"
