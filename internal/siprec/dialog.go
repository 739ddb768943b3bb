package siprec

import (
	"context"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/media"
)

// leg is an offered stream the recorder receives on one channel.
type leg struct {
	stream   Stream // as last offered
	ch       media.Channel
	listener *media.Listener
	sending  bool // as last reported to Control
}

// source names the stream in pause reasons: its label, else its position.
func (l *leg) source() string {
	if l.stream.Label != "" {
		return l.stream.Label
	}
	return "stream-" + strconv.Itoa(l.stream.Index)
}

// dialog is one recording session: a SIP dialog and the call it records.
type dialog struct {
	mu       sync.Mutex
	id       string // conversation id
	callID   string
	localTag string
	// remoteTag, peer and transport identify the client: its From-tag and
	// the socket and transport its INVITE came from.
	remoteTag string
	peer      netip.AddrPort
	transport string
	invite    *sip.Request // the INVITE that opened it, to address a BYE
	call      *media.Call
	legs      map[int]*leg // by m= line index
	sessID    uint64
	version   uint64
	answer    []byte // the last SDP answer
	meta      Metadata
	assign    Assignment
	interval  time.Duration // session timer, zero without one
	expiry    *time.Timer
	timerGen  uint64      // counts armings of expiry
	acked     bool        // the client ACKed the 200 OK to its INVITE
	ackWait   *time.Timer // ends the session if the ACK never comes
	cseq      uint32      // of requests the recorder sends
	ended     bool
}

// sourceChange is a stream that stopped or resumed sending.
type sourceChange struct {
	source  string
	sending bool
}

// negotiate applies offer o: the streams the recorder can receive get a
// channel and an RTP port, and the answer says so. It returns the answer
// and the streams whose sending state changed. An offer refused leaves
// the session as it was, but for the ports of new streams, which stay
// with the call for the next offer. Called with d.mu held.
func (s *Server) negotiate(d *dialog, o Offer) ([]byte, []sourceChange, error) {
	if _, err := o.Acceptable(); err != nil {
		return nil, nil, err
	}
	legs, err := s.legsFor(d, o)
	if err != nil {
		return nil, nil, err
	}
	ports := map[int]int{}
	for i, st := range o.Streams {
		if legs[i] != nil && st.Acceptable() {
			ports[st.Index] = legs[i].listener.Port()
		}
	}
	answer, err := BuildAnswer(o, AnswerOptions{Addr: s.cfg.Addr, Ports: ports, SessionID: d.sessID, Version: d.version + 1})
	if err != nil {
		return nil, nil, err
	}
	var changes []sourceChange
	for i, st := range o.Streams {
		l := legs[i]
		if l == nil {
			continue
		}
		if st.Acceptable() {
			d.call.SetPayloads(l.ch, payloads(st))
			if err := l.listener.Expect(st.peer(s.cfg.LatchRTP)); err != nil {
				return nil, nil, notAcceptable("srtp: %v", err)
			}
		}
		l.stream = st
		if sending := st.Acceptable() && st.Sending(); sending != l.sending {
			l.sending = sending
			changes = append(changes, sourceChange{source: l.source(), sending: sending})
		}
	}
	d.version++
	d.answer = answer
	return answer, changes, nil
}

// legsFor returns the leg of each offered stream, nil for a stream the
// recorder does not receive, opening the RTP port of each stream new to
// the session. Called with d.mu held.
func (s *Server) legsFor(d *dialog, o Offer) ([]*leg, error) {
	taken := map[media.Channel]bool{}
	for _, l := range d.legs {
		taken[l.ch] = true
	}
	legs := make([]*leg, len(o.Streams))
	for i, st := range o.Streams {
		if l := d.legs[st.Index]; l != nil {
			legs[i] = l
			continue
		}
		if !st.Acceptable() {
			continue
		}
		ch, ok := channelFor(d.assign, st.Index, taken)
		if !ok {
			continue // a third audio stream: refused
		}
		ln, err := d.call.Listen(ch, payloads(st))
		if err != nil {
			return nil, Refusal(StatusServiceUnavailable, "rtp port: %w", err)
		}
		legs[i] = &leg{stream: st, ch: ch, listener: ln, sending: true}
		d.legs[st.Index] = legs[i]
		taken[ch] = true
	}
	return legs, nil
}

// channelFor returns the channel of the stream at index: the assignment's
// when it names the stream, else the first free one.
func channelFor(a Assignment, index int, taken map[media.Channel]bool) (media.Channel, bool) {
	switch index {
	case a.CallerStream:
		return media.Caller, !taken[media.Caller]
	case a.AgentStream:
		return media.Agent, !taken[media.Agent]
	}
	for _, ch := range []media.Channel{media.Caller, media.Agent} {
		if !taken[ch] {
			return ch, true
		}
	}
	return 0, false
}

// payloads maps the stream's G.711 payload types for the decoder.
func payloads(st Stream) media.PayloadMap {
	m := media.PayloadMap{}
	for _, c := range st.Codecs {
		switch {
		case c.event():
			m[c.PT] = media.CodecEvent
		case !c.audio():
		case strings.EqualFold(c.Name, CodecPCMU):
			m[c.PT] = media.CodecPCMU
		case strings.EqualFold(c.Name, CodecPCMA):
			m[c.PT] = media.CodecPCMA
		}
	}
	return m
}

