package detect

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"
)

func detectOne(t *testing.T, s toneSpec) string {
	t.Helper()
	var tr track
	tr.silence(100).tone(s).silence(100)
	acc, _ := feedAll(NewDTMF(DefaultDTMF()), tr.pcm(), 160)
	return symbols(acc)
}

func TestDTMFEveryKey(t *testing.T) {
	for _, row := range dtmfKeys {
		for _, k := range row {
			if got := detectOne(t, std(k, 60)); got != string(k) {
				t.Errorf("key %c: detected %q", k, got)
			}
		}
	}
}

// Q.24: within 1.5 % of nominal must be accepted, 3.5 % away must not.
func TestDTMFFrequencyTolerance(t *testing.T) {
	for _, k := range []byte("1590#D*") {
		for _, dev := range []float64{-0.015, 0.015} {
			for _, which := range []string{"row", "col"} {
				s := std(k, 60)
				if which == "row" {
					s.rowDev = dev
				} else {
					s.colDev = dev
				}
				if got := detectOne(t, s); got != string(k) {
					t.Errorf("key %c, %s %+.1f%%: detected %q, want it accepted", k, which, dev*100, got)
				}
				s.rowDev, s.colDev = 0, 0
				if which == "row" {
					s.rowDev = dev / 0.015 * 0.035
				} else {
					s.colDev = dev / 0.015 * 0.035
				}
				if got := detectOne(t, s); got != "" {
					t.Errorf("key %c, %s %+.1f%%: detected %q, want it refused", k, which, dev/0.015*3.5, got)
				}
			}
		}
	}
}

func TestDTMFTwist(t *testing.T) {
	cases := []struct {
		row, col float64
		want     bool
	}{
		{-10, -10, true},
		{-15, -8, true},   // high group 7 dB louder: normal twist
		{-8, -11.5, true}, // low group 3.5 dB louder: reverse twist
		{-19, -8, false},  // 11 dB normal twist
		{-8, -14, false},  // 6 dB reverse twist
	}
	for _, c := range cases {
		s := toneSpec{key: '5', ms: 60, rowLevel: c.row, colLevel: c.col}
		got := detectOne(t, s) == "5"
		if got != c.want {
			t.Errorf("row %v dBm0, col %v dBm0: detected %v, want %v", c.row, c.col, got, c.want)
		}
	}
}

func TestDTMFLevel(t *testing.T) {
	if got := detectOne(t, toneSpec{key: '7', ms: 60, rowLevel: -26, colLevel: -25}); got != "7" {
		t.Errorf("-26/-25 dBm0: detected %q", got)
	}
	if got := detectOne(t, toneSpec{key: '7', ms: 60, rowLevel: -40, colLevel: -40}); got != "" {
		t.Errorf("-40 dBm0: detected %q", got)
	}
}

// Q.24: 40 ms is a digit, 20 ms is not, whatever the alignment with the
// detector's windows.
func TestDTMFDuration(t *testing.T) {
	for offset := 0; offset < Hop; offset += 7 {
		for _, c := range []struct {
			ms   float64
			want string
		}{{40, "3"}, {20, ""}, {15, ""}} {
			var tr track
			tr.silence(100 + float64(offset)*1000/SampleRate).tone(std('3', c.ms)).silence(100)
			acc, _ := feedAll(NewDTMF(DefaultDTMF()), tr.pcm(), 160)
			if got := symbols(acc); got != c.want {
				t.Errorf("%v ms at offset %d: detected %q, want %q", c.ms, offset, got, c.want)
			}
		}
	}
}

// Q.24: a 10 ms break inside a tone does not make two digits; a 40 ms
// pause between tones does.
func TestDTMFInterruptions(t *testing.T) {
	var one track
	one.silence(50).tone(std('8', 60)).silence(10).tone(std('8', 60)).silence(100)
	if acc, _ := feedAll(NewDTMF(DefaultDTMF()), one.pcm(), 160); symbols(acc) != "8" {
		t.Errorf("10 ms break: %q, want one digit", symbols(acc))
	}
	var two track
	two.silence(50).tone(std('8', 50)).silence(40).tone(std('8', 50)).silence(100)
	if acc, _ := feedAll(NewDTMF(DefaultDTMF()), two.pcm(), 160); symbols(acc) != "88" {
		t.Errorf("40 ms pause: %q, want two digits", symbols(acc))
	}
}

