package siprec

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hush-cc/hush/internal/media"
)

// DefaultMinSE is the smallest session interval the recorder accepts
// (RFC 4028's recommended minimum).
const DefaultMinSE = 90 * time.Second

// Config configures a recording server.
type Config struct {
	// Listen is the UDP and TCP address, host:port. Port 0 picks a port
	// that is free for both.
	Listen string
	// Recorder records the calls; it needs RTP ports.
	Recorder *media.Recorder
	// Control is told about calls beginning, pausing and ending.
	Control Control
	// Rule picks the agent among the participants; nil leaves the agentId
	// empty and puts the streams on channels in offer order.
	Rule *AgentRule
	// Addr is the address put in SDP answers, where RTP is expected.
	// Invalid means the listen host, or 127.0.0.1 when that is unspecified.
	Addr netip.Addr
	// SRTP says which media transports are taken; empty is SRTPOptional.
	SRTP SRTPPolicy
	// LatchRTP takes each stream's RTP from the first source it comes
	// from instead of the address its offer named, for clients behind NAT.
	LatchRTP bool
	// MinSE is the smallest session interval accepted; zero means
	// DefaultMinSE.
	MinSE time.Duration
	// TLSListen, when set, is a further address where SIP is answered
	// over TLS, with TLS as its configuration (see ServerTLS).
	TLSListen string
	TLS       *tls.Config
	// Allow lists the sources that may open recording sessions; an INVITE
	// from elsewhere gets 403. Empty allows every source. Listed sources
	// may also send in-dialog requests for any session.
	Allow []netip.Prefix
	// Strict refuses INVITEs that carry recording metadata but neither
	// the siprec option tag nor the +sip.src Contact feature tag; without
	// it, the metadata marks a recording session on its own.
	Strict bool
	// T1 is the SIP round-trip estimate (RFC 3261 section 17): a 200 OK
	// not ACKed within 64*T1 ends its session. Zero means 500 ms.
	T1 time.Duration
	// RetryAfter is what a 503 for want of RTP ports asks the client to
	// wait; zero means DefaultRetryAfter.
	RetryAfter time.Duration
	// Metrics, if set, count refusals and teardowns.
	Metrics *Metrics
	Now     func() time.Time
	Logger  *slog.Logger
}

// DefaultRetryAfter is the Retry-After of a 503 for want of RTP ports.
const DefaultRetryAfter = 30 * time.Second

// defaultT1 is RFC 3261's T1.
const defaultT1 = 500 * time.Millisecond

// Server is a SIPREC recording server (SRS, RFC 7866).
type Server struct {
	cfg    Config
	log    *slog.Logger
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	udp    net.PacketConn
	tcp    net.Listener
	tls    net.Listener // nil without TLS
	addr   netip.AddrPort
	// sipLog bounds what peers can make hush log: the SIP stack's own
	// logging and refusals go through it.
	sipLog  *slog.Logger
	lenient lenientLog

	mu      sync.Mutex
	dialogs map[string]*dialog // by Call-ID
	closed  bool
}

// Listen binds the UDP and TCP sockets; Serve then answers on them.
func Listen(cfg Config) (*Server, error) {
	if cfg.Recorder == nil || cfg.Control == nil {
		return nil, errors.New("siprec: server needs a recorder and a control")
	}
	if cfg.MinSE == 0 {
		cfg.MinSE = DefaultMinSE
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.T1 == 0 {
		cfg.T1 = defaultT1
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.TLSListen != "" && cfg.TLS == nil {
		return nil, errors.New("siprec: a TLS listen address needs a TLS configuration")
	}
	udp, tcp, err := bindBoth(cfg.Listen)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("component", "siprec"), udp: udp, tcp: tcp, dialogs: map[string]*dialog{}}
	s.sipLog = newBoundedLogger(s.log.Handler())
	if cfg.TLSListen != "" {
		if s.tls, err = tls.Listen("tcp", cfg.TLSListen, cfg.TLS); err != nil {
			udp.Close()
			tcp.Close()
			return nil, fmt.Errorf("siprec: listen tls %s: %w", cfg.TLSListen, err)
		}
	}
	s.addr = tcp.Addr().(*net.TCPAddr).AddrPort()
	if !s.cfg.Addr.IsValid() {
		s.cfg.Addr = s.addr.Addr().Unmap()
		if s.cfg.Addr.IsUnspecified() {
			s.cfg.Addr = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
	}
	if err := s.setup(); err != nil {
		s.closeSockets()
		return nil, err
	}
	return s, nil
}

// bindBoth binds UDP and TCP on the same address; with port 0 it looks
// for a port free for both.
func bindBoth(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("siprec: listen address %q: %w", addr, err)
	}
	for range 20 {
		tcp, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("siprec: listen tcp %s: %w", addr, err)
		}
		bound := strconv.Itoa(tcp.Addr().(*net.TCPAddr).Port)
		udp, err := net.ListenPacket("udp", net.JoinHostPort(host, bound))
		if err == nil {
			return udp, tcp, nil
		}
		tcp.Close()
		if port != "0" {
			return nil, nil, fmt.Errorf("siprec: listen udp %s: %w", addr, err)
		}
	}
	return nil, nil, fmt.Errorf("siprec: no port free for both udp and tcp on %s", host)
}

