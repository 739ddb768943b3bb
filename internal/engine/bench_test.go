package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/none"
)

// BenchmarkCommands measures pause/resume commands through the engine with
// durable SQLite commits: each command is persisted (state, audit, events)
// before Apply returns, and its backend result (the none backend) is
// persisted too. Many conversations run in parallel, as in a contact center.
func BenchmarkCommands(b *testing.B) {
	for _, convs := range []int{1000} {
		b.Run(fmt.Sprintf("conversations=%d", convs), func(b *testing.B) {
			st := openStore(b, filepath.Join(b.TempDir(), "hush.db"))
			eng := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{none.Platform: none.Backend{}}})
			if err := eng.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			defer eng.Close(5 * time.Second)
			ctx := context.Background()
			for i := range convs {
				if _, err := eng.Create(ctx, conversation.Spec{ID: fmt.Sprint("c", i), Platform: none.Platform, Recording: conversation.InProgress}, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			b.SetParallelism(max(1, convs/runtime.GOMAXPROCS(0)))
			stats, err := st.WriteStats(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			cpu0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				id := fmt.Sprint("c", next.Add(1)%int64(convs))
				op := conversation.OpPause
				for pb.Next() {
					_, err := eng.Apply(ctx, id, conversation.Input{Kind: conversation.KindCommand, Capability: conversation.Recording, Operation: op, Actor: "agent:a"})
					if err != nil {
						b.Error(err)
						return
					}
					if op == conversation.OpPause {
						op = conversation.OpResume
					} else {
						op = conversation.OpPause
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "commands/s")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/command")
			after, err := st.WriteStats(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(after.WALBytes-stats.WALBytes)/float64(b.N), "wal-B/command")
			b.ReportMetric(float64(after.Writes-stats.Writes)/float64(max(after.Commits-stats.Commits, 1)), "writes/commit")
		})
	}
}

// BenchmarkMemoryPerConversation reports the heap held per live
// conversation: the engine's lane and cached state, after 10,000 calls
// connected, each with a hold and a manual pause (timers armed).
func BenchmarkMemoryPerConversation(b *testing.B) {
	const n = 10000
	for range b.N {
		st := openStore(b, filepath.Join(b.TempDir(), "hush.db"))
		eng := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{none.Platform: none.Backend{}}})
		ctx := context.Background()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		sem := make(chan struct{}, 256)
		var failed atomic.Bool
		for i := range n {
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				id := fmt.Sprint("c", i)
				if _, err := eng.Create(ctx, conversation.Spec{ID: id, AgentID: "a", Platform: none.Platform, Recording: conversation.InProgress, Transcription: conversation.InProgress}, "bench"); err != nil {
					failed.Store(true)
				}
				eng.Apply(ctx, id, conversation.Input{Kind: conversation.KindHold, Actor: "ingest"})
				eng.Apply(ctx, id, conversation.Input{Kind: conversation.KindCommand, Capability: conversation.Recording, Operation: conversation.OpPause, Actor: "agent:a"})
			}()
		}
		for range cap(sem) {
			sem <- struct{}{}
		}
		if failed.Load() {
			b.Fatal("create failed")
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/conversation")
		eng.Close(time.Second)
	}
}

// cpuTime returns the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
