package server_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/hush-cc/hush/internal/server"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// New binds before anything is served, Serve answers until its context
// ends and then returns nil, and Close after that closes once however often
// it is called.
func TestServeUntilTheContextEnds(t *testing.T) {
	s, err := server.New(context.Background(), server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if s.Addr() == "" || strings.HasSuffix(s.Addr(), ":0") {
		t.Fatalf("Addr %q before Serve, want the bound address", s.Addr())
	}
	if s.SIPAddr().IsValid() {
		t.Fatalf("SIPAddr %v with the recorder off", s.SIPAddr())
	}
	key, err := s.AdminKey()
	if err != nil || !strings.HasPrefix(key, "hush_") || s.AdminKeyFile() == "" {
		t.Fatalf("admin key %q in %q, %v", key, s.AdminKeyFile(), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	resp, err := http.Get(s.URL() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve after its context ended: %v", err)
	}
	if _, err := http.Get(s.URL() + "/healthz"); err == nil {
		t.Fatal("hush still answers after Serve returned")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
	if err := s.Serve(context.Background()); !errors.Is(err, server.ErrClosed) {
		t.Fatalf("Serve after Close: %v, want ErrClosed", err)
	}
}

// Close stops a serving hush and waits for Serve to have returned; Serve
// runs only once.
func TestCloseStopsServe(t *testing.T) {
	s, err := server.New(context.Background(), server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(context.Background()) }()
	resp, err := http.Get(s.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := s.Serve(context.Background()); err == nil || errors.Is(err, server.ErrClosed) {
		t.Fatalf("a second Serve: %v, want refused", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve after Close: %v", err)
		}
	default:
		t.Fatal("Close returned before Serve did")
	}
}

// A hush that never served gives back everything New took: its HTTP and
// SIP addresses can be bound again, and its data directory opened again.
func TestCloseWithoutServeReleasesEverything(t *testing.T) {
	data := t.TempDir()
	cfg := server.Config{Data: data, Listen: "127.0.0.1:0", Logger: quiet(),
		Recorder: server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: "46000-46099", ASR: "none"}}
	s, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	httpAddr, sip := s.Addr(), s.SIPAddr()
	if !sip.IsValid() || sip.Port() == 0 {
		t.Fatalf("SIPAddr %v with the recorder on", sip)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct{ network, addr string }{{"tcp", httpAddr}, {"tcp", sip.String()}} {
		ln, err := net.Listen(l.network, l.addr)
		if err != nil {
			t.Fatalf("%s %s still held after Close: %v", l.network, l.addr, err)
		}
		ln.Close()
	}
	pc, err := net.ListenPacket("udp", sip.String())
	if err != nil {
		t.Fatalf("udp %s still held after Close: %v", sip, err)
	}
	pc.Close()
	cfg.Recorder = server.RecorderConfig{}
	again, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("reopen the data directory: %v", err)
	}
	if again.AdminKeyFile() != "" {
		t.Errorf("a second New on the same data made another admin key: %s", again.AdminKeyFile())
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}

// A hush that cannot start says why, and holds nothing.
func TestNewReportsAFailedStart(t *testing.T) {
	_, err := server.New(context.Background(), server.Config{Data: t.TempDir(), Listen: "127.0.0.1:bad-port", Logger: quiet()})
	if err == nil || !strings.Contains(err.Error(), "bad-port") {
		t.Fatalf("err = %v, want the listen error", err)
	}
}
