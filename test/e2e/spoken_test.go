//go:build pocketsphinx

package e2e

import (
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/corpus"
	"github.com/hush-cc/hush/internal/detect"
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
