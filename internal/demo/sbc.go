package demo

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hush-cc/hush/internal/siprec"
)

// SBC is a SIPREC client: it opens recording sessions on a recorder.
type SBC struct {
	target netip.AddrPort
	ua     *sipgo.UserAgent
	dua    *sipgo.DialogUA
	host   string
}

// NewSBC returns a client of the recorder at target, sending over UDP
// from host (an address of this machine).
func NewSBC(target netip.AddrPort, host netip.Addr) (*SBC, error) {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("hush-demo-sbc"), sipgo.WithUserAgentHostname(host.String()))
	if err != nil {
		return nil, fmt.Errorf("demo: sip user agent: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(host.String()))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("demo: sip client: %w", err)
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "sbc", Host: host.String()}, Params: sip.NewParams()}
	contact.Params.Add("+sip.src", "")
	return &SBC{target: target, ua: ua, dua: &sipgo.DialogUA{Client: client, ContactHDR: contact}, host: host.String()}, nil
}

// Close releases the client's sockets.
func (s *SBC) Close() error { return s.ua.Close() }

// Party is a participant of a recorded call.
type Party struct {
	AOR  string // sip:agent-alice@pbx.example
	Name string
	// ID is the agentId hush derives from the AOR (alice); it names the
	// agent's API key.
	ID string
}

// CallSpec describes a call to record.
type CallSpec struct {
	CallID        string
	Caller, Agent Party
	// CallerPort and AgentPort are where this machine sends the streams
	// from, as the offer says.
	CallerPort, AgentPort int
}

// Session is a recording session the SBC opened.
type Session struct {
	sbc    *SBC
	dialog *sipgo.DialogClientSession
	spec   CallSpec
	// Caller and Agent are where the recorder wants each stream.
	Caller, Agent netip.AddrPort
	version       int
}

// Call opens a recording session and returns where to send the media.
func (s *SBC) Call(ctx context.Context, spec CallSpec) (*Session, error) {
	req := sip.NewRequest(sip.INVITE, s.recipient())
	callID := sip.CallIDHeader(spec.CallID)
	req.AppendHeader(&callID)
	// A Contact of its own: sipgo would otherwise share the dialog UA's
	// header between concurrent INVITEs and fill in its port on each.
	req.AppendHeader(s.dua.ContactHDR.Clone())
	req.AppendHeader(sip.NewHeader("Require", "siprec"))
	req.AppendHeader(sip.NewHeader("Content-Type", "multipart/mixed;boundary="+boundary))
	req.AppendHeader(sip.NewHeader("Mime-Version", "1.0"))
	sess := &Session{sbc: s, spec: spec, version: 1}
	req.SetBody([]byte(sess.body("sendonly", true)))
	d, err := s.dua.WriteInvite(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("demo: invite: %w", err)
	}
	if err := d.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		d.Close()
		return nil, fmt.Errorf("demo: invite %s: %w", spec.CallID, err)
	}
	if err := d.Ack(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("demo: ack: %w", err)
	}
	sess.dialog = d
	if sess.Caller, sess.Agent, err = answerPorts(d.InviteResponse.Body()); err != nil {
		_ = sess.Bye(ctx)
		return nil, err
	}
	return sess, nil
}

// recipient is the recorder's URI. INVITEs with two streams and metadata
// outgrow a UDP datagram's safe size (RFC 3261 section 18.1.1), so the
// SBC speaks TCP.
func (s *SBC) recipient() sip.Uri {
	params := sip.NewParams()
	params.Add("transport", "tcp")
	return sip.Uri{Scheme: "sip", User: "srs", Host: s.target.Addr().String(), Port: int(s.target.Port()), UriParams: params}
}

