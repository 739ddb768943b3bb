//go:build pocketsphinx

package e2e

import (
	"log/slog"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/corpus"
	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/detect"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
)

// A caller reads a card number aloud while nobody presses Pause: with
// spoken digits on, hush's spotter hears enough of it to pause recording
// and transcription from before the first digit, so no card audio reaches
// the WAV. The spotter also pauses some of the caller's other talk; the
// bound on that is the call's length, not the goal (docs/BENCHMARKS.md).
func TestSpokenCardNumberNeverReachesTheDisk(t *testing.T) {
	t.Parallel()
	h := servertest.Start(t, server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		Recorder: server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: "47800-47899", ASR: "energy",
			AgentPattern: server.DefaultAgentPattern, Digits: true, MaskTones: true, SpokenDigits: true}})
	key, err := h.AdminKey()
	if err != nil {
		t.Fatal(err)
	}
	api := demo.API{Base: h.URL(), Key: key}
	c := corpus.Condition{Mode: corpus.Spoken, Voice: "en-us", Speed: 140}
	cardCall(t, h.SIPAddr(), api, c, 1, detect.DefaultSpokenRunPolicy().Guard, time.Minute)
}
