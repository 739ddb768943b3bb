// Package backoff spaces retries: exponential delays with full jitter, and
// the one sleep of hush that ends as soon as its context does.
package backoff

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// Policy is exponential backoff with full jitter: the wait before retry n
// (n >= 1) is uniform in [0, min(Max, Base·2^(n-1))]. Full jitter spreads
// clients that failed together over the whole window, so they do not come
// back together.
type Policy struct {
	Base time.Duration
	// Max caps the window; zero leaves it uncapped.
	Max time.Duration
	// Rand draws the jitter; nil uses the global source. A *rand.Rand is
	// not safe for concurrent use: share one only where calls are serial.
	Rand *rand.Rand
}

// Window returns the upper bound of the wait before retry n.
func (p Policy) Window(n int) time.Duration {
	if p.Base <= 0 {
		return 0
	}
	limit := p.Max
	if limit <= 0 {
		limit = math.MaxInt64
	}
	shift := max(n-1, 0)
	if shift >= 63 || p.Base > limit>>shift {
		return limit
	}
	return p.Base << shift
}

// Delay returns the wait before retry n: uniform in [0, Window(n)].
func (p Policy) Delay(n int) time.Duration {
	w := p.Window(n)
	if w <= 0 {
		return 0
	}
	n64 := int64(w)
	if n64 < math.MaxInt64 {
		n64++ // w itself is a possible delay
	}
	if p.Rand != nil {
		return time.Duration(p.Rand.Int64N(n64))
	}
	return time.Duration(rand.Int64N(n64))
}

// Wait sleeps the delay before retry n; false means ctx ended first.
func (p Policy) Wait(ctx context.Context, n int) bool {
	return Sleep(ctx, p.Delay(n))
}

// Sleep waits d, or until ctx ends; it reports whether d passed with ctx
// still alive, so that a caller stops as soon as it is told to.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return ctx.Err() == nil
	}
}
