package detect

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

func ms(n int64) int64 { return Samples(time.Duration(n) * time.Millisecond) }

func dig(startMs, endMs int64) Digit {
	return Digit{Symbol: '4', Start: ms(startMs), End: ms(endMs), Source: Keypad}
}

func TestRunsPauseFromFirstDigitLessGuard(t *testing.T) {
	r := NewRuns(DefaultRunPolicy())
	for i, at := range []int64{1000, 1400, 1800} {
		if _, ok := r.Digit(dig(at, at+100)); ok {
			t.Fatalf("digit %d started a pause", i+1)
		}
		if h, ok := r.Hold(); !ok || h != ms(700) {
			t.Fatalf("hold after digit %d = %d %v, want %d", i+1, h, ok, ms(700))
		}
	}
	d, ok := r.Digit(dig(2200, 2300))
	if !ok || !d.Pause || d.At != ms(700) {
		t.Fatalf("fourth digit: %+v %v, want a pause from 700 ms", d, ok)
	}
	if _, held := r.Hold(); held {
		t.Error("hold kept once the pause is decided")
	}
	// Later digits extend the pause; quiet ends it 4 s after the last.
	r.Digit(dig(5000, 5100))
	if _, ok := r.Advance(ms(9000)); ok {
		t.Fatal("ended before 4 s of quiet")
	}
	d, ok = r.Advance(ms(9100))
	if !ok || d.Pause || d.At != ms(9100) {
		t.Fatalf("after quiet: %+v %v", d, ok)
	}
}

func TestRunsShortRunsAndSlowDigitsDoNotPause(t *testing.T) {
	r := NewRuns(DefaultRunPolicy())
	// Three digits (an IVR menu choice, an extension) never pause.
	for _, at := range []int64{0, 300, 600} {
		r.Digit(dig(at, at+80))
	}
	r.Advance(ms(6000))
	if _, held := r.Hold(); held {
		t.Fatal("a digit older than the window still holds the commit")
	}
	// Four digits spread over more than 5 s do not make a run.
	for _, at := range []int64{10000, 12000, 14000, 16000} {
		if _, ok := r.Digit(dig(at, at+80)); ok {
			t.Fatalf("digit at %d ms paused", at)
		}
	}
	// '*' and '#' are not card digits.
	for _, at := range []int64{30000, 30100, 30200, 30300, 30400} {
		if _, ok := r.Digit(Digit{Symbol: '#', Start: ms(at), End: ms(at + 50)}); ok {
			t.Fatal("'#' counted")
		}
	}
}

// Whatever the digits and their timing: a pause starts exactly when
// MinDigits card digits have started within the window, from the guard
// before the first of them, and while undecided the hold never lets the
// commit pass the guard before any undecided digit.
func TestRunsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := DefaultRunPolicy()
		r := NewRuns(p)
		now := int64(0)
		var undecided []int64
		n := rapid.IntRange(1, 40).Draw(t, "digits")
		for range n {
			now += ms(rapid.Int64Range(10, 3000).Draw(t, "gap"))
			if dec, ok := r.Advance(now); ok && dec.Pause {
				t.Fatal("Advance started a pause")
			}
			var kept []int64
			for _, s := range undecided {
				if now-s <= Samples(p.Window) {
					kept = append(kept, s)
				}
			}
			undecided = kept
			if !r.Active() {
				undecided = append(undecided, now)
			}
			wasActive := r.Active()
			dec, ok := r.Digit(Digit{Symbol: '7', Start: now, End: now + ms(80), Source: Keypad})
			switch {
			case wasActive && ok:
				t.Fatal("a digit during a pause started another")
			case !wasActive && len(undecided) >= p.MinDigits:
				if !ok || !dec.Pause || dec.At != undecided[0]-Samples(p.Guard) {
					t.Fatalf("undecided %v: decision %+v %v", undecided, dec, ok)
				}
				undecided = nil
			case !wasActive && ok:
				t.Fatalf("paused with only %d undecided digits", len(undecided))
			}
			if h, held := r.Hold(); held {
				for _, s := range undecided {
					if h > s-Samples(p.Guard) {
						t.Fatalf("hold %d passes the guard before %d", h, s)
					}
				}
			}
		}
	})
}
