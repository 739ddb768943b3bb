package media

import (
	"context"
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkCallMemory reports the heap a live two-stream call holds with
// the default 5 s commit delay: its commit-delay buffer, stream and gate
// state, once both streams have delivered packets.
func BenchmarkCallMemory(b *testing.B) {
	const calls = 200
	for range b.N {
		clock := &fakeClock{t: t0}
		r, err := NewRecorder(Config{Dir: b.TempDir(), Now: clock.Now})
		if err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		open := make([]*Call, calls)
		for i := range open {
			c, err := r.Open(context.Background(), fmt.Sprint("c", i), CallOptions{Start: t0})
			if err != nil {
				b.Fatal(err)
			}
			for k := range 50 {
				c.Push(Caller, callerTone.packet(k), t0)
				c.Push(Agent, agentTone.packet(k), t0)
			}
			open[i] = c
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/calls/1024, "KiB/call")
		runtime.KeepAlive(open)
		if err := r.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
