package siprec

import (
	"context"
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
	MinSE  time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Server is a SIPREC recording server (SRS, RFC 7866).
type Server struct {
	cfg    Config
	log    *slog.Logger
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	udp    net.PacketConn
	tcp    net.Listener
	addr   netip.AddrPort

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
	udp, tcp, err := bindBoth(cfg.Listen)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("component", "siprec"), udp: udp, tcp: tcp, dialogs: map[string]*dialog{}}
	s.addr = tcp.Addr().(*net.TCPAddr).AddrPort()
	if !s.cfg.Addr.IsValid() {
		s.cfg.Addr = s.addr.Addr().Unmap()
		if s.cfg.Addr.IsUnspecified() {
			s.cfg.Addr = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
	}
	if err := s.setup(); err != nil {
		udp.Close()
		tcp.Close()
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
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("hush"), sipgo.WithUserAgentHostname(s.cfg.Addr.String()))
	if err != nil {
		return fmt.Errorf("siprec: user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(s.log))
	if err != nil {
		ua.Close()
		return fmt.Errorf("siprec: server: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(s.cfg.Addr.String()))
	if err != nil {
		ua.Close()
		return fmt.Errorf("siprec: client: %w", err)
	}
	s.ua, s.srv, s.client = ua, srv, client
	srv.OnInvite(s.onInvite)
	srv.OnUpdate(s.onUpdate)
	srv.OnAck(func(*sip.Request, sip.ServerTransaction) {})
	srv.OnBye(s.onBye)
	srv.OnCancel(s.onCancel)
	srv.OnOptions(s.onOptions)
	srv.OnInfo(s.onInfo)
	return nil
}

// Addr returns the bound address.
func (s *Server) Addr() netip.AddrPort { return s.addr }

// Serve answers SIP until ctx ends, then ends every recording session
// still up and closes the sockets.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 2)
	go func() { errc <- s.srv.ServeUDP(s.udp) }()
	go func() { errc <- s.srv.ServeTCP(s.tcp) }()
	s.log.Info("siprec listening", "addr", s.addr.String(), "media", s.cfg.Addr.String())
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
		s.end(ctx, d, "shutdown")
	}
	s.udp.Close()
	s.tcp.Close()
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
// none it answers 481 itself and returns nil.
func (s *Server) dialogOf(req *sip.Request, tx sip.ServerTransaction) *dialog {
	d := s.match(req)
	if d == nil {
		s.noDialog(req, tx)
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
func (s *Server) refuse(req *sip.Request, tx sip.ServerTransaction, err error) {
	status := Status(err)
	s.log.Info("refused", "method", req.Method, "status", status, "err", err)
	var headers []sip.Header
	switch status {
	case StatusBadExtension:
		headers = append(headers, sip.NewHeader("Unsupported", strings.Join(unsupportedRequired(req), ", ")))
	case StatusIntervalTooBrief:
		headers = append(headers, sip.NewHeader("Min-SE", secondsValue(s.cfg.MinSE)))
	}
	headers = append(headers, sip.NewHeader("Warning", fmt.Sprintf("399 hush %q", warningText(err))))
	s.reply(req, tx, status, reasonPhrase(status), headers...)
}

func (s *Server) respond(tx sip.ServerTransaction, res *sip.Response) {
	if err := tx.Respond(res); err != nil {
		s.log.Debug("respond", "status", res.StatusCode, "err", err)
	}
}

// warningText makes an error fit in a quoted Warning header.
func warningText(err error) string {
	b := []rune(err.Error())
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
