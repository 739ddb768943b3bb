package sqlite

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// BenchmarkWriteParallel measures what the engine asks of the store: many
// conversations, each updated in turn, every write carrying two audit
// entries and two events. writes/commit shows how much group commit shares.
func BenchmarkWriteParallel(b *testing.B) {
	s := open(b, dbPath(b))
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(64) // many conversation lanes per core, as in hush serve
	before, err := s.WriteStats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cpu := cpuTime(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := sample(fmt.Sprintf("bench-%d", next.Add(1)))
		if err := s.Write(ctx, store.Write{Conversation: c, Create: true}); err != nil {
			b.Error(err)
			return
		}
		c.Version = 1
		for pb.Next() {
			c.UpdatedAt = c.UpdatedAt.Add(1)
			w := store.Write{
				Conversation: c,
				Audit:        []audit.Entry{entry(c.ID, "agent-1", "hold"), entry(c.ID, "backend", "pause")},
				Events:       []store.Event{event("conversation.updated", c.ID), event("recording.paused", c.ID)},
			}
			if err := s.Write(ctx, w); err != nil {
				b.Error(err)
				return
			}
			c.Version++
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	// CPU time per write is steadier than wall time on a shared machine.
	b.ReportMetric(float64((cpuTime(b)-cpu).Microseconds())/float64(b.N), "cpu-µs/write")
	after, err := s.WriteStats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if n := after.Commits - before.Commits; n > 0 {
		b.ReportMetric(float64(after.Writes-before.Writes)/float64(n), "writes/commit")
	}
	b.ReportMetric(float64(after.WALBytes-before.WALBytes)/float64(b.N), "wal-B/write")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
