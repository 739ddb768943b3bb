package corpus

import (
	"math"
	"math/rand/v2"
)

// builder lays a call out turn by turn: the caller's lines and keys on the
// caller's stream, the agent's lines on the agent's, silence on the other
// side, and a ground-truth span for every caller line.
type builder struct {
	r      *rand.Rand
	sp     Speaker
	c      Condition
	caller []int16
	agent  []int16
	spans  []Span
	keyLog []Key
	err    error
}

// gap is a pause between turns, 0.3 to 0.8 s.
func (b *builder) gap() { b.pad(Rate*3/10 + b.r.IntN(Rate/2)) }

func (b *builder) pad(n int) {
	b.caller = append(b.caller, make([]int16, n)...)
	b.agent = append(b.agent, make([]int16, n)...)
}

// turn has the agent say text.
func (b *builder) turn(text string) {
	if b.err != nil {
		return
	}
	pcm, err := b.sp.Say(text, "en-us+m3", 160)
	if err != nil {
		b.err = err
		return
	}
	b.gap()
	b.agent = append(b.agent, pcm...)
	b.caller = append(b.caller, make([]int16, len(pcm))...)
}

// say has the caller say text, recorded as a span of kind. Only the part
// that sounds counts: the span is trimmed to the speech inside the render.
func (b *builder) say(kind, text string) {
	if b.err != nil {
		return
	}
	pcm, err := b.sp.Say(text, b.c.Voice, b.c.Speed)
	if err != nil {
		b.err = err
		return
	}
	b.gap()
	at := int64(len(b.caller))
	lo, hi := sounding(pcm)
	b.spans = append(b.spans, Span{Kind: kind, Start: at + lo, End: at + hi, Text: text})
	b.caller = append(b.caller, pcm...)
	b.agent = append(b.agent, make([]int16, len(pcm))...)
}

// keys has the caller key digits: tones in the audio, or silence with
// RFC 4733 events beside it. Presses last 80-150 ms with 80-200 ms
// between them, and a longer pause between groups of four.
func (b *builder) keys(digits string) {
	b.gap()
	start := int64(len(b.caller))
	for i := range len(digits) {
		if i > 0 {
			pause := Rate*8/100 + b.r.IntN(Rate*12/100)
			if i%4 == 0 {
				pause += Rate / 2
			}
			b.pad(pause)
		}
		n := Rate*8/100 + b.r.IntN(Rate*7/100)
		at := int64(len(b.caller))
		if b.c.Mode == KeyedInband {
			b.caller = append(b.caller, dtmf(digits[i], n)...)
		} else {
			b.caller = append(b.caller, make([]int16, n)...)
		}
		b.agent = append(b.agent, make([]int16, n)...)
		b.keyLog = append(b.keyLog, Key{Symbol: digits[i], Start: at, End: at + int64(n)})
	}
	b.spans = append(b.spans, Span{Kind: SpanCard, Start: start, End: int64(len(b.caller)), Text: digits})
}

// music puts seconds of hold music (a slow arpeggio of plucked chords,
// rich in steady tones) on the caller's stream.
func (b *builder) music(seconds float64) {
	b.gap()
	n := int(seconds * Rate)
	at := int64(len(b.caller))
	notes := []float64{261.6, 329.6, 392.0, 523.3, 440.0, 349.2}
	out := make([]int16, n)
	note := Rate / 4
	for i := range out {
		f := notes[(i/note)%len(notes)]
		t := float64(i%note) / Rate
		env := math.Exp(-3 * t)
		v := 0.0
		for h := 1.0; h <= 3; h++ {
			v += math.Sin(2*math.Pi*f*h*float64(i)/Rate) / h
		}
		out[i] = clip(3000 * env * v)
	}
	b.caller = append(b.caller, out...)
	b.agent = append(b.agent, make([]int16, n)...)
	b.spans = append(b.spans, Span{Kind: SpanMusic, Start: at, End: at + int64(n)})
}

var dtmfRows = map[byte][2]float64{
	'1': {697, 1209}, '2': {697, 1336}, '3': {697, 1477},
	'4': {770, 1209}, '5': {770, 1336}, '6': {770, 1477},
	'7': {852, 1209}, '8': {852, 1336}, '9': {852, 1477},
	'*': {941, 1209}, '0': {941, 1336}, '#': {941, 1477},
}

// dtmf is a key's two tones at -10 and -8 dBm0, as a phone sends them.
func dtmf(key byte, n int) []int16 {
	f := dtmfRows[key]
	lo, hi := 22300*math.Pow(10, -10.0/20), 22300*math.Pow(10, -8.0/20)
	out := make([]int16, n)
	for i := range out {
		t := float64(i) / Rate
		out[i] = clip(lo*math.Sin(2*math.Pi*f[0]*t) + hi*math.Sin(2*math.Pi*f[1]*t))
	}
	return out
}

// sounding returns the stretch of pcm between the first and the last
// 10 ms frame louder than -45 dBm0.
func sounding(pcm []int16) (int64, int64) {
	const frame = Rate / 100
	limit := math.Pow(22300*math.Pow(10, -45.0/20)/math.Sqrt2, 2) * frame
	lo, hi := -1, 0
	for i := 0; i+frame <= len(pcm); i += frame {
		var e float64
		for _, v := range pcm[i : i+frame] {
			e += float64(v) * float64(v)
		}
		if e >= limit {
			if lo < 0 {
				lo = i
			}
			hi = i + frame
		}
	}
	if lo < 0 {
		return 0, 0
	}
	return int64(lo), int64(hi)
}
