package server

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
)

// Running is a hush started in the background with Start.
type Running struct {
	// Addr is the HTTP address hush listens on.
	Addr string
	// AdminKeyFile holds the first admin key, when this start created it.
	AdminKeyFile string
	// SIP is the recorder's SIP address; zero when the recorder is off.
	SIP netip.AddrPort

	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// Start runs hush in the background and returns once it serves HTTP, and
// SIP when the recorder is on. ctx bounds only that wait: once up, hush runs
// until Stop. Ready and Recorder.SIPReady in cfg are still called.
func Start(ctx context.Context, cfg Config) (*Running, error) {
	type up struct{ addr, keyFile string }
	ready := make(chan up, 1)
	sip := make(chan netip.AddrPort, 1)
	onReady, onSIP := cfg.Ready, cfg.Recorder.SIPReady
	cfg.Ready = func(addr, keyFile string) {
		if onReady != nil {
			onReady(addr, keyFile)
		}
		ready <- up{addr, keyFile}
	}
	cfg.Recorder.SIPReady = func(a netip.AddrPort) {
		if onSIP != nil {
			onSIP(a)
		}
		sip <- a
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &Running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- Run(runCtx, cfg) }()
	wait := func() error {
		select {
		case u := <-ready:
			r.Addr, r.AdminKeyFile = u.addr, u.keyFile
		case err := <-r.done:
			r.once.Do(func() { r.err = err })
			return fmt.Errorf("hush stopped while starting: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("hush did not start: %w", ctx.Err())
		}
		if cfg.Recorder.SIPListen == "" {
			return nil
		}
		select {
		case r.SIP = <-sip:
			return nil
		case err := <-r.done:
			r.once.Do(func() { r.err = err })
			return fmt.Errorf("hush stopped while starting: %w", err)
		case <-ctx.Done():
			return fmt.Errorf("hush did not start its recorder: %w", ctx.Err())
		}
	}
	if err := wait(); err != nil {
		_ = r.Stop()
		return nil, err
	}
	return r, nil
}

// URL is hush's HTTP base URL.
func (r *Running) URL() string { return "http://" + r.Addr }

// AdminKey reads the first admin key from AdminKeyFile.
func (r *Running) AdminKey() (string, error) {
	if r.AdminKeyFile == "" {
		return "", fmt.Errorf("this start created no admin key")
	}
	b, err := os.ReadFile(r.AdminKeyFile)
	if err != nil {
		return "", fmt.Errorf("read the admin key: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Stop shuts hush down as SIGTERM would and returns what Run returned. It
// may be called more than once.
func (r *Running) Stop() error {
	r.once.Do(func() {
		r.cancel()
		r.err = <-r.done
	})
	return r.err
}
