package engine

import (
	"sync/atomic"
	"testing"

	"github.com/hush-cc/hush/internal/testwait"
)

// A task that panics on the caller's goroutine, which recovers, leaves the
// lane free: the conversation's next task still runs.
func TestLaneRunIdlePanicFreesTheLane(t *testing.T) {
	var ls lanes
	ls.init()
	defer ls.workers.close()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the task's panic did not reach the caller")
			}
		}()
		ls.runIdle("c1", func(*lane) { panic("boom") })
	}()
	var ran atomic.Bool
	ls.submit("c1", func(*lane) { ran.Store(true) })
	testwait.Eventually(t, func() (bool, error) { return ran.Load(), nil }, "the lane stayed busy after the panic")
	testwait.Eventually(t, func() (bool, error) { return ls.runIdle("c1", func(*lane) {}), nil }, "the lane is not idle once its tasks are done")
}
