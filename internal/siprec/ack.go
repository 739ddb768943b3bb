package siprec

import (
	"time"

	"context"

	"github.com/emiago/sipgo/sip"
)

// armACK starts waiting for the ACK to the 200 OK that opened d: one that
// has not come within 64*T1 (RFC 3261 section 13.3.1.4) means the client
// never learnt of the session, so it is torn down and its ports freed.
func (s *Server) armACK(d *dialog) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ended || d.acked {
		return
	}
	d.ackWait = time.AfterFunc(64*s.cfg.T1, func() { s.ackTimeout(d) })
}

// onAck takes the ACK to a 200 OK. ACKs for error answers are absorbed by
// the transaction layer and never reach here; an ACK that names no
// dialog of ours, or comes with foreign tags or from another source, is
// ignored, as ACKs get no answer.
func (s *Server) onAck(req *sip.Request, _ sip.ServerTransaction) {
	d := s.match(req)
	if d == nil || !tagsMatch(req, d) || !s.fromPeer(req, d) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.acked = true
	if d.ackWait != nil {
		d.ackWait.Stop()
	}
}

// ackTimeout ends a session whose ACK never came, and tells the client
// with a BYE, in case only the ACK was lost.
func (s *Server) ackTimeout(d *dialog) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	d.mu.Lock()
	if d.ended || d.acked {
		d.mu.Unlock()
		return
	}
	bye := s.byeRequest(d)
	d.mu.Unlock()
	s.cfg.Metrics.ACKTimeouts.Inc()
	s.log.Warn("no ACK for the 200 OK; ending the session", "conversation", d.id, "source", d.peer.String())
	s.end(ctx, d, EndACKTimeout)
	if bye == nil {
		return
	}
	if _, err := s.client.Do(ctx, bye); err != nil {
		s.log.Info("bye after ACK timeout", "conversation", d.id, "err", err)
	}
}
