package clocktest_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/clock/clocktest"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// Timers run within Advance, in time order, only once due, and never once
// stopped.
func TestTimersRunWithinAdvance(t *testing.T) {
	c := clocktest.New(t0)
	var fired []string
	c.AfterFunc(2*time.Second, func() { fired = append(fired, "b") })
	c.AfterFunc(time.Second, func() { fired = append(fired, "a") })
	stopped := c.AfterFunc(time.Second, func() { fired = append(fired, "stopped") })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop reports wrongly whether it stopped the timer")
	}
	c.Advance(time.Second - time.Nanosecond)
	if len(fired) != 0 {
		t.Fatalf("fired %v before due", fired)
	}
	c.Advance(time.Hour)
	if !slices.Equal(fired, []string{"a", "b"}) {
		t.Fatalf("fired %v, want a then b", fired)
	}
	if got := c.Now(); !got.Equal(t0.Add(time.Hour + time.Second - time.Nanosecond)) {
		t.Fatalf("now %v", got)
	}
	if c.Timers() != 0 {
		t.Fatalf("%d timers left", c.Timers())
	}
}

// A ticker ticks once per Advance that passes a period, and Advance
// returns only once the tick is taken; a stopped ticker holds nothing up.
func TestTickerTicksAreTaken(t *testing.T) {
	c := clocktest.New(t0)
	tk := c.NewTicker(time.Minute)
	got := make(chan time.Time, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 2 {
			got <- <-tk.Chan()
		}
	}()
	c.Advance(30 * time.Second)
	c.Advance(30 * time.Second)
	c.Advance(5 * time.Minute)
	<-done
	if a, b := <-got, <-got; !a.Equal(t0.Add(time.Minute)) || !b.Equal(t0.Add(6*time.Minute)) {
		t.Fatalf("ticks at %v and %v", a, b)
	}
	tk.Stop()
	c.Advance(time.Hour) // nobody reads: must not block
}
