package media

import (
	"testing"

	"pgregory.net/rapid"
)

// The ring returns, for every position it passes or is peeked at, the decoded sample of
// the last payload placed there, and digital zero where nothing was, in
// whatever mix of laws, alignment and wraparound, its pages reused from
// the pool (so never the audio an earlier page held) and all given back.
func TestRingMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		size := rapid.Int64Range(1, 300).Draw(t, "size")
		r := newRing(size, 0, nil)
		model := map[int64]int16{}
		for step := range rapid.IntRange(1, 60).Draw(t, "steps") {
			if rapid.Bool().Draw(t, "place") {
				pos := r.base + rapid.Int64Range(-50, size+50).Draw(t, "pos")
				payload := rapid.SliceOfN(rapid.Byte(), 1, 200).Draw(t, "payload")
				c := rapid.SampledFrom([]Codec{CodecPCMU, CodecPCMA}).Draw(t, "codec")
				placed := r.place(step%2, pos, payload, c)
				any := false
				for k, v := range payload {
					p := pos + int64(k)
					if p >= r.base && p < r.base+size {
						model[p*2+int64(step%2)] = tables[c][v]
						any = true
					}
				}
				if placed != any {
					t.Fatalf("place returned %v, want %v", placed, any)
				}
				from := r.base + rapid.Int64Range(-50, size+50).Draw(t, "peek")
				out := make([]int16, rapid.IntRange(0, 2*int(size)).Draw(t, "peekLen"))
				r.peek(step%2, from, out)
				for k, v := range out {
					if want := model[(from+int64(k))*2+int64(step%2)]; v != want {
						t.Fatalf("peek position %d: %d, want %d", from+int64(k), v, want)
					}
				}
				continue
			}
			n := rapid.IntRange(0, int(size)).Draw(t, "take")
			dst := [2][]int16{make([]int16, n), make([]int16, n)}
			from := r.base
			r.take(n, dst)
			for k := range n {
				p := from + int64(k)
				for ch := range 2 {
					if got, want := dst[ch][k], model[p*2+int64(ch)]; got != want {
						t.Fatalf("position %d channel %d: %d, want %d", p, ch, got, want)
					}
					delete(model, p*2+int64(ch))
				}
			}
		}
		r.free()
		if n := r.pool.inUse(); n != 0 {
			t.Fatalf("%d pages not back in the pool", n)
		}
	})
}
