package sqlite

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestTransactProbe(t *testing.T) {
	s := open(t, dbPath(t))
	ctx := context.Background()
	const n = 100
	convs := make([]store.Write, n)
	for i := range n {
		c := sample(fmt.Sprintf("bench-%d", i))
		create(t, s, c)
		c.Version = 1
		convs[i] = store.Write{Conversation: c,
			Audit:  []audit.Entry{entry(c.ID, "agent-1", "hold"), entry(c.ID, "backend", "pause")},
			Events: []store.Event{event("conversation.updated", c.ID), event("recording.paused", c.ID)}}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var per []float64
	for range 150 {
		reqs := make([]*request, n)
		for i := range convs {
			cw, err := prepareWrite(convs[i], time.Now())
			if err != nil {
				t.Fatal(err)
			}
			reqs[i] = &request{ctx: ctx, run: cw.apply}
			convs[i].Conversation.Version++
		}
		c0 := threadCPU()
		outs, err := s.w.transact(reqs)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			if o != nil {
				t.Fatal(o)
			}
		}
		per = append(per, float64((threadCPU()-c0).Nanoseconds())/n/1000)
	}
	slices.Sort(per)
	t.Logf("writer cpu-µs/write: min %.1f p25 %.1f median %.1f", per[0], per[len(per)/4], per[len(per)/2])
}
