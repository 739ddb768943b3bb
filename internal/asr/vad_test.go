package asr

import (
	"math"
	"testing"
)

// Speech bursts become utterances at their place on the timeline, whether
// or not the audio is kept; a gap in the timeline (a pause) cuts one.
func TestSegmenterFindsUtterances(t *testing.T) {
	frame := func(i int, loud bool) []int16 {
		out := make([]int16, 160)
		if loud {
			for k := range out {
				out[k] = int16(4000 * math.Sin(2*math.Pi*300*float64(i*160+k)/8000))
			}
		}
		return out
	}
	for _, keep := range []bool{true, false} {
		s := newSegmenter(keep)
		var got []utterance
		for i := range 300 {
			if i >= 200 && i < 220 {
				continue // the gate was shut: no audio at all
			}
			// Speech 1-2 s, 3-4.4 s (cut by the gap at 4 s), 4.4-5 s.
			loud := i >= 50 && i < 100 || i >= 150 && i < 250
			got = append(got, s.write(int64(i*160), frame(i, loud))...)
		}
		got = s.flush(got)
		want := [][2]int64{{8000 - preroll, 16000}, {24000 - preroll, 32000}, {35200, 40000}}
		if len(got) != len(want) {
			t.Fatalf("keep=%v: %d utterances, want %d: %+v", keep, len(got), len(want), got)
		}
		for i, u := range got {
			if u.offset != want[i][0] || u.offset+int64(u.n) != want[i][1] || keep != (u.pcm != nil) || keep && len(u.pcm) != u.n {
				t.Fatalf("keep=%v: utterance %d at [%d, %d) with %d samples, want [%d, %d)", keep, i, u.offset, u.offset+int64(u.n), len(u.pcm), want[i][0], want[i][1])
			}
		}
	}
}
