package engine

import "sync"

// flights counts the background work that reports into lanes (backend
// drives, expiry timers) so that Close can wait for it. Unlike a
// sync.WaitGroup, work may start while someone waits, and none starts once
// it is closed.
type flights struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{} // closed when n falls back to zero
}

// begin counts one piece of work in. It reports false once closed: the work
// must not start.
func (f *flights) begin() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
	return true
}

// end counts one piece of work out.
func (f *flights) end() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 {
		close(f.idle)
	}
}

// drained returns a channel closed once nothing is in flight.
func (f *flights) drained() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		done := make(chan struct{})
		close(done)
		return done
	}
	return f.idle
}

// close refuses new work and returns a channel closed once the work in
// flight has ended.
func (f *flights) close() <-chan struct{} {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return f.drained()
}
