package engine

import (
	"sync"
	"sync/atomic"
)

// Signal wakes every waiter at once: each Notify closes the channel that
// current waiters hold and installs a fresh one. A Notify with nobody
// holding the channel has nobody to wake, and costs one atomic load: the
// engine notifies on every change.
type Signal struct {
	mu sync.Mutex
	ch chan struct{}
	// held is set when C hands out ch, cleared when Notify closes it.
	held atomic.Bool
}

// NewSignal returns a ready Signal.
func NewSignal() *Signal { return &Signal{ch: make(chan struct{})} }

// C returns a channel closed at the next Notify.
func (s *Signal) C() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held.Store(true)
	return s.ch
}

// Notify wakes all current waiters.
func (s *Signal) Notify() {
	if !s.held.Load() {
		return
	}
	s.mu.Lock()
	if s.held.Load() {
		close(s.ch)
		s.ch = make(chan struct{})
		s.held.Store(false)
	}
	s.mu.Unlock()
}
