package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/atrest"
	"github.com/hush-cc/hush/internal/detect"
	"github.com/hush-cc/hush/internal/integrity"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/siprec"
)

// RecorderConfig configures the built-in SIPREC recorder.
type RecorderConfig struct {
	// SIPListen enables the recorder: its SIP address, UDP and TCP. Port 0
	// picks a free port.
	SIPListen string
	// RTPPorts is the UDP port range for RTP, "LO-HI".
	RTPPorts string
	// RTPAddress is where RTP is received and what SDP answers announce;
	// empty means the SIP listen host (127.0.0.1 when that is unspecified).
	RTPAddress string
	// AgentPattern is the regular expression that picks the agent among
	// the participants by AOR; see siprec.NewAgentRule.
	AgentPattern string
	// Policy is what paused spans become: "silence" or "gap".
	Policy string
	// ASR names the transcription engine: auto, pocketsphinx, energy, none.
	ASR string
	// ASRWorkers bounds concurrent transcriptions; zero means one per CPU.
	ASRWorkers int
	// SRTP is the media transport policy: off, optional (the default when
	// empty) or required.
	SRTP string
	// LatchRTP takes each stream's RTP from the first source it comes from
	// instead of the address its offer named (for SBCs behind NAT).
	LatchRTP bool
	// RTPTimeout ends a call whose sending streams all carry no RTP for
	// that long, as media-timeout; zero never does.
	RTPTimeout time.Duration
	// SIPTLSListen, when set, is where SIP over TLS is answered too, with
	// the certificate chain and key in SIPTLSCert and SIPTLSKey (PEM).
	SIPTLSListen, SIPTLSCert, SIPTLSKey string
	// SIPTLSClientCA, when set, is a PEM file of the CAs whose client
	// certificates TLS clients must present.
	SIPTLSClientCA string
	// SIPAllow lists the sources (addresses or CIDR prefixes, comma
	// separated) that may open recording sessions; empty allows all.
	SIPAllow string
	// SIPStrict refuses INVITEs known as recording sessions only by
	// their metadata (no Require: siprec, no +sip.src).
	SIPStrict bool
	// Digits turns the card-digit detectors on; DigitRun digits starting
	// within DigitWindow pause from DigitGuard before the first until
	// DigitQuiet passes without one; MaskTones silences DTMF tones even
	// in shorter runs.
	Digits                              bool
	DigitRun                            int
	DigitWindow, DigitGuard, DigitQuiet time.Duration
	MaskTones                           bool
	// SpokenDigits also spots digits read aloud on the caller's stream,
	// in builds that can (asr.SpokenDigits), with a run policy of its own
	// and, if SpokenDigitModel names one, a pocketsphinx acoustic model
	// other than Debian's en-us.
	SpokenDigits                                          bool
	SpokenDigitModel                                      string
	SpokenDigitRun                                        int
	SpokenDigitWindow, SpokenDigitGuard, SpokenDigitQuiet time.Duration
	// SIPT1 is SIP's round-trip estimate; zero means 500 ms. A 200 OK
	// not ACKed within 64*SIPT1 ends its session.
	SIPT1 time.Duration
}

// DefaultAgentPattern picks the participant whose AOR user part starts
// with "agent" and takes the rest as the agentId: sip:agent-alice@pbx is
// agent "alice".
const DefaultAgentPattern = `(?i)^sips?:agent[-_.]?(?P<agent>[^@;:]+)@`

// RecordingsDir is the directory, in the data directory, of recordings,
// segment maps, transcripts and recording metadata.
const RecordingsDir = "recordings"

// recorder is the built-in SIPREC recorder as configured: its media
// backend, then, once the engine exists, its SIP server.
type recorder struct {
	cfg   RecorderConfig
	host  netip.Addr
	rule  *siprec.AgentRule
	allow []netip.Prefix
	tls   *tls.Config
	srtp  siprec.SRTPPolicy
	rec   *media.Recorder
	sip   *siprec.Server
	// control turns what the recorder hears into engine inputs; set by
	// attach, before any call can be answered.
	control *recorderControl
	// opener decrypts encrypted recording files for the API; nil serves
	// them encrypted.
	opener *atrest.Opener
	// transcribes is whether calls are transcribed.
	transcribes bool
}

