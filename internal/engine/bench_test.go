package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
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
			b.ResetTimer()
			start := time.Now()
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
		})
	}
}
