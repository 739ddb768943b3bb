// Package clock is the time the engine runs on: the wall clock in
// production, a clock a test moves by hand (clocktest) in tests, so that
// expiries and sweeps are shown without waiting for them.
package clock

import "time"

// Clock tells the time and arms timers and tickers.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed.
	AfterFunc(d time.Duration, f func()) Timer
	// NewTicker ticks every d.
	NewTicker(d time.Duration) Ticker
}

// Timer is an armed AfterFunc.
type Timer interface {
	// Stop keeps the timer from firing; it reports whether it did.
	Stop() bool
}

// Ticker delivers ticks on a channel.
type Ticker interface {
	Chan() <-chan time.Time
	Stop()
}

// Real is the wall clock.
type Real struct{}

// Now returns the current time.
func (Real) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// NewTicker is time.NewTicker.
func (Real) NewTicker(d time.Duration) Ticker { return realTicker{time.NewTicker(d)} }

type realTicker struct{ *time.Ticker }

func (t realTicker) Chan() <-chan time.Time { return t.C }