// newRecorder builds the recorder's media backend and transcriber, or
// returns nil when the recorder is off.
func newRecorder(s *Server, rc RecorderConfig) (*recorder, error) {
	if rc.SIPListen == "" {
		return nil, nil
	}
	lo, hi, err := media.ParsePortRange(rc.RTPPorts)
	if err != nil {
		return nil, err
	}
	ports, err := media.NewPorts(lo, hi)
	if err != nil {
		return nil, err
	}
	r := &recorder{cfg: rc}
	if r.host, err = rtpHost(rc); err != nil {
		return nil, err
	}
	if rc.AgentPattern != "" {
		if r.rule, err = siprec.NewAgentRule(rc.AgentPattern); err != nil {
			return nil, err
		}
	}
	if r.allow, err = siprec.ParseAllow(rc.SIPAllow); err != nil {
		return nil, fmt.Errorf("--sip-allow: %w", err)
	}
	if rc.SIPTLSListen != "" {
		if r.tls, err = siprec.ServerTLS(rc.SIPTLSCert, rc.SIPTLSKey, rc.SIPTLSClientCA); err != nil {
			return nil, err
		}
	}
	if r.srtp, err = siprec.ParseSRTPPolicy(rc.SRTP); err != nil {
		return nil, err
	}
	// Closers run in reverse: the sealer, first in, stops last, after the
	// recorder and transcriber have finished their files.
	seal := newSealer(s.store, s.log)
	s.closers = append(s.closers, seal.close)
	sealer, opener, err := s.cfg.AtRest.load()
	if err != nil {
		return nil, err
	}
	r.opener = opener
	trCfg := asr.Config{Write: func(id string, t asr.Transcript, final bool) error {
		err := writeTranscript(r.rec, sealer, id, t, final)
		if err == nil && final {
			seal.add(id, integrity.Transcript, r.rec.SidecarPath(id, asr.SidecarName))
		}
		return err
	}}
	if sealer == nil {
		// An encrypted transcript is sealed whole: only a plain one keeps
		// a journal.
		trCfg.Append = func(id string, seg asr.Segment) error {
			return asr.AppendSegment(r.rec.SidecarPath(id, asr.SidecarName), seg)
		}
	}
	tr, err := openTranscriber(rc, s.log, trCfg)
	if err != nil {
		return nil, err
	}
	if tr != nil {
		r.transcribes = true
		s.closers = append(s.closers, func() {
			if err := tr.Close(); err != nil {
				s.log.Warn("close transcriber", "err", err)
			}
		})
	}
	cfg := media.Config{
		Dir: filepath.Join(s.cfg.Data, RecordingsDir), CommitDelay: s.cfg.CommitDelay,
		Policy: media.Policy(rc.Policy), Ports: ports, Host: r.host, Logger: s.log,
		Metrics: media.NewMetrics(s.registry), RTPTimeout: rc.RTPTimeout,
		// The SIP server exists before the recorder runs (attach).
		OnMediaTimeout: func(id string) { r.sip.EndSilent(id) },
		Finished:       func(id, wav string) { seal.add(id, integrity.Recording, wav) },
	}
	if rc.Digits {
		cfg.Digits = r.digits(rc)
		spoken, err := addSpotter(rc, cfg.Digits, s.log)
		if err != nil {
			return nil, err
		}
		s.log.Info("card-digit detection on", "keypad", "DTMF tones and RFC 4733 events", "spoken", spoken)
	}
	if sealer != nil {
		cfg.Encrypt = sealer.Wrap
	}
	if tr != nil {
		cfg.Transcriber = tr.Open
	}
	if r.rec, err = media.NewRecorder(cfg); err != nil {
		return nil, err
	}
	s.runners = append(s.runners, func(ctx context.Context) { _ = r.rec.Run(ctx) })
	s.closers = append(s.closers, func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.rec.Close(cctx); err != nil {
			s.log.Error("finalize recordings", "err", err)
		}
	})
	return r, nil
}

// digits configures the recorder's card-digit detectors; what they decide
// reaches the engine through the control attach makes.
func (r *recorder) digits(rc RecorderConfig) *media.Digits {
	d := media.DefaultDigits()
	setPolicy(&d.Runs, rc.DigitRun, rc.DigitWindow, rc.DigitGuard, rc.DigitQuiet)
	d.Mask = rc.MaskTones
	setPolicy(&d.SpokenRuns, rc.SpokenDigitRun, rc.SpokenDigitWindow, rc.SpokenDigitGuard, rc.SpokenDigitQuiet)
	d.Run = func(id string, detector detect.Source, pause bool, at time.Time) {
		if c := r.control; c != nil {
			c.Auto(id, detector, pause, at)
		}
	}
	return &d
}

// attach binds the SIP server, which turns what it sees into inputs of the
// server's engine.
func (r *recorder) attach(ctx context.Context, s *Server) error {
	control := &recorderControl{engine: s.engine, store: s.store, transcribes: r.transcribes, log: s.log, node: s.node}
	r.control = control
	// Calls an earlier run left live are closed before any new call can
	// be answered.
	if err := closeInterrupted(ctx, s, r.rec); err != nil {
		return err
	}
	srv, err := siprec.Listen(siprec.Config{
		Listen: r.cfg.SIPListen, Recorder: r.rec, Control: control,
		Rule: r.rule, Addr: r.host, Logger: s.log,
		TLSListen: r.cfg.SIPTLSListen, TLS: r.tls, Allow: r.allow, Strict: r.cfg.SIPStrict, T1: r.cfg.SIPT1,
		Metrics: siprec.NewMetrics(s.registry), SRTP: r.srtp, LatchRTP: r.cfg.LatchRTP,
	})
	if err != nil {
		return err
	}
	r.sip = srv
	s.sip = srv.Addr()
	if r.cfg.SIPTLSListen != "" {
		s.sipTLS = srv.TLSAddr()
	}
	s.runners = append(s.runners, func(ctx context.Context) {
		if err := srv.Serve(ctx); err != nil {
			s.log.Error("siprec server stopped", "err", err)
		}
	})
	return nil
}

// rtpHost returns the address RTP is received on.
func rtpHost(rc RecorderConfig) (netip.Addr, error) {
	s := rc.RTPAddress
	if s == "" {
		h, _, err := net.SplitHostPort(rc.SIPListen)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("--sip-listen %q: %w", rc.SIPListen, err)
		}
		if h == "" {
			return netip.AddrFrom4([4]byte{127, 0, 0, 1}), nil
		}
		s = h
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("rtp address %q: want an IP address: %w", s, err)
	}
	if addr.IsUnspecified() {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1}), nil
	}
	return addr, nil
}

// openTranscriber starts the transcription engine, or returns nil when
// transcription is off.
func openTranscriber(rc RecorderConfig, log *slog.Logger, cfg asr.Config) (*asr.Transcriber, error) {
	eng, err := asr.Open(rc.ASR, rc.ASRWorkers)
	if err != nil || eng == nil {
		return nil, err
	}
	log.Info("transcription engine", "engine", eng.Name())
	cfg.Engine, cfg.Workers, cfg.Logger = eng, rc.ASRWorkers, log
	return asr.New(cfg)
}
