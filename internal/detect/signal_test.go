package detect

import (
	"math"
	"math/rand/v2"
)

// The test signals are built here, sample by sample, from the definitions
// of DTMF (two sines) and of dBm0, so each limit can be set exactly.

// keyFreqs returns the nominal row and column frequencies of a key.
func keyFreqs(key byte) (float64, float64) {
	for r, row := range dtmfKeys {
		for c, k := range row {
			if k == key {
				return dtmfFreqs[r], dtmfFreqs[4+c]
			}
		}
	}
	panic("no such key")
}

// amplitude is the peak of a sine at level dBm0.
func amplitude(dBm0 float64) float64 { return FullScale0dBm0 * math.Pow(10, dBm0/20) }

// toneSpec describes one dual tone.
type toneSpec struct {
	key        byte
	ms         float64 // duration
	rowDev     float64 // fraction off the nominal frequency
	colDev     float64
	rowLevel   float64 // dBm0
	colLevel   float64
	phaseShift float64
}

func (s toneSpec) samples() []float64 {
	fr, fc := keyFreqs(s.key)
	fr *= 1 + s.rowDev
	fc *= 1 + s.colDev
	ar, ac := amplitude(s.rowLevel), amplitude(s.colLevel)
	n := int(s.ms * SampleRate / 1000)
	out := make([]float64, n)
	for i := range out {
		t := float64(i) / SampleRate
		out[i] = ar*math.Sin(2*math.Pi*fr*t+s.phaseShift) + ac*math.Sin(2*math.Pi*fc*t+2*s.phaseShift)
	}
	return out
}

// std is a clean key press at typical levels.
func std(key byte, ms float64) toneSpec {
	return toneSpec{key: key, ms: ms, rowLevel: -10, colLevel: -8}
}

// track is a signal under construction.
type track []float64

func (t *track) silence(ms float64) *track {
	*t = append(*t, make([]float64, int(ms*SampleRate/1000))...)
	return t
}

func (t *track) tone(s toneSpec) *track {
	*t = append(*t, s.samples()...)
	return t
}

// noise adds white noise at level dBm0 (RMS) over the whole track.
func (t track) noise(r *rand.Rand, dBm0 float64) track {
	rms := amplitude(dBm0) / math.Sqrt2
	for i := range t {
		t[i] += r.NormFloat64() * rms
	}
	return t
}

func (t track) pcm() []int16 {
	out := make([]int16, len(t))
	for i, v := range t {
		out[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return out
}

// feedAll runs a detector over pcm in chunks of chunk samples and returns
// the final events.
func feedAll(d *DTMF, pcm []int16, chunk int) (accepted, final []ToneEvent) {
	var evs []ToneEvent
	for pos := 0; pos < len(pcm); pos += chunk {
		end := min(pos+chunk, len(pcm))
		evs = append(evs, d.Feed(int64(pos), pcm[pos:end])...)
	}
	evs = append(evs, d.Flush()...)
	for _, e := range evs {
		if e.Final {
			final = append(final, e)
		} else {
			accepted = append(accepted, e)
		}
	}
	return accepted, final
}

func symbols(evs []ToneEvent) string {
	b := make([]byte, len(evs))
	for i, e := range evs {
		b[i] = e.Symbol
	}
	return string(b)
}
