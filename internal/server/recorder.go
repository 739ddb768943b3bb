package server

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/hush-cc/hush/internal/asr"
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
	// SIPReady, if set, is told the bound SIP address once the recorder
	// answers.
	SIPReady func(addr netip.AddrPort)
}

// DefaultAgentPattern picks the participant whose AOR user part starts
// with "agent" and takes the rest as the agentId: sip:agent-alice@pbx is
// agent "alice".
const DefaultAgentPattern = `(?i)^sips?:agent[-_.]?(?P<agent>[^@;:]+)@`

// RecordingsDir is the directory, in the data directory, of recordings,
// segment maps, transcripts and recording metadata.
const RecordingsDir = "recordings"

// setupRecorder wires the built-in SIPREC recorder when configured: the SIP
// server, the media backend and the recording routes.
func setupRecorder(ctx context.Context, a *assembly) error {
	rc := a.cfg.Recorder
	if rc.SIPListen == "" {
		return nil
	}
	lo, hi, err := media.ParsePortRange(rc.RTPPorts)
	if err != nil {
		return err
	}
	ports, err := media.NewPorts(lo, hi)
	if err != nil {
		return err
	}
	host, err := rtpHost(rc)
	if err != nil {
		return err
	}
	var rule *siprec.AgentRule
	if rc.AgentPattern != "" {
		if rule, err = siprec.NewAgentRule(rc.AgentPattern); err != nil {
			return err
		}
	}
	var rec *media.Recorder
	// Closers run in reverse: the sealer, first in, stops last, after the
	// recorder and transcriber have finished their files.
	seal := newSealer(a)
	a.closers = append(a.closers, seal.close)
	sealer, opener, err := a.cfg.AtRest.load()
	if err != nil {
		return err
	}
	tr, err := openTranscriber(rc, a, func(id string, t asr.Transcript, final bool) error {
		err := writeTranscript(rec, sealer, id, t, final)
		if err == nil && final {
			seal.add(id, integrity.Transcript, rec.SidecarPath(id, asr.SidecarName))
		}
		return err
	})
	if err != nil {
		return err
	}
	cfg := media.Config{
		Dir: filepath.Join(a.cfg.Data, RecordingsDir), CommitDelay: a.cfg.CommitDelay,
		Policy: media.Policy(rc.Policy), Ports: ports, Host: host, Logger: a.log,
		Finished: func(id, wav string) { seal.add(id, integrity.Recording, wav) },
	}
	if sealer != nil {
		cfg.Encrypt = sealer.Wrap
	}
	if tr != nil {
		cfg.Transcriber = tr.Open
	}
	if rec, err = media.NewRecorder(cfg); err != nil {
		return err
	}
	a.backends[siprec.Platform] = rec
	srv, err := siprec.Listen(siprec.Config{
		Listen: rc.SIPListen, Recorder: rec, Control: &recorderControl{a: a, transcribes: tr != nil},
		Rule: rule, Addr: host, Logger: a.log,
	})
	if err != nil {
		return err
	}
	a.routes = append(a.routes, recordingRoutes(a, rec, opener)...)
	a.routes = append(a.routes, verifyRoute(a, cfg.Dir))
	a.runners = append(a.runners,
		func(ctx context.Context) { _ = rec.Run(ctx) },
		func(ctx context.Context) {
			if rc.SIPReady != nil {
				rc.SIPReady(srv.Addr())
			}
			if err := srv.Serve(ctx); err != nil {
				a.log.Error("siprec server stopped", "err", err)
			}
		})
	if tr != nil {
		a.closers = append(a.closers, func() {
			if err := tr.Close(); err != nil {
				a.log.Warn("close transcriber", "err", err)
			}
		})
	}
	a.closers = append(a.closers, func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rec.Close(cctx); err != nil {
			a.log.Error("finalize recordings", "err", err)
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
func openTranscriber(rc RecorderConfig, a *assembly, write func(string, asr.Transcript, bool) error) (*asr.Transcriber, error) {
	eng, err := asr.Open(rc.ASR, rc.ASRWorkers)
	if err != nil || eng == nil {
		return nil, err
	}
	a.log.Info("transcription engine", "engine", eng.Name())
	return asr.New(asr.Config{Engine: eng, Write: write, Workers: rc.ASRWorkers, Logger: a.log})
}