func (s *Server) setup() error {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("hush"), sipgo.WithUserAgentHostname(s.cfg.Addr.String()),
		sipgo.WithUserAgenTLSConfig(clientTLS(s.cfg.TLS)),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(s.sipLog)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(s.sipLog),
			// A response that matches no transaction is a peer's to send at
			// will; the stack's default logs each one outside the bounded
			// logger.
			sip.WithTransactionLayerUnhandledResponseHandler(func(r *sip.Response) {
				s.sipLog.Debug("response matching no transaction", "status", r.StatusCode, "source", r.Source())
			})))
	if err != nil {
		return fmt.Errorf("siprec: user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(s.sipLog))
	if err != nil {
		ua.Close()
		return fmt.Errorf("siprec: server: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(s.cfg.Addr.String()), sipgo.WithClientLogger(s.sipLog))
	if err != nil {
		ua.Close()
		return fmt.Errorf("siprec: client: %w", err)
	}
	s.ua, s.srv, s.client = ua, srv, client
	srv.OnInvite(s.onInvite)
	srv.OnUpdate(s.onUpdate)
	srv.OnAck(s.onAck)
	srv.OnBye(s.onBye)
	srv.OnCancel(s.onCancel)
	srv.OnOptions(s.onOptions)
	srv.OnInfo(s.onInfo)
	return nil
}

// Addr returns the bound address.
func (s *Server) Addr() netip.AddrPort { return s.addr }

// TLSAddr returns the bound TLS address, or the zero value without TLS.
func (s *Server) TLSAddr() netip.AddrPort {
	if s.tls == nil {
		return netip.AddrPort{}
	}
	return s.tls.Addr().(*net.TCPAddr).AddrPort()
}

func (s *Server) closeSockets() {
	s.udp.Close()
	s.tcp.Close()
	if s.tls != nil {
		s.tls.Close()
	}
}

// Serve answers SIP until ctx ends, then ends every recording session
// still up and closes the sockets.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 3)
	go func() { errc <- s.srv.ServeUDP(s.udp) }()
	go func() { errc <- s.srv.ServeTCP(s.tcp) }()
	if s.tls != nil {
		go func() { errc <- s.srv.ServeTLS(s.tls) }()
		s.log.Info("siprec listening on TLS", "addr", s.TLSAddr().String(), "clientCertificates", s.cfg.TLS.ClientAuth == tls.RequireAndVerifyClientCert)
	}
	s.log.Info("siprec listening", "addr", s.addr.String(), "media", s.cfg.Addr.String(), "allow", len(s.cfg.Allow))
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		err = fmt.Errorf("siprec: serve: %w", err)
	}
	s.shutdown()
	return err
}

// shutdown ends the sessions still up, as if each had sent BYE, so their
// recordings are finalized, and closes the sockets.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.closed = true
	ds := make([]*dialog, 0, len(s.dialogs))
	for _, d := range s.dialogs {
		ds = append(ds, d)
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, d := range ds {
		s.end(ctx, d, EndShutdown)
	}
	s.closeSockets()
	s.ua.Close()
}

// Active returns the number of recording sessions up.
func (s *Server) Active() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.dialogs)
}

func (s *Server) lookup(callID string) *dialog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dialogs[callID]
}

func (s *Server) forget(d *dialog) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dialogs[d.callID] == d {
		delete(s.dialogs, d.callID)
	}
}

func (s *Server) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowedMethods))
	res.AppendHeader(sip.NewHeader("Accept", TypeSDP+", "+typeMultipart+", "+TypeMetadata))
	res.AppendHeader(sip.NewHeader("Supported", supportedTags))
	s.respond(tx, res)
}

// onInfo accepts INFO inside a session (some clients send them as
// keep-alives or for DTMF) and refuses it outside.
func (s *Server) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	if s.dialogOf(req, tx) != nil {
		s.reply(req, tx, sip.StatusOK, "OK")
	}
}

// onCancel answers a CANCEL that matched no pending INVITE: the INVITE was
// answered already or never seen. (One that matches is answered by the
// transaction layer, which also answers the INVITE with 487.)
func (s *Server) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	s.noDialog(req, tx)
}

