//go:build pocketsphinx

package asr

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/corpus"
	"github.com/hush-cc/hush/internal/detect"
)

// spokenCall builds call n of condition c: the same call for the same n.
func spokenCall(tb testing.TB, c corpus.Condition, n int) corpus.Call {
	tb.Helper()
	call, err := corpus.Build(fmt.Sprintf("%s-%d", c.Name(), n), c, &corpus.Espeak{Ctx: context.Background(), Dir: tb.TempDir()},
		rand.New(rand.NewPCG(uint64(n)+1, uint64(c.Speed))))
	if err != nil {
		tb.Fatal(err)
	}
	return call
}

// spotScore is how a spotter did on some calls.
type spotScore struct {
	cardWords, cardFound int
	falses               int
	minutes              float64
	latency              []float64 // seconds from a card digit's end to its report
	lastLatency          []float64 // seconds from the card span's end to its last digit's report
	cpu, audio           float64   // seconds
	calls                int
}

// add sums o into s.
func (s *spotScore) add(o spotScore) {
	s.cardWords += o.cardWords
	s.cardFound += o.cardFound
	s.falses += o.falses
	s.minutes += o.minutes
	s.latency = append(s.latency, o.latency...)
	s.lastLatency = append(s.lastLatency, o.lastLatency...)
	s.cpu += o.cpu
	s.audio += o.audio
	s.calls += o.calls
}

func (s spotScore) recall() float64 { return float64(s.cardFound) / float64(max(1, s.cardWords)) }
func (s spotScore) falsesPerMinute() float64 {
	return float64(s.falses) / max(s.minutes, 1e-9)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// reported is a digit and the timeline position of the audio's end when
// the spotter reported it.
type reported struct {
	detect.Digit
	at int64
}

// spot feeds the caller's stream in chunks of chunk samples.
func spot(sp DigitSpotter, pcm []int16, chunk int) []reported {
	var out []reported
	for i := 0; i < len(pcm); i += chunk {
		j := min(i+chunk, len(pcm))
		for _, d := range sp.Feed(int64(i), pcm[i:j]) {
			out = append(out, reported{d, int64(j)})
		}
	}
	for _, d := range sp.Flush() {
		out = append(out, reported{d, int64(len(pcm))})
	}
	return out
}

// score adds a call's detections to s: the card digits found in order
// (the longest common subsequence of the card and the digits heard in its
// span), and every digit heard outside the card and phone spans.
func (s *spotScore) score(call corpus.Call, got []reported) {
	const slack = corpus.Rate / 10
	s.calls++
	s.minutes += float64(call.Samples) / corpus.Rate / 60
	s.audio += float64(call.Samples) / corpus.Rate
	in := func(d reported, kind string) (corpus.Span, bool) {
		mid := (d.Start + d.End) / 2
		for _, sp := range call.Spans {
			if sp.Kind == kind && mid >= sp.Start-slack && mid < sp.End+slack {
				return sp, true
			}
		}
		return corpus.Span{}, false
	}
	var card []reported
	var span corpus.Span
	for _, d := range got {
		if sp, ok := in(d, corpus.SpanCard); ok {
			card, span = append(card, d), sp
			continue
		}
		if _, ok := in(d, corpus.SpanPhone); !ok {
			s.falses++
		}
	}
	matched := lcs(call.Card, card)
	s.cardWords += len(call.Card)
	s.cardFound += len(matched)
	for _, d := range matched {
		s.latency = append(s.latency, float64(d.at-d.End)/corpus.Rate)
	}
	if len(card) > 0 {
		s.lastLatency = append(s.lastLatency, float64(card[len(card)-1].at-span.End)/corpus.Rate)
	}
}

// lcs returns the digits of got that make a longest common subsequence
// with want.
func lcs(want string, got []reported) []reported {
	n, m := len(want), len(got)
	t := make([][]int, n+1)
	for i := range t {
		t[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if want[i] == got[j].Symbol {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	var out []reported
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case want[i] == got[j].Symbol:
			out = append(out, got[j])
			i++
			j++
		case t[i+1][j] >= t[i][j+1]:
			i++
		default:
			j++
		}
	}
	return out
}

// spokenConditions are the corpus's conditions in which the card is read.
func spokenConditions() []corpus.Condition {
	var out []corpus.Condition
	for _, c := range corpus.Conditions() {
		if c.Mode == corpus.Spoken {
			out = append(out, c)
		}
	}
	return out
}

// runCall spots the digits of a call's caller stream and scores them.
func runCall(tb testing.TB, call corpus.Call) spotScore {
	var s spotScore
	sp, err := NewDigitSpotter(benchModel())
	if err != nil {
		tb.Fatal(err)
	}
	t0 := cpuSeconds()
	got := spot(sp, call.Caller, corpus.Rate*16/100)
	s.cpu += cpuSeconds() - t0
	if err := sp.Close(); err != nil {
		tb.Fatal(err)
	}
	s.score(call, got)
	return s
}