// answerPorts reads where the recorder receives each stream.
func answerPorts(body []byte) (caller, agent netip.AddrPort, err error) {
	o, err := siprec.ParseOffer(body)
	if err != nil {
		return caller, agent, fmt.Errorf("demo: answer: %w", err)
	}
	if len(o.Streams) < 2 || o.Streams[0].Port == 0 || o.Streams[1].Port == 0 {
		return caller, agent, errors.New("demo: the recorder refused a stream")
	}
	at := func(s siprec.Stream) netip.AddrPort { return netip.AddrPortFrom(s.Addr, uint16(s.Port)) }
	return at(o.Streams[0]), at(o.Streams[1]), nil
}

// Hold puts both streams on hold (a=inactive) with a re-INVITE, or takes
// them off it (a=sendonly).
func (s *Session) Hold(ctx context.Context, on bool) error {
	dir := "sendonly"
	if on {
		dir = "inactive"
	}
	s.version++
	req := sip.NewRequest(sip.INVITE, s.dialog.InviteResponse.Contact().Address)
	req.AppendHeader(sip.NewHeader("Require", "siprec"))
	req.AppendHeader(sip.NewHeader("Content-Type", siprec.TypeSDP))
	req.SetBody([]byte(s.sdp(dir)))
	res, err := s.dialog.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("demo: re-invite: %w", err)
	}
	ack := sip.NewRequest(sip.ACK, req.Recipient)
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: req.CSeq().SeqNo, MethodName: sip.ACK})
	if err := s.dialog.WriteRequest(ack); err != nil {
		return fmt.Errorf("demo: ack re-invite: %w", err)
	}
	if res.StatusCode != sip.StatusOK {
		return fmt.Errorf("demo: re-invite answered %d", res.StatusCode)
	}
	return nil
}

// Bye ends the recording session.
func (s *Session) Bye(ctx context.Context) error {
	defer s.dialog.Close()
	if err := s.dialog.Bye(ctx); err != nil {
		return fmt.Errorf("demo: bye %s: %w", s.spec.CallID, err)
	}
	return nil
}

const boundary = "hush-demo-boundary"

// body is the INVITE's multipart body: the offer and the metadata.
func (s *Session) body(dir string, meta bool) string {
	var b strings.Builder
	b.WriteString("--" + boundary + "\r\nContent-Type: application/sdp\r\n\r\n")
	b.WriteString(s.sdp(dir))
	if meta {
		b.WriteString("\r\n--" + boundary + "\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n")
		b.WriteString(s.metadata())
	}
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.String()
}

func (s *Session) sdp(dir string) string {
	h := s.sbc.host
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=hush-demo-sbc 1 %d IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n", s.version, h, h)
	for i, port := range []int{s.spec.CallerPort, s.spec.AgentPort} {
		fmt.Fprintf(&b, "m=audio %d RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=label:%d\r\na=%s\r\n", port, i+1, dir)
	}
	return b.String()
}

func (s *Session) metadata() string {
	esc := func(v string) string {
		return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(v)
	}
	c, a := s.spec.Caller, s.spec.Agent
	// Lines end in CRLF, as everywhere in a SIP message: a recorder that
	// rewrites bare LFs on its TCP stream (loreste/siprec does) would
	// otherwise read past the body's Content-Length.
	return strings.ReplaceAll(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<recording xmlns="urn:ietf:params:xml:ns:recording:1">
<datamode>complete</datamode>
<session session_id="s-%[1]s"><sipSessionID>%[1]s</sipSessionID></session>
<participant participant_id="caller"><nameID aor="%[2]s"><name>%[3]s</name></nameID></participant>
<participant participant_id="agent"><nameID aor="%[4]s"><name>%[5]s</name></nameID></participant>
<stream stream_id="st-caller" session_id="s-%[1]s"><label>1</label></stream>
<stream stream_id="st-agent" session_id="s-%[1]s"><label>2</label></stream>
<participantstreamassoc participant_id="caller"><send>st-caller</send><recv>st-agent</recv></participantstreamassoc>
<participantstreamassoc participant_id="agent"><send>st-agent</send><recv>st-caller</recv></participantstreamassoc>
</recording>`, esc(s.spec.CallID), esc(c.AOR), esc(c.Name), esc(a.AOR), esc(a.Name)), "\n", "\r\n")
}
