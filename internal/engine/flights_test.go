package engine

import "testing"

// Work may start while Close waits for the earlier work to drain (a timer
// fires as the last drive reports): a sync.WaitGroup panics or races then.
func TestFlightsStartWhileWaited(t *testing.T) {
	var f flights
	if !f.begin() {
		t.Fatal("begin refused before close")
	}
	first := f.drained()
	if !f.begin() {
		t.Fatal("second begin refused")
	}
	f.end()
	select {
	case <-first:
		t.Fatal("drained while work is still in flight")
	default:
	}
	f.end()
	<-first
	if !f.begin() {
		t.Fatal("begin refused after a drain")
	}
	again := f.drained()
	select {
	case <-again:
		t.Fatal("drained while new work is in flight")
	default:
	}
	f.end()
	<-again
}

func TestFlightsCloseRefusesNewWorkAndWaitsForOld(t *testing.T) {
	var f flights
	f.begin()
	done := f.close()
	if f.begin() {
		t.Fatal("begin allowed after close")
	}
	select {
	case <-done:
		t.Fatal("close drained while work is still in flight")
	default:
	}
	f.end()
	<-done
	<-f.close() // closing again, with nothing in flight, returns at once
}
