package backoff

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// window is Window computed without overflow, as the policy documents it.
func window(base, maxd time.Duration, n int) time.Duration {
	if base <= 0 {
		return 0
	}
	w := new(big.Int).Lsh(big.NewInt(int64(base)), uint(n-1))
	limit := big.NewInt(math.MaxInt64)
	if maxd > 0 {
		limit = big.NewInt(int64(maxd))
	}
	if w.Cmp(limit) > 0 {
		return time.Duration(limit.Int64())
	}
	return time.Duration(w.Int64())
}

func TestDelayStaysInItsWindow(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := Policy{
			Base: time.Duration(rapid.Int64Range(0, int64(time.Hour)).Draw(t, "base")),
			Max:  time.Duration(rapid.Int64Range(0, math.MaxInt64).Draw(t, "max")),
			Rand: rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 1)),
		}
		n := rapid.IntRange(1, 200).Draw(t, "n")
		w := p.Window(n)
		if want := window(p.Base, p.Max, n); w != want {
			t.Fatalf("Window(%d) = %v, want %v", n, w, want)
		}
		if p.Max > 0 && w > p.Max {
			t.Fatalf("Window(%d) = %v above Max %v", n, w, p.Max)
		}
		if n > 1 && p.Window(n-1) > w {
			t.Fatalf("Window(%d) = %v below Window(%d) = %v", n, w, n-1, p.Window(n-1))
		}
		for range 8 {
			if d := p.Delay(n); d < 0 || d > w {
				t.Fatalf("Delay(%d) = %v outside [0, %v]", n, d, w)
			}
		}
	})
}

// Full jitter uses the whole window: equal jitter would never wait less
// than half of it.
func TestDelaySpansTheWholeWindow(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Max: 5 * time.Second, Rand: rand.New(rand.NewPCG(1, 2))}
	for n := 1; n <= 8; n++ {
		w := p.Window(n)
		var low, high bool
		for range 200 {
			d := p.Delay(n)
			low = low || d < w/4
			high = high || d > w*3/4
		}
		if !low || !high {
			t.Fatalf("retry %d: 200 delays in [0, %v] missed a quarter (low %v, high %v)", n, w, low, high)
		}
	}
}

func TestDelayWithoutARandUsesTheGlobalSource(t *testing.T) {
	p := Policy{Base: time.Second, Max: 4 * time.Second}
	for n := 1; n <= 5; n++ {
		if d := p.Delay(n); d < 0 || d > p.Window(n) {
			t.Fatalf("Delay(%d) = %v outside [0, %v]", n, d, p.Window(n))
		}
	}
	if d := (Policy{}).Delay(3); d != 0 {
		t.Fatalf("zero policy waits %v", d)
	}
}

func TestSleepEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool)
	go func() { done <- Sleep(ctx, time.Hour) }()
	cancel()
	select {
	case ok := <-done:
		if ok {
			t.Fatal("Sleep reported a full hour after its context ended")
		}
	case <-time.After(time.Minute):
		t.Fatal("Sleep outlived its context")
	}
	for _, d := range []time.Duration{-1, 0, time.Hour} {
		if Sleep(ctx, d) {
			t.Fatalf("Sleep(%v) on an ended context reported true", d)
		}
	}
	if (Policy{Base: time.Hour}).Wait(ctx, 1) {
		t.Fatal("Wait on an ended context reported true")
	}
}

func TestSleepWaitsWhileItsContextLives(t *testing.T) {
	start := time.Now()
	if !Sleep(context.Background(), 5*time.Millisecond) {
		t.Fatal("Sleep on a live context reported false")
	}
	if time.Since(start) < 5*time.Millisecond {
		t.Fatal("Sleep returned early")
	}
	if !Sleep(context.Background(), 0) {
		t.Fatal("Sleep(0) on a live context reported false")
	}
}
