package demo_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
)

// The demo's SBC records calls on a real hush, and each call shows every
// kind of pause: the client's hold, the secure payment, the agent's.
func TestDemoTrafficShowsEveryPause(t *testing.T) {
	data := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	h := servertest.Start(t, server.Config{
		Data: data, Listen: "127.0.0.1:0", Logger: log,
		Recorder: server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: "45000-45099", ASR: "energy",
			AgentPattern: server.DefaultAgentPattern},
	})
	key, err := h.AdminKey()
	if err != nil {
		t.Fatal(err)
	}

	// At eight times real speed a call's script takes about 6 s.
	dctx, stop := context.WithTimeout(context.Background(), 9*time.Second)
	defer stop()
	err = demo.Run(dctx, demo.Config{SIP: h.SIPAddr(), API: demo.API{Base: h.URL(), Key: key}, Calls: 1, Speed: 8, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
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
