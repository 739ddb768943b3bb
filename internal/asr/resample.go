package asr

// halfband are the taps of a windowed-sinc half-band low-pass filter for
// doubling the sampling rate: the odd output samples are interpolated
// from the eight input samples around them.
var halfband = [8]float64{-0.0105, 0.0325, -0.0801, 0.3087, 0.3087, -0.0801, 0.0325, -0.0105}

// Upsample2 doubles the sampling rate of pcm (8 kHz telephone audio to the
// 16 kHz the en-us model was trained on), appending to dst.
func Upsample2(dst, pcm []int16) []int16 {
	n := len(pcm)
	at := func(i int) float64 {
		if i < 0 || i >= n {
			return 0
		}
		return float64(pcm[i])
	}
	for i := range n {
		var v float64
		for k, h := range halfband {
			v += h * at(i+k-3)
		}
		// The taps sum to 0.5: scale by 2 for unity gain.
		dst = append(dst, pcm[i], clamp16(2*v))
	}
	return dst
}

func clamp16(v float64) int16 {
	switch {
	case v > 32767:
		return 32767
	case v < -32768:
		return -32768
	}
	return int16(v)
}
