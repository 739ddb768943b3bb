package engine

import (
	"context"
	"math/rand/v2"
	"time"
)

// Retry bounds the retries of one backend drive: exponential backoff with
// full jitter.
type Retry struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// DefaultRetry returns 6 attempts from 100 ms up to 5 s apart.
func DefaultRetry() Retry {
	return Retry{Attempts: 6, Base: 100 * time.Millisecond, Max: 5 * time.Second}
}

// delay returns the wait before attempt n (n >= 1).
func (r Retry) delay(n int) time.Duration {
	d := r.Base << (n - 1)
	if d > r.Max || d <= 0 {
		d = r.Max
	}
	return d/2 + rand.N(d/2+1)
}

// do calls f until it succeeds, fails permanently, or the attempts run out.
func (r Retry) do(ctx context.Context, f func(attempt int) error) error {
	var err error
	for n := 1; ; n++ {
		if err = f(n); err == nil || IsPermanent(err) || n >= r.Attempts {
			return err
		}
		t := time.NewTimer(r.delay(n))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}
