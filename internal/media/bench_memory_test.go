package media

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// BenchmarkCallMemory reports what a live two-stream call holds with the
// default 5 s commit delay, in steady state: both streams have delivered
// 6 s of packets in real time and 1 s of it is committed, so the buffer
// holds the whole delay. KiB/call is the heap it holds plus the ring
// pages in use (mapped outside the heap); heap-KiB/call the heap alone.
func BenchmarkCallMemory(b *testing.B) {
	const calls = 200
	const packets = 300 // 6 s at 20 ms
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
		end := t0.Add(packets * FrameDuration)
		for i := range open {
			c, err := r.Open(context.Background(), fmt.Sprint("c", i), CallOptions{Start: t0})
			if err != nil {
				b.Fatal(err)
			}
			for k := range packets {
				at := t0.Add(time.Duration(k) * FrameDuration)
				c.Push(Caller, callerTone.packet(k), at)
				c.Push(Agent, agentTone.packet(k), at)
			}
			if err := c.Advance(context.Background(), end); err != nil {
				b.Fatal(err)
			}
			open[i] = c
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		inUse := r.pages.inUse()
		heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		pages := float64(inUse) * float64(unsafe.Sizeof(page{}))
		b.ReportMetric((heap+pages)/calls/1024, "KiB/call")
		b.ReportMetric(heap/calls/1024, "heap-KiB/call")
		runtime.KeepAlive(open)
		if err := r.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
