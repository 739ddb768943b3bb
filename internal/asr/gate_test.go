//go:build pocketsphinx

package asr

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Pushed in pieces of any size, the stream upsampler gives what
// Upsample2 gives on the whole, less the four samples it holds back.
func TestUpsamplerStreams(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pcm := make([]int16, 4000)
	for i := range pcm {
		pcm[i] = int16(r.IntN(20000) - 10000)
	}
	want := Upsample2(nil, pcm)
	var u upsampler
	var got []int16
	for i := 0; i < len(pcm); {
		n := min(1+r.IntN(300), len(pcm)-i)
		got = u.push(got, pcm[i:i+n])
		i += n
	}
	if len(got) != 2*(len(pcm)-4) || !slices.Equal(got, want[:len(got)]) {
		t.Fatalf("streamed %d samples, differing from Upsample2", len(got))
	}
}

func tone(n int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*440*float64(i)/rate8k))
	}
	return out
}

// The gate opens an utterance on speech with the preroll before it, ends
// it after the hangover, passes no silence between utterances, and ends
// an utterance where the audio jumps.
func TestVoiceGate(t *testing.T) {
	g := newVoiceGate()
	var ops []gateOp
	feed := func(pos int64, pcm []int16) {
		for i := 0; i < len(pcm); i += 160 {
			ops = g.feed(pos+int64(i), pcm[i:min(i+160, len(pcm))], ops)
		}
	}
	feed(0, make([]int16, rate8k))
	if len(ops) != 0 {
		t.Fatalf("silence gave %+v", ops)
	}
	feed(rate8k, tone(rate8k/2, 3000))
	if len(ops) < 2 || !ops[0].start || ops[0].pos != rate8k-gatePreroll*gateFrame {
		t.Fatalf("speech opened %+v, want a start at %d", ops[:min(len(ops), 1)], rate8k-gatePreroll*gateFrame)
	}
	var audio int
	for _, op := range ops[1:] {
		if op.start || op.end {
			t.Fatalf("unexpected %+v inside speech", op)
		}
		audio += len(op.pcm)
	}
	if audio != gatePreroll*gateFrame+rate8k/2 {
		t.Errorf("passed %d samples, want preroll and speech %d", audio, gatePreroll*gateFrame+rate8k/2)
	}
	ops = ops[:0]
	feed(rate8k*3/2, make([]int16, rate8k*2))
	ends, audio := 0, 0
	for _, op := range ops {
		if op.end {
			ends++
		}
		audio += len(op.pcm)
	}
	if ends != 1 || audio != gateHangover*gateFrame {
		t.Errorf("quiet after speech: %d ends, %d samples passed; want 1 end after %d", ends, audio, gateHangover*gateFrame)
	}
	ops = ops[:0]
	feed(rate8k*4, tone(rate8k/4, 3000))
	feed(rate8k*10, tone(gateFrame, 3000))
	if !ops[0].start || !slices.ContainsFunc(ops, func(op gateOp) bool { return op.end }) {
		t.Errorf("a jump in the audio did not end the utterance: %+v", ops[0])
	}
}