// dialogOf returns the dialog an in-dialog request belongs to; when there is
// none, or the request does not carry the dialog's tags, it answers 481
// itself and returns nil; when it comes from a source other than the
// dialog's peer (or a listed SBC), 403. Either way nothing changes.
func (s *Server) dialogOf(req *sip.Request, tx sip.ServerTransaction) *dialog {
	d := s.match(req)
	switch {
	case d == nil:
		s.noDialog(req, tx)
		return nil
	case !tagsMatch(req, d):
		s.cfg.Metrics.Rejected.WithLabelValues("481").Inc()
		s.sipLog.Info("in-dialog request with foreign tags refused", "method", req.Method, "conversation", d.id, "source", req.Source())
		s.noDialog(req, tx)
		return nil
	case !s.fromPeer(req, d):
		s.cfg.Metrics.Rejected.WithLabelValues("403").Inc()
		s.sipLog.Info("in-dialog request from another source refused", "method", req.Method, "conversation", d.id, "source", req.Source())
		s.reply(req, tx, StatusForbidden, reasonPhrase(StatusForbidden), warning("not the session's peer"))
		return nil
	}
	return d
}

// noDialog answers 481: the request names no session of ours (any more).
func (s *Server) noDialog(req *sip.Request, tx sip.ServerTransaction) {
	s.reply(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
}

// match returns the dialog an in-dialog request belongs to, or nil.
func (s *Server) match(req *sip.Request) *dialog {
	cid := req.CallID()
	to := req.To()
	if cid == nil || to == nil {
		return nil
	}
	d := s.lookup(cid.Value())
	if d == nil {
		return nil
	}
	if to.Params == nil {
		return nil
	}
	if tag, _ := to.Params.Get("tag"); tag != d.localTag {
		return nil
	}
	return d
}

// reply answers req with a bodiless response.
func (s *Server) reply(req *sip.Request, tx sip.ServerTransaction, status int, reason string, headers ...sip.Header) {
	res := sip.NewResponseFromRequest(req, status, reason, nil)
	for _, h := range headers {
		res.AppendHeader(h)
	}
	s.respond(tx, res)
}

// refuse answers req with the SIP error err carries, saying why in a
// Warning header (RFC 3261 section 20.43), with the headers its status
// requires: Unsupported on a 420, Min-SE on a 422 (RFC 4028), whether the
// request opens a session or refreshes one.
//
// The Warning text is the error's only when the error describes the request
// itself (its syntax or its offer); other refusals get a fixed text, so no
// answer names a file, another call or hush's internals.
func (s *Server) refuse(req *sip.Request, tx sip.ServerTransaction, err error) {
	status := Status(err)
	s.sipLog.Info("refused", "method", req.Method, "status", status, "source", req.Source(), "err", err)
	var headers []sip.Header
	switch status {
	case StatusBadExtension:
		headers = append(headers, sip.NewHeader("Unsupported", strings.Join(unsupportedRequired(req), ", ")))
	case StatusIntervalTooBrief:
		headers = append(headers, sip.NewHeader("Min-SE", secondsValue(s.cfg.MinSE)))
	case StatusServiceUnavailable:
		headers = append(headers, sip.NewHeader("Retry-After", secondsValue(s.cfg.RetryAfter)))
	}
	headers = append(headers, warning(publicText(err)))
	s.reply(req, tx, status, reasonPhrase(status), headers...)
}

// warning makes a Warning header (RFC 3261 section 20.43) saying text.
func warning(text string) sip.Header {
	return sip.NewHeader("Warning", fmt.Sprintf("399 hush %q", warningText(text)))
}

// publicText is what a refusal may tell the client about err.
func publicText(err error) string {
	switch Status(err) {
	case StatusBadRequest, StatusUnsupportedMediaType, StatusNotAcceptableHere, StatusBadExtension, StatusIntervalTooBrief:
		return err.Error()
	case StatusForbidden:
		return "not allowed to record this session"
	case StatusServiceUnavailable:
		return "no capacity; retry later"
	}
	return "internal error"
}

func (s *Server) respond(tx sip.ServerTransaction, res *sip.Response) {
	if err := tx.Respond(res); err != nil {
		s.log.Debug("respond", "status", res.StatusCode, "err", err)
	}
}

// warningText makes a text fit in a quoted Warning header.
func warningText(text string) string {
	b := []rune(text)
	if len(b) > 200 {
		b = b[:200]
	}
	for i, r := range b {
		if r == '"' || r == '\\' || r < 0x20 || r == 0x7f {
			b[i] = '\''
		}
	}
	return string(b)
}

func reasonPhrase(status int) string {
	switch status {
	case StatusBadRequest:
		return "Bad Request"
	case StatusUnsupportedMediaType:
		return "Unsupported Media Type"
	case StatusNotAcceptableHere:
		return "Not Acceptable Here"
	case StatusBadExtension:
		return "Bad Extension"
	case StatusIntervalTooBrief:
		return "Session Interval Too Small"
	case StatusForbidden:
		return "Forbidden"
	case StatusServiceUnavailable:
		return "Service Unavailable"
	case StatusCallDoesNotExist:
		return "Call/Transaction Does Not Exist"
	}
	return "Server Internal Error"
}
