package siprec

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/media"
)

// requestTimeout bounds the work behind one SIP request (creating the
// conversation, reporting a pause).
const requestTimeout = 10 * time.Second

// onInvite answers an INVITE: a new recording session, or a re-INVITE
// within one.
func (s *Server) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params != nil {
		if tag, ok := to.Params.Get("tag"); ok && tag != "" {
			s.onUpdate(req, tx)
			return
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	var once sync.Once
	cancelled := make(chan struct{})
	tx.OnCancel(func(*sip.Request) { once.Do(func() { close(cancelled) }) })
	if !s.mayOpen(req) {
		s.cfg.Metrics.Refused.WithLabelValues(refusedForbidden).Inc()
		s.refuse(req, tx, Refusal(StatusForbidden, "source %s is not in the allow list", req.Source()))
		return
	}
	d, offer, err := s.admit(ctx, req)
	if err != nil {
		s.refuse(req, tx, err)
		return
	}
	answer, err := s.open(ctx, req, d, offer, cancelled)
	if err != nil {
		s.forget(d)
		if errors.Is(err, errCancelled) {
			return // the transaction layer answered 487
		}
		s.refuse(req, tx, err)
		return
	}
	res := s.answerResponse(req, d, answer)
	if err := tx.Respond(res); err != nil {
		s.log.Warn("answer lost; ending the session", "conversation", d.id, "err", err)
		s.end(ctx, d, EndAnswerLost)
		return
	}
	s.armACK(d)
	s.log.Info("recording session started", "conversation", d.id, "agent", d.assign.AgentID)
}

var errCancelled = errors.New("siprec: INVITE cancelled")

// admit checks a new INVITE and reserves its Call-ID. Nothing is opened
// yet, so a refusal leaves nothing behind.
func (s *Server) admit(ctx context.Context, req *sip.Request) (*dialog, Offer, error) {
	if req.CallID() == nil || req.To() == nil || req.From() == nil {
		return nil, Offer{}, malformed("INVITE lacks Call-ID, From or To")
	}
	if bad := unsupportedRequired(req); len(bad) > 0 {
		return nil, Offer{}, Refusal(StatusBadExtension, "unsupported extensions: %s", strings.Join(bad, ", "))
	}
	marked := isRecordingSession(req)
	if !marked && s.cfg.Strict {
		return nil, Offer{}, notAcceptable("not a SIPREC recording session (no siprec option tag)")
	}
	interval, _, err := sessionExpires(req)
	if err != nil {
		return nil, Offer{}, err
	}
	if interval > 0 && interval < s.cfg.MinSE {
		return nil, Offer{}, Refusal(StatusIntervalTooBrief, "Session-Expires %v below %v", interval, s.cfg.MinSE)
	}
	body, err := SplitBody(contentType(req), req.Body())
	if err != nil {
		if !marked {
			return nil, Offer{}, notAcceptable("not a SIPREC recording session (no siprec option tag)")
		}
		return nil, Offer{}, err
	}
	if !marked {
		// Recording metadata (RFC 7865's media type, with or without
		// Content-Disposition: recording-session) is sent only to a
		// recorder: it marks the INVITE as well as the option tag would.
		if body.Metadata == nil {
			return nil, Offer{}, notAcceptable("not a SIPREC recording session (no siprec option tag, no recording metadata)")
		}
		s.lenient.note(s.log, req)
	}
	if body.SDP == nil {
		return nil, Offer{}, notAcceptable("INVITE carries no SDP offer")
	}
	offer, err := s.parseOffer(body.SDP)
	if err != nil {
		return nil, Offer{}, err
	}
	if _, err := offer.Acceptable(); err != nil {
		return nil, Offer{}, err
	}
	var meta Metadata
	if body.Metadata != nil {
		if meta, err = ParseMetadata(body.Metadata); err != nil {
			return nil, Offer{}, err
		}
	}
	callID := req.CallID().Value()
	remoteTag, _ := req.From().Params.Get("tag")
	peer, _ := sourceAddr(req)
	d := &dialog{
		id: ConversationID(callID), callID: callID, localTag: newTag(), invite: req,
		remoteTag: remoteTag, peer: peer, transport: req.Transport(),
		legs: map[int]*leg{}, sessID: uint64(time.Now().Unix()), meta: meta, interval: interval,
	}
	// A conversation of that id exists (an earlier call, or one from
	// elsewhere): refuse before anything is opened, so no file of the
	// existing conversation is created, touched or served.
	if exists, err := s.cfg.Control.Exists(ctx, d.id); err != nil {
		return nil, Offer{}, fmt.Errorf("siprec: look up conversation: %w", err)
	} else if exists {
		s.cfg.Metrics.Refused.WithLabelValues(refusedExists).Inc()
		return nil, Offer{}, Refusal(StatusForbidden, "conversation %s exists", d.id)
	}
	if s.cfg.Rule != nil {
		d.assign = s.cfg.Rule.Assign(meta, offer)
	} else {
		d.assign = Assignment{CallerStream: -1, AgentStream: -1}
		streams, _ := offer.Acceptable()
		fillByOrder(&d.assign, streams)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, Offer{}, Refusal(StatusServiceUnavailable, "shutting down")
	}
	if _, dup := s.dialogs[callID]; dup {
		return nil, Offer{}, Refusal(StatusForbidden, "a recording session with Call-ID %q exists", callID)
	}
	s.dialogs[callID] = d
	return d, offer, nil
}

// open starts recording an admitted INVITE: the media call, its RTP
// ports, the conversation. On error everything opened is given back, and
// the session is marked ended: it never began, so a shutdown that found it
// meanwhile must not end a conversation it does not own.
func (s *Server) open(ctx context.Context, req *sip.Request, d *dialog, offer Offer, cancelled <-chan struct{}) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ended {
		// A shutdown ended the session before it could open.
		return nil, Refusal(StatusServiceUnavailable, "shutting down")
	}
	start := s.cfg.Now()
	opts := media.CallOptions{Start: start}
	if !s.cfg.Recorder.Transcribes() {
		opts.Transcription = conversation.NotStarted
	}
	call, err := s.cfg.Recorder.Open(ctx, d.id, opts)
	if err != nil {
		d.ended = true
		return nil, Refusal(StatusForbidden, "cannot record %s: %v", d.id, err)
	}
	d.call = call
	answer, changes, err := s.negotiate(d, offer)
	if errors.Is(err, media.ErrNoPorts) {
		s.cfg.Metrics.Refused.WithLabelValues(refusedNoPorts).Inc()
	}
	if err == nil && isClosed(cancelled) {
		err = errCancelled
	}
	if err == nil {
		info := SessionInfo{ConversationID: d.id, AgentID: d.assign.AgentID, Start: start, Attributes: attributes(d.callID, req, d.meta, d.assign)}
		err = s.cfg.Control.Begin(ctx, info)
	}
	if err != nil {
		d.ended = true
		call.Discard()
		return nil, err
	}
	s.writeSidecar(d, false)
	s.report(ctx, d, changes, start)
	if isClosed(cancelled) {
		d.mu.Unlock()
		s.end(ctx, d, EndCancelled)
		d.mu.Lock()
		return nil, errCancelled
	}
	s.armTimer(d)
	return answer, nil
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// answerResponse builds the 200 OK carrying an SDP answer (or, to an
// offerless re-INVITE, the recorder's offer).
func (s *Server) answerResponse(req *sip.Request, d *dialog, sdp []byte) *sip.Response {
	r := req.Clone()
	if to := r.To(); to != nil && !to.Params.Has("tag") {
		to.Params.Add("tag", d.localTag)
	}
	res := sip.NewResponseFromRequest(r, sip.StatusOK, "OK", nil)
	if req.IsInvite() {
		res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "hush", Host: s.cfg.Addr.String(), Port: int(s.addr.Port())}})
	}
	res.AppendHeader(sip.NewHeader("Supported", supportedTags))
	res.AppendHeader(sip.NewHeader("Allow", allowedMethods))
	if d.interval > 0 {
		res.AppendHeader(sip.NewHeader("Require", tagTimer))
		res.AppendHeader(sip.NewHeader("Session-Expires", secondsValue(d.interval)+";refresher=uac"))
	}
	if sdp != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", TypeSDP))
		res.SetBody(sdp)
	}
	return res
}

