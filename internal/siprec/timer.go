package siprec

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"
)

// armTimer (re)starts the session timer (RFC 4028): the client refreshes
// the session with a re-INVITE or UPDATE; one that goes unrefreshed past
// its interval is over, and the recorder ends it with a BYE. Called with
// d.mu held.
func (s *Server) armTimer(d *dialog) {
	if d.interval == 0 {
		return
	}
	if d.expiry != nil {
		d.expiry.Stop()
	}
	d.timerGen++
	gen := d.timerGen
	d.expiry = time.AfterFunc(d.interval, func() { s.expire(d, gen) })
}

// expire ends a session whose refresh never came. gen is the arming the
// timer belongs to: a timer that fired while a refresh held the dialog
// has been superseded by the refresh's own.
func (s *Server) expire(d *dialog, gen uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	d.mu.Lock()
	if d.ended || gen != d.timerGen {
		d.mu.Unlock()
		return
	}
	bye := s.byeRequest(d)
	d.mu.Unlock()
	s.end(ctx, d, EndSessionTimer)
	if bye == nil {
		return
	}
	if _, err := s.client.Do(ctx, bye); err != nil {
		s.log.Info("bye after session expiry", "conversation", d.id, "err", err)
	}
}

// byeRequest builds the BYE the recorder sends to end a session itself,
// addressed to the client's Contact. Called with d.mu held.
func (s *Server) byeRequest(d *dialog) *sip.Request {
	inv := d.invite
	contact := inv.Contact()
	if contact == nil || inv.From() == nil || inv.To() == nil || inv.CallID() == nil {
		return nil
	}
	bye := sip.NewRequest(sip.BYE, *contact.Address.Clone())
	from := inv.To().AsFrom()
	from.Params = from.Params.Clone()
	from.Params.Add("tag", d.localTag)
	bye.AppendHeader(&from)
	to := inv.From().AsTo()
	bye.AppendHeader(&to)
	bye.AppendHeader(inv.CallID())
	bye.AppendHeader(&sip.CSeqHeader{SeqNo: d.nextCSeq(), MethodName: sip.BYE})
	bye.SetTransport(inv.Transport())
	return bye
}
