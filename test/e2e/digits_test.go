package e2e

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/corpus"
	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
)

// A caller keys a card number, in band and as RFC 4733 events, while nobody
// presses Pause: hush pauses recording and transcription by itself from
// before the first digit, so no card-digit audio reaches the WAV, and the
// segment map says the pause was automatic.
func TestKeyedCardNumbersNeverReachTheDisk(t *testing.T) {
	t.Parallel()
	sip, api := digitServer(t, "47600-47699", false)
	for i, mode := range []string{corpus.KeyedInband, corpus.KeyedEvents} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			c := corpus.Condition{Mode: mode, Voice: "en-us", Speed: 190, Noise: -40}
			cardCall(t, sip, api, c, uint64(i)+7, 300*time.Millisecond, 2*time.Second)
		})
	}
}

// digitServer starts hush with its recorder on RTP ports and the
// card-digit detectors on, spoken digits too if spoken, and returns its
// SIP address and admin API.
func digitServer(t *testing.T, ports string, spoken bool) (netip.AddrPort, demo.API) {
	h := servertest.Start(t, server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		Recorder: server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: ports, ASR: "energy",
			AgentPattern: server.DefaultAgentPattern, Digits: true, MaskTones: true, SpokenDigits: spoken}})
	key, err := h.AdminKey()
	if err != nil {
		t.Fatal(err)
	}
	return h.SIPAddr(), demo.API{Base: h.URL(), Key: key}
}

// cardCall plays a corpus call of condition c (seed picks it) to the
// recorder at sip, and fails unless an automatic pause kept all its card
// audio out of the WAV, pausing at most maxFalse outside the digits
// (widened by guard).
func cardCall(t *testing.T, sip netip.AddrPort, api demo.API, c corpus.Condition, seed uint64, guard, maxFalse time.Duration) {
	mode := c.Mode
	sp := &corpus.Espeak{Ctx: context.Background(), Dir: t.TempDir()}
	{
		call, err := corpus.Build("card-"+mode, c, sp, rand.New(rand.NewPCG(seed, 3)))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		rec, sent, err := corpus.Record(ctx, sip, api, call)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		s := corpus.ScoreCall(call, rec, corpus.Scoring{Guard: guard, Quiet: 4 * time.Second, CardSentAt: sent})
		auto := 0
		for _, p := range rec.Paused {
			for _, k := range p.Kinds {
				if k == "auto" {
					auto++
				}
			}
		}
		if auto == 0 {
			t.Fatalf("%s: no automatic pause in the segment map: %+v", mode, rec.Paused)
		}
		if s.LeakedFrames != 0 {
			t.Errorf("%s: %d of %d frames of card-digit audio reached the WAV", mode, s.LeakedFrames, s.CardFrames)
		}
		if s.FalsePause > maxFalse {
			t.Errorf("%s: %v paused outside the digits", mode, s.FalsePause)
		}
		t.Logf("%s: leaked %d/%d card frames, false pause %v, latency %v", mode, s.LeakedFrames, s.CardFrames, s.FalsePause, s.Latency)
	}
}