// onUpdate answers a re-INVITE or an UPDATE: a new offer (streams going
// inactive or coming back), new metadata, a session refresh.
func (s *Server) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	d := s.dialogOf(req, tx)
	if d == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	now := s.cfg.Now()
	d.mu.Lock()
	if d.ended {
		d.mu.Unlock()
		s.noDialog(req, tx)
		return
	}
	sdp, changes, err := s.renegotiate(d, req)
	if err != nil {
		d.mu.Unlock()
		s.refuse(req, tx, err)
		return
	}
	s.armTimer(d)
	res := s.answerResponse(req, d, sdp)
	d.mu.Unlock()
	s.report(ctx, d, changes, now)
	s.respond(tx, res)
}

// renegotiate applies what a re-INVITE or UPDATE carries. It returns the
// SDP to answer with. A request refused changes nothing. Called with d.mu
// held.
func (s *Server) renegotiate(d *dialog, req *sip.Request) ([]byte, []sourceChange, error) {
	interval, refresh, err := sessionExpires(req)
	if err != nil {
		return nil, nil, err
	}
	if refresh && interval < s.cfg.MinSE {
		return nil, nil, Refusal(StatusIntervalTooBrief, "Session-Expires %v below %v", interval, s.cfg.MinSE)
	}
	body, err := SplitBody(contentType(req), req.Body())
	if err != nil {
		return nil, nil, err
	}
	var offer *Offer
	if body.SDP != nil {
		o, err := s.parseOffer(body.SDP)
		if err != nil {
			return nil, nil, err
		}
		offer = &o
	}
	var meta *Metadata
	if body.Metadata != nil {
		m, err := ParseMetadata(body.Metadata)
		if err != nil {
			return nil, nil, err
		}
		meta = &m
	}
	var sdp []byte
	var changes []sourceChange
	switch {
	case offer != nil:
		if sdp, changes, err = s.negotiate(d, *offer); err != nil {
			return nil, nil, err
		}
	case req.IsInvite():
		sdp = d.answer // an offerless re-INVITE gets our current SDP as the offer
	}
	if refresh {
		d.interval = interval
	}
	if meta != nil {
		d.meta = mergeMetadata(d.meta, *meta)
		s.writeSidecar(d, false)
	}
	return sdp, changes, nil
}

