package demo_test

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/server"
)

// The demo's SBC records calls on a real hush, and each call shows every
// kind of pause: the client's hold, the secure payment, the agent's.
func TestDemoTrafficShowsEveryPause(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	type up struct{ http, key string }
	ready := make(chan up, 1)
	sip := make(chan netip.AddrPort, 1)
	done := make(chan error, 1)
	log := slog.New(slog.DiscardHandler)
	go func() {
		done <- server.Run(ctx, server.Config{
			Data: data, Listen: "127.0.0.1:0", Logger: log,
			Recorder: server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: "45000-45099", ASR: "energy",
				AgentPattern: server.DefaultAgentPattern, SIPReady: func(a netip.AddrPort) { sip <- a }},
			Ready: func(addr, keyFile string) {
				b, _ := os.ReadFile(keyFile)
				ready <- up{addr, strings.TrimSpace(string(b))}
			},
		})
	}()
	var h up
	select {
	case h = <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	sipAddr := <-sip

	// At eight times real speed a call's script takes about 6 s.
	dctx, stop := context.WithTimeout(ctx, 9*time.Second)
	defer stop()
	err := demo.Run(dctx, demo.Config{SIP: sipAddr, API: demo.API{Base: "http://" + h.http, Key: h.key}, Calls: 1, Speed: 8, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	maps, _ := filepath.Glob(filepath.Join(data, server.RecordingsDir, "demo-*.segments.json"))
	if len(maps) == 0 {
		t.Fatal("the demo recorded nothing")
	}
	m, err := media.ReadSegmentMap(maps[0])
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, s := range m.Segments {
		for _, r := range s.Reasons {
			kinds[string(r.Kind)] = true
		}
	}
	if !m.Complete || !kinds["source"] || !kinds["secure"] || !kinds["manual"] || m.Stats.Caller.Packets == 0 || m.Stats.Agent.Packets == 0 {
		t.Fatalf("first demo call: complete %v, pause reasons %v, stats %+v", m.Complete, kinds, m.Stats)
	}
}

func TestVoicesAreEqualLengthPackets(t *testing.T) {
	caller, agent, source := demo.Voices(context.Background(), t.TempDir())
	if len(caller) == 0 || len(caller) != len(agent) || len(caller)%160 != 0 || source == "" {
		t.Fatalf("voices from %s: %d and %d bytes", source, len(caller), len(agent))
	}
}
