//go:build pocketsphinx

package e2e

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/corpus"
	"github.com/hush-cc/hush/internal/detect"
	"github.com/hush-cc/hush/internal/server"
)

// A caller reads a card number aloud while nobody presses Pause: with
// spoken digits on, hush's spotter hears enough of it to pause recording
// and transcription from before the first digit, so no card audio reaches
// the WAV. The spotter also pauses some of the caller's other talk; the
// bound on that is the call's length, not the goal (docs/BENCHMARKS.md).
func TestSpokenCardNumberNeverReachesTheDisk(t *testing.T) {
	t.Parallel()
	sip, api := digitServer(t, "47800-47899", true)
	c := corpus.Condition{Mode: corpus.Spoken, Voice: "en-us", Speed: 140}
	cardCall(t, sip, api, c, 1, detect.DefaultSpokenRunPolicy().Guard, time.Minute)
}

// An acoustic model named for the spotter that does not load stops hush
// at start-up, naming the model, instead of leaving digits read aloud
// unheard on every call.
func TestSpokenDigitModelThatDoesNotLoadStopsStart(t *testing.T) {
	t.Parallel()
	model := t.TempDir()
	s, err := server.New(context.Background(), server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		Recorder: server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: "47900-47919", ASR: "energy",
			AgentPattern: server.DefaultAgentPattern, Digits: true, SpokenDigits: true, SpokenDigitModel: model}})
	if err == nil {
		s.Close()
		t.Fatal("hush started with an empty acoustic model directory")
	}
	if !strings.Contains(err.Error(), model) {
		t.Errorf("the error does not name the model: %v", err)
	}
}
