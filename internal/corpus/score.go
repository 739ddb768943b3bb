package corpus

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Recorded is what the recorder kept of a call, as its API serves it.
type Recorded struct {
	// Caller is the WAV file's caller channel.
	Caller []int16
	// Paused lists the WAV's paused spans, [Start, End) in WAV samples,
	// with the reason kinds that held them and when the gate closed.
	Paused []PausedSpan
	// Transcript lists the transcriber's segments of the caller's stream.
	Transcript []Said
}

// PausedSpan is a paused stretch of the recording.
type PausedSpan struct {
	Start, End   int64
	Kinds        []string
	GateClosedAt time.Time
}

// Said is one transcript segment, [Start, End) in WAV samples.
type Said struct {
	Start, End int64
	Text       string
}

// Score is how a call fared.
type Score struct {
	// CardFrames is how many 10 ms frames of card-digit audio sounded;
	// LeakedFrames how many of them reached the WAV.
	CardFrames, LeakedFrames int
	// CardDigits is the card's length; HeardDigits how many digit words
	// the transcript holds inside the card span.
	CardDigits, HeardDigits int
	// FalsePause is the automatic pausing outside any digit span (card or
	// phone number, widened by the policy's guard and quiet time).
	FalsePause time.Duration
	// Latency is from the first card digit being sent to the automatic
	// pause closing the gate; zero when it never did.
	Latency time.Duration
	// Duration is the call's length.
	Duration time.Duration
	// Offset is where the call's first sample lies in the WAV.
	Offset int64
}

// Scoring holds what scoring needs beyond the call and the recording.
type Scoring struct {
	// Guard and Quiet widen the digit spans for false pauses.
	Guard, Quiet time.Duration
	// CardSentAt is when the first card digit left the sender.
	CardSentAt time.Time
}

const frame = Rate / 100

// ScoreCall compares what was recorded with the call's truth.
func ScoreCall(c Call, r Recorded, o Scoring) Score {
	s := Score{Duration: time.Duration(c.Samples) * time.Second / Rate, CardDigits: len(c.Card)}
	s.Offset = align(c.Caller, r.Caller)
	sounding := level(-45)
	kept := level(-60)
	for _, sp := range c.Spans {
		if sp.Kind != SpanCard {
			continue
		}
		for p := sp.Start; p+frame <= sp.End; p += frame {
			if energy(c.Caller, p) < sounding {
				continue
			}
			s.CardFrames++
			if energy(r.Caller, p+s.Offset) >= kept {
				s.LeakedFrames++
			}
		}
		for _, t := range r.Transcript {
			if t.End-s.Offset > sp.Start && t.Start-s.Offset < sp.End {
				s.HeardDigits += countDigitWords(t.Text)
			}
		}
	}
	s.HeardDigits = min(s.HeardDigits, s.CardDigits)
	var digits [][2]int64
	g, q := int64(o.Guard.Seconds()*Rate), int64(o.Quiet.Seconds()*Rate)
	for _, sp := range c.Spans {
		if sp.Kind == SpanCard || sp.Kind == SpanPhone {
			digits = append(digits, [2]int64{sp.Start - g - Rate/2, sp.End + q + Rate/2})
		}
	}
	for _, p := range r.Paused {
		if !slices.Contains(p.Kinds, "auto") {
			continue
		}
		s.FalsePause += time.Duration(outside(p.Start-s.Offset, p.End-s.Offset, digits)) * time.Second / Rate
		if s.Latency == 0 && !o.CardSentAt.IsZero() && !p.GateClosedAt.IsZero() && overlapsCard(c, p.Start-s.Offset, p.End-s.Offset) {
			s.Latency = p.GateClosedAt.Sub(o.CardSentAt)
		}
	}
	return s
}

func overlapsCard(c Call, start, end int64) bool {
	for _, sp := range c.Spans {
		if sp.Kind == SpanCard && end > sp.Start && start < sp.End {
			return true
		}
	}
	return false
}

// outside returns how much of [start, end) lies outside every span.
func outside(start, end int64, spans [][2]int64) int64 {
	n := end - start
	for _, sp := range spans {
		lo, hi := max(start, sp[0]), min(end, sp[1])
		if hi > lo {
			n -= hi - lo
		}
	}
	return max(n, 0)
}

// align finds where sent begins inside got, by the best match of their
// 10 ms energy envelopes over lags up to 10 s.
func align(sent, got []int16) int64 {
	env := func(pcm []int16) []float64 {
		out := make([]float64, len(pcm)/frame)
		for i := range out {
			out[i] = math.Log1p(energy(pcm, int64(i*frame)))
		}
		return out
	}
	a, b := env(sent), env(got)
	best, bestLag := math.Inf(-1), 0
	for lag := -100; lag <= 1000; lag++ {
		var sum float64
		for i := range a {
			if j := i + lag; j >= 0 && j < len(b) {
				sum += a[i] * b[j]
			}
		}
		if sum > best {
			best, bestLag = sum, lag
		}
	}
	return int64(bestLag * frame)
}

// energy is the mean square of the frame at p, 0 outside pcm.
func energy(pcm []int16, p int64) float64 {
	if p < 0 || p+frame > int64(len(pcm)) {
		return 0
	}
	var e float64
	for _, v := range pcm[p : p+frame] {
		e += float64(v) * float64(v)
	}
	return e / frame
}

// level is the mean square of a sine at dBm0.
func level(dBm0 float64) float64 {
	a := 22300 * math.Pow(10, dBm0/20)
	return a * a / 2
}

// countDigitWords counts the digits a transcript text names.
func countDigitWords(text string) int {
	n := 0
	for _, w := range strings.Fields(strings.ToLower(text)) {
		w = strings.Trim(w, ",.")
		if w == "oh" || slices.Contains(digitWords[:], w) {
			n++
		}
	}
	return n
}
