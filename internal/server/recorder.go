package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/hush-cc/hush/internal/asr"
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
	cfg  RecorderConfig
	host netip.Addr
	rule *siprec.AgentRule
	rec  *media.Recorder
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
	tr, err := openTranscriber(rc, s.log, func(id string, t asr.Transcript, final bool) error {
		return r.rec.WriteSidecar(id, asr.SidecarName, t, final)
	})
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

// attach binds the SIP server, which turns what it sees into inputs of the
// server's engine.
func (r *recorder) attach(s *Server) error {
	srv, err := siprec.Listen(siprec.Config{
		Listen: r.cfg.SIPListen, Recorder: r.rec, Control: &recorderControl{engine: s.engine, transcribes: r.transcribes},
		Rule: r.rule, Addr: r.host, Logger: s.log,
	})
	if err != nil {
		return err
	}
	s.sip = srv.Addr()
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
func openTranscriber(rc RecorderConfig, log *slog.Logger, write func(string, asr.Transcript, bool) error) (*asr.Transcriber, error) {
	eng, err := asr.Open(rc.ASR, rc.ASRWorkers)
	if err != nil || eng == nil {
		return nil, err
	}
	log.Info("transcription engine", "engine", eng.Name())
	return asr.New(asr.Config{Engine: eng, Write: write, Workers: rc.ASRWorkers, Logger: log})
}