// onBye ends a recording session, reading the final metadata it may carry.
func (s *Server) onBye(req *sip.Request, tx sip.ServerTransaction) {
	d := s.dialogOf(req, tx)
	if d == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	d.mu.Lock()
	if body, err := SplitBody(contentType(req), req.Body()); err == nil && body.Metadata != nil {
		if m, err := ParseMetadata(body.Metadata); err == nil {
			d.meta = mergeMetadata(d.meta, m)
		} else {
			s.log.Warn("final metadata unreadable", "conversation", d.id, "err", err)
		}
	}
	s.writeSidecar(d, true)
	d.mu.Unlock()
	s.end(ctx, d, EndBye)
	s.reply(req, tx, sip.StatusOK, "OK")
}

// mergeMetadata applies an update: a complete document replaces the old
// one; a partial one replaces the participants, streams and sessions it
// names and keeps the rest.
func mergeMetadata(old, upd Metadata) Metadata {
	if upd.DataMode != "partial" {
		return upd
	}
	out := old
	for _, p := range upd.Participants {
		out.Participants = replaceBy(out.Participants, p, func(a Participant) bool { return a.ID == p.ID })
	}
	for _, st := range upd.Streams {
		out.Streams = replaceBy(out.Streams, st, func(a MetaStream) bool { return a.ID == st.ID })
	}
	for _, ss := range upd.Sessions {
		out.Sessions = replaceBy(out.Sessions, ss, func(a Session) bool { return a.ID == ss.ID })
	}
	return out
}

func replaceBy[T any](list []T, v T, same func(T) bool) []T {
	for i := range list {
		if same(list[i]) {
			out := append([]T(nil), list...)
			out[i] = v
			return out
		}
	}
	return append(append([]T(nil), list...), v)
}

func contentType(req *sip.Request) string {
	if h := req.ContentType(); h != nil {
		return h.Value()
	}
	return ""
}

// newTag returns a random dialog tag.
func newTag() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func secondsValue(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Second), 10)
}
