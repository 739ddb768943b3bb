//go:build pocketsphinx

package asr

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hush-cc/hush/internal/corpus"
	"github.com/hush-cc/hush/internal/detect"
)

// On corpus calls in which a caller reads a card number among a phone
// number, a date and talk, the spotter hears a good part of the card's
// digits within the commit's reach after each is said, where it was said,
// and few digits in the talk. The bounds are what the en-us model reaches
// on espeak-ng's voices at 8 kHz (see BenchmarkDigitSpotter), with a
// margin.
func TestDigitSpotterHearsCardDigits(t *testing.T) {
	var s spotScore
	for _, c := range []corpus.Condition{
		{Mode: corpus.Spoken, Voice: "en-us", Speed: 190, Music: true},
		{Mode: corpus.Spoken, Voice: "en-us", Speed: 140, Noise: -35},
	} {
		call := spokenCall(t, c, 0)
		sp, err := NewDigitSpotter(DefaultModel())
		if err != nil {
			t.Fatal(err)
		}
		got := spot(sp, call.Caller, corpus.Rate*16/100)
		if err := sp.Close(); err != nil {
			t.Fatal(err)
		}
		for _, d := range got {
			if d.Source != detect.Spoken || !d.IsCardDigit() || d.Start < 0 || d.End <= d.Start || d.End > d.at || d.End > call.Samples {
				t.Errorf("%s: digit %+v reported at %d", c.Name(), d.Digit, d.at)
			}
		}
		s.score(call, got)
	}
	t.Logf("heard %d of %d card digits, %.1f false digits a minute, median latency %.2f s", s.cardFound, s.cardWords, s.falsesPerMinute(), median(s.latency))
	if s.recall() < 0.25 {
		t.Errorf("heard %d of %d card digits", s.cardFound, s.cardWords)
	}
	if f := s.falsesPerMinute(); f > 8 {
		t.Errorf("%.1f digits a minute heard outside digit spans", f)
	}
	if l := median(s.latency); l <= 0 || l > 1.5 {
		t.Errorf("median latency %.2f s from a digit's end to its report", l)
	}
}

// Silence loads no decoder and hears nothing; Flush and Close are safe
// at any time.
func TestDigitSpotterSilence(t *testing.T) {
	sp, err := NewDigitSpotter(DefaultModel())
	if err != nil {
		t.Fatal(err)
	}
	if got := spot(sp, make([]int16, 10*corpus.Rate), 1280); len(got) != 0 {
		t.Errorf("silence gave %v", got)
	}
	sp.Flush()
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
}

// rssBytes is the process's resident memory.
func rssBytes(tb testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		tb.Skip("no /proc/self/statm")
	}
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// benchCalls is how many corpus calls each condition of the benchmark has.
const benchCalls = 2

// spokenCallSet picks the benchmarks' calls: set k is calls
// k*benchCalls to k*benchCalls+benchCalls-1 of each condition, each
// built from its own seed, so that a setting chosen on one set can be
// checked on another.
var spokenCallSet = flag.Int("spoken-call-set", 0, "which corpus calls the spoken-digit benchmarks run (0: the first benchCalls of each condition)")

// spokenModel is the acoustic model the spoken-digit benchmarks spot with.
var spokenModel = flag.String("spoken-model", "", "pocketsphinx acoustic model directory for the spoken-digit benchmarks (default: Debian's en-us)")

// benchModel is the model the spoken-digit benchmarks spot with.
func benchModel() Model {
	m := DefaultModel()
	if *spokenModel != "" {
		m.HMM = *spokenModel
	}
	return m
}

// BenchmarkDigitSpotter runs benchCalls corpus calls per spoken condition through
// a spotter fed 160 ms at a time, and reports per condition the share of
// card digits heard, digits heard outside digit spans per minute, the
// median latency from a digit's end to its report, and CPU seconds per
// second of caller audio and per call; and the memory a decoder holds.
func BenchmarkDigitSpotter(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		const n = 8
		for b.Loop() {
			before := rssBytes(b)
			var sps []DigitSpotter
			for range n {
				sp, err := NewDigitSpotter(benchModel())
				if err != nil {
					b.Fatal(err)
				}
				sps = append(sps, sp)
			}
			b.ReportMetric(float64(rssBytes(b)-before)/n/(1<<20), "MB/decoder")
			for _, sp := range sps {
				sp.Close()
			}
		}
	})
	perCondition(b, func(b *testing.B, calls []corpus.Call) {
		var s spotScore
		for b.Loop() {
			s = spotScore{}
			for _, call := range calls {
				s.add(runCall(b, call))
			}
		}
		b.ReportMetric(s.recall(), "recall")
		b.ReportMetric(s.falsesPerMinute(), "false/min")
		b.ReportMetric(median(s.latency)*1000, "latency-ms")
		b.ReportMetric(s.cpu/s.audio, "cpu-s/audio-s")
		b.ReportMetric(s.cpu/float64(s.calls), "cpu-s/call")
	})
}

// perCondition runs bench once per spoken condition, on benchCalls calls
// of it.
func perCondition(b *testing.B, bench func(b *testing.B, calls []corpus.Call)) {
	for _, c := range spokenConditions() {
		b.Run(strings.ReplaceAll(c.Name(), "/", "_"), func(b *testing.B) {
			var calls []corpus.Call
			for n := range benchCalls {
				calls = append(calls, spokenCall(b, c, *spokenCallSet*benchCalls+n))
			}
			bench(b, calls)
		})
	}
}

// An acoustic model that declares 8 kHz audio in its feat.params, as
// telephone models do, hears the spotter's upsampled audio as it is: a
// copy of Debian's model declaring 8 kHz spots the same digits as a copy
// that does not. (Copies, so that neither gets the adaptation made for
// Debian's model.)
func TestDigitSpotterModelDeclaring8kHz(t *testing.T) {
	copyModel := func(extra string) Model {
		m := DefaultModel()
		dir := t.TempDir()
		files, err := os.ReadDir(m.HMM)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if f.Name() != "feat.params" {
				if err := os.Symlink(filepath.Join(m.HMM, f.Name()), filepath.Join(dir, f.Name())); err != nil {
					t.Fatal(err)
				}
			}
		}
		params, err := os.ReadFile(filepath.Join(m.HMM, "feat.params"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "feat.params"), append(params, extra...), 0o600); err != nil {
			t.Fatal(err)
		}
		m.HMM = dir
		return m
	}
	call := spokenCall(t, corpus.Condition{Mode: corpus.Spoken, Voice: "en-us", Speed: 190, Music: true}, 0)
	digits := func(m Model) string {
		sp, err := NewDigitSpotter(m)
		if err != nil {
			t.Fatal(err)
		}
		defer sp.Close()
		var b strings.Builder
		for _, d := range spot(sp, call.Caller, corpus.Rate*16/100) {
			fmt.Fprintf(&b, "%c@%d ", d.Symbol, d.Start)
		}
		return b.String()
	}
	want := digits(copyModel(""))
	if want == "" {
		t.Fatal("the model heard no digits")
	}
	if got := digits(copyModel("\n-samprate 8000\n-nfft 256\n")); got != want {
		t.Errorf("declaring 8 kHz:\n got %s\nwant %s", got, want)
	}
}
