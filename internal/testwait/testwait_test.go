package testwait

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Eventually returns as soon as the condition holds.
func TestEventuallyReturnsOnceTheConditionHolds(t *testing.T) {
	calls := 0
	Eventually(t, func() (bool, error) {
		calls++
		return calls == 3, nil
	}, "the third call")
	if calls != 3 {
		t.Fatalf("cond called %d times, want 3", calls)
	}
}

// A wait that runs out says so, with the condition's last answer.
func TestUntilReportsTheLastAnswer(t *testing.T) {
	err := until(10*time.Millisecond, func() (bool, error) { return false, errors.New("2 of 3") })
	if err == nil || !strings.Contains(err.Error(), "2 of 3") {
		t.Fatalf("err = %v, want the last answer", err)
	}
}