// A card number keyed at a fast rate (50 ms on, 50 ms off) in noise is
// heard digit for digit, each digit's span covering its tone.
func TestDTMFSequenceInNoise(t *testing.T) {
	const number = "4111111111111111"
	r := rand.New(rand.NewPCG(1, 2))
	var tr track
	tr.silence(200)
	var starts []int
	for i := range len(number) {
		starts = append(starts, len(tr))
		tr.tone(std(number[i], 50)).silence(50)
	}
	tr.silence(200)
	pcm := tr.noise(r, -40).pcm()
	acc, final := feedAll(NewDTMF(DefaultDTMF()), pcm, 160)
	if symbols(acc) != number || symbols(final) != number {
		t.Fatalf("detected %q / %q, want %q", symbols(acc), symbols(final), number)
	}
	for i, e := range final {
		toneEnd := int64(starts[i] + 400)
		if e.Start > int64(starts[i])+Hop || e.Start < int64(starts[i])-Hop {
			t.Errorf("digit %d starts at %d, tone at %d", i, e.Start, starts[i])
		}
		if e.End < toneEnd-Hop || e.End > toneEnd+Hop {
			t.Errorf("digit %d ends at %d, tone at %d", i, e.End, toneEnd)
		}
	}
}

// Whatever the chunking of the input, the detector hears the same.
func TestDTMFChunkingProperty(t *testing.T) {
	var tr track
	tr.silence(30).tone(std('9', 45)).silence(45).tone(std('0', 70)).silence(60).tone(std('#', 41)).silence(30)
	pcm := tr.pcm()
	want, _ := feedAll(NewDTMF(DefaultDTMF()), pcm, len(pcm))
	rapid.Check(t, func(t *rapid.T) {
		d := NewDTMF(DefaultDTMF())
		var got []ToneEvent
		for pos := 0; pos < len(pcm); {
			n := rapid.IntRange(1, 400).Draw(t, "chunk")
			end := min(pos+n, len(pcm))
			got = append(got, d.Feed(int64(pos), pcm[pos:end])...)
			pos = end
		}
		got = append(got, d.Flush()...)
		var acc []ToneEvent
		for _, e := range got {
			if !e.Final {
				acc = append(acc, e)
			}
		}
		if fmt.Sprint(acc) != fmt.Sprint(want) {
			t.Fatalf("chunked: %v, whole: %v", acc, want)
		}
	})
}

// Noise alone, and noise that is loud, never makes a digit.
func TestDTMFNoiseIsNotADigit(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, level := range []float64{-50, -30, -10} {
		var tr track
		tr.silence(5000)
		if acc, _ := feedAll(NewDTMF(DefaultDTMF()), tr.noise(r, level).pcm(), 160); len(acc) > 0 {
			t.Errorf("noise at %v dBm0: detected %q", level, symbols(acc))
		}
	}
}

// A jump in the timeline (lost packets) ends the tone being heard.
func TestDTMFGapInTimeline(t *testing.T) {
	var tr track
	tr.tone(std('2', 80))
	pcm := tr.pcm()
	d := NewDTMF(DefaultDTMF())
	evs := d.Feed(0, pcm)
	evs = append(evs, d.Feed(100000, pcm)...)
	evs = append(evs, d.Flush()...)
	var finals int
	for _, e := range evs {
		if e.Final {
			finals++
		}
	}
	if finals != 2 {
		t.Errorf("events %v: want two tones, each ended", evs)
	}
}

func BenchmarkDTMF(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	var tr track
	tr.silence(1000)
	pcm := tr.noise(r, -20).pcm()
	d := NewDTMF(DefaultDTMF())
	b.SetBytes(int64(len(pcm) * 2))
	b.ResetTimer()
	pos := int64(0)
	for range b.N {
		for i := 0; i < len(pcm); i += 160 {
			d.Feed(pos, pcm[i:i+160])
			pos += 160
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/s-of-audio")
}
