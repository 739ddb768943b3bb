// Package testwait lets a test wait for something another goroutine or
// process brings about, without guessing how long that takes.
package testwait

import (
	"fmt"
	"testing"
	"time"
)

// Timeout bounds every wait. It is generous because the machines tests run
// on are shared; a wait that succeeds returns as soon as its condition
// holds, so the bound costs nothing then.
const Timeout = 30 * time.Second

// Eventually calls cond until it returns true and fails t if it has not
// within Timeout; the failure says what was awaited (format and args) and
// the last answer of cond. cond returns true, or false with why not (nil
// when there is nothing to add).
func Eventually(t testing.TB, cond func() (bool, error), format string, args ...any) {
	t.Helper()
	if err := until(Timeout, cond); err != nil {
		t.Fatalf("waiting for %s: %v", fmt.Sprintf(format, args...), err)
	}
}

// until calls cond until it returns true, and returns nil then, or an
// error once timeout has passed. Checks start at once and back off to one
// every 50 ms.
func until(timeout time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	pause := time.Millisecond
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				return fmt.Errorf("timed out after %v", timeout)
			}
			return fmt.Errorf("timed out after %v; last: %w", timeout, err)
		}
		time.Sleep(pause)
		pause = min(2*pause, 50*time.Millisecond)
	}
}
