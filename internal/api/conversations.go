package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/none"
	"github.com/hush-cc/hush/internal/store"
)

// Access loads conversation id for the request's principal. It answers the
// request itself (404, 403 audited) and reports false when the principal may
// not act on it. Routes registered by adapters use it too.
func (s *Server) Access(w http.ResponseWriter, r *http.Request, id string) (conversation.Conversation, auth.Principal, bool) {
	p, _ := PrincipalFrom(r.Context())
	c, err := s.cfg.Store.Conversation(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return c, p, false
	}
	if p.Role != auth.Ingest && !p.MayAccess(c.AgentID) {
		s.deny(w, r, p, "conversation "+id+" belongs to another agent", id)
		return c, p, false
	}
	return c, p, true
}

type conversationList struct {
	Conversations []conversation.View `json:"conversations"`
	// Next continues the list (as ?cursor=); absent on the last page.
	Next string `json:"next,omitempty"`
}

const (
	defaultListLimit = 100
	maxListLimit     = 1000
)

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	q, err := listQuery(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if q.AgentID != "" && !p.SeesAll() && q.AgentID != p.AgentID {
		s.deny(w, r, p, "an agent key lists only its own conversations", "")
		return
	}
	limit := q.Limit
	// One more than asked says whether there is a next page.
	q.Limit++
	convs, err := s.cfg.Store.Conversations(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := conversationList{Conversations: make([]conversation.View, 0, min(len(convs), limit))}
	if len(convs) > limit {
		convs = convs[:limit]
		out.Next = encodeCursor(store.PositionOf(convs[limit-1]))
	}
	for _, c := range convs {
		out.Conversations = append(out.Conversations, c.View())
	}
	WriteJSON(w, http.StatusOK, out)
}

// listQuery reads the list's query parameters (see listParams).
func listQuery(r *http.Request, p auth.Principal) (store.Query, error) {
	v := r.URL.Query()
	q := store.Query{AgentID: v.Get("agent"), Limit: defaultListLimit}
	if !p.SeesAll() && q.AgentID == "" {
		q.AgentID = p.AgentID
	}
	switch v.Get("state") {
	case "":
	case "live":
		q.ActiveOnly = true
	case "ended":
		q.EndedOnly = true
	default:
		return q, invalid("state must be live or ended")
	}
	switch v.Get("active") {
	case "", "false":
	case "true":
		q.ActiveOnly = true
	default:
		return q, invalid("active must be true or false")
	}
	if q.ActiveOnly && q.EndedOnly {
		return q, invalid("state=ended contradicts active=true")
	}
	if t := v.Get("since"); t != "" {
		since, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return q, invalid("since must be an RFC 3339 time, such as 2025-03-01T10:00:00Z")
		}
		q.Since = since
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxListLimit {
			return q, invalid("limit must be between 1 and %d", maxListLimit)
		}
		q.Limit = n
	}
	if c := v.Get("cursor"); c != "" {
		pos, err := decodeCursor(c)
		if err != nil {
			return q, err
		}
		q.Before = &pos
	}
	return q, nil
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.Access(w, r, r.PathValue("id"))
	if ok {
		WriteJSON(w, http.StatusOK, c.View())
	}
}

func (s *Server) createConversation(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req, err := decodeCreateConversation(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.cfg.Engine.Create(r.Context(), conversation.Spec{
		ID:            req.ID,
		AgentID:       req.AgentID,
		Platform:      none.Platform,
		Recording:     conversation.State(req.Recording),
		Transcription: conversation.State(req.Transcription),
	}, p.Name())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, c.View())
}

// platformEvent feeds hold, unhold and end from any CTI.
func (s *Server) platformEvent(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	id := r.PathValue("id")
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req, err := decodePlatformEvent(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kind := conversation.Kind(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:])
	reply, err := s.cfg.Engine.Apply(r.Context(), id, conversation.Input{
		Kind: kind, Actor: p.Name(), ActorName: p.DisplayName, At: req.At, EventID: req.EventID,
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusAccepted, reply.Conversation.View())
}

// CommandAccepted answers a capability command.
type CommandAccepted struct {
	TransactionID  string                  `json:"transactionId"`
	ConversationID string                  `json:"conversationId"`
	Capability     conversation.Capability `json:"capability"`
	Operation      conversation.Operation  `json:"operation"`
	CurrentState   conversation.State      `json:"currentState"`
	DesiredState   conversation.State      `json:"desiredState"`
	PauseReasons   []conversation.Reason   `json:"pauseReasons"`
	EffectiveAt    time.Time               `json:"effectiveAt"`
}

func (s *Server) command(w http.ResponseWriter, r *http.Request) {
	capability := conversation.Capability(r.PathValue("capability"))
	op := conversation.Operation(r.PathValue("operation"))
	if !capability.Valid() || !op.Valid() {
		WriteError(w, http.StatusNotFound, "not_found", "no such command: want recording|transcription and start|pause|resume|stop")
		return
	}
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req, err := decodeCommand(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, p, ok := s.Access(w, r, r.PathValue("id"))
	if !ok || !s.agentMayControl(w, r, p, c, capability, op) {
		return
	}
	at := s.cfg.Now().Add(-time.Duration(req.RetroactiveMs) * time.Millisecond)
	reply, err := s.cfg.Engine.Apply(r.Context(), c.ID, conversation.Input{
		Kind: conversation.KindCommand, Capability: capability, Operation: op,
		Actor: p.Name(), ActorName: p.DisplayName, Note: req.Reason, At: at,
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cp := reply.Conversation.Cap(capability)
	effective := at
	for _, rs := range cp.Reasons {
		if rs.Kind == conversation.Manual && rs.ID == p.Name() {
			effective = rs.Since
		}
	}
	WriteJSON(w, http.StatusAccepted, CommandAccepted{
		TransactionID:  reply.TransactionID,
		ConversationID: c.ID,
		Capability:     capability,
		Operation:      op,
		CurrentState:   cp.State,
		DesiredState:   cp.Desired(),
		PauseReasons:   append([]conversation.Reason{}, cp.Reasons...),
		EffectiveAt:    effective,
	})
}
