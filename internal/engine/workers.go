package engine

import (
	"sync"
	"time"
)

// workerIdle is how long a worker waits for the next lane before it exits.
const workerIdle = 5 * time.Second

// workers runs lane turns on goroutines that outlive them. A fresh goroutine
// per turn would start with a small stack and grow it, copying, on every
// turn; a worker keeps its grown stack for the next. There are as many
// workers as turns running at once, so every lane with work runs at once
// and all their writes meet in one group commit; a worker idle for
// workerIdle exits, and every idle worker once the engine closes.
type workers struct {
	idle    chan func()
	stop    chan struct{}
	stopped sync.Once
}

func (w *workers) init() { w.idle, w.stop = make(chan func()), make(chan struct{}) }

// close ends the idle workers; turns still to come run on goroutines of
// their own.
func (w *workers) close() { w.stopped.Do(func() { close(w.stop) }) }

// run hands f to an idle worker, or starts one.
func (w *workers) run(f func()) {
	select {
	case w.idle <- f:
	default:
		go w.work(f)
	}
}

func (w *workers) work(f func()) {
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		f()
		t.Reset(workerIdle)
		select {
		case f = <-w.idle:
		case <-t.C:
			return
		case <-w.stop:
			return
		}
	}
}
