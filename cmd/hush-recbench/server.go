package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hush-cc/hush/internal/backoff"
)

// server is a recorder started for one run.
type server struct {
	cmd  *exec.Cmd
	done chan error
	log  *os.File
	// What hush-callload needs to drive it.
	sip, api, key, recordings string
}

// runOnce starts target on fresh data, drives calls calls at it with
// hush-callload, stops it and returns hush-callload's report, decoded and
// whole.
func runOnce(ctx context.Context, o options, b binaries, target string, calls, i int, log io.Writer) (*runReport, json.RawMessage, error) {
	dir := filepath.Join(o.work, "runs", fmt.Sprintf("%s-%d-%d", target, calls, i))
	if err := os.RemoveAll(dir); err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	if !o.keep {
		defer removeRecordings(dir)
	}
	var s *server
	var err error
	if target == targetHush {
		s, err = startHush(ctx, b.hush, dir, o.rtpPorts)
	} else {
		s, err = startLoreste(ctx, b.loreste, dir, o.rtpPorts, calls)
	}
	if err != nil {
		return nil, nil, err
	}
	rep, raw, err := drive(ctx, b.callload, s, o, target, calls, dir, log)
	if serr := s.stop(); serr != nil && err == nil {
		err = serr
	}
	return rep, raw, err
}

// removeRecordings deletes a run's data but its logs.
func removeRecordings(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".log") {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// drive runs hush-callload against s and returns its report, decoded and
// whole.
func drive(ctx context.Context, bin string, s *server, o options, target string, calls int, dir string, log io.Writer) (*runReport, json.RawMessage, error) {
	ramp := o.ramp
	if ramp == 0 {
		ramp = time.Duration(calls) * time.Second / 50
	}
	args := []string{"--json", "--target", target, "--sip", s.sip, "--api", s.api, "--key", s.key,
		"--pid", strconv.Itoa(s.cmd.Process.Pid), "--calls", strconv.Itoa(calls),
		"--duration", o.duration.String(), "--ramp", ramp.String(), "--audio", o.audio}
	if s.recordings != "" {
		args = append(args, "--recordings", s.recordings)
	}
	toolLog, err := os.Create(filepath.Join(dir, "callload.log"))
	if err != nil {
		return nil, nil, err
	}
	defer toolLog.Close()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout = &out
	cmd.Stderr = io.MultiWriter(toolLog, log)
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("hush-callload: %w (see %s)", err, toolLog.Name())
	}
	var rep runReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return nil, nil, fmt.Errorf("hush-callload's report: %w", err)
	}
	return &rep, json.RawMessage(out.Bytes()), nil
}

// startHush starts hush serve on fresh data in dir and waits until its
// API answers.
func startHush(ctx context.Context, bin, dir, rtpPorts string) (*server, error) {
	sip, api, err := freePorts()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	s := &server{sip: sip, api: "http://" + api}
	// The figures are the recorder's: transcription runs the energy
	// engine (speech segments, no words), as loreste/siprec runs none.
	err = s.start(ctx, dir, nil, bin, "serve", "--data", data, "--listen", api, "--sip-listen", sip,
		"--rtp-ports", rtpPorts, "--asr", "energy", "--log-level", "warn")
	if err != nil {
		return nil, err
	}
	err = s.waitReady(ctx, "/healthz", func() bool {
		k, err := os.ReadFile(filepath.Join(data, "admin.key"))
		s.key = strings.TrimSpace(string(k))
		return err == nil && s.key != ""
	})
	return s, err
}

// startLoreste starts loreste/siprec in dir, on loopback, with its
// recordings in dir/recordings and its pause API behind a fresh key, and
// waits until its API answers.
func startLoreste(ctx context.Context, bin, dir, rtpPorts string, calls int) (*server, error) {
	sip, api, err := freePorts()
	if err != nil {
		return nil, err
	}
	lo, hi, _ := strings.Cut(rtpPorts, "-")
	sipHost, sipPort, _ := net.SplitHostPort(sip)
	_, apiPort, _ := net.SplitHostPort(api)
	key := make([]byte, 16)
	rand.Read(key)
	s := &server{sip: sip, api: "http://" + api, key: hex.EncodeToString(key), recordings: filepath.Join(dir, "recordings")}
	env := []string{
		"SIP_HOST=" + sipHost, "PORTS=" + sipPort, "EXTERNAL_IP=" + sipHost, "INTERNAL_IP=" + sipHost,
		"RTP_BIND_IP=" + sipHost, "RTP_PORT_MIN=" + lo, "RTP_PORT_MAX=" + hi,
		"HTTP_PORT=" + apiPort, "RECORDING_DIR=" + s.recordings,
		"PAUSE_RESUME_ENABLED=true", "PAUSE_RESUME_API_KEY=" + s.key,
		"MAX_CONCURRENT_CALLS=" + strconv.Itoa(calls+calls/10+10),
		"LOG_LEVEL=warn",
	}
	if err := s.start(ctx, dir, env, bin); err != nil {
		return nil, err
	}
	return s, s.waitReady(ctx, "/health", nil)
}

// freePorts returns two loopback addresses free a moment ago: one for SIP
// (free on UDP and TCP), one for HTTP.
func freePorts() (sip, api string, err error) {
	for range 20 {
		t, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", "", err
		}
		u, err := net.ListenPacket("udp", t.Addr().String())
		t.Close()
		if err != nil {
			continue
		}
		u.Close()
		a, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", "", err
		}
		api = a.Addr().String()
		a.Close()
		return t.Addr().String(), api, nil
	}
	return "", "", errors.New("no free port for SIP on both UDP and TCP")
}

// start starts bin with args in dir, its output in dir/server.log.
func (s *server) start(ctx context.Context, dir string, env []string, bin string, args ...string) error {
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return err
	}
	s.log = log
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = dir
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout = log
	s.cmd.Stderr = log
	if err := s.cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", bin, err)
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait() }()
	return nil
}

// waitReady waits until GET path answers 200 and ready (if not nil)
// says so, for at most a minute.
func (s *server) waitReady(ctx context.Context, path string, ready func() bool) error {
	deadline := time.Now().Add(time.Minute)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("%s exited at start (%v); see %s", s.cmd.Path, err, s.log.Name())
		default:
		}
		res, err := client.Get(s.api + path)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK && (ready == nil || ready()) {
				return nil
			}
		}
		if !backoff.Sleep(ctx, 200*time.Millisecond) {
			break
		}
	}
	s.stop()
	return fmt.Errorf("%s not ready after a minute; see %s", s.cmd.Path, s.log.Name())
}

// stop asks the server to stop, kills it if it has not within 30 s, and
// waits for it.
func (s *server) stop() error {
	defer s.log.Close()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(30 * time.Second):
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	return fmt.Errorf("%s did not stop within 30 s of SIGTERM and was killed", s.cmd.Path)
}
