//go:build pocketsphinx

package asr

import "math/rand/v2"

// noiseAmp is the peak of the noise a widener adds to the audio.
const noiseAmp = 80

// widener turns the line's 8 kHz audio into what the spotter's decoder
// hears: upsampled to 16 kHz, with faint white noise (about -57 dBFS)
// under it. The noise puts something in the bands above 4 kHz that 8 kHz
// audio lacks and a 16 kHz model expects; without it the corpus's card
// digits were heard half as often. The spotter and the estimation of its
// channel adaptation (TestSpotAdaptation) share it, so the adaptation is
// to the audio the decoder gets.
type widener struct {
	up    upsampler
	noise *rand.Rand
}

func newWidener() *widener { return &widener{noise: rand.New(rand.NewPCG(1, 2))} }

// reset starts a new stretch of audio, as after silence.
func (w *widener) reset() { w.up.reset() }

// push widens pcm, appending to dst what it can already emit.
func (w *widener) push(dst, pcm []int16) []int16 {
	n := len(dst)
	dst = w.up.push(dst, pcm)
	for i := n; i < len(dst); i++ {
		dst[i] = clamp16(float64(dst[i]) + float64(w.noise.IntN(2*noiseAmp+1)-noiseAmp))
	}
	return dst
}
