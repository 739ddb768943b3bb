package detect

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// Every half wholly inside a digit the detector accepts (any key, each
// tone within MaxDeviation, the twist within limits, both tones above
// MinLevel, any phase) reaches the filters: the slope check only skips
// halves that cannot hold a digit.
func TestDTMFSlopeKeepsEveryDigit(t *testing.T) {
	cfg := DefaultDTMF()
	keys := []byte("123A456B789C*0#D")
	rapid.Check(t, func(t *rapid.T) {
		s := toneSpec{
			key:        rapid.SampledFrom(keys).Draw(t, "key"),
			ms:         60,
			rowDev:     rapid.Float64Range(-cfg.MaxDeviation, cfg.MaxDeviation).Draw(t, "rowDev"),
			colDev:     rapid.Float64Range(-cfg.MaxDeviation, cfg.MaxDeviation).Draw(t, "colDev"),
			rowLevel:   rapid.Float64Range(cfg.MinLevel+cfg.ReverseTwist, 0).Draw(t, "rowLevel"),
			phaseShift: rapid.Float64Range(0, 6.3).Draw(t, "phase"),
		}
		twist := rapid.Float64Range(-cfg.ReverseTwist, cfg.NormalTwist).Draw(t, "twist")
		s.colLevel = min(s.rowLevel+twist, 0)
		d := NewDTMF(cfg)
		pcm := (&track{}).tone(s).pcm()
		skip := rapid.IntRange(0, half-1).Draw(t, "offset")
		for i := skip; i+half <= len(pcm); i += half {
			r := halfResult{pcm: [half]int16(pcm[i : i+half])}
			if d.filter(&r, int64(i)); r.high {
				t.Fatalf("half at %d of %+v (twist %.1f dB) skipped the filters", i, s, twist)
			}
		}
	})
}

// A loud 440 Hz tone, hold music's bass or a voiced vowel's pitch, skips
// the filters however loud it is.
func TestDTMFSlopeSkipsLowTones(t *testing.T) {
	d := NewDTMF(DefaultDTMF())
	for _, f := range []float64{100, 300, 440} {
		var tr track
		for i := range 480 {
			tr = append(tr, amplitude(0)*math.Sin(2*math.Pi*f*float64(i)/SampleRate))
		}
		pcm := tr.pcm()
		for i := 0; i+half <= len(pcm); i += half {
			r := halfResult{pcm: [half]int16(pcm[i : i+half])}
			if d.filter(&r, int64(i)); !r.high {
				t.Errorf("%.0f Hz at 0 dBm0: half at %d ran the filters", f, i)
			}
		}
	}
}
