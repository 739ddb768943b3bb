package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

type auditList struct {
	Entries []audit.Entry `json:"entries"`
	// Next continues the list with older entries (as ?cursor=); absent
	// when the page reached the oldest entry. With ?reason= a page may
	// hold fewer entries than its limit: the limit counts entries read.
	Next string `json:"next,omitempty"`
}

func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	aq := store.AuditQuery{ConversationID: q.Get("conversation"), Actor: q.Get("actor"), Limit: 500, Newest: true}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.fail(w, r, invalid("after must be a non-negative sequence number"))
			return
		}
		aq.After, aq.Newest = n, false
	}
	if v := q.Get("cursor"); v != "" {
		if !aq.Newest {
			s.fail(w, r, invalid("cursor pages newest first; after reads oldest first: give one of them"))
			return
		}
		seq, err := decodeAuditCursor(v)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		aq.Before = seq
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5000 {
			s.fail(w, r, invalid("limit must be between 1 and 5000"))
			return
		}
		aq.Limit = n
	}
	limit := aq.Limit
	aq.Limit++
	entries, err := s.cfg.Store.AuditEntries(r.Context(), aq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := auditList{Entries: make([]audit.Entry, 0, min(len(entries), limit))}
	if len(entries) > limit {
		entries = entries[:limit]
		if aq.Newest {
			out.Next = encodeAuditCursor(entries[limit-1].Seq)
		}
	}
	reason := strings.ToLower(q.Get("reason"))
	for _, e := range entries {
		if reason == "" || strings.Contains(strings.ToLower(e.Reason+" "+e.Outcome+" "+string(e.Detail)), reason) {
			out.Entries = append(out.Entries, e)
		}
	}
	WriteJSON(w, http.StatusOK, out)
}

type verification struct {
	OK    bool               `json:"ok"`
	Error *verificationBreak `json:"error,omitempty"`
}

type verificationBreak struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request) {
	err := s.cfg.Store.VerifyAudit(r.Context())
	var be *audit.BreakError
	switch {
	case err == nil:
		WriteJSON(w, http.StatusOK, verification{OK: true})
	case errors.As(err, &be):
		WriteJSON(w, http.StatusOK, verification{Error: &verificationBreak{Seq: be.Seq, Reason: be.Reason}})
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if _, err := s.cfg.Store.CountKeys(r.Context()); err != nil {
		WriteError(w, http.StatusServiceUnavailable, "store_unavailable", "the store does not answer")
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
