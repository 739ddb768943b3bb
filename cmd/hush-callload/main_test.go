package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
)

func TestOptionsKeepTheLoadOnLoopback(t *testing.T) {
	key := filepath.Join(t.TempDir(), "admin.key")
	if err := os.WriteFile(key, []byte("k\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"--key-file", key}, true},
		{[]string{"--key-file", key, "--sip", "192.0.2.1:5060"}, false},
		{[]string{"--sip", "127.0.0.1:5060"}, false}, // no key
		{[]string{"--key", "k", "--calls", "0"}, false},
		{[]string{"--key", "k", "--target", "loreste"}, false}, // no recordings
		{[]string{"--key", "k", "--target", "other", "--recordings", "/tmp"}, false},
	} {
		o, err := parseOptions(c.args, io.Discard)
		if (err == nil) != c.ok {
			t.Errorf("%v: %v", c.args, err)
		}
		if err == nil && (o.key != "k" || o.pauses != o.calls) {
			t.Errorf("%v: options %+v", c.args, o)
		}
	}
}

func TestOptionsForLoreste(t *testing.T) {
	o, err := parseOptions([]string{"--target", "loreste", "--recordings", "/tmp/rec", "--sip", "127.0.0.1:5070"}, io.Discard)
	if err != nil || o.target != targetLoreste || o.recordings != "/tmp/rec" || o.key != "" {
		t.Fatalf("options %+v, %v", o, err)
	}
}

// A few calls against a real hush, carrying either audio: (almost) nothing
// lost, every WAV complete, every pause timed.
func TestLoadAgainstHush(t *testing.T) {
	for _, kind := range []string{audioTone, audioSpeech} {
		t.Run(kind, func(t *testing.T) { loadAgainstHush(t, kind) })
	}
}

func loadAgainstHush(t *testing.T, audio string) {
	ctx := context.Background()
	h := servertest.Start(t, server.Config{
		Data: t.TempDir(), Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		Recorder: server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: "45200-45299", ASR: "energy"},
	})
	key, err := h.AdminKey()
	if err != nil {
		t.Fatal(err)
	}
	o := options{target: targetHush, sip: h.SIPAddr(), api: h.URL(), key: key, pid: os.Getpid(), calls: 4, duration: 2 * time.Second, ramp: 200 * time.Millisecond, pauses: 4, audio: audio}
	rep, err := load(ctx, o, io.Discard)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.Established != 4 || rep.PacketsSent < 4*2*100 || rep.PacketsWritten > rep.PacketsSent || rep.LossPercent >= 0.1 ||
		rep.CompleteWAVs != 4 || rep.Pauses != 4 || rep.PauseLatencyP99Ms <= 0 || rep.SentOfDuePercent < 90 || rep.SentOfDuePercent > 110 || !strings.Contains(rep.Audio, audio) {
		t.Fatalf("report %+v", rep)
	}
}