// report tells Control about the streams that stopped or resumed sending.
func (s *Server) report(ctx context.Context, d *dialog, changes []sourceChange, at time.Time) {
	for _, c := range changes {
		if err := s.cfg.Control.Source(ctx, d.id, c.source, c.sending, at); err != nil {
			s.log.Error("report source", "conversation", d.id, "source", c.source, "sending", c.sending, "err", err)
		}
	}
}

// end ends a recording session: Control ends the conversation, which
// stops and finalizes the recording. If Control cannot, the recording is
// stopped here, so no call and no port outlives its session.
func (s *Server) end(ctx context.Context, d *dialog, why conversation.EndReason) {
	d.mu.Lock()
	if d.ended {
		d.mu.Unlock()
		return
	}
	d.ended = true
	if d.expiry != nil {
		d.expiry.Stop()
	}
	if d.ackWait != nil {
		d.ackWait.Stop()
	}
	began := d.call != nil
	d.mu.Unlock()
	s.forget(d)
	if !began {
		// Ended before open could start it: there is nothing to end.
		return
	}
	now := s.cfg.Now()
	if err := s.cfg.Control.End(ctx, d.id, now, why); err != nil {
		s.log.Error("end conversation", "conversation", d.id, "err", err)
		for _, k := range conversation.AllCapabilities() {
			if err := d.call.Stop(ctx, k, now); err != nil {
				s.log.Error("stop recording", "conversation", d.id, "err", err)
			}
		}
	}
	s.log.Info("recording session ended", "conversation", d.id, "why", why)
}

// sidecar is the document written beside the recording with what the
// client said about the call.
type sidecar struct {
	ConversationID string   `json:"conversationId"`
	CallID         string   `json:"callId"`
	AgentID        string   `json:"agentId,omitempty"`
	CallerSource   string   `json:"callerSource,omitempty"`
	AgentSource    string   `json:"agentSource,omitempty"`
	Final          bool     `json:"final"`
	UpdatedAt      string   `json:"updatedAt"`
	Metadata       Metadata `json:"metadata"`
	// Streams are the offered streams the recorder receives.
	Streams []SidecarStream `json:"streams"`
}

// SidecarStream is a received stream as the metadata document lists it.
type SidecarStream struct {
	Source  string `json:"source"`
	Channel string `json:"channel"` // caller or agent
	Port    int    `json:"port"`    // the local RTP port
	Sending bool   `json:"sending"`
}

// SidecarName names the recording metadata document beside each WAV file.
const SidecarName = "siprec"

// writeSidecar records the session's metadata as it stands. Called with
// d.mu held.
func (s *Server) writeSidecar(d *dialog, final bool) {
	doc := sidecar{
		ConversationID: d.id, CallID: d.callID, AgentID: d.assign.AgentID, Final: final,
		UpdatedAt: s.cfg.Now().UTC().Format(time.RFC3339Nano), Metadata: d.meta,
	}
	for _, i := range slices.Sorted(maps.Keys(d.legs)) {
		l := d.legs[i]
		ch := "agent"
		if l.ch == media.Caller {
			doc.CallerSource, ch = l.source(), "caller"
		} else {
			doc.AgentSource = l.source()
		}
		doc.Streams = append(doc.Streams, SidecarStream{Source: l.source(), Channel: ch, Port: l.listener.Port(), Sending: l.sending})
	}
	if err := s.cfg.Recorder.WriteSidecar(d.id, SidecarName, doc, final); err != nil {
		s.log.Warn("write recording metadata", "conversation", d.id, "err", err)
	}
}

// attributes describes the call for the conversation.
func attributes(callID string, req *sip.Request, m Metadata, a Assignment) map[string]string {
	attrs := map[string]string{"sipCallId": callID}
	put := func(k, v string) {
		if v = clip(strings.TrimSpace(v), maxAttrLen); v != "" {
			attrs[k] = v
		}
	}
	if len(m.Sessions) > 0 {
		put("recordedSession", m.Sessions[0].ID)
		if ids := m.Sessions[0].SIPSessionIDs; len(ids) > 0 {
			put("sipSessionId", ids[0])
		}
	}
	if p := a.Caller; p != nil {
		put("caller", firstAOR(*p))
		put("callerName", p.Name)
	}
	if p := a.Agent; p != nil {
		put("agent", firstAOR(*p))
		put("agentName", p.Name)
	}
	if h := req.GetHeader("User-Agent"); h != nil {
		put("recordingClient", h.Value())
	}
	return attrs
}

// maxAttrLen bounds an attribute taken from the client's headers and
// metadata, in bytes.
const maxAttrLen = 256

// clip shortens s to at most n bytes without splitting a UTF-8 sequence,
// which would leave the attribute invalid text.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func firstAOR(p Participant) string {
	if len(p.AORs) > 0 {
		return p.AORs[0]
	}
	return ""
}

// nextCSeq returns the CSeq number of the next request the recorder
// sends in the dialog. Called with d.mu held.
func (d *dialog) nextCSeq() uint32 {
	d.cseq++
	return d.cseq
}
