//go:build pocketsphinx

package asr

import (
	"flag"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/corpus"
	"github.com/hush-cc/hush/internal/detect"
	"github.com/hush-cc/hush/internal/media"
)

// pauses replays a spotter's reports through run policy p as the recorder
// does, and returns the spans it would pause, [start, end) on the call's
// timeline: from the guard before a run's first digit until the quiet
// time after its last. As in the recorder, a pause reaches back no further
// than the commit, which stays the guard and media.SpotLag behind what the
// spotter has heard until the run's first digit is reported, and then
// holds at the guard before it.
func pauses(got []reported, p detect.RunPolicy, samples int64) [][2]int64 {
	runs := detect.NewRuns(p)
	reach := detect.Samples(p.Guard + media.SpotLag)
	heardAt := map[int64]int64{} // a reported digit's start: the audio heard when it was reported
	var out [][2]int64
	var from int64
	step := func(dec detect.Decision) {
		if dec.Pause {
			from = max(dec.At, heardAt[dec.At+detect.Samples(p.Guard)]-reach)
			return
		}
		out = append(out, [2]int64{max(from, 0), dec.At})
	}
	for _, d := range got {
		if _, ok := heardAt[d.Start]; !ok {
			heardAt[d.Start] = d.at
		}
		if dec, ok := runs.Advance(d.at); ok {
			step(dec)
		}
		if dec, ok := runs.Digit(d.Digit); ok {
			step(dec)
		}
	}
	if dec, ok := runs.Advance(samples + detect.Samples(p.Quiet)); ok {
		step(dec)
	}
	return out
}

// policyScore scores the pauses of policy p on call: the recording is the
// caller's stream with the paused spans silenced, as the recorder writes
// it, scored by the corpus's own rules.
func policyScore(call corpus.Call, got []reported, p detect.RunPolicy) corpus.Score {
	rec := corpus.Recorded{Caller: append([]int16(nil), call.Caller...)}
	for _, sp := range pauses(got, p, call.Samples) {
		end := min(sp[1], call.Samples)
		clear(rec.Caller[sp[0]:end])
		rec.Paused = append(rec.Paused, corpus.PausedSpan{Start: sp[0], End: sp[1], Kinds: []string{"auto"}})
	}
	return corpus.ScoreCall(call, rec, corpus.Scoring{Guard: p.Guard, Quiet: p.Quiet})
}

// policyTotals sums scores.
type policyTotals struct {
	card, leaked int
	falsePause   time.Duration
	audio        time.Duration
}

func (t *policyTotals) add(s corpus.Score) {
	t.card += s.CardFrames
	t.leaked += s.LeakedFrames
	t.falsePause += s.FalsePause
	t.audio += s.Duration
}

func (t policyTotals) leak() float64 { return float64(t.leaked) / float64(max(t.card, 1)) }

func (t policyTotals) falsePerHour() float64 { return t.falsePause.Seconds() / t.audio.Hours() }

// spokenRun overrides the spoken run policy's digit count, as
// --spoken-digit-run does hush's.
var spokenRun = flag.Int("spoken-digit-run", 0, "spoken digits within the window that make a run in BenchmarkSpokenDigitPolicy (0: the default policy's)")

// BenchmarkSpokenDigitPolicy runs benchCalls corpus calls per spoken
// condition through a spotter and the recorder's default spoken-digit run
// policy, and reports per condition the corpus's score: the share of
// card-digit audio that would reach the WAV, the seconds paused outside
// digit spans per call-hour, and the spotter's CPU seconds per second of
// caller audio.
func BenchmarkSpokenDigitPolicy(b *testing.B) {
	p := detect.DefaultSpokenRunPolicy()
	if *spokenRun > 0 {
		p.MinDigits = *spokenRun
	}
	perCondition(b, func(b *testing.B, calls []corpus.Call) {
		var t policyTotals
		var cpu float64
		for b.Loop() {
			t, cpu = policyTotals{}, 0
			for _, call := range calls {
				sp, err := NewDigitSpotter(benchModel())
				if err != nil {
					b.Fatal(err)
				}
				t0 := cpuSeconds()
				got := spot(sp, call.Caller, corpus.Rate*16/100)
				cpu += cpuSeconds() - t0
				sp.Close()
				t.add(policyScore(call, got, p))
			}
		}
		b.ReportMetric(100*t.leak(), "leak-%")
		b.ReportMetric(t.falsePerHour(), "false-s/h")
		b.ReportMetric(cpu/t.audio.Seconds(), "cpu-s/audio-s")
	})
}
