package engine

import (
	"context"
	"time"

	"github.com/hush-cc/hush/internal/backoff"
)

// Retry bounds the retries of one backend drive: exponential backoff with
// full jitter (see package backoff).
type Retry struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// DefaultRetry returns 6 attempts, waiting up to 100 ms before the first
// retry and up to 5 s before later ones.
func DefaultRetry() Retry {
	return Retry{Attempts: 6, Base: 100 * time.Millisecond, Max: 5 * time.Second}
}

// do calls f until it succeeds, fails permanently, or the attempts run out.
func (r Retry) do(ctx context.Context, f func(attempt int) error) error {
	p := backoff.Policy{Base: r.Base, Max: r.Max}
	var err error
	for n := 1; ; n++ {
		if err = f(n); err == nil || IsPermanent(err) || n >= r.Attempts {
			return err
		}
		if !p.Wait(ctx, n) {
			return err
		}
	}
}
