//go:build pocketsphinx

package asr

// upsampler is Upsample2 for a stream that arrives in pieces: it keeps
// the samples around each piece's edges, so the interpolation has no
// seams, at the cost of holding back the last four input samples.
type upsampler struct {
	// buf holds three samples already emitted, then those not yet.
	buf []int16
}

// reset starts a new stream, as after silence.
func (u *upsampler) reset() { u.buf = u.buf[:0] }

// push upsamples pcm, appending to dst what it can already emit.
func (u *upsampler) push(dst, pcm []int16) []int16 {
	if len(u.buf) == 0 {
		u.buf = append(u.buf, 0, 0, 0)
	}
	u.buf = append(u.buf, pcm...)
	n := len(u.buf) - 4
	for i := 3; i < n; i++ {
		var v float64
		for k, h := range halfband {
			v += h * float64(u.buf[i+k-3])
		}
		dst = append(dst, u.buf[i], clamp16(2*v))
	}
	if n > 3 {
		u.buf = append(u.buf[:0], u.buf[n-3:]...)
	}
	return dst
}
