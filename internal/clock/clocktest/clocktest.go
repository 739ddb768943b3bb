// Package clocktest is a clock that moves only when a test says so.
package clocktest

import (
	"sort"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/clock"
)

// Clock is a clock.Clock standing still until Advance moves it.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*timer
	tickers []*ticker
}

// New returns a clock showing start.
func New(start time.Time) *Clock { return &Clock{now: start} }

var _ clock.Clock = (*Clock)(nil)

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms f to run when Advance reaches d from now.
func (c *Clock) AfterFunc(d time.Duration, f func()) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// NewTicker returns a ticker that ticks when Advance passes each period.
func (c *Clock) NewTicker(d time.Duration) clock.Ticker {
	if d <= 0 {
		panic("clocktest: non-positive ticker period")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &ticker{period: d, next: c.now.Add(d), ch: make(chan time.Time), stopped: make(chan struct{})}
	c.tickers = append(c.tickers, t)
	return t
}

// Advance moves the clock d forward. Every timer that comes due runs, in
// time order, before Advance returns, so what a timer does is done by
// then. Every ticker with a period passed ticks once, and Advance waits
// until its reader takes the tick: the reader has then finished with its
// previous tick.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	var due []*timer
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(now) {
			kept = append(kept, t)
		} else {
			due = append(due, t)
		}
	}
	c.timers = kept
	var ticks []*ticker
	for _, t := range c.tickers {
		if !t.next.After(now) {
			ticks = append(ticks, t)
			for !t.next.After(now) {
				t.next = t.next.Add(t.period)
			}
		}
	}
	c.mu.Unlock()
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		t.f()
	}
	for _, t := range ticks {
		select {
		case t.ch <- now:
		case <-t.stopped:
		}
	}
}

// Timers returns how many timers are armed.
func (c *Clock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

type timer struct {
	c  *Clock
	at time.Time
	f  func()
}

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	for i, x := range t.c.timers {
		if x == t {
			t.c.timers = append(t.c.timers[:i], t.c.timers[i+1:]...)
			return true
		}
	}
	return false
}

type ticker struct {
	period   time.Duration
	next     time.Time
	ch       chan time.Time
	stopped  chan struct{}
	stopOnce sync.Once
}

func (t *ticker) Chan() <-chan time.Time { return t.ch }

func (t *ticker) Stop() { t.stopOnce.Do(func() { close(t.stopped) }) }
